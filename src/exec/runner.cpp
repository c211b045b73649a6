// SPDX-License-Identifier: Apache-2.0
#include "exec/runner.hpp"
#include "exec/marker_cut.hpp"
#include "exec/script.hpp"
#include "util/random.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <array>

namespace leura::exec {

namespace {

// The runner. Its first line of input is the marker; then each step comes framed: a header
// "l LINES PAYLOAD" (the script is that many lines, read by the shell's own `read`, which
// starts no process) or "b BYTES PAYLOAD" (a big script, taken by one `head -c`: `read` takes
// a pipe a byte at a time, and appending line by line is quadratic in dash), then the script,
// then PAYLOAD bytes of file for the step to read (an upload's; 0: none).
//
// Payload bytes must never be read as a script. leura sends exactly PAYLOAD bytes and nothing
// more until the step's marker; a step that exits 0 has read them all (the upload body checks
// that the size it received is PAYLOAD), and a step with a payload that ends any other way may
// have left some unread, so the runner ends rather than read on: its input goes with its
// channel, and the next step gets a new runner. leura drops the runner on the same rule.
//
// A background job's stdin is /dev/null in sh, so the watcher reads the channel on fd 3; other
// steps get neither. The watcher is ended before the marker goes out, and leura sends the next
// script only after the marker: it never takes a byte of a script. When the channel closes it
// ends the step (`kill -TERM -$pid` reaches a step that `timeout` moved into a process group
// of its own), and KILLs what ignored TERM after 2 s. A step reading a payload has no watcher:
// the payload ends short when the channel closes, and the upload fails and cleans up.
//
// All on one line, with no single quote, no backslash pair and no `!`: the exec request passes
// through the user's login shell, and csh, tcsh (history expansion even in quotes) and fish
// read those differently from sh. The marker line brings a `!` for `$!`.
constexpr const char* k_runner_script =
    "read -r m bang || exit 0; nl=${IFS#??}; exec 3<&0; "
    "while read -r k n p; do "
    "script=; "
    "case $k in "
    "l) while [ \"$n\" -gt 0 ] && IFS= read -r line; do script=\"$script$line$nl\"; "
    "n=$((n - 1)); done; [ \"$n\" = 0 ] || exit 0;; "
    "b) script=$(head -c \"$n\") || exit 0;; "
    "*) exit 0;; "
    "esac; "
    "[ \"$p\" -ge 0 ] 2>/dev/null || exit 0; "
    "if [ \"$p\" -gt 0 ]; then exec 4<&3; else exec 4</dev/null; fi; "
    "(unset m bang nl k n p line pid w rc; eval \"$script\") <&4 3<&- 4<&- & "
    "eval \"pid=\\$$bang\"; w=; "
    "exec 4<&-; "
    "if [ \"$p\" = 0 ]; then "
    "(while read -r line <&3; do :; done; trap \"\" TERM; kill -TERM -$pid; kill -TERM 0; "
    "sleep 2; kill -KILL -$pid; kill -KILL 0) >/dev/null 2>&1 & eval \"w=\\$$bang\"; "
    "fi; "
    "wait $pid; rc=$?; "
    "if [ -n \"$w\" ]; then kill $w 2>/dev/null; wait $w 2>/dev/null; fi; "
    "printf \"\\n%s %s\\n\" \"$m\" $rc; printf \"\\n%s %s\\n\" \"$m\" $rc >&2; "
    "if [ \"$p\" -gt 0 ] && [ $rc -ne 0 ]; then exit 0; fi; "
    "done";

// Scripts up to this size are read line by line in the shell; bigger ones by `head -c`, whose
// fork and exec cost about what `read` spends on this many bytes.
constexpr size_t k_big_script = 4096;

// The header and script of one step, as the runner reads them.
std::string framed(std::string script, unsigned long long payload) {
    if (!script.empty() && script.back() != '\n') script += '\n';
    std::string tail = " " + std::to_string(payload) + "\n";
    if (script.size() > k_big_script) return "b " + std::to_string(script.size()) + tail + script;
    return "l " + std::to_string(std::count(script.begin(), script.end(), '\n')) + tail + script;
}

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
    RunnerStep(Runner& runner, std::string script, util::Snapshot file)
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
            ++m_runner.m_steps;
            // A step with a payload that did not succeed may have left some of it unread: the
            // runner has ended rather than read on (k_runner_script), and goes here too.
            if (m_file && m_exit != 0) m_runner.m_channel.reset();
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
        std::string input = framed(std::move(m_script), m_file ? m_file->size() : 0);
        m_script.clear();
        // A runner that ended while idle (its channel closed) takes no input: start another.
        if (m_runner.m_channel && !m_runner.m_channel->send(input)) m_runner.m_channel.reset();
        if (!m_runner.m_channel) {
            std::string hex = util::random_hex(16);
            m_runner.m_marker = "\n" + hex + " ";
            m_runner.m_left[0].clear();
            m_runner.m_left[1].clear();
            m_runner.m_steps = 0;
            m_runner.m_channel =
                m_runner.m_connection.exec("exec /bin/sh -c " + util::shell_quote(k_runner_script),
                                           hex + " !\n" + input, true);
        }
        if (m_file) LEURA_TRY(m_runner.m_channel->send_file(m_file));
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
    util::Snapshot m_file; // streamed after the script: an upload's
    bool m_started = false;
    bool m_done = false;
    int m_exit = -1;
    std::string m_signal;
    std::array<MarkerCut, 2> m_cut;
    ssh::OutputSink* m_out = nullptr;
};

Runner::Runner(ssh::Connection& connection) : m_connection(connection) {}
Runner::~Runner() = default;

std::unique_ptr<ssh::Command> Runner::run(std::string script, util::Snapshot file) {
    return std::make_unique<RunnerStep>(*this, std::move(script), std::move(file));
}

} // namespace leura::exec
