// SPDX-License-Identifier: Apache-2.0
// The engine is one state machine per host, all driven by a single poll loop.
//
// Why not a thread per host: a thread holds a stack and tends to hold output in memory; with
// thousands of hosts on two cores, scheduling them costs more than the SSH work. Here a host
// costs its libssh session, one open spool file per stream, and this small struct. Each pass
// of the loop: admit queued hosts up to the concurrency limit, advance every host whose socket
// is ready or whose deadline passed until it would block, then poll all sockets with a timeout
// that ends at the nearest deadline (connect, step timeout, retry backoff, stop grace).
//
// A host's life: connecting (with retries and doubling backoff for connection errors only:
// an authentication or host key failure will not improve by retrying) -> one step at a time
// on the same connection (a fresh channel each) -> finished. Output goes straight from the
// channel into the step's OutputSink; the engine only counts it.
#include "exec/engine.hpp"
#include "exec/local_command.hpp"
#include "exec/marked_command.hpp"
#include "exec/runner.hpp"
#include "exec/script.hpp"
#include "util/random.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <tuple>
#include <unistd.h>

namespace leura::exec {

const char* to_string(HostStatus s) {
    switch (s) {
    case HostStatus::ok:
        return "ok";
    case HostStatus::failed:
        return "failed";
    case HostStatus::unreachable:
        return "unreachable";
    case HostStatus::skipped:
        return "skipped";
    case HostStatus::interrupted:
        return "interrupted";
    case HostStatus::rolled_back:
        return "rolled_back";
    }
    return "failed";
}

size_t& RunSummary::of(HostStatus s) {
    switch (s) {
    case HostStatus::ok:
        return ok;
    case HostStatus::failed:
        return failed;
    case HostStatus::unreachable:
        return unreachable;
    case HostStatus::skipped:
        return skipped;
    case HostStatus::interrupted:
        return interrupted;
    case HostStatus::rolled_back:
        return rolled_back;
    }
    return failed;
}

void RunSummary::add(const RunSummary& o) {
    ok += o.ok;
    failed += o.failed;
    unreachable += o.unreachable;
    skipped += o.skipped;
    interrupted += o.interrupted;
    rolled_back += o.rolled_back;
}

namespace {

using std::chrono::duration_cast;

// A custom step's answer is a small JSON document; more than this is a broken step.
constexpr size_t k_max_custom_answer = 1 << 20;

// A handshake the server dropped is retried this often, after drop_backoff(); a host waiting
// for a handshake slot looks again after k_handshake_wait.
constexpr int k_max_drops = 8;
constexpr size_t k_first_handshakes = 64;
constexpr milliseconds k_handshake_wait{20};

// As sshd names signals in exit-signal (without "SIG"), from glibc as local steps' are.
std::string signal_name(int n) {
    const char* name = sigabbrev_np(n);
    return name ? name : std::to_string(n);
}

// 50 ms doubling to 1.6 s, spread by +-50% so the dropped hosts do not return all at once
// (deterministic: a hash of host and attempt, not a clock).
milliseconds drop_backoff(size_t host, int drops) {
    uint64_t h =
        (uint64_t(host) + 1) * 0x9e3779b97f4a7c15ULL ^ uint64_t(drops) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 31;
    double spread = 0.5 + double(h % 1000) / 1000.0;
    return milliseconds(int64_t(50.0 * double(1 << std::min(drops, 5)) * spread));
}

// Counts bytes on their way to the real sink. While `capture` is set, stdout goes there
// instead (a custom step's answer); stderr is recorded as usual.
class CountingSink final : public ssh::OutputSink {
public:
    explicit CountingSink(std::unique_ptr<ssh::OutputSink> inner) : m_inner(std::move(inner)) {}
    Status write(ssh::Stream stream, std::string_view data) override {
        if (capture && stream == ssh::Stream::out) {
            if (capture->size() + data.size() > k_max_custom_answer)
                return fail(ErrorKind::io, "the custom step's answer is larger than 1 MiB");
            capture->append(data);
            return {};
        }
        (stream == ssh::Stream::out ? m_out : m_err) += data.size();
        return m_inner->write(stream, data);
    }
    Status finish() override { return m_inner->finish(); }
    unsigned long long m_out = 0, m_err = 0;
    std::string* capture = nullptr;

private:
    std::unique_ptr<ssh::OutputSink> m_inner;
};

enum class Phase { connecting, backoff, running, retry_wait, waiting_once, done };

struct HostRun {
    size_t host = 0;
    Phase phase = Phase::connecting;
    int attempt = 1;
    int drops = 0;             // handshakes the server dropped (retried apart from `attempt`)
    bool in_handshake = false; // counted in Loop::m_handshakes
    Clock::time_point started, deadline, step_started;
    bool has_deadline = false;
    std::unique_ptr<ssh::Connection> conn;
    // Declared after conn: destroyed first, as a channel must go before its session; and cmd
    // (which may be a step in the runner) before the runner.
    std::unique_ptr<Runner> runner;
    std::unique_ptr<ssh::Command> cmd;
    std::unique_ptr<CountingSink> output;
    size_t step = 0;
    int step_attempt = 1;
    bool connected = false; // hosts connect at their first remote step
    bool prechecking = false;
    bool unchanged = false;
    size_t commands = 0; // commands started: a new one must be pumped before the loop sleeps
    size_t steps_run = 0;
    int last_exit = -1;
    bool failed = false;
    bool rollback_failed = false; // an after_failure step failed too
    bool connection_lost = false; // a step failed with the connection: no remote step follows
    size_t rollback_ran = 0;      // after_failure steps that succeeded
    bool ready = true;            // its socket was ready in the last poll, or it is new
    std::optional<Error> first_error;
    std::string once_taken; // the once_key of a run_once step this host took and runs
    // A custom step: asking its executable, then running the commands it answered.
    bool asking = false;
    std::string answer;
    std::deque<SubCommand> subs;
    size_t sub_number = 0;
    std::string sub_label; // of the command running now, for messages
};

class Loop {
public:
    Loop(const Job& job, ssh::Transport& transport, Reactor& reactor, OutputStore& outputs,
         EventSink& events, const EngineOptions& options)
        : m_job(job), m_transport(transport), m_reactor(reactor), m_outputs(outputs),
          m_events(events), m_opt(options),
          m_handshake_cap(double(std::min(options.concurrency, k_first_handshakes))) {
        for (size_t i = 0; i < job.hosts.size(); ++i)
            m_queue.push_back(i);
        m_needs_ssh = std::any_of(job.steps.begin(), job.steps.end(),
                                  [](const StepPlan& p) { return !p.local; });
    }

