// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <memory>
#include <poll.h>
#include <vector>

namespace leura::exec {

using Clock = std::chrono::steady_clock;

// Time and waiting, behind a seam so the engine's logic runs in tests on a fake clock.
class Reactor {
public:
    virtual ~Reactor() = default;
    virtual Clock::time_point now() = 0;
    // Waits until one of `fds` is ready or `timeout` passes; sets revents.
    virtual void wait(std::vector<pollfd>& fds, std::chrono::milliseconds timeout) = 0;
};

std::unique_ptr<Reactor> make_poll_reactor();

} // namespace leura::exec
