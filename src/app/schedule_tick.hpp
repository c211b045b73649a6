// SPDX-License-Identifier: Apache-2.0
#pragma once

// One tick: every fire of every schedule that is due by `now` is decided once and recorded,
// and each monitor's round that is due is started (a monitor's rounds are fires of
// "monitor:NAME": they never catch up; only the latest due round runs)
// (store: schedule_fires, keyed by schedule and instant, so two tickers never start one fire
// twice). The launcher starts the runs; the tick never runs a task in its own process.
//
// The rules, documented in leura-schedule(1):
// - fires count from the schedule's `since` (when it was added or resumed), else from a
//   minute before the first tick that sees it; a paused schedule decides nothing;
// - a fire is due at its instant plus its jitter; one due within the last 2 minutes is on
//   time, an older one is late;
// - every fire on time runs; late fires older than `catchup_window` are `missed`; of the other
//   late ones, `catchup = "none"` misses each, `latest` runs only the newest due fire (none
//   when one is on time; the others are `missed`, superseded), `all` runs each (at most 10,
//   oldest missed first), queued behind each other;
// - overlap with a run of the same task still going: `skip` records `skipped_overlap`,
//   `queue` starts a run that waits for the task's lock, `replace` stops the running one
//   (SIGTERM: its grace applies) and starts a queued one;
// - a downtime longer than 31 days is looked at from 31 days back.
#include "app/context.hpp"
#include "app/schedules.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace leura::app {

// What the launcher is asked to start: leura with these arguments (`run TASK ...`, or a
// monitor's round), and for a run the one-time token of the pending run the child claims on
// descriptor 3 (its id and principal; app/pending_run.hpp).
struct LaunchRequest {
    std::string run_id;
    std::vector<std::string> args; // after the binary: "run", TASK, ...
    std::string claim_token;       // the store holds its hash; empty: no claim
    // Where the child's stdout goes (created 0600; `leura serve` keeps a run's --json events
    // there); empty: /dev/null.
    std::filesystem::path stdout_file;
};

class Launcher {
public:
    virtual ~Launcher() = default;
    // Starts the run detached; its pid. Errors: io (could not start).
    virtual Result<int64_t> start(const LaunchRequest& request) = 0;
};

// Starts `request` (`run ...`, its run_id set) as `principal`: a pending run is recorded under
// a new one-time token, which goes to the child with the request. The child's pid. Errors: io
// (the records, or starting the process).
Result<int64_t> start_run_as(store::Store& store, Launcher& launcher, const std::string& principal,
                             LaunchRequest& request);

struct TickOptions {
    int64_t now = 0;
    bool dry_run = false; // decide and report, record nothing, start nothing
    std::string only;     // one schedule, or all (monitors only when all)
};

struct TickDecision {
    store::FireRecord fire;
    bool claimed_elsewhere = false; // another ticker recorded this fire first
};

// Errors: config (the schedules file does not parse: the problems are in `diags`), io. A
// schedule or monitor that is wrong on its own is skipped, its problem added to `diags`.
Result<std::vector<TickDecision>> tick(Context& ctx, const TickOptions& options, Launcher& launcher,
                                       config::Diagnostics& diags);

// The launcher of the command line: `leura run` as a new session, detached, from "/", with
// stdin from /dev/null, stdout to /dev/null and stderr appended to <data>/schedule.log.
class ProcessLauncher : public Launcher {
public:
    explicit ProcessLauncher(std::filesystem::path data_dir) : m_data(std::move(data_dir)) {}
    Result<int64_t> start(const LaunchRequest& request) override;

private:
    std::filesystem::path m_data;
};

} // namespace leura::app