    RunSummary run();

private:
    void admit();
    void check_stop();
    void advance(HostRun& r);
    void advance_connecting(HostRun& r);
    void advance_running(HostRun& r);
    void start_step(HostRun& r);
    void start_main_command(HostRun& r);
    std::unique_ptr<ssh::Command> in_runner(HostRun& r, std::string script,
                                            util::Snapshot file = nullptr);
    std::unique_ptr<ssh::Command> on_channel(HostRun& r, const std::string& command,
                                             std::string script, util::Snapshot file,
                                             bool keep_stdin_open, bool is_marked);
    void finish_asking(HostRun& r);
    void start_sub_command(HostRun& r);
    void finish_step(HostRun& r, int exit_code, std::string signal, std::optional<Error> err);
    void finish_host(HostRun& r, HostStatus status);
    void skip_queued(const std::string& reason, ErrorKind kind = ErrorKind::interrupted);
    size_t next_step(const HostRun& r, size_t from) const;
    void fail_host(HostRun& r, const std::optional<Error>& err);
    bool take_or_settle_once(HostRun& r);
    void settle_once(HostRun& r, OnceLedger::State state);
    void wait();
    enum class HandshakeEnd { done, dropped, timed_out, failed };
    void begin_handshake(HostRun& r);
    // The host's own (its ssh config's ConnectTimeout), else the run's.
    std::chrono::milliseconds connect_timeout(const HostRun& r) const {
        auto own = m_job.hosts[r.host].endpoint.connect_timeout;
        return own.count() > 0 ? own : m_opt.connect_timeout;
    }
    void end_handshake(HostRun& r, HandshakeEnd how);
    bool handshake_allowed() const { return double(m_handshakes) < m_handshake_cap; }
    static std::tuple<Phase, size_t, size_t, unsigned long long> progress_mark(const HostRun& r) {
        return {r.phase, r.step, r.commands, r.output ? r.output->m_out + r.output->m_err : 0};
    }
    milliseconds elapsed(Clock::time_point since) {
        return duration_cast<milliseconds>(m_reactor.now() - since);
    }

