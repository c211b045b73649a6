// SPDX-License-Identifier: Apache-2.0
#pragma once

// What `leura resume RUN` runs, decided from the records alone (a pure function, unit-tested
// rule by rule):
// - A run that is interrupted (Ctrl-C, SIGTERM, kill -9) or halted (a gate, or "no" at a
//   confirmation) can be resumed; one still running, or one that ended ok or failed, cannot.
// - Hosts that ended stay as they ended: ok, failed, unreachable, and hosts that failed and
//   then rolled back themselves (on_host_failure). With retry_failed, failed and unreachable
//   ones run again from their first step.
// - Every other host runs: skipped (a stop, a gate, a declined confirmation), interrupted,
//   never recorded, or rolled back by its wave's rollback (it is back where it started); each
//   from its first step that did not finish (a rolled-back host from its first step).
// - A step that was running when the run stopped may or may not have done its work: unless
//   it is idempotent or rerun_unknown is set, the plan is refused, naming each such host.
// - Waves keep their recorded order; a wave with nothing left drops out.
#include "app/prepare.hpp"
#include "app/records.hpp"
#include "config/task.hpp"
#include "rollout/plan.hpp"
#include "util/error.hpp"

#include <string>
#include <vector>

namespace leura::app {

struct ResumeOptions {
    bool rerun_unknown = false; // --rerun-unknown
    bool retry_failed = false;  // --retry-failed
};

struct ResumeHost {
    std::string name;
    size_t first_step = 0; // index over the task's steps, then its verify checks
};

struct ResumePlan {
    std::vector<std::vector<ResumeHost>> waves; // non-empty waves, in the recorded order
    size_t hosts() const;
};

// The recorded plan's waves as host names. Errors: config (no plan, or a damaged one).
Result<std::vector<std::vector<std::string>>> recorded_waves(const store::RunRecord& run);

// `task` is the task as it will run (step counts, idempotent steps). `resumed_by`: the id of
// a run that already resumed this one, or "". Errors: locked (still running), usage (cannot
// be resumed, or steps of unknown outcome), config (no recorded plan).
Result<ResumePlan> plan_resume(const RunView& view, const config::Task& task,
                               const std::string& resumed_by, const ResumeOptions& options);

// The resume's waves over `prepared` (prepared with only the plan's hosts), in plan order.
rollout::Plan resume_waves(const ResumePlan& plan, const Prepared& prepared);

// `leura retry --hosts WHICH`: the hosts of the run that ended that way; "" is the default
// (failed, unreachable, and failed then rolled back by on_host_failure), "all" every recorded
// host.
std::vector<std::string> hosts_to_retry(const RunView& view, const std::string& which);

} // namespace leura::app
