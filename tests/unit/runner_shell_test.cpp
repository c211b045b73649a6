// SPDX-License-Identifier: Apache-2.0
// The host's runner (exec/runner_protocol.cpp) in each shell a host may have as /bin/sh: dash
// and busybox ash see a step's end through a CHLD trap that interrupts `read`, bash goes on
// with a watcher. Driven as leura drives it: a frame, nudges while the step runs, the next
// frame after the marker; a closed stdin is a lost channel.
#include "../fuzz/runner_spawn.hpp"
#include "exec/runner_protocol.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string k_hex = "0123456789abcdef0123456789abcdef";

struct StepEnd {
    std::string out;
    int status = -1;
};

class RunnerProcess {
public:
    explicit RunnerProcess(std::vector<std::string> shell) {
        signal(SIGPIPE, SIG_IGN);
        shell.push_back("-c");
        shell.push_back(leura::exec::runner_script());
        const std::string name = shell[0];
        auto runner = leura::test::spawn_runner(std::move(shell));
        if (!runner) throw std::runtime_error("could not start " + name);
        m_pid = runner->pid;
        m_in = runner->in;
        m_out = runner->out;
        send(leura::exec::runner_greeting(k_hex));
    }
    ~RunnerProcess() {
        close_input();
        if (m_out >= 0) close(m_out);
        kill(-m_pid, SIGKILL); // whatever a failed test left behind
        int status;
        waitpid(m_pid, &status, 0);
    }

    void send(const std::string& data) {
        ASSERT_EQ(write(m_in, data.data(), data.size()), ssize_t(data.size()));
    }
    void step(const std::string& script) { send(leura::exec::runner_frame(script, 0, k_hex)); }
    void close_input() {
        if (m_in >= 0) close(m_in);
        m_in = -1;
    }

    // Output up to the next marker and the status after it; nullopt when none came in
    // `limit`. With `nudge`, an empty line now and then, as leura sends one.
    std::optional<StepEnd> step_end(bool nudge, std::chrono::milliseconds limit = 20s) {
        const std::string marker = "\n" + k_hex + " ";
        auto deadline = Clock::now() + limit;
        auto every = 25ms;
        auto next_nudge = Clock::now() + every;
        for (;;) {
            size_t at = m_buffer.find(marker);
            size_t eol = at == std::string::npos ? at : m_buffer.find('\n', at + marker.size());
            if (eol != std::string::npos) {
                StepEnd end{m_buffer.substr(0, at),
                            std::stoi(m_buffer.substr(at + marker.size(), eol))};
                m_buffer.erase(0, eol + 1);
                return end;
            }
            auto now = Clock::now();
            if (now >= deadline) return std::nullopt;
            if (nudge && now >= next_nudge) {
                send(leura::exec::runner_nudge());
                every = std::min(every * 4, std::chrono::milliseconds(30s));
                next_nudge = now + every;
            }
            if (!take_output(std::min(deadline, nudge ? next_nudge : deadline) - now))
                return std::nullopt; // the runner ended
        }
    }

    // The next line of output, before any marker.
    std::optional<std::string> line(std::chrono::milliseconds limit) {
        auto deadline = Clock::now() + limit;
        while (m_buffer.find('\n') == std::string::npos) {
            auto now = Clock::now();
            if (now >= deadline) return std::nullopt;
            if (!take_output(deadline - now)) return std::nullopt;
        }
        std::string first = m_buffer.substr(0, m_buffer.find('\n'));
        m_buffer.erase(0, first.size() + 1);
        return first;
    }

    // The runner's exit, waited for up to `limit`.
    bool ended_within(std::chrono::milliseconds limit) {
        auto deadline = Clock::now() + limit;
        while (Clock::now() < deadline) {
            int status;
            if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
                m_pid = -m_pid; // reaped: the destructor's waitpid fails harmlessly
                return true;
            }
            usleep(20000);
        }
        return false;
    }

private:
    // What the runner writes within `wait`; false once it has closed its output.
    bool take_output(Clock::duration wait) {
        pollfd p{m_out, POLLIN, 0};
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wait).count() + 1;
        int n = poll(&p, 1, int(ms));
        if (n <= 0) return true;
        char buf[4096];
        ssize_t r = read(m_out, buf, sizeof buf);
        if (r <= 0) return false;
        m_buffer.append(buf, size_t(r));
        return true;
    }

    pid_t m_pid = -1;
    int m_in = -1, m_out = -1;
    std::string m_buffer;
};

