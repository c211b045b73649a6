// SPDX-License-Identifier: Apache-2.0
#include "exec/reactor.hpp"

#include <cerrno>

namespace leura::exec {

namespace {

class PollReactor final : public Reactor {
public:
    Clock::time_point now() override { return Clock::now(); }
    void wait(std::vector<pollfd>& fds, std::chrono::milliseconds timeout) override {
        int ms = int(std::min<long long>(timeout.count(), 60'000));
        // EINTR is how a signal wakes us; the engine re-checks its stop state either way.
        if (::poll(fds.data(), nfds_t(fds.size()), ms < 0 ? 0 : ms) < 0 && errno != EINTR)
            for (auto& p : fds)
                p.revents = 0;
    }
};

} // namespace

std::unique_ptr<Reactor> make_poll_reactor() {
    return std::make_unique<PollReactor>();
}

} // namespace leura::exec
