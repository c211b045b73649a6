// SPDX-License-Identifier: Apache-2.0
// `leura resume RUN`: a new run that continues an interrupted or halted one (app/resume.hpp
// decides what is left), with the same task, inventory and overrides.
#include "app/overrides.hpp"
#include "app/records.hpp"
#include "app/resume.hpp"
#include "app/workflow_resume.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "cli/run_flags.hpp"

#include <cstdio>
#include <map>
#include <memory>

namespace leura::cli {

namespace {

struct ResumeFlags {
    RunFlags run;
    app::ResumeOptions resume;
    bool use_current = false;
};

// The run that already resumed `id`, or "".
Result<std::string> resumed_by(app::Context& ctx, const std::string& id) {
    LEURA_TRY_ASSIGN(records, ctx.records());
    store::RunFilter all;
    all.limit = 100000;
    LEURA_TRY_ASSIGN(runs, records->runs(all));
    for (const auto& r : runs)
        if (r.resumes == id) return r.id;
    return std::string();
}

// A workflow: its stages that ended stay as they are; the rest run (app/workflow_resume.hpp).
int resume_workflow(app::Context& ctx, ResumeFlags& rf, const store::RunRecord& run,
                    const std::string& by) {
    RunFlags& f = rf.run;
    if (run.status == "running")
        return report(Error(ErrorKind::locked, "workflow run " + run.id + " is still running"));
    if (!by.empty())
        return report(Error(ErrorKind::usage,
                            "run " + run.id + " was resumed by run " + by + "; resume that one"));
    // A stage cut short continues on its recorded hosts; one not started selects as the
    // workflow's run did (its -t, and --batches, as recorded).
    app::Overrides recorded = app::parse_overrides(run.overrides);
    f.prepare.targets = recorded.targets.value_or("");
    f.prepare.replace_targets = recorded.replace_targets;
    if (f.batches.empty() && recorded.batches) f.batches = *recorded.batches;
    if (auto st = resolve_task_arg(ctx, f.prepare); !st) return report(st.error());
    f.prepare.task_name = run.task_name.value_or("");
    config::Diagnostics diags;
    auto full = app::prepare(f.prepare, diags);
    if (!full) return report(diags);
    auto todo = app::plan_workflow_resume(ctx, run, *full, rf.resume);
    if (!todo) return report(todo.error());
    f.prepare.stage_hosts = todo->stage_hosts;
    auto prepared = app::prepare(f.prepare, diags);
    if (!prepared) return report(diags);
    warn(prepared->warnings);
    auto waves = wave_options(f);
    if (!waves) return report(waves.error());
    app::plan_resumed_stages(*todo, *prepared, *waves);
    std::fprintf(stderr,
                 "leura: resuming workflow run %s: %zu stage%s left (%zu host%s to continue in "
                 "%zu stage%s cut short)\n",
                 run.id.c_str(), todo->stages_left, todo->stages_left == 1 ? "" : "s", todo->hosts,
                 todo->hosts == 1 ? "" : "s", todo->partial.size(),
                 todo->partial.size() == 1 ? "" : "s");
    return run_workflow(ctx, f, *prepared, *waves, nullptr, &todo->resume);
}

int resume(app::Context& ctx, ResumeFlags& rf, const std::string& prefix) {
    if (auto st = service_side_inputs(ctx, rf.run); !st) return report(st.error());
    RunFlags& f = rf.run;
    auto view = app::load_run(ctx, prefix, false);
    if (!view) return report(view.error());
    const auto& run = view->run;
    if (auto st = reuse_recorded(ctx, f, run, false); !st) return report(st.error());
    auto by = resumed_by(ctx, run.id);
    if (!by) return report(by.error());
    // The task as recorded: a file changed since is run only when asked (and recorded anew).
    auto same = app::task_unchanged(run);
    if (!same) return report(same.error());
    if (!*same && !rf.use_current)
        return report(Error(ErrorKind::usage,
                            run.task + " changed since run " + run.id +
                                "; resume runs the task as it was recorded: restore it, or pass "
                                "--use-current to continue with the file as it is now"));
    if (auto st = app::rerun_source(run, f.prepare); !st) return report(st.error());
    f.prepare.inventory = run.inventory;
    config::Diagnostics diags;
    auto task = f.prepare.command ? std::optional(app::adhoc_task(*f.prepare.command))
                                  : config::load_task(run.task, diags);
    if (!task) return report(diags);
    if (run.note == "workflow") return resume_workflow(ctx, rf, run, *by);
    auto todo = app::plan_resume(*view, *task, *by, rf.resume);
    if (!todo) return report(todo.error());
    if (todo->waves.empty()) {
        std::fprintf(stderr, "leura: run %s has nothing left to resume\n", run.id.c_str());
        return 0;
    }
    f.prepare.targets.clear(); // the recorded plan names the hosts
    for (const auto& wave : todo->waves)
        for (const auto& h : wave) {
            f.prepare.only_hosts.push_back(h.name);
            f.run.first_steps[h.name] = h.first_step;
        }
    auto prepared = app::prepare(f.prepare, diags);
    if (!prepared) return report(diags);
    warn(prepared->warnings);
    rollout::Plan plan = app::resume_waves(*todo, *prepared);
    auto rollout = app::effective_rollout(*prepared, app::WaveOptions{});
    f.run.resumes = run.id;
    std::fprintf(stderr, "leura: resuming run %s: %zu host%s in %zu wave%s (it was %s)\n",
                 run.id.c_str(), todo->hosts(), todo->hosts() == 1 ? "" : "s", plan.waves.size(),
                 plan.waves.size() == 1 ? "" : "s", run.status.c_str());
    return run_planned(ctx, f, *prepared, rollout, plan);
}

} // namespace

Action add_resume(CLI::App& sub) {
    auto f = std::make_shared<ResumeFlags>();
    auto run = std::make_shared<std::string>();
    sub.add_option("run", *run,
                   "Run id, a unique prefix of one, last, or last~N (N runs before the last)")
        ->required();
    sub.add_flag("--rerun-unknown", f->resume.rerun_unknown,
                 "Run again the steps that were running when the run stopped");
    sub.add_flag("--retry-failed", f->resume.retry_failed,
                 "Also run the failed and unreachable hosts again, from their first step");
    sub.add_flag("--use-current", f->use_current,
                 "Continue with the task file as it is now, though it changed since the run");
    add_run_flags(sub, f->run);
    auto claim_fd = std::make_shared<int>(-1);
    add_claim_flag(sub, *claim_fd);
    return [f, run, claim_fd](app::Context& ctx) {
        if (auto st = take_claim(ctx, *claim_fd, f->run.run); !st) return report(st.error());
        return resume(ctx, *f, *run);
    };
}

} // namespace leura::cli
