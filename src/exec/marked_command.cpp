// SPDX-License-Identifier: Apache-2.0
#include "exec/marked_command.hpp"
#include "exec/marker_cut.hpp"

namespace leura::exec {

namespace {

class MarkedCommand final : public ssh::Command, private ssh::OutputSink {
public:
    MarkedCommand(std::unique_ptr<ssh::Command> inner, const std::string& hex)
        : m_inner(std::move(inner)), m_marker("\n" + hex + " ") {}

    Result<ssh::Step> pump(ssh::OutputSink& out) override {
        if (m_done) return ssh::Step::done;
        m_out = m_last_out = &out;
        auto result = m_inner->pump(*this);
        m_out = nullptr;
        if (!result) return result;
        if (m_streams.done()) {
            m_done = true;
            m_exit = m_streams.exit_status();
            m_inner->abort(); // the script has ended; whatever holds the channel open goes
            return ssh::Step::done;
        }
        if (*result == ssh::Step::again) return result;
        // Ended without its markers (sudo refused before the script ran, the shell killed):
        // the channel's own status tells.
        m_done = true;
        m_exit = m_inner->exit_code();
        m_signal = m_inner->exit_signal();
        LEURA_TRY(m_streams.flush_held(out));
        return ssh::Step::done;
    }
    int exit_code() const override { return m_exit; }
    std::string exit_signal() const override { return m_signal; }
    void abort() override {
        if (m_last_out && !m_done) // held back as a possible marker; none will come now
            (void)m_streams.flush_held(*m_last_out);
        m_inner->abort();
        m_done = true;
    }
    std::optional<ssh::WaitFor> wait_for() const override { return m_inner->wait_for(); }
    std::optional<std::chrono::steady_clock::time_point> wake_at() const override {
        return m_inner->wake_at();
    }

private:
    Status write(ssh::Stream stream, std::string_view data) override {
        return m_streams.take(stream, data, m_marker, m_after, *m_out);
    }

    std::unique_ptr<ssh::Command> m_inner;
    std::string m_marker;
    MarkedStreams m_streams;
    std::string m_after[2]; // after the markers: a background job's, dropped
    ssh::OutputSink* m_out = nullptr;
    ssh::OutputSink* m_last_out = nullptr; // the engine's, alive until after abort()
    bool m_done = false;
    int m_exit = -1;
    std::string m_signal;
};

} // namespace

std::string marker_line(const std::string& hex) {
    return hex + "\n";
}

std::unique_ptr<ssh::Command> marked(std::unique_ptr<ssh::Command> inner, const std::string& hex) {
    return std::make_unique<MarkedCommand>(std::move(inner), hex);
}

} // namespace leura::exec
