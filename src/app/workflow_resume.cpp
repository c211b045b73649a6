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
        for (const auto& wave : todo.waves)
            for (const auto& h : wave)
                out.stage_hosts[stage.name].push_back(h.name);
        out.resume.partial.emplace(stage.name, std::move(part));
        out.partial.emplace(stage.name, std::move(todo));
    }
    if (out.stages_left == 0)
        return fail(ErrorKind::usage, "workflow run " + run.id + " has nothing left to resume");
    return out;
}

void plan_resumed_stages(WorkflowResumePlan& p, const Prepared& wf, const WaveOptions& w) {
    for (auto& [stage, part] : p.resume.partial) {
        const Prepared* s = stage_of(wf, stage);
        if (!s) continue;
        if (auto todo = p.partial.find(stage); todo != p.partial.end())
            part.plan = resume_waves(todo->second, *s);
        else
            part.plan = plan_waves(*s, effective_rollout(*s, w), w);
    }
}

Result<WorkflowResumePlan> plan_workflow_retry(Context& ctx, const store::RunRecord& run,
                                               const Prepared& full, const std::string& stage,
                                               const std::string& which) {
    if (!stage.empty() && config::stage_index(full.task.stages, stage) == std::string::npos)
        return fail(ErrorKind::usage, "workflow run " + run.id + " has no stage '" + stage + "'");
    LEURA_TRY_ASSIGN(records, ctx.records());
    LEURA_TRY_ASSIGN(stages, records->stage_runs(run.id));
    WorkflowResumePlan out;
    std::map<std::string, store::RunRecord> newest;
    for (auto it = stages.rbegin(); it != stages.rend(); ++it)
        if (it->stage && it->note != "rollback" && !newest.count(*it->stage))
            newest.emplace(*it->stage, *it);
    // The stages chosen, and every stage after one of them: those run again.
    const auto& all = full.task.stages;
    std::set<std::string> chosen_names, again;
    for (const auto& s : all) {
        auto rec = newest.find(s.name);
        const std::string status = rec != newest.end() ? rec->second.status : "";
        if (stage.empty() ? (status == "failed" || status == "halted" || status == "declined" ||
                             status == "interrupted")
                          : s.name == stage)
            chosen_names.insert(s.name);
    }
    for (size_t i : config::stage_order(all))
        for (const auto& a : all[i].after)
            if (chosen_names.count(a) || again.count(a)) again.insert(all[i].name);
    for (const auto& s : all) {
        auto rec = newest.find(s.name);
        bool recorded = rec != newest.end();
        const std::string status = recorded ? rec->second.status : "";
        bool chosen = chosen_names.count(s.name) > 0;
        if (!chosen && again.count(s.name)) {
            ++out.stages_left; // after a stage run again: decided again
            continue;
        }
        if (chosen && recorded) {
            LEURA_TRY_ASSIGN(view, load_run(ctx, rec->second.id, false));
            auto hosts = hosts_to_retry(view, which);
            if (!hosts.empty()) {
                WorkflowResume::Partial part;
                part.run_id = rec->second.id;
                part.retry = true;
                out.hosts += hosts.size();
                out.stage_hosts[s.name] = std::move(hosts);
                out.resume.partial.emplace(s.name, std::move(part));
                ++out.stages_left;
                continue;
            }
            if (!stage.empty())
                return fail(ErrorKind::usage,
                            "stage " + s.name + " of run " + run.id + " has no " +
                                (which.empty() ? "failed or unreachable" : which) + " hosts");
            chosen = false;
            ++out.stages_left;
            continue;
        } else if (chosen) {
            return fail(ErrorKind::usage,
                        "stage " + s.name + " did not run in run " + run.id + "; nothing to retry");
        }
        if (recorded && (status == "ok" || status == "failed")) {
            LEURA_TRY_ASSIGN(view, load_run(ctx, rec->second.id, false));
            WorkflowResume::Ended e;
            e.run_id = rec->second.id;
            e.values = values_of(view.steps);
            const Prepared* p = stage_of(full, s.name);
            bool go_on =
                p && p->task.rollout && p->task.rollout->on_failure == config::OnFailure::continue_;
            e.outcome.state = status == "ok" ? StageState::ok
                              : go_on        ? StageState::passed
                                             : StageState::failed;
            e.outcome.handled = s.when_failed;
            out.resume.ended.emplace(s.name, std::move(e));
            continue;
        }
        ++out.stages_left; // run again as the workflow decides
    }
    if (out.resume.partial.empty())
        return fail(ErrorKind::usage, "workflow run " + run.id + " has no stage with " +
                                          (which.empty() ? "failed or unreachable" : which) +
                                          " hosts to retry");
    return out;
}

} // namespace leura::app