    const Job& m_job;
    ssh::Transport& m_transport;
    Reactor& m_reactor;
    OutputStore& m_outputs;
    EventSink& m_events;
    const EngineOptions& m_opt;
    std::deque<size_t> m_queue;
    std::vector<std::unique_ptr<HostRun>> m_active;
    std::vector<pollfd> m_fds;
    std::vector<HostRun*> m_fd_owner;
    RunSummary m_summary;
    int m_stop = 0;
    Clock::time_point m_abort_at;
    // A job with any remote step connects (host key, authentication) before its first step of
    // any kind: a local drain must not run on a host leura then cannot reach.
    bool m_needs_ssh = false;
    // Handshakes in flight, and how many may be. A handshake costs both sides real CPU, and
    // too many at once make every one of them slow, then time out, then start again: at 1,000
    // at once on this 2-core loopback fleet, 86% of hosts timed out. So the allowance starts at
    // k_first_handshakes and widens while handshakes finish well inside the connect timeout;
    // it narrows when they grow slow, and halves when the server drops one (sshd's
    // MaxStartups, 10 by default) or one times out.
    size_t m_handshakes = 0;
    double m_handshake_cap = 1;
};

RunSummary Loop::run() {
    while (!m_queue.empty() || !m_active.empty()) {
        check_stop();
        admit();
        auto now = m_reactor.now();
        for (auto& r : m_active) {
            bool due = (r->has_deadline || r->phase == Phase::backoff) && now >= r->deadline;
            if (r->cmd)
                if (auto wake = r->cmd->wake_at(); wake && now >= *wake) due = true;
            if (!r->ready && !due) continue;
            // A host that moved data may have more waiting inside libssh's buffers, which
            // poll() cannot see: give it another turn before sleeping.
            auto before = progress_mark(*r);
            advance(*r);
            r->ready = r->phase != Phase::done && progress_mark(*r) != before;
        }
        std::erase_if(m_active, [](const auto& r) { return r->phase == Phase::done; });
        if (m_active.empty() && m_queue.empty()) break;
        m_events.settle();
        wait();
    }
    m_events.settle();
    m_summary.stopped = m_stop > 0;
    return m_summary;
}

void Loop::check_stop() {
    int level = m_opt.stop_level ? m_opt.stop_level() : 0;
    if (level <= m_stop) {
        if (m_stop == 1 && m_reactor.now() >= m_abort_at)
            m_stop = 2;
        else
            return;
    } else {
        m_stop = level;
        if (m_stop == 1) m_abort_at = m_reactor.now() + m_opt.stop_grace;
    }
    skip_queued("the run was stopped before this host started");
    for (auto& r : m_active) {
        if (r->phase == Phase::done) continue;
        // A host still connecting has not started its work: it does not start now.
        if (r->steps_run == 0 && (r->phase == Phase::backoff || r->phase == Phase::connecting)) {
            r->first_error = Error(ErrorKind::interrupted, "the run was stopped before this "
                                                           "host's first step");
            finish_host(*r, HostStatus::skipped);
        }
    }
    size_t running = 0;
    for (const auto& r : m_active)
        running += r->phase != Phase::done;
    m_events.stop_requested(m_stop, running, m_opt.stop_grace);
    if (m_stop < 2) return;
    for (auto& r : m_active) {
        if (r->phase == Phase::done) continue;
        if (r->phase == Phase::running && r->cmd) {
            r->cmd->abort();
            finish_step(*r, -1, {}, Error(ErrorKind::interrupted, "interrupted"));
        } else {
            if (!r->first_error) r->first_error = Error(ErrorKind::interrupted, "interrupted");
            finish_host(*r, HostStatus::interrupted);
        }
    }
}

void Loop::skip_queued(const std::string& reason, ErrorKind kind) {
    while (!m_queue.empty()) {
        HostRun r;
        r.host = m_queue.front();
        m_queue.pop_front();
        r.started = m_reactor.now();
        r.first_error = Error(kind, reason);
        finish_host(r, HostStatus::skipped);
    }
}

void Loop::admit() {
    if (m_stop == 0 && !m_queue.empty() && m_opt.hold && !m_summary.held)
        if (auto reason = m_opt.hold()) {
            m_summary.held = *reason;
            skip_queued(*reason, ErrorKind::halted);
        }
    while (m_stop == 0 && !m_queue.empty() && m_active.size() < m_opt.concurrency &&
           handshake_allowed()) {
        auto r = std::make_unique<HostRun>();
        r->host = m_queue.front();
        r->step = m_job.hosts[r->host].first_step;
        m_queue.pop_front();
        r->started = m_reactor.now();
        m_events.host_started(r->host);
        m_active.push_back(std::move(r));
        start_step(*m_active.back());
    }
}

void Loop::advance(HostRun& r) {
    // Each call does as much as it can without blocking; the bound guards against a transport
    // that keeps answering "again" without ever needing the socket.
    for (int guard = 0; guard < 64; ++guard) {
        Phase before = r.phase;
        size_t step_before = r.step;
        size_t commands_before = r.commands;
        switch (r.phase) {
        case Phase::connecting:
            advance_connecting(r);
            break;
        case Phase::backoff:
            if (m_reactor.now() < r.deadline) return;
            if (!handshake_allowed()) {
                r.deadline = m_reactor.now() + k_handshake_wait;
                return;
            }
            begin_handshake(r);
            break;
        case Phase::running:
            advance_running(r);
            break;
        case Phase::retry_wait:
            if (m_reactor.now() < r.deadline) return;
            start_step(r);
            break;
        case Phase::waiting_once:
            start_step(r);
            break;
        case Phase::done:
            return;
        }
        if (r.phase == before && r.step == step_before && r.commands == commands_before) return;
    }
}

void Loop::advance_connecting(HostRun& r) {
    auto result = r.conn->connect();
    if (result && *result == ssh::Step::done) {
        end_handshake(r, HandshakeEnd::done);
        r.has_deadline = false;
        r.connected = true;
        // The outcome that stands: a host that connected after retries has no connect error.
        if (!r.failed) r.first_error.reset();
        start_step(r);
        return;
    }
    std::optional<Error> err;
    bool timed_out = false;
    if (!result) {
        err = result.error();
    } else if (m_reactor.now() >= r.deadline) {
        timed_out = true;
        std::string what = "connect to " + m_job.hosts[r.host].name + " timed out after " +
                           std::to_string(connect_timeout(r).count()) + "ms";
        auto cause = r.conn->explain_timeout();
        err = Error(ErrorKind::connect, cause ? cause->message + " (" + what + ")" : what);
    }
    if (!err) return;
    bool dropped = !result && r.conn->dropped_in_handshake();
    end_handshake(r, dropped     ? HandshakeEnd::dropped
                     : timed_out ? HandshakeEnd::timed_out
                                 : HandshakeEnd::failed);
    r.conn.reset();
    if (dropped && r.drops < k_max_drops && m_stop == 0) {
        r.phase = Phase::backoff;
        r.deadline = m_reactor.now() + drop_backoff(r.host, r.drops);
        r.first_error = std::move(err);
        ++r.drops;
        return;
    }
    if (err->kind == ErrorKind::connect && r.attempt < m_opt.connect_attempts && m_stop == 0) {
        r.phase = Phase::backoff;
        r.deadline = m_reactor.now() + m_opt.connect_backoff * (1 << (r.attempt - 1));
        r.first_error = std::move(err); // reported if a stop request ends the retries
        ++r.attempt;
        return;
    }
    if (r.attempt + r.drops > 1)
        err->message += " (" + std::to_string(r.attempt + r.drops) + " attempts)";
    r.first_error = std::move(err);
    finish_host(r, HostStatus::unreachable);
}

// The first step from `from` on that this host runs: on a host that failed, only `always` and
// (unless one of them failed too) after_failure steps; on one that did not, all but those.
size_t Loop::next_step(const HostRun& r, size_t from) const {
    for (; from < m_job.steps.size(); ++from) {
        const StepPlan& p = m_job.steps[from];
        if (r.connection_lost && !p.local) continue;
        if (!r.failed ? !p.after_failure : p.always || (p.after_failure && !r.rollback_failed))
            return from;
    }
    return from;
}

// A step failed for good: the host goes on with what must still run there, or ends failed.
void Loop::fail_host(HostRun& r, const std::optional<Error>& err) {
    if (r.failed && m_job.steps[r.step].after_failure) r.rollback_failed = true;
    // A dead connection fails whatever runs on it next; the host's local steps still may run.
    if (err && err->kind == ErrorKind::connect) r.connection_lost = true;
    r.failed = true;
    if (!r.first_error) r.first_error = err;
    r.step = next_step(r, r.step + 1);
    r.step_attempt = 1;
    start_step(r);
}

void Loop::start_step(HostRun& r) {
    if (m_stop < 2) r.step = next_step(r, r.step);
    if (r.step >= m_job.steps.size() || m_stop > 1) {
        HostStatus status = !r.failed                              ? HostStatus::ok
                            : r.rollback_ran && !r.rollback_failed ? HostStatus::rolled_back
                                                                   : HostStatus::failed;
        if (m_stop > 1 && r.step < m_job.steps.size() && !r.failed) {
            r.first_error = Error(ErrorKind::interrupted,
                                  "interrupted before step \"" + m_job.steps[r.step].name + "\"");
            status = HostStatus::interrupted;
        }
        finish_host(r, status);
        return;
    }
    const StepPlan& plan = m_job.steps[r.step];
    if (!plan.once_key.empty() && m_job.once && r.once_taken != plan.once_key &&
        !take_or_settle_once(r))
        return;
    if ((!plan.local || m_needs_ssh) && !r.connected) {
        begin_handshake(r);
        return;
    }
    m_events.step_started(r.host, r.step);
    r.step_started = m_reactor.now();
    auto sink = m_outputs.open(r.host, r.step);
    if (!sink) {
        r.phase = Phase::running;
        finish_step(r, -1, {}, sink.error());
        return;
    }
    r.output = std::make_unique<CountingSink>(std::move(*sink));
    r.prechecking = !plan.precheck_command.empty() && !plan.local;
    r.unchanged = false;
    if (r.prechecking) {
        std::string script = m_job.render_precheck(r.host, r.step);
        r.cmd = plan.precheck_in_runner ? in_runner(r, std::move(script))
                                        : r.conn->exec(plan.precheck_command, std::move(script));
        ++r.commands;
    } else {
        start_main_command(r);
    }
    r.phase = Phase::running;
    const auto& timeout = m_job.steps[r.step].timeout;
    r.has_deadline = timeout.has_value();
    if (timeout) r.deadline = r.step_started + *timeout;
}

// A run_once step: true when this host takes it and runs it now. Otherwise the host waits for
// the host that took it, or records the outcome that host had and moves on.
bool Loop::take_or_settle_once(HostRun& r) {
    const StepPlan& plan = m_job.steps[r.step];
    auto& entry = m_job.once->entries[plan.once_key];
    switch (entry.state) {
    case OnceLedger::State::open:
        entry.state = OnceLedger::State::taken;
        entry.host = m_job.hosts[r.host].name;
        r.once_taken = plan.once_key;
        return true;
    case OnceLedger::State::taken:
        r.phase = Phase::waiting_once;
        r.has_deadline = false;
        return false;
    case OnceLedger::State::ok:
    case OnceLedger::State::failed:
        break;
    }
    bool ok = entry.state == OnceLedger::State::ok;
    m_events.step_started(r.host, r.step);
    StepOutcome o;
    o.host = r.host;
    o.step = r.step;
    o.ok = ok;
    if (ok)
        o.ran_on = entry.host;
    else
        o.error = Error(ErrorKind::remote_exit,
                        "step \"" + plan.name + "\" (run_once) failed on " + entry.host);
    m_events.step_finished(o);
    ++r.steps_run;
    if (!ok && !plan.ignore_errors) {
        fail_host(r, o.error);
        return false;
    }
    ++r.step;
    r.step_attempt = 1;
    start_step(r);
    return false;
}

// The host that took a run_once step is done with it (state ok or failed) or gave it up
// without running it (open: the next host to reach it takes it). Waiting hosts look again.
void Loop::settle_once(HostRun& r, OnceLedger::State state) {
    auto& entry = m_job.once->entries[r.once_taken];
    entry.state = state;
    if (state == OnceLedger::State::open) entry.host.clear();
    r.once_taken.clear();
    for (auto& other : m_active)
        if (other->phase == Phase::waiting_once) other->ready = true;
}

std::unique_ptr<ssh::Command> Loop::on_channel(HostRun& r, const std::string& command,
                                               std::string script, util::Snapshot file,
                                               bool keep_stdin_open, bool is_marked) {
    std::string hex = is_marked ? util::random_hex(8) : std::string();
    if (is_marked) script = marker_line(hex) + script;
    auto cmd = file ? r.conn->exec_with_file(command, std::move(script), std::move(file))
                    : r.conn->exec(command, std::move(script), keep_stdin_open);
    return is_marked ? marked(std::move(cmd), hex) : std::move(cmd);
}

std::unique_ptr<ssh::Command> Loop::in_runner(HostRun& r, std::string script, util::Snapshot file) {
    if (!r.runner) r.runner = std::make_unique<Runner>(*r.conn);
    return r.runner->run(std::move(script), std::move(file));
}

void Loop::start_main_command(HostRun& r) {
    const StepPlan& plan = m_job.steps[r.step];
    std::string command = plan.command.empty() ? m_job.remote_command : plan.command;
    std::string script = m_job.render_script(r.host, r.step);
    util::Snapshot file = m_job.stdin_file ? m_job.stdin_file(r.host, r.step) : nullptr;
    if (plan.custom) {
        r.asking = true;
        r.answer.clear();
        r.subs.clear();
        r.sub_number = 0;
        r.output->capture = &r.answer;
        r.cmd = spawn_local(command, script);
    } else if (plan.local)
        r.cmd = spawn_local(command, script);
    else if (plan.in_runner)
        r.cmd = in_runner(r, std::move(script), std::move(file));
    else
        r.cmd = on_channel(r, command, std::move(script), file, plan.keep_stdin_open, plan.marked);
    ++r.commands;
}

// The custom step's executable ended: fail the step, record its result, or run its commands.
void Loop::finish_asking(HostRun& r) {
    r.asking = false;
    r.output->capture = nullptr;
    int code = r.cmd->exit_code();
    std::string signal = r.cmd->exit_signal();
    r.cmd.reset();
    if (code != 0) {
        finish_step(r, code, std::move(signal), std::nullopt);
        return;
    }
    auto answer = m_job.expand_custom ? m_job.expand_custom(r.host, r.step, r.answer)
                                      : fail(ErrorKind::internal, "no custom step support");
    r.answer.clear();
    if (!answer) {
        finish_step(r, -1, {}, answer.error());
        return;
    }
    if (!answer->result.empty()) {
        auto st = r.output->write(ssh::Stream::out, answer->result + "\n");
        finish_step(r, st ? 0 : -1, {}, st ? std::nullopt : std::optional<Error>(st.error()));
        return;
    }
    r.subs.assign(answer->commands.begin(), answer->commands.end());
    start_sub_command(r);
}

void Loop::start_sub_command(HostRun& r) {
    if (r.subs.empty()) {
        finish_step(r, 0, {}, std::nullopt);
        return;
    }
    SubCommand sub = std::move(r.subs.front());
    r.subs.pop_front();
    ++r.sub_number;
    r.sub_label = "command " + std::to_string(r.sub_number) + " of its answer (" + sub.label + ")";
    r.cmd = on_channel(r, sub.command, std::move(sub.script), sub.file, false, sub.marked);
    ++r.commands;
}

void Loop::advance_running(HostRun& r) {
    auto result = r.cmd->pump(*r.output);
    if (result && *result == ssh::Step::done && r.asking) {
        finish_asking(r);
        return;
    }
    if (result && *result == ssh::Step::done && m_job.steps[r.step].custom && r.sub_number > 0) {
        const auto& step = m_job.steps[r.step];
        int code = r.cmd->exit_code();
        std::string signal = r.cmd->exit_signal();
        r.cmd.reset();
        if (code == 0) {
            start_sub_command(r);
        } else if (code == k_sudo_refused && !step.run_as.empty()) {
            finish_step(r, code, {}, std::nullopt); // reported as the permission error it is
        } else {
            std::string why = signal.empty() ? "exited with " + std::to_string(code)
                                             : "killed by signal " + signal;
            finish_step(r, code, std::move(signal),
                        Error(ErrorKind::remote_exit,
                              "step \"" + step.name + "\": " + r.sub_label + " " + why));
        }
        return;
    }
    if (result && *result == ssh::Step::done && r.prechecking) {
        r.prechecking = false;
        int code = r.cmd->exit_code();
        r.cmd.reset();
        if (code == 0) {
            r.unchanged = true;
            finish_step(r, 0, {}, std::nullopt);
        } else if (code == k_sudo_refused && !m_job.steps[r.step].run_as.empty()) {
            finish_step(r, code, {}, std::nullopt);
        } else {
            start_main_command(r);
        }
        return;
    }
    bool finished = result && *result == ssh::Step::done;
    // Past its deadline a step that did not succeed timed out, whatever ended it first: the
    // host's own `timeout`, or its channel closing, can beat a busy loop to the deadline.
    bool overdue =
        r.has_deadline && m_reactor.now() >= r.deadline && !(finished && r.cmd->exit_code() == 0);
    if (!result && !overdue) {
        finish_step(r, -1, {}, result.error());
    } else if (finished && !overdue) {
        finish_step(r, r.cmd->exit_code(), r.cmd->exit_signal(), std::nullopt);
    } else if (overdue) {
        if (result && !finished) r.cmd->abort();
        const auto& step = m_job.steps[r.step];
        finish_step(r, -1, {},
                    Error(ErrorKind::timeout, "step \"" + step.name + "\" timed out after " +
                                                  std::to_string(step.timeout->count()) + "ms"));
    }
}

void Loop::finish_step(HostRun& r, int exit_code, std::string signal, std::optional<Error> err) {
    const auto& step = m_job.steps[r.step];
    // Steps run under sh, which reports a command that a signal killed as 128 + its number
    // (the runner's `wait`, or the last command of a channel's script): that is a signal.
    if (!err && signal.empty() && exit_code > 128 && exit_code < 160) {
        signal = signal_name(exit_code - 128);
        exit_code = -1;
    }
    if (!err && exit_code != 0) {
        std::string why = signal.empty() ? "exited with " + std::to_string(exit_code)
                                         : "killed by signal " + signal;
        err = Error(signal.empty() ? ErrorKind::remote_exit : ErrorKind::signal,
                    "step \"" + step.name + "\" " + why);
        if (!step.run_as.empty() && exit_code == k_sudo_refused)
            err = Error(ErrorKind::permission,
                        "step \"" + step.name + "\": sudo -n -u " + step.run_as +
                            " was refused on the host (it wants a password, or the login user "
                            "may not run commands as " +
                            step.run_as + ")");
        if (!step.shell.empty() && exit_code == k_shell_missing)
            err = Error(ErrorKind::remote_exit, "step \"" + step.name + "\": " + step.shell +
                                                    (step.local ? " not found on the controller"
                                                                : " not found on the host"));
    }
    if (!err && r.output)
        if (auto done = r.output->finish(); !done) err = done.error();
    bool retryable = err && (err->kind == ErrorKind::remote_exit ||
                             err->kind == ErrorKind::signal || err->kind == ErrorKind::timeout);
    if (retryable && r.step_attempt <= step.retries && m_stop < 2) {
        // Verify checks poll until a service comes up: try again on the same connection.
        r.cmd.reset();
        r.output.reset();
        ++r.step_attempt;
        r.phase = Phase::retry_wait;
        r.has_deadline = true;
        r.deadline = m_reactor.now() + step.interval;
        return;
    }
    StepOutcome o;
    o.host = r.host;
    o.step = r.step;
    o.ok = !err;
    o.exit_code = exit_code;
    o.exit_signal = std::move(signal);
    o.error = err;
    o.attempts = r.step_attempt;
    o.unchanged = r.unchanged;
    o.duration = elapsed(r.step_started);
    if (r.output) {
        o.bytes_out = r.output->m_out;
        o.bytes_err = r.output->m_err;
    }
    r.cmd.reset();
    r.output.reset();
    r.last_exit = exit_code;
    ++r.steps_run;
    m_events.step_finished(o);
    if (!r.once_taken.empty())
        settle_once(r, err ? OnceLedger::State::failed : OnceLedger::State::ok);

    bool broken = err && err->kind != ErrorKind::remote_exit;
    if (err && err->kind == ErrorKind::interrupted) {
        // A host that had failed already ended failed; the stop only cut its clean-up short.
        if (!r.first_error) r.first_error = err;
        finish_host(r, r.failed ? HostStatus::failed : HostStatus::interrupted);
        return;
    }
    if (err && (!step.ignore_errors || broken)) {
        fail_host(r, err);
        return;
    }
    if (step.after_failure && r.failed) ++r.rollback_ran;
    ++r.step;
    r.step_attempt = 1;
    start_step(r);
}

void Loop::begin_handshake(HostRun& r) {
    if (!r.conn) r.conn = m_transport.open(m_job.hosts[r.host].endpoint);
    r.phase = Phase::connecting;
    r.deadline = m_reactor.now() + connect_timeout(r);
    r.has_deadline = true;
    r.in_handshake = true;
    ++m_handshakes;
}

void Loop::end_handshake(HostRun& r, HandshakeEnd how) {
    if (!r.in_handshake) return;
    r.in_handshake = false;
    --m_handshakes;
    const double most = double(m_opt.concurrency);
    auto timeout = connect_timeout(r);
    auto took = m_reactor.now() - (r.deadline - timeout);
    switch (how) {
    case HandshakeEnd::done:
        if (took < timeout / 4)
            m_handshake_cap = std::min(most, m_handshake_cap + 0.5);
        else if (took > timeout / 2)
            m_handshake_cap = std::max(4.0, m_handshake_cap * 0.9);
        break;
    case HandshakeEnd::dropped:
        m_handshake_cap = std::max(1.0, std::min(m_handshake_cap, double(m_handshakes + 1)) / 2);
        break;
    case HandshakeEnd::timed_out:
        m_handshake_cap = std::max(4.0, m_handshake_cap / 2);
        break;
    case HandshakeEnd::failed:
        break;
    }
}

void Loop::finish_host(HostRun& r, HostStatus status) {
    end_handshake(r, HandshakeEnd::failed);
    if (!r.once_taken.empty()) settle_once(r, OnceLedger::State::open);
    r.cmd.reset();
    r.output.reset();
    r.runner.reset();
    r.conn.reset();
    r.phase = Phase::done;
    HostOutcome o;
    o.host = r.host;
    o.status = status;
    o.error = r.first_error;
    o.exit_code = r.last_exit;
    o.duration = elapsed(r.started);
    o.steps_run = r.steps_run;
    ++m_summary.of(status);
    m_events.host_finished(o);
}

void Loop::wait() {
    m_fds.clear();
    m_fd_owner.clear();
    auto now = m_reactor.now();
    auto next = now + std::chrono::seconds(60);
    bool immediate = false;
    for (auto& r : m_active) {
        if (r->phase == Phase::backoff || r->has_deadline) next = std::min(next, r->deadline);
        if (r->cmd)
            if (auto wake = r->cmd->wake_at()) next = std::min(next, *wake);
        if (r->phase == Phase::backoff) continue;
        if (r->ready) immediate = true;
        if (r->phase == Phase::waiting_once) continue; // woken by the host running the step
        std::optional<ssh::WaitFor> own = r->cmd ? r->cmd->wait_for() : std::nullopt;
        if (!own && !r->conn) continue; // waiting for a deadline only
        ssh::WaitFor w = own ? *own : r->conn->wait_for();
        if (w.fd < 0) {
            immediate = true;
            r->ready = true;
            continue;
        }
        m_fds.push_back({w.fd, short(POLLIN | (w.write ? POLLOUT : 0)), 0});
        m_fd_owner.push_back(r.get());
    }
    if (m_stop == 1) next = std::min(next, m_abort_at);
    // A host that just finished freed a slot: admit the next one now, not after a timeout. Not
    // while the handshake allowance is full: a handshake's end wakes the loop through its socket,
    // and polling without a timeout meanwhile spun a core (22 s of client CPU on 300 hosts
    // whose sshd had a core of its own: tests/bench/bench.py --split-cores).
    if (m_stop == 0 && !m_queue.empty() && m_active.size() < m_opt.concurrency &&
        handshake_allowed())
        immediate = true;
    if (m_opt.wake_fd >= 0) m_fds.push_back({m_opt.wake_fd, POLLIN, 0});
    auto timeout = immediate ? milliseconds(0)
                             : std::max(milliseconds(0),
                                        duration_cast<milliseconds>(next - now) + milliseconds(1));
    m_reactor.wait(m_fds, timeout);
    for (size_t i = 0; i < m_fd_owner.size(); ++i)
        if (m_fds[i].revents) m_fd_owner[i]->ready = true;
    if (m_opt.wake_fd >= 0 && (m_fds.back().revents & POLLIN)) {
        char buf[64];
        while (::read(m_opt.wake_fd, buf, sizeof buf) > 0) {
        }
    }
}

} // namespace

RunSummary run(const Job& job, ssh::Transport& transport, Reactor& reactor, OutputStore& outputs,
               EventSink& events, const EngineOptions& options) {
    Loop loop(job, transport, reactor, outputs, events, options);
    return loop.run();
}

} // namespace leura::exec
