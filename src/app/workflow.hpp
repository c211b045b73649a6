// SPDX-License-Identifier: Apache-2.0
#pragma once

// A workflow: a task of [[stages]] run as one run. The workflow's run holds the task's lock
// and one record (`runs` lists it); each stage runs as a run of its own beneath it (parent,
// stage; id "<workflow>.<stage>"), with its own waves, gate, records and archive, so that
// `show`, `logs`, resume and retry work on a stage as on any run. Stages run one at a time in
// graph order (config::stage_order); app/stage_graph.hpp decides which run, which are
// skipped and why. Values: a stage sees every earlier stage's $LEURA_OUTPUT values as
// LEURA_<STAGE>_<NAME> (when one host wrote it, or all agree) and LEURA_<STAGE>_<NAME>_FILE
// ("host value" lines); values marked secret come as secrets (redacted from its output).
// With rollback_stages = "completed", a stage that halts with on_failure = "rollback" has the
// stages that completed rolled back too, newest first: each a run "<workflow>.<stage>-rollback"
// of the stage's [[rollback]] steps on its hosts, noted "rollback".
#include "app/context.hpp"
#include "app/prepare.hpp"
#include "app/run_task.hpp"
#include "app/stage_graph.hpp"
#include "app/waves.hpp"
#include "rollout/plan.hpp"
#include "ui/reporter.hpp"

#include <map>
#include <string>

namespace leura::app {

// host -> name -> value, as a stage's steps wrote them.
using HostValues = std::map<std::string, std::map<std::string, std::string>>;

// What `resume` carries over from the workflow run it continues.
struct WorkflowResume {
    std::string resumes; // that run's id
    struct Ended {       // a stage that ended there: not run again
        StageOutcome outcome;
        std::string run_id;
        HostValues values;
    };
    std::map<std::string, Ended> ended;
    struct Partial { // a stage cut short there: its run continued
        std::string run_id;
        rollout::Plan plan;                        // over the stage's prepared hosts
        std::map<std::string, size_t> first_steps; // host -> its first step left
        HostValues values;                         // what its hosts wrote before the stop
        bool retry = false; // `retry`: a fresh run of the stage on those hosts, not a resume
    };
    std::map<std::string, Partial> partial;
};

// Runs every stage of `wf` (prepared by app::prepare, with wf.stages). Errors: those of
// run_task (io, locked) before any stage ran.
Result<RunResult> run_workflow(Context& ctx, const Prepared& wf, const RunOptions& o,
                               const WaveOptions& w, ui::Reporter& reporter,
                               const WorkflowResume* resume = nullptr);

// The stage graph and every stage's waves, as `leura plan --json` prints it and the
// workflow's record keeps it.
std::string workflow_plan_json(const Prepared& wf, const WaveOptions& w);

// The values a stage passes on, as the stage after it gets them: variables, secrets (the
// names its steps mark secret) and files, added to `next`.
void pass_values(const std::string& stage, const HostValues& values,
                 const std::vector<std::string>& secret, const std::vector<std::string>& hosts,
                 config::Task& next);

// A stage's values back from its records (resume): each host's steps in order.
HostValues values_of(const std::vector<store::StepRecord>& steps);

} // namespace leura::app
