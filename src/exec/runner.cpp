// SPDX-License-Identifier: Apache-2.0
#include "exec/runner.hpp"
#include "exec/marker_cut.hpp"
#include "exec/runner_protocol.hpp"
#include "util/random.hpp"

#include <algorithm>
#include <chrono>

namespace leura::exec {

class RunnerStep final : public ssh::Command, private ssh::OutputSink {
public:
    RunnerStep(Runner& runner, std::string script, util::Snapshot file)
        : m_runner(runner), m_script(std::move(script)), m_file(std::move(file)) {}
    ~RunnerStep() override {
        // Dropped mid-step: the runner's state is unknown, so it goes (and the step with it).
        if (m_started && !m_done) abort();
    }

    Result<ssh::Step> pump(ssh::OutputSink& out) override {
        if (m_done) return ssh::Step::done;
        if (!m_started) LEURA_TRY(start(out));
        LEURA_TRY(nudge());
        m_out = m_last_out = &out;
        auto result = m_runner.m_channel->pump(*this);
        m_out = nullptr;
        if (!result) {
            m_runner.m_channel.reset();
            m_done = true;
            return result;
        }
        if (m_streams.done()) {
            m_done = true;
            m_exit = m_streams.exit_status();
            ++m_runner.m_steps;
            // After a payload the runner reads nothing more (exec/runner_protocol.cpp): it
            // has ended, and goes here too.
            if (m_file) m_runner.m_channel.reset();
            return ssh::Step::done;
        }
        if (*result == ssh::Step::again) return ssh::Step::again;
        // The channel ended before the marker: the step killed the runner (say `kill -9 $$`,
        // its own shell as far as it knows), and sshd tells by which signal.
        m_signal = m_runner.m_channel->exit_signal();
        int runner_exit = m_runner.m_channel->exit_code();
        m_runner.m_channel.reset();
        m_done = true;
        LEURA_TRY(m_streams.flush_held(out));
        if (!m_signal.empty()) return ssh::Step::done;
        std::string status =
            runner_exit >= 0 ? " (exit " + std::to_string(runner_exit) + ")" : std::string();
        // Before its first step, it is the login shell that could not start the runner: a
        // nologin account, a shell that cannot run `-c` commands, a host without /bin/sh (127).
        if (m_runner.m_steps == 0)
            return fail(ErrorKind::remote_exit,
                        "the host's login shell did not start leura's runner" + status +
                            ": leura needs a login shell that runs `-c` commands (sh, bash, zsh, "
                            "ksh, csh, tcsh, fish) and /bin/sh; its output is in the step's log");
        return fail(ErrorKind::remote_exit,
                    "the shell running the step on the host ended before the step did" + status);
    }

    int exit_code() const override { return m_exit; }
    std::string exit_signal() const override { return m_signal; }

    void abort() override {
        // A step ended early (a timeout, a stop) keeps the output held back as a possible
        // marker: no marker will come now.
        if (m_last_out && !m_done) (void)m_streams.flush_held(*m_last_out);
        if (m_runner.m_channel && m_started && !m_done) {
            m_runner.m_channel->abort();
            m_runner.m_channel.reset();
        }
        m_done = true;
    }

    std::optional<ssh::WaitFor> wait_for() const override {
        return m_runner.m_channel ? m_runner.m_channel->wait_for() : std::nullopt;
    }
    std::optional<std::chrono::steady_clock::time_point> wake_at() const override {
        if (!m_runner.m_channel) return std::nullopt;
        auto wake = m_runner.m_channel->wake_at();
        if (m_nudging && !m_done) wake = wake ? std::min(*wake, m_nudge_at) : m_nudge_at;
        return wake;
    }

private:
    Status start(ssh::OutputSink& out) {
        m_started = true;
        unsigned long long payload = m_file ? m_file->size() : 0;
        // What came after the last step's marker is this step's (a background job's output).
        for (int s = 0; s < 2; ++s) {
            std::string left = std::move(m_runner.m_left[s]);
            m_runner.m_left[s].clear();
            if (!left.empty()) LEURA_TRY(out.write(ssh::Stream(s), left));
        }
        // A runner that ended while idle (killed, its channel closed) must not be handed the
        // step, which would then seem to have died with it: look first, and start another.
        if (m_runner.m_channel) {
            m_out = &out;
            auto alive = m_runner.m_channel->pump(*this);
            m_out = nullptr;
            if (!alive || *alive == ssh::Step::done ||
                !m_runner.m_channel->send(runner_frame(m_script, payload, m_runner.m_hex)))
                m_runner.m_channel.reset();
        }
        if (!m_runner.m_channel) {
            std::string hex = util::random_hex(16);
            m_runner.m_hex = hex;
            m_runner.m_marker = "\n" + hex + " ";
            m_runner.m_steps = 0;
            m_runner.m_channel = m_runner.m_connection.exec(
                runner_request(), runner_greeting(hex) + runner_frame(m_script, payload, hex),
                true);
        }
        m_script.clear();
        if (m_file) return m_runner.m_channel->send_file(m_file);
        m_nudging = true;
        m_nudge_every = k_first_nudge;
        m_nudge_at = std::chrono::steady_clock::now() + m_nudge_every;
        return {};
    }

    // The runner may miss a step's end that came just before its `read` (its CHLD trap ran
    // too early to interrupt it): an empty line wakes it. Early and then more and more
    // seldom, as the miss can only happen as a step starts; a step that reads a payload
    // takes no nudge, its stdin is the channel.
    Status nudge() {
        if (!m_nudging || m_done || !m_runner.m_channel) return {};
        auto now = std::chrono::steady_clock::now();
        if (now < m_nudge_at) return {};
        m_nudge_every = std::min(m_nudge_every * 4, k_last_nudge);
        m_nudge_at = now + m_nudge_every;
        return m_runner.m_channel->send_nudge(runner_nudge());
    }

    static constexpr std::chrono::milliseconds k_first_nudge{25};
    static constexpr std::chrono::milliseconds k_last_nudge{30000};

    // The runner's output, split at the markers.
    Status write(ssh::Stream stream, std::string_view data) override {
        return m_streams.take(stream, data, m_runner.m_marker, m_runner.m_left, *m_out);
    }

    Runner& m_runner;
    std::string m_script;
    util::Snapshot m_file; // streamed after the script: an upload's
    bool m_started = false;
    bool m_done = false;
    int m_exit = -1;
    std::string m_signal;
    MarkedStreams m_streams;
    ssh::OutputSink* m_out = nullptr;
    ssh::OutputSink* m_last_out = nullptr; // the engine's, alive until after abort()
    bool m_nudging = false;
    std::chrono::milliseconds m_nudge_every{0};
    std::chrono::steady_clock::time_point m_nudge_at{};
};

Runner::Runner(ssh::Connection& connection) : m_connection(connection) {}
Runner::~Runner() = default;

std::unique_ptr<ssh::Command> Runner::run(std::string script, util::Snapshot file) {
    return std::make_unique<RunnerStep>(*this, std::move(script), std::move(file));
}

} // namespace leura::exec
