// SPDX-License-Identifier: Apache-2.0
// `leura retry RUN`: the run's task again, on the hosts that ended a given way in it (default:
// failed and unreachable), with the run's inventory and overrides unless new ones are given.
#include "app/overrides.hpp"
#include "app/records.hpp"
#include "app/resume.hpp"
#include "app/workflow_resume.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "cli/run_flags.hpp"
#include "inventory/selector.hpp"

#include <cstdio>
#include <memory>

namespace leura::cli {

namespace {

// A workflow: the stage (or every stage that failed) again on its hosts that ended `which`
// way; the stages after it decided again (app/workflow_resume.hpp).
int retry_workflow(app::Context& ctx, RunFlags& f, const store::RunRecord& run,
                   const std::string& stage, const std::string& which) {
    if (run.status == "running")
        return report(Error(ErrorKind::locked, "workflow run " + run.id + " is still running"));
    if (auto st = app::rerun_source(run, f.prepare); !st) return report(st.error());
    if (f.prepare.inventory.empty()) f.prepare.inventory = run.inventory;
    app::Overrides recorded = app::parse_overrides(run.overrides);
    std::string narrow = f.prepare.targets;
    f.prepare.targets = recorded.targets.value_or("");
    f.prepare.replace_targets = recorded.replace_targets;
    if (auto st = resolve_task_arg(ctx, f.prepare); !st) return report(st.error());
    f.prepare.task_name = run.task_name.value_or("");
    config::Diagnostics diags;
    auto full = app::prepare(f.prepare, diags);
    if (!full) return report(diags);
    auto todo = app::plan_workflow_retry(ctx, run, *full, stage, which);
    if (!todo) return report(todo.error());
    if (!narrow.empty()) // -t narrows the hosts to run again; it never adds any
        for (auto& [name, hosts] : todo->stage_hosts) {
            auto picked = inventory::select(full->inventory, narrow);
            if (!picked) return report(Error(ErrorKind::usage, "-t: " + picked.error().message));
            std::vector<std::string> kept;
            for (const auto& h : hosts)
                for (const auto* p : *picked)
                    if (p->name == h) kept.push_back(h);
            hosts = kept;
        }
    f.prepare.stage_hosts = todo->stage_hosts;
    auto prepared = app::prepare(f.prepare, diags);
    if (!prepared) return report(diags);
    warn(prepared->warnings);
    auto waves = wave_options(f);
    if (!waves) return report(waves.error());
    app::plan_resumed_stages(*todo, *prepared, *waves);
    std::string names;
    for (const auto& [name, hosts] : todo->stage_hosts)
        names += (names.empty() ? "" : ", ") + name + " (" + std::to_string(hosts.size()) +
                 " host" + (hosts.size() == 1 ? "" : "s") + ")";
    std::fprintf(stderr, "leura: retrying workflow run %s: stage %s, then what follows\n",
                 run.id.c_str(), names.c_str());
    return run_workflow(ctx, f, *prepared, *waves, nullptr, &todo->resume);
}

int retry(app::Context& ctx, RunFlags& f, const std::string& prefix, const std::string& which,
          const std::string& stage) {
    if (auto st = service_side_inputs(ctx, f); !st) return report(st.error());
    auto view = app::load_run(ctx, prefix, false);
    if (!view) return report(view.error());
    const auto& run = view->run;
    if (auto st = reuse_recorded(ctx, f, run, true); !st) return report(st.error());
    if (run.note == "workflow") return retry_workflow(ctx, f, run, stage, which);
    if (!stage.empty())
        return report(Error(ErrorKind::usage, "run " + run.id +
                                                  " is not a workflow: --stage "
                                                  "names a workflow's stage"));
    std::vector<std::string> hosts = app::hosts_to_retry(*view, which);
    const char* what = which.empty() ? "failed or unreachable" : which.c_str();
    if (hosts.empty()) {
        std::fprintf(stderr, "leura: run %s has no %s hosts\n", run.id.c_str(),
                     which == "all" ? "recorded" : what);
        return 0;
    }
    if (auto same = app::task_unchanged(run); same && !*same)
        std::fprintf(stderr, "leura: warning: %s changed since run %s; running it as it is now\n",
                     run.task.c_str(), run.id.c_str());
    if (auto st = app::rerun_source(run, f.prepare); !st) return report(st.error());
    if (f.prepare.inventory.empty()) f.prepare.inventory = run.inventory;
    f.prepare.only_hosts = hosts;
    // -t narrows the hosts to run again; it never adds any.
    f.prepare.narrow = f.prepare.targets;
    f.prepare.targets.clear();
    std::string kind = which.empty() ? "" : which + " ";
    if (f.prepare.narrow.empty())
        std::fprintf(stderr, "leura: retrying %zu %shost%s of run %s\n", hosts.size(), kind.c_str(),
                     hosts.size() == 1 ? "" : "s", run.id.c_str());
    else
        std::fprintf(stderr, "leura: retrying the %shosts of run %s that -t %s selects\n",
                     kind.c_str(), run.id.c_str(), f.prepare.narrow.c_str());
    return execute_run(ctx, f);
}

} // namespace

Action add_retry(CLI::App& sub) {
    auto f = std::make_shared<RunFlags>();
    auto run = std::make_shared<std::string>();
    auto which = std::make_shared<std::string>();
    auto stage = std::make_shared<std::string>();
    sub.add_option("run", *run,
                   "Run id, a unique prefix of one, last, or last~N (N runs before the last)")
        ->required();
    sub.add_option("--hosts", *which,
                   "Which hosts to run again: failed, unreachable, skipped, interrupted, "
                   "rolled_back or all (default: failed and unreachable)")
        ->check(CLI::IsMember(
            {"failed", "unreachable", "skipped", "interrupted", "rolled_back", "all"}));
    sub.add_option("--stage", *stage,
                   "A workflow's: this stage again (default: every stage that failed), then "
                   "the stages after it");
    sub.add_option("-i,--inventory", f->prepare.inventory,
                   "Inventory (default: the one the run used)");
    sub.add_option("-t,--targets", f->prepare.targets,
                   "Only those of the hosts this selector selects (it never adds any)");
    sub.add_option("--batches", f->batches,
                   "Cumulative waves (default: the run's, over the task's)");
    sub.add_option("--shuffle", f->shuffle, "Seed that varies how ties between units are broken");
    add_run_flags(sub, *f);
    auto claim_fd = std::make_shared<int>(-1);
    add_claim_flag(sub, *claim_fd);
    return [f, run, which, stage, claim_fd](app::Context& ctx) {
        if (auto st = take_claim(ctx, *claim_fd, f->run); !st) return report(st.error());
        return retry(ctx, *f, *run, *which, *stage);
    };
}

} // namespace leura::cli
