// SPDX-License-Identifier: Apache-2.0
#pragma once

// What `leura resume` continues of a workflow, from its records (following the chain of runs
// it resumed, newest stage record first):
// - A stage that ended ok or failed stays as it ended, values and all.
// - A stage that was interrupted or halted is continued as a run is (app/resume.hpp), within a
//   new stage run that resumes it.
// - A stage that was skipped, or never started, is decided again as the workflow runs.
// - A workflow that rolled back its completed stages is not resumed: run it again.
#include "app/context.hpp"
#include "app/resume.hpp"
#include "app/workflow.hpp"

namespace leura::app {

struct WorkflowResumePlan {
    WorkflowResume resume;
    std::map<std::string, ResumePlan> partial; // stage -> what is left of it
    size_t hosts = 0;                          // hosts of partial stages that run again
    size_t stages_left = 0;                    // stages not ended in the records
    std::map<std::string, std::vector<std::string>> stage_hosts; // the hosts of those continued
};

// `full`: the workflow as prepared for a fresh run (each stage's steps). Errors: usage (a
// stage of unknown outcome, a rolled-back workflow, nothing to resume), those of the records.
Result<WorkflowResumePlan> plan_workflow_resume(Context& ctx, const store::RunRecord& run,
                                                const Prepared& full, const ResumeOptions& o);

// `leura retry` of a workflow: the stages that ended ok stay as they ended; `stage` (else every
// stage that failed or halted) runs again on its hosts that ended `which` way
// (app::hosts_to_retry), afresh; the stages after it are decided again. Errors: usage (no such
// stage, or none with such hosts).
Result<WorkflowResumePlan> plan_workflow_retry(Context& ctx, const store::RunRecord& run,
                                               const Prepared& full, const std::string& stage,
                                               const std::string& which);

// Once the workflow is prepared with p.stage_hosts: each continued stage's waves.
void plan_resumed_stages(WorkflowResumePlan& p, const Prepared& wf, const WaveOptions& w);

} // namespace leura::app
