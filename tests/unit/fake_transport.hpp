// SPDX-License-Identifier: Apache-2.0
#pragma once

// In-memory doubles for the engine's seams: an SSH transport scripted per host name, a
// reactor on a virtual clock, and sinks that record events and output. Every connection reports fd
// -1 ("ready at once"), so the engine polls with a zero timeout while any host is active; the fake
// reactor lets each poll take one tick of virtual time so deadlines still arrive, and gives up if
// the engine never finishes.
#include "exec/engine.hpp"
#include "exec/reactor.hpp"
#include "ssh/transport.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace leura::test {

using exec::Clock;
using std::chrono::milliseconds;

struct FakeStep {
    std::vector<std::pair<ssh::Stream, std::string>> chunks; // one chunk per pump
    int exit_code = 0;
    std::string signal;
    bool hang = false;          // after its chunks, never finishes
    std::optional<Error> error; // after its chunks, pump fails with this
};

struct FakeHost {
    enum class Connect { ok, fail, hang };
    Connect connect = Connect::ok;
    ErrorKind error_kind = ErrorKind::connect;
    int fail_times = 0; // the first N connections fail with error_kind, later ones follow `connect`
    int connect_turns = 2;       // "again" answers before a connect succeeds
    std::vector<FakeStep> steps; // by step index; a missing step exits 0 without output
};

struct CommandRecord {
    std::string command, stdin_data;
    int pumps = 0;
    bool aborted = false;
    bool finished = false;
};

struct ConnectionRecord {
    Clock::time_point opened_at;
    bool connected = false;
    std::deque<CommandRecord> commands; // deque: records keep their address as it grows
};

class FakeTransport;

class FakeCommand final : public ssh::Command {
public:
    FakeCommand(FakeTransport& t, FakeStep step, CommandRecord& rec, std::shared_ptr<bool> conn)
        : m_t(t), m_step(std::move(step)), m_rec(rec), m_conn_alive(std::move(conn)) {}
    ~FakeCommand() override {
        if (!*m_conn_alive) ADD_FAILURE() << "a command outlived its connection";
    }
    Result<ssh::Step> pump(ssh::OutputSink& out) override;
    int exit_code() const override { return m_step.signal.empty() ? m_step.exit_code : -1; }
    std::string exit_signal() const override { return m_step.signal; }
    void abort() override { m_rec.aborted = true; }

private:
    FakeTransport& m_t;
    FakeStep m_step;
    CommandRecord& m_rec;
    std::shared_ptr<bool> m_conn_alive;
    size_t m_next = 0;
};

class FakeConnection final : public ssh::Connection {
public:
    FakeConnection(FakeTransport& t, std::string host, ConnectionRecord& rec, int attempt);
    ~FakeConnection() override;
    Result<ssh::Step> connect() override;
    std::unique_ptr<ssh::Command> exec_with_file(std::string command, std::string stdin_data,
                                                 util::Snapshot stdin_file) override {
        std::ifstream in(stdin_file->path(), std::ios::binary);
        stdin_data.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        return exec(std::move(command), std::move(stdin_data));
    }
    std::unique_ptr<ssh::Command> exec(std::string command, std::string stdin_data,
                                       bool keep_stdin_open = false) override;
    ssh::WaitFor wait_for() const override { return {-1, false}; }
    bool dropped_in_handshake() const override { return m_dropped; }

private:
    FakeTransport& m_t;
    std::string m_host;
    ConnectionRecord& m_rec;
    int m_attempt;
    int m_turns = 0;
    bool m_handshaking = false, m_dropped = false;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

class FakeTransport final : public ssh::Transport {
public:
    std::unique_ptr<ssh::Connection> open(const ssh::Endpoint& endpoint) override {
        auto& list = opened[endpoint.host];
        list.emplace_back();
        list.back().opened_at = clock ? clock() : Clock::time_point{};
        return std::make_unique<FakeConnection>(*this, endpoint.host, list.back(),
                                                int(list.size()) - 1);
    }
    size_t opens(const std::string& host) const {
        auto it = opened.find(host);
        return it == opened.end() ? 0 : it->second.size();
    }

