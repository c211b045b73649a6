// SPDX-License-Identifier: Apache-2.0
#pragma once

// What `run`, `exec`, `retry` and `resume` share once they know what to run: the effective
// concurrency (one place: --concurrency, else [rollout] concurrency, else 100, then the fd
// limit), --dry-run, the check that a confirming rollout has a terminal, the reporter, the
// stop signals, and the run itself.
#include "app/context.hpp"
#include "app/prepare.hpp"
#include "app/run_task.hpp"
#include "app/workflow.hpp"
#include "rollout/plan.hpp"

#include <optional>

namespace leura::app {

struct LaunchOptions {
    bool json = false;
    bool quiet = false;
    bool dry_run = false;
    bool host_lines = true;        // `exec`: only the failed hosts' lines (it prints groups)
    bool report_on_stderr = false; // `exec`: stdout carries the hosts' outputs only
    std::string color =
        "auto"; // the color setting: auto (a terminal without NO_COLOR), always, never
};

// Hosts at once: --concurrency when given, else the rollout's, else the default.
size_t effective_concurrency(const RunOptions& o, const std::optional<config::Rollout>& rollout);

// Runs `plan`. A dry run prints the waves and steps and runs nothing (result: no run id).
// Errors: usage (a confirming rollout without a terminal), and those of run_task.
Result<RunResult> launch(Context& ctx, const Prepared& prepared, RunOptions run,
                         const std::optional<config::Rollout>& rollout, const rollout::Plan& plan,
                         const LaunchOptions& options);

// A workflow (app/workflow.hpp): as launch, for every stage; a dry run prints the stages.
Result<RunResult> launch_workflow(Context& ctx, const Prepared& workflow, RunOptions run,
                                  const WaveOptions& waves, const LaunchOptions& options,
                                  const WorkflowResume* resume = nullptr);

} // namespace leura::app
