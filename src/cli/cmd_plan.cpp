// SPDX-License-Identifier: Apache-2.0
#include "app/access_gate.hpp"
#include "app/workflow.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "cli/run_flags.hpp"
#include "inventory/range.hpp"

#include <cstdio>
#include <memory>

namespace leura::cli {

namespace {

void print_plan(const app::Prepared& p, const std::optional<config::Rollout>& r,
                const rollout::Plan& plan) {
    std::printf("%s\n", app::describe_targets(p).c_str());
    std::printf("%zu host%s in %zu wave%s", p.hosts.size(), p.hosts.size() == 1 ? "" : "s",
                plan.waves.size(), plan.waves.size() == 1 ? "" : "s");
    if (r) {
        std::printf("; affinity %s", r->affinity.c_str());
        for (size_t s = 0; s < r->spread.size(); ++s)
            std::printf("%s%s", s == 0 ? "; spread " : ", ", r->spread[s].c_str());
    } else {
        std::printf(" (no [rollout] in the task)");
    }
    std::printf("\n");
    for (size_t k = 0; k < plan.waves.size(); ++k) {
        const auto& w = plan.waves[k];
        std::vector<std::string> names;
        for (size_t i : w.hosts)
            names.push_back(p.hosts[i]->name);
        std::printf("\nwave %zu: %zu host%s (%zu of %zu done after it, target %zu)\n", k + 1,
                    names.size(), names.size() == 1 ? "" : "s", w.cumulative, p.hosts.size(),
                    w.target);
        std::printf("  hosts     %s\n", inventory::fold_hosts(names).c_str());
        if (!w.clusters.empty()) {
            std::string list;
            for (const auto& c : w.clusters)
                list += (list.empty() ? "" : ", ") + c;
            std::printf("  clusters  %zu: %s\n", w.clusters.size(), list.c_str());
        }
        for (size_t s = 0; r && s < r->spread.size() && s < w.spread_values.size(); ++s)
            std::printf("  %-9s %zu value%s\n", r->spread[s].c_str(), w.spread_values[s],
                        w.spread_values[s] == 1 ? "" : "s");
        if (w.oversized)
            std::printf("  warning   a cluster larger than the target made this wave bigger\n");
    }
    for (const auto& warning : plan.warnings)
        std::fprintf(stderr, "leura: warning: %s\n", warning.c_str());
}

// A workflow: the stage graph, then each stage's plan as a task's.
void print_workflow(const app::Prepared& wf, const app::WaveOptions& waves) {
    std::printf("workflow  %zu stage%s on %zu host%s", wf.task.stages.size(),
                wf.task.stages.size() == 1 ? "" : "s", wf.hosts.size(),
                wf.hosts.size() == 1 ? "" : "s");
    if (wf.task.rollback_completed) std::printf("; rollback_stages = completed");
    std::printf("\n");
    size_t number = 0;
    for (size_t i : config::stage_order(wf.task.stages)) {
        const config::Stage& s = wf.task.stages[i];
        std::string after;
        for (const auto& a : s.after)
            after += (after.empty() ? "" : ", ") + a;
        std::printf("  %zu. %-16s after %s%s%s\n", ++number, s.name.c_str(),
                    after.empty() ? "(nothing)" : after.c_str(),
                    s.when_failed ? "; only when one of them failed" : "",
                    s.task_ref.empty() ? "" : ("; task " + s.task_ref).c_str());
    }
    for (size_t i : config::stage_order(wf.task.stages)) {
        const config::Stage& s = wf.task.stages[i];
        for (const auto& p : wf.stages) {
            if (p.stage != s.name) continue;
            std::printf("\n== stage %s ==\n", s.name.c_str());
            auto rollout = app::effective_rollout(p, waves);
            print_plan(p, rollout, app::plan_waves(p, rollout, waves));
        }
    }
}

} // namespace

Action add_plan(CLI::App& sub) {
    auto f = std::make_shared<RunFlags>();
    sub.add_option("task", f->prepare.task_file, "Task name in the library, or a task file")
        ->required();
    add_selection_flags(sub, *f);
    add_ssh_flags(sub, *f);
    sub.add_flag("--json", f->json, "The plan as one JSON object");
    return [f](app::Context& ctx) {
        f->prepare.default_inventory = ctx.settings.text("inventory");
        if (auto st = load_ssh_flags(*f, ctx.settings); !st) return report(st.error());
        if (auto st = service_side_inputs(ctx, *f); !st) return report(st.error());
        if (auto st = resolve_task_arg(ctx, f->prepare); !st) return report(st.error());
        auto waves = wave_options(*f);
        if (!waves) return report(waves.error());
        config::Diagnostics diags;
        auto prepared = app::prepare(f->prepare, diags);
        if (!prepared) return report(diags);
        app::AccessRequest view;
        view.action = "view";
        view.task =
            !prepared->task_name.empty() ? prepared->task_name : prepared->task.file.string();
        view.inventory = app::inventory_name_of(prepared->inventory_file);
        if (auto st = app::authorize(ctx, view, false); !st) return report(st.error());
        warn(prepared->warnings);
        if (!prepared->task.stages.empty()) {
            if (f->json)
                std::printf("%s\n", app::workflow_plan_json(*prepared, *waves).c_str());
            else
                print_workflow(*prepared, *waves);
            return 0;
        }
        auto rollout = app::effective_rollout(*prepared, *waves);
        auto plan = app::plan_waves(*prepared, rollout, *waves);
        if (f->json)
            std::printf("%s\n", app::plan_json(*prepared, plan, rollout).c_str());
        else
            print_plan(*prepared, rollout, plan);
        return 0;
    };
}

} // namespace leura::cli