    std::map<std::string, FakeHost> hosts;                      // scripts by host name
    std::map<std::string, std::deque<ConnectionRecord>> opened; // what happened, by host name
    std::function<Clock::time_point()> clock;                   // to stamp opens
    size_t live = 0, max_live = 0, total_pumps = 0;
    // A server that drops handshakes beyond this many at once, as sshd's MaxStartups does
    // (0: no limit); how many it dropped and the most it saw at once.
    size_t max_handshakes = 0, handshaking = 0, dropped = 0, most_handshaking = 0;
};

inline FakeConnection::FakeConnection(FakeTransport& t, std::string host, ConnectionRecord& rec,
                                      int attempt)
    : m_t(t), m_host(std::move(host)), m_rec(rec), m_attempt(attempt) {
    m_t.max_live = std::max(m_t.max_live, ++m_t.live);
}

inline FakeConnection::~FakeConnection() {
    *m_alive = false;
    --m_t.live;
    if (m_handshaking) --m_t.handshaking;
}

inline Result<ssh::Step> FakeConnection::connect() {
    const FakeHost& script = m_t.hosts[m_host];
    auto connect_mode = m_attempt < script.fail_times ? FakeHost::Connect::fail : script.connect;
    switch (connect_mode) {
    case FakeHost::Connect::fail:
        return fail(script.error_kind, "cannot connect to " + m_host);
    case FakeHost::Connect::hang:
        return ssh::Step::again;
    case FakeHost::Connect::ok:
        break;
    }
    if (m_turns == 0) {
        m_handshaking = true;
        m_t.most_handshaking = std::max(m_t.most_handshaking, ++m_t.handshaking);
        if (m_t.max_handshakes && m_t.handshaking > m_t.max_handshakes) {
            m_handshaking = false;
            --m_t.handshaking;
            ++m_t.dropped;
            m_dropped = true;
            return fail(ErrorKind::connect, "ssh handshake with " + m_host + ": disconnected");
        }
    }
    if (m_turns++ < script.connect_turns) return ssh::Step::again;
    m_handshaking = false;
    --m_t.handshaking;
    m_rec.connected = true;
    return ssh::Step::done;
}

inline std::unique_ptr<ssh::Command> FakeConnection::exec(std::string command,
                                                          std::string stdin_data, bool) {
    if (!m_rec.connected) ADD_FAILURE() << "exec on " << m_host << " before connect finished";
    const auto& steps = m_t.hosts[m_host].steps;
    size_t index = m_rec.commands.size();
    FakeStep step = index < steps.size() ? steps[index] : FakeStep{};
    auto& record = m_rec.commands.emplace_back();
    record.command = std::move(command);
    record.stdin_data = std::move(stdin_data);
    return std::make_unique<FakeCommand>(m_t, std::move(step), record, m_alive);
}

inline Result<ssh::Step> FakeCommand::pump(ssh::OutputSink& out) {
    ++m_rec.pumps;
    ++m_t.total_pumps;
    if (m_rec.finished) ADD_FAILURE() << "pump after the command finished";
    if (m_next < m_step.chunks.size()) {
        const auto& [stream, data] = m_step.chunks[m_next++];
        if (auto written = out.write(stream, data); !written)
            return std::unexpected(written.error());
        return ssh::Step::again;
    }
    if (m_step.error) return std::unexpected(*m_step.error);
    if (m_step.hang) return ssh::Step::again;
    m_rec.finished = true;
    return ssh::Step::done;
}

// now() is a virtual clock; wait() advances it by the timeout asked for, at least one tick.
class FakeReactor final : public exec::Reactor {
public:
    static constexpr milliseconds k_tick{1};
    static constexpr long k_max_waits = 2'000'000;

    Clock::time_point now() override { return m_now; }
    void wait(std::vector<pollfd>& fds, milliseconds timeout) override {
        if (++m_waits > k_max_waits) throw std::runtime_error("the engine never finished");
        m_now += std::max(timeout, k_tick);
        for (auto& p : fds)
            p.revents = 0;
    }
    milliseconds elapsed() const {
        return std::chrono::duration_cast<milliseconds>(m_now - Clock::time_point{});
    }

private:
    Clock::time_point m_now{};
    long m_waits = 0;
};

// Events as log lines ("step_started 1/0") and the outcomes they carried.
class RecordingEvents final : public exec::EventSink {
public:
    void host_started(size_t host) override { log.push_back("host_started " + id(host)); }
    void step_started(size_t host, size_t step) override {
        log.push_back("step_started " + id(host, step));
    }
    void step_finished(const exec::StepOutcome& o) override {
        log.push_back("step_finished " + id(o.host, o.step));
        steps.push_back(o);
    }
    void host_finished(const exec::HostOutcome& o) override {
        log.push_back("host_finished " + id(o.host));
        hosts.push_back(o);
    }
    static std::string id(size_t host, size_t step = size_t(-1)) {
        return std::to_string(host) + (step == size_t(-1) ? "" : "/" + std::to_string(step));
    }
    std::vector<std::string> log;
    std::vector<exec::StepOutcome> steps;
    std::vector<exec::HostOutcome> hosts;
};

// Step output kept in memory; can be told to fail opening one (host, step).
class MemoryOutputs final : public exec::OutputStore {
public:
    struct Streams {
        std::string out, err;
    };
    class Sink final : public ssh::OutputSink {
    public:
        explicit Sink(Streams& s) : m_s(s) {}
        Status write(ssh::Stream stream, std::string_view data) override {
            (stream == ssh::Stream::out ? m_s.out : m_s.err) += data;
            return {};
        }

    private:
        Streams& m_s;
    };
    Result<std::unique_ptr<ssh::OutputSink>> open(size_t host, size_t step) override {
        if (fail_at == std::pair{host, step}) return fail(ErrorKind::io, "disk full");
        return std::make_unique<Sink>(files[{host, step}]);
    }
    std::map<std::pair<size_t, size_t>, Streams> files;
    std::optional<std::pair<size_t, size_t>> fail_at;
};

// Builders for steps and plans.
using Chunks = std::vector<std::pair<ssh::Stream, std::string>>;

inline exec::StepPlan plan(std::string name, std::optional<milliseconds> timeout = std::nullopt,
                           bool ignore_errors = false) {
    exec::StepPlan p;
    p.name = std::move(name);
    p.timeout = timeout;
    p.ignore_errors = ignore_errors;
    return p;
}
inline std::vector<exec::StepPlan> plans(std::initializer_list<const char*> names) {
    std::vector<exec::StepPlan> out;
    for (const char* n : names)
        out.push_back(plan(n));
    return out;
}
inline FakeStep talks(Chunks chunks) {
    FakeStep s;
    s.chunks = std::move(chunks);
    return s;
}
inline FakeStep exits(int code) {
    FakeStep s;
    s.exit_code = code;
    return s;
}
inline FakeStep hangs() {
    FakeStep s;
    s.hang = true;
    return s;
}

} // namespace leura::test
