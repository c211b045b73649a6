// SPDX-License-Identifier: Apache-2.0
#pragma once

// One round of a monitor (leura-monitor(1)): the check on every target host in one pooled
// SSH pass, each host's result through its state machine (app/monitor_state.hpp), the
// reactions and escalations it decides started as runs of their own (principal
// monitor:NAME, through the launcher), and all of it recorded in one transaction: the
// states, the checks, the decisions. A round is not a run: no archive, no run record.
#include "app/context.hpp"
#include "app/monitor_state.hpp"
#include "app/prepare.hpp"
#include "app/run_task.hpp"
#include "app/schedule_tick.hpp"
#include "config/monitor_file.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace leura::app {

// When the monitor's rounds are due: its `every` or `cron` in its zone.
Result<std::shared_ptr<const schedule::Spec>> monitor_spec(const config::MonitorDef& m);

// monitors/ beside schedules.toml.
std::filesystem::path monitors_dir(const Context& ctx);
// Every monitor file's definition that checks out (its cron and zone too); the problems of the
// others in `diags`: one broken file does not hide the rest.
std::vector<config::MonitorDef> load_monitors(const Context& ctx, config::Diagnostics& diags);
// One monitor by name. Errors: not_found, config (its problems in `diags`).
Result<config::MonitorDef> find_monitor(const Context& ctx, const std::string& name,
                                        config::Diagnostics& diags);

struct RoundHost {
    std::string host;
    CheckResult result = CheckResult::ok;
    std::optional<int> exit_code;
    Decision decision;
    std::string state;                 // after the round
    std::optional<std::string> run_id; // the reaction or escalation started
};

// `prepared` is the check as an ad-hoc task on the monitor's hosts (the CLI prepares it as
// `exec` would). Errors: io (the records).
Result<std::vector<RoundHost>> monitor_round(Context& ctx, const config::MonitorDef& monitor,
                                             Prepared& prepared, const RunOptions& options,
                                             int64_t now, Launcher& launcher);

// What one check of one host found: from a round's SSH pass, or from an alert fed to the
// monitor (app/monitor_alerts.hpp).
struct Observation {
    std::string host;
    CheckResult result = CheckResult::ok;
    std::optional<int> exit_code;
    int64_t duration_ms = 0;
    std::string output;
};

// Each observed host's result through its state machine, at `now`; the reactions and
// escalations it decides started (their inventory: `inventory`, a name); all of it recorded in
// one transaction. One process at a time judges a monitor (a lock in <data>/locks). Errors: io,
// locked (another process held the monitor for 30 s).
Result<std::vector<RoundHost>> judge_results(Context& ctx, const config::MonitorDef& monitor,
                                             const std::string& inventory,
                                             const std::vector<Observation>& seen, int64_t now,
                                             Launcher& launcher);

// `monitor ack NAME HOST --for D` (and its API): the `run` right on the monitor's reaction
// task, audited; then no reaction for the host for `duration`. Returns until when, in Unix
// seconds. Errors: denied, io.
Result<int64_t> acknowledge_host(Context& ctx, const config::MonitorDef& monitor,
                                 const std::string& host, std::chrono::milliseconds duration);

// One monitored host as `monitor status --json` and GET /v1/monitors show it, with the last
// decision made for it ("-" when none).
std::string monitor_host_json(store::Store& store, const std::string& monitor,
                              const store::MonitorHostRow& host);

// One decision as `monitor why --json` and GET /v1/monitors/NAME/hosts/HOST show it.
std::string monitor_decision_json(const store::MonitorDecisionRow& d);

} // namespace leura::app
