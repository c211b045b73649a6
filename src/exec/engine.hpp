// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "exec/reactor.hpp"
#include "ssh/transport.hpp"
#include "util/error.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace leura::exec {

using std::chrono::milliseconds;

struct StepPlan {
    std::string name;
    std::optional<milliseconds> timeout;
    bool ignore_errors = false;
    int retries = 0; // attempts after a failing exit or a timeout, each after `interval`
    milliseconds interval{1000};
    bool local = false;  // runs on the controller (exec::spawn_local), not over SSH
    std::string command; // the exec request; empty: Job::remote_command
    std::string run_as;  // for the message when sudo refuses (see exec::k_sudo_refused)
    std::string shell;   // for the message when the host lacks it (see exec::k_shell_missing)
    // A check run first (its script from Job::render_precheck): exit 0 means the step's work is
    // already done (an upload whose target has the same content), so the step is recorded as
    // unchanged and the main command never runs. Empty: no check.
    std::string precheck_command;
    // Non-empty: run_once. The first host to reach the step runs it; the others wait for it
    // and then record it as skipped (it succeeded) or fail (it failed). Job::once keeps the
    // state under this key, across every wave of a run.
    std::string once_key;
    // A custom step: `command` runs on the controller (after the host is connected) with the
    // request from Job::render_script on stdin; its answer goes to Job::expand_custom.
    bool custom = false;
    bool keep_stdin_open = false; // the script's lifeline (exec::render_script)
    // Runs in the host's runner (exec/runner.hpp) rather than on a channel of its own; the
    // script is plain (not sized) and needs no lifeline of its own.
    bool in_runner = false;
    bool precheck_in_runner = false; // the same for the precheck
    // `command` reads a marker line first and ends the script with it (exec/marked_command.hpp).
    bool marked = false;
    // Runs on a host that started even after an earlier step failed, and within the grace
    // of a stop (the undrain step).
    bool always = false;
    // Runs only on a host that failed an earlier step (on_host_failure = "rollback"); a host
    // whose steps all succeeded ends before these.
    bool after_failure = false;
};

// One command a custom step asked for, run on the host's session.
struct SubCommand {
    std::string label;   // for messages, e.g. "2 (upload /etc/app.conf)"
    std::string command; // the exec request
    std::string script;  // its stdin
    util::Snapshot file; // a local file streamed after the script (uploads); null: none
    bool marked = false; // as StepPlan::marked
};

// What a custom step answered: a result (recorded as the step's output) or commands to run.
struct CustomAnswer {
    std::string result;
    std::vector<SubCommand> commands;
};

// Where run_once steps stand in a run. Owned by the caller so that it outlives each wave.
struct OnceLedger {
    enum class State { open, taken, ok, failed };
    struct Entry {
        State state = State::open;
        std::string host; // who took it
    };
    std::map<std::string, Entry> entries;
};

struct HostPlan {
    std::string name;
    ssh::Endpoint endpoint;
    size_t first_step = 0; // resume: the steps before it finished in the interrupted run
};

// What to run. Scripts are rendered when a step starts, so memory does not grow with the
// number of hosts times steps.
struct Job {
    std::vector<HostPlan> hosts;
    std::vector<StepPlan> steps;
    std::string remote_command; // the exec request; the script arrives on its stdin
    std::function<std::string(size_t host, size_t step)> render_script;
    // Optional: the precheck's script, and a local file streamed after the script (uploads).
    std::function<std::string(size_t host, size_t step)> render_precheck;
    std::function<util::Snapshot(size_t host, size_t step)> stdin_file;
    OnceLedger* once = nullptr; // needed when a step has a once_key
    // Needed for custom steps: the answer on the step executable's stdout, understood.
    std::function<Result<CustomAnswer>(size_t host, size_t step, std::string_view answer)>
        expand_custom;
};

// interrupted: a stop cut the host off (resumable); rolled_back: it failed, and its
// after_failure steps then all succeeded.
enum class HostStatus { ok, failed, unreachable, skipped, interrupted, rolled_back };
const char* to_string(HostStatus s);

struct StepOutcome {
    size_t host = 0;
    size_t step = 0;
    bool ok = false;
    int exit_code = -1;      // -1: none (signal, timeout, transport failure)
    std::string exit_signal; // e.g. "KILL" when the command died of a signal
    std::optional<Error> error;
    milliseconds duration{0};
    unsigned long long bytes_out = 0;
    unsigned long long bytes_err = 0;
    int attempts = 1;       // the outcome is the last attempt's
    bool unchanged = false; // the precheck found the work already done
    std::string ran_on;     // a run_once step another host ran (successfully): that host
};

struct HostOutcome {
    size_t host = 0;
    HostStatus status = HostStatus::skipped;
    std::optional<Error> error;
    int exit_code = -1; // of the last step that ran
    milliseconds duration{0};
    size_t steps_run = 0;
};

// The engine reports to sinks and knows nothing of terminals or databases.
class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void host_started(size_t host) = 0;
    virtual void step_started(size_t host, size_t step) = 0;
    virtual void step_finished(const StepOutcome& outcome) = 0;
    virtual void host_finished(const HostOutcome& outcome) = 0;
    // A stop request raised the level (see EngineOptions::stop_level); `running` hosts are
    // still at work, and at level 1 have `grace` to finish.
    virtual void stop_requested(int /*level*/, size_t /*running*/, milliseconds /*grace*/) {}
    // Called before the engine waits on the network, and when it ends: a sink that holds
    // reports back to write them together (in one transaction) must write them now.
    virtual void settle() {}
};

// Where output goes while it streams (the spool); one sink per host and step.
class OutputStore {
public:
    virtual ~OutputStore() = default;
    virtual Result<std::unique_ptr<ssh::OutputSink>> open(size_t host, size_t step) = 0;
};

struct EngineOptions {
    size_t concurrency = 100;
    milliseconds connect_timeout{10'000};
    int connect_attempts = 3;          // attempts for connect errors; auth and host keys: one
    milliseconds connect_backoff{500}; // doubles after each failed attempt
    milliseconds stop_grace{10'000};   // after the first stop request, before aborting steps
    // 0: run; 1: start no new host, let started hosts run their remaining steps (up to
    // stop_grace); 2: abort now.
    std::function<int()> stop_level;
    // Asked before each host starts: a reason means no further host of this job starts (a
    // gate tripped mid-wave); those queued are skipped with it. Hosts running go on.
    std::function<std::optional<std::string>()> hold;
    int wake_fd = -1; // non-blocking pipe, readable when stop_level may have changed; drained here
};

struct RunSummary {
    size_t ok = 0, failed = 0, unreachable = 0, skipped = 0, interrupted = 0, rolled_back = 0;
    // The count of hosts that ended `s`.
    size_t& of(HostStatus s);
    // Adds another job's counts (not its flags).
    void add(const RunSummary& other);
    bool stopped = false;
    std::optional<std::string> held; // the hold's reason, when it skipped hosts
};

// Runs every step of `job` on every host: one connection per host, reused by its steps, many
// hosts at once, all driven from this thread by one poll loop.
RunSummary run(const Job& job, ssh::Transport& transport, Reactor& reactor, OutputStore& outputs,
               EventSink& events, const EngineOptions& options);

} // namespace leura::exec
