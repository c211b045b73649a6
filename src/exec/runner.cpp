// SPDX-License-Identifier: Apache-2.0
#include "exec/runner.hpp"
#include "exec/marker_cut.hpp"
#include "exec/script.hpp"
#include "util/random.hpp"
#include "util/strings.hpp"

#include <array>

namespace leura::exec {

namespace {

// The runner. Its first line of input is the marker; then each step comes sized (see
// k_read_sized_script), its count followed by " file" when a file follows the script (an
// upload, which reads exactly its bytes). A background job's stdin is /dev/null in sh, so the
// watcher reads the channel on fd 3; other steps get neither. The watcher is ended before the
// marker goes out, and leura sends the next script only after the marker: it never takes a
// byte of a script. A step reading a file has no watcher: the file ends short when the channel
// closes, and the upload fails and cleans up. `kill -TERM -$pid` reaches a step that
// `timeout` moved into a process group of its own.
constexpr const char* k_runner_script =
    "IFS= read -r m || exit 0\n"
    "exec 3<&0\n"
    "while read -r n f; do\n"
    "  script=\n"
    "  while [ \"$n\" -gt 0 ] && IFS= read -r line; do script=\"$script$line\n\"; n=$((n - 1)); "
    "done\n"
    "  [ \"$n\" = 0 ] || exit 0\n"
    "  if [ -n \"$f\" ]; then exec 4<&3; else exec 4</dev/null; fi\n"
    "  (unset m n f line pid w rc; eval \"$script\") <&4 3<&- 4<&- &\n"
    "  pid=$! w=\n"
    "  exec 4<&-\n"
    "  if [ -z \"$f\" ]; then\n"
    "    (while read -r line <&3; do :; done; kill -TERM -$pid; kill -TERM 0) >/dev/null 2>&1 &\n"
    "    w=$!\n"
    "  fi\n"
    "  wait $pid; rc=$?\n"
    "  if [ -n \"$w\" ]; then kill $w 2>/dev/null; wait $w 2>/dev/null; fi\n"
    "  printf '\\n%s %s\\n' \"$m\" $rc; printf '\\n%s %s\\n' \"$m\" $rc >&2\n"
    "done\n";

int parse_status(const std::string& s) {
    int code = 0;
    for (char c : s) {
        if (c < '0' || c > '9' || code > 1000) return -1;
        code = code * 10 + (c - '0');
    }
    return s.empty() ? -1 : code;
}

} // namespace

class RunnerStep final : public ssh::Command, private ssh::OutputSink {
public:
    RunnerStep(Runner& runner, std::string script, std::string file)
        : m_runner(runner), m_script(std::move(script)), m_file(std::move(file)) {}
    ~RunnerStep() override {
        // Dropped mid-step: the runner's state is unknown, so it goes (and the step with it).
        if (m_started && !m_done) abort();
    }

    Result<ssh::Step> pump(ssh::OutputSink& out) override {
        if (m_done) return ssh::Step::done;
        if (!m_started) LEURA_TRY(start(out));
        m_out = &out;
        auto result = m_runner.m_channel->pump(*this);
        m_out = nullptr;
        if (!result) {
            m_runner.m_channel.reset();
            m_done = true;
            return result;
        }
        if (m_cut[0].done() && m_cut[1].done()) {
            m_done = true;
            m_exit = parse_status(m_cut[0].status());
            return ssh::Step::done;
        }
        if (*result == ssh::Step::again) return ssh::Step::again;
        // The channel ended before the marker: the step killed the runner (say `kill -9 $$`,
        // its own shell as far as it knows), and sshd tells by which signal.
        m_signal = m_runner.m_channel->exit_signal();
        int runner_exit = m_runner.m_channel->exit_code();
        m_runner.m_channel.reset();
        m_done = true;
        for (int s = 0; s < 2; ++s)
            if (!m_cut[s].held().empty()) LEURA_TRY(out.write(ssh::Stream(s), m_cut[s].held()));
        if (!m_signal.empty()) return ssh::Step::done;
        // Exit 127 here is a host without /bin/sh.
        return fail(
            ErrorKind::remote_exit,
            "the shell running the step on the host ended before the step did" +
                (runner_exit >= 0 ? " (exit " + std::to_string(runner_exit) + ")" : std::string()));
    }

    int exit_code() const override { return m_exit; }
    std::string exit_signal() const override { return m_signal; }

    void abort() override {
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
        return m_runner.m_channel ? m_runner.m_channel->wake_at() : std::nullopt;
    }

private:
    Status start(ssh::OutputSink& out) {
        m_started = true;
        std::string input = sized_stdin(m_script, m_file.empty() ? "" : " file");
        m_script.clear();
        // A runner that ended while idle (its channel closed) takes no input: start another.
        if (m_runner.m_channel && !m_runner.m_channel->send(input)) m_runner.m_channel.reset();
        if (!m_runner.m_channel) {
            std::string hex = util::random_hex(16);
            m_runner.m_marker = "\n" + hex + " ";
            m_runner.m_left[0].clear();
            m_runner.m_left[1].clear();
            m_runner.m_channel = m_runner.m_connection.exec(
                "exec /bin/sh -c " + util::shell_quote(k_runner_script), hex + "\n" + input, true);
        }
        if (!m_file.empty()) LEURA_TRY(m_runner.m_channel->send_file(m_file));
        for (int s = 0; s < 2; ++s) {
            std::string left = std::move(m_runner.m_left[s]);
            m_runner.m_left[s].clear();
            if (!left.empty()) LEURA_TRY(out.write(ssh::Stream(s), left));
        }
        return {};
    }

    // The runner's output, split at the markers.
    Status write(ssh::Stream stream, std::string_view data) override {
        int s = stream == ssh::Stream::out ? 0 : 1;
        return m_cut[s].take(data, m_runner.m_marker, m_runner.m_left[s],
                             [this, stream](std::string_view part) -> Status {
                                 if (part.empty()) return {};
                                 return m_out->write(stream, part);
                             });
    }

    Runner& m_runner;
    std::string m_script;
    std::string m_file; // streamed after the script: an upload's
    bool m_started = false;
    bool m_done = false;
    int m_exit = -1;
    std::string m_signal;
    std::array<MarkerCut, 2> m_cut;
    ssh::OutputSink* m_out = nullptr;
};

Runner::Runner(ssh::Connection& connection) : m_connection(connection) {}
Runner::~Runner() = default;

std::unique_ptr<ssh::Command> Runner::run(std::string script, std::string file) {
    return std::make_unique<RunnerStep>(*this, std::move(script), std::move(file));
}

} // namespace leura::exec
