// SPDX-License-Identifier: Apache-2.0
#include "app/workflow_resume.hpp"
#include "app/records.hpp"

#include <set>

namespace leura::app {

namespace {

const Prepared* stage_of(const Prepared& wf, const std::string& name) {
    for (const auto& s : wf.stages)
        if (s.stage == name) return &s;
    return nullptr;
}

} // namespace

Result<WorkflowResumePlan> plan_workflow_resume(Context& ctx, const store::RunRecord& run,
                                                const Prepared& full, const ResumeOptions& o) {
    LEURA_TRY_ASSIGN(records, ctx.records());
    WorkflowResumePlan out;
    out.resume.resumes = run.id;
    // The newest record of each stage, along the chain of resumed workflows.
    std::map<std::string, store::RunRecord> newest;
    std::set<std::string> seen_runs;
    for (std::optional<std::string> id = run.id; id && seen_runs.insert(*id).second;) {
        LEURA_TRY_ASSIGN(wf, records->run(*id));
        LEURA_TRY_ASSIGN(stages, records->stage_runs(*id));
        for (auto it = stages.rbegin(); it != stages.rend(); ++it) {
            if (it->note == "rollback")
                return fail(ErrorKind::usage, "workflow run " + run.id +
                                                  " rolled back its completed stages; run the "
                                                  "task again rather than resume it");
            if (it->stage && !newest.count(*it->stage)) newest.emplace(*it->stage, *it);
        }
        id = wf.resumes;
    }
    for (const auto& stage : full.task.stages) {
        auto rec = newest.find(stage.name);
        if (rec == newest.end() || rec->second.status == "skipped") {
            ++out.stages_left;
            continue;
        }
        const store::RunRecord& r = rec->second;
        LEURA_TRY_ASSIGN(view, load_run(ctx, r.id, false));
        const Prepared* prepared = stage_of(full, stage.name);
        if (r.status == "ok" || r.status == "failed") {
            WorkflowResume::Ended e;
            e.run_id = r.id;
            e.values = values_of(view.steps);
            bool go_on = prepared && prepared->task.rollout &&
                         prepared->task.rollout->on_failure == config::OnFailure::continue_;
            e.outcome.state = r.status == "ok" ? StageState::ok
                              : go_on          ? StageState::passed
                                               : StageState::failed;
            if (stage.when_failed) e.outcome.handled = true;
            out.resume.ended.emplace(stage.name, std::move(e));
            continue;
        }
        if (!prepared)
            return fail(ErrorKind::usage, "stage " + stage.name + " is not in the workflow now");
        // interrupted, halted (or running when leura died): what is left of it.
        LEURA_TRY_ASSIGN(todo, plan_resume(view, prepared->task, "", o));
        ++out.stages_left;
        if (todo.waves.empty()) {
            WorkflowResume::Ended e;
            e.run_id = r.id;
            e.values = values_of(view.steps);
            e.outcome.state = r.failed + r.unreachable == 0 ? StageState::ok : StageState::failed;
            out.resume.ended.emplace(stage.name, std::move(e));
            --out.stages_left;
            continue;
        }
        WorkflowResume::Partial part;
        part.run_id = r.id;
        part.values = values_of(view.steps);
        for (const auto& wave : todo.waves)
            for (const auto& h : wave)
                part.first_steps[h.name] = h.first_step;
        out.hosts += todo.hosts();
        out.resume.partial.emplace(stage.name, std::move(part));
        out.partial.emplace(stage.name, std::move(todo));
    }
    if (out.stages_left == 0)
        return fail(ErrorKind::usage, "workflow run " + run.id + " has nothing left to resume");
    return out;
}

std::map<std::string, std::vector<std::string>> resume_stage_hosts(const WorkflowResumePlan& p) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& [stage, todo] : p.partial)
        for (const auto& wave : todo.waves)
            for (const auto& h : wave)
                out[stage].push_back(h.name);
    return out;
}

void plan_resumed_stages(WorkflowResumePlan& p, const Prepared& wf) {
    for (auto& [stage, part] : p.resume.partial)
        if (const Prepared* s = stage_of(wf, stage))
            part.plan = resume_waves(p.partial.at(stage), *s);
}

} // namespace leura::app