bool gone_within(pid_t pid, std::chrono::milliseconds limit) {
    auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        if (kill(pid, 0) != 0 && errno == ESRCH) return true;
        // A zombie has ended; whether anyone reaps it is up to the machine's init.
        std::string text;
        try {
            std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
            text.assign(std::istreambuf_iterator<char>(stat), {});
        } catch (const std::ios_base::failure&) {
            return true; // it ended between the kill() and the read (ESRCH from read)
        }
        size_t paren = text.rfind(')');
        if (paren != std::string::npos && text.compare(paren, 3, ") Z") == 0) return true;
        usleep(20000);
    }
    return false;
}

std::vector<std::vector<std::string>> shells() {
    std::vector<std::vector<std::string>> out;
    for (const char* sh : {"/bin/dash", "/bin/bash"})
        if (access(sh, X_OK) == 0) out.push_back({sh});
    if (access("/bin/busybox", X_OK) == 0) out.push_back({"/bin/busybox", "sh"});
    return out;
}

std::string shell_name(const testing::TestParamInfo<std::vector<std::string>>& info) {
    std::string name = info.param[0].substr(info.param[0].rfind('/') + 1);
    return name;
}

class RunnerShell : public testing::TestWithParam<std::vector<std::string>> {};

TEST_P(RunnerShell, StepsGetTheirOutputAndStatus) {
    RunnerProcess r(GetParam());
    r.step("echo one");
    auto end = r.step_end(true);
    ASSERT_TRUE(end);
    EXPECT_EQ(end->out, "one\n");
    EXPECT_EQ(end->status, 0);
    r.step("echo two; exit 7");
    end = r.step_end(true);
    ASSERT_TRUE(end);
    EXPECT_EQ(end->out, "two\n");
    EXPECT_EQ(end->status, 7);
    // The step's own shell ($$ would be the runner's: a subshell keeps it).
    r.step("kill -9 $(exec sh -c \"echo \\$PPID\")");
    end = r.step_end(true);
    ASSERT_TRUE(end);
    EXPECT_EQ(end->status, 128 + 9);
    r.step("cat; echo \"stdin at EOF, runner variables hidden: [$m$pid$c$f]\"");
    end = r.step_end(true);
    ASSERT_TRUE(end);
    EXPECT_EQ(end->out, "stdin at EOF, runner variables hidden: []\n");
}

// No nudge: a step that ends while the runner waits is seen by the runner itself.
TEST_P(RunnerShell, SeesAStepEndWithoutANudge) {
    RunnerProcess r(GetParam());
    for (int i = 0; i < 3; ++i) {
        r.step("sleep 0.3; echo late " + std::to_string(i));
        auto end = r.step_end(false);
        ASSERT_TRUE(end) << "step " << i << " ended unseen";
        EXPECT_EQ(end->out, "late " + std::to_string(i) + "\n");
    }
}

// Steps that end at once race the runner's `read`; with leura's nudges none is lost, and
// nudges while idle are skipped.
TEST_P(RunnerShell, ManyQuickStepsAllEnd) {
    RunnerProcess r(GetParam());
    for (int i = 0; i < 200; ++i) {
        if (i % 50 == 0) r.send(leura::exec::runner_nudge() + leura::exec::runner_nudge());
        r.step(i % 2 ? "true" : "exit " + std::to_string(i % 5));
        auto end = r.step_end(true);
        ASSERT_TRUE(end) << "step " << i << " never ended";
        EXPECT_EQ(end->status, i % 2 ? 0 : i % 5) << "step " << i;
    }
}

// The lifeline: the channel closes mid-step, and the step and what it started end, what
// ignores TERM by KILL.
TEST_P(RunnerShell, AClosedChannelEndsTheStep) {
    for (const char* prefix : {"", "trap \"\" TERM; "}) {
        RunnerProcess r(GetParam());
        r.step(std::string(prefix) + "sleep 60 & echo $!; wait");
        auto line = r.line(10s); // the background sleep's pid
        ASSERT_TRUE(line);
        pid_t sleeper = pid_t(std::stoi(*line));
        ASSERT_GT(sleeper, 0);
        r.close_input();
        EXPECT_TRUE(gone_within(sleeper, 8s)) << "the step's sleep outlived its channel";
        EXPECT_TRUE(r.ended_within(8s)) << "the runner outlived its channel";
    }
}

INSTANTIATE_TEST_SUITE_P(Shells, RunnerShell, testing::ValuesIn(shells()), shell_name);

} // namespace
