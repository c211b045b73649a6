// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/context.hpp"
#include "app/exit_code.hpp"
#include "app/prepare.hpp"
#include "exec/engine.hpp"
#include "rollout/plan.hpp"
#include "ssh/transport.hpp"
#include "ui/reporter.hpp"
#include "util/error.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace leura::app {

struct RunOptions {
    size_t concurrency = 100;
    std::string known_hosts; // empty: ~/.ssh/known_hosts
    bool accept_new_host_keys = false;
    std::vector<std::pair<std::string, std::string>> vars; // --var, over everything else
    std::vector<std::string> argv;                         // recorded with the run
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds keepalive{15'000};  // see ssh::TransportOptions::keepalive
    std::chrono::milliseconds stop_grace{10'000}; // after Ctrl-C, before running steps are ended
    int connect_attempts = 3;
    bool concurrency_set = false; // --concurrency given: over the task's [rollout] concurrency
    bool yes = false;             // --yes: no confirmation between waves
    // --wait: how long to queue behind another run of the same task; none: refuse at once.
    std::optional<std::chrono::milliseconds> lock_wait;
    std::function<void(const std::string&)> on_lock_wait; // told what --wait waits for
    // resume: the interrupted run this one continues, and where each host starts (the index
    // of its first step that did not finish there; hosts not named start at 0).
    std::optional<std::string> resumes;
    std::map<std::string, size_t> first_steps;
    std::optional<std::string> overrides; // recorded with the run (store::RunRecord)
    // A workflow's stage (app/workflow.hpp): the workflow's run, which holds the task's lock,
    // the stage's name, and what the stage run is (e.g. "rollback").
    std::optional<std::string> parent;
    std::optional<std::string> stage;
    std::optional<std::string> run_id; // the id to record the run under; none: a new one
    // resume: the values the hosts' finished steps wrote (LEURA_OUT_<NAME> for the rest).
    std::map<std::string, std::map<std::string, std::string>> initial_values;
    std::optional<std::string> note;
    // What started the run when not a person: "schedule:NAME" (store::RunRecord::triggered_by).
    std::optional<std::string> triggered_by;
};

struct RunResult {
    std::string run_id;
    std::string status; // ok, failed, halted, interrupted
    ExitCode exit = ExitCode::ok;
    exec::RunSummary totals; // hosts by how they ended
    // What the steps wrote to $LEURA_OUTPUT: host -> name -> value (the newest write).
    std::map<std::string, std::map<std::string, std::string>> values;
    int64_t duration_ms = 0;
};

// Runs a prepared task on its hosts: records the run in the database as it goes, streams
// output to the spool, packs the archive at the end. Errors: io when the records cannot be
// opened (nothing ran then).
// Waves follow `plan` (from plan_waves, exactly as `leura plan` shows it); after each, the
// gate of `rollout` decides. Errors: io when the records cannot be opened (nothing ran then).
// How the transport reaches hosts for these options: known_hosts, ~/.ssh, keepalives.
ssh::TransportOptions transport_options(const RunOptions& o);

Result<RunResult> run_task(Context& ctx, const Prepared& prepared, const RunOptions& options,
                           const std::optional<config::Rollout>& rollout, const rollout::Plan& plan,
                           ui::Reporter& reporter);

} // namespace leura::app
