// SPDX-License-Identifier: Apache-2.0
// `leura resume RUN`: a new run that continues an interrupted one. Same task (unchanged),
// same inventory, same waves; waves the run finished are not run again, hosts that ended are
// left as they ended, and every other host starts at its first step that did not finish. A
// step that was running when leura died may or may not have done its work: it runs again
// only if marked idempotent or with --rerun-unknown.
#include "cli/commands.hpp"
#include "cli/records.hpp"
#include "cli/report.hpp"
#include "cli/run_flags.hpp"
#include "util/json_parse.hpp"

#include <cstdio>
#include <map>
#include <memory>
#include <set>

namespace leura::cli {

namespace {

using util::JsonValue;

struct HostResume {
    std::string name;
    size_t first_step = 0;
};

// The waves of the recorded plan, as host names.
Result<std::vector<std::vector<std::string>>> recorded_waves(const store::RunRecord& run) {
    auto doc = util::parse_json(run.plan.value_or(""));
    const JsonValue* plan = doc ? doc->get("plan") : nullptr;
    if (!plan || !plan->is(JsonValue::Type::array))
        return fail(ErrorKind::config, "run " + run.id + " has no recorded plan to resume");
    std::vector<std::vector<std::string>> waves;
    for (const auto& wave : plan->items) {
        const JsonValue* names = wave.get("names");
        if (!names) return fail(ErrorKind::config, "run " + run.id + ": damaged plan");
        waves.emplace_back();
        for (const auto& n : names->items)
            waves.back().push_back(n.text);
    }
    return waves;
}

bool host_ended(const store::HostRecord& h) {
    if (h.status == "ok" || h.status == "unreachable") return true;
    return h.status == "failed" && h.error_kind != "interrupted";
}

bool step_done(const store::StepRecord& s) {
    return s.status == "ok" || s.status == "unchanged" || s.status == "skipped";
}

bool outcome_unknown(const store::StepRecord& s) {
    return s.status == "running" || (s.status == "failed" && s.error_kind == "interrupted");
}

// The run that already resumed `id`, or "".
Result<std::string> resumed_by(const std::string& id) {
    LEURA_TRY_ASSIGN(records, open_records());
    store::RunFilter all;
    all.limit = 100000;
    LEURA_TRY_ASSIGN(runs, records.runs(all));
    for (const auto& r : runs)
        if (r.resumes == id) return r.id;
    return std::string();
}

int resume(RunFlags& f, const std::string& prefix, bool rerun_unknown) {
    if (auto st = parse_flags(f); !st) return report(st.error());
    auto view = load_run(prefix, false);
    if (!view) return report(view.error());
    const auto& run = view->run;
    if (run.status == "running")
        return report(Error(ErrorKind::locked, "run " + run.id + " is still running"));
    if (run.status != "interrupted")
        return report(
            Error(ErrorKind::usage, "run " + run.id + " ended " + run.status +
                                        "; resume continues interrupted runs (leura retry " +
                                        run.id + " runs its failed hosts again)"));
    if (auto by = resumed_by(run.id); !by) {
        return report(by.error());
    } else if (!by->empty()) {
        return report(Error(ErrorKind::usage, "run " + run.id + " was resumed by run " + *by +
                                                  "; resume that one if it was interrupted too"));
    }
    auto same = task_unchanged(run);
    if (!same) return report(same.error());
    if (!*same)
        return report(Error(ErrorKind::usage, run.task + " changed since run " + run.id +
                                                  "; resume runs the same task, unchanged"));
    auto waves = recorded_waves(run);
    if (!waves) return report(waves.error());

    if (auto st = rerun_source(run, f.prepare); !st) return report(st.error());
    f.prepare.inventory = run.inventory;
    std::map<std::string, const store::HostRecord*> hosts;
    for (const auto& h : view->hosts)
        hosts[h.host] = &h;
    std::map<std::string, std::map<int64_t, const store::StepRecord*>> steps;
    for (const auto& s : view->steps)
        if (s.phase == "steps") steps[s.host][s.idx] = &s;
    std::set<int64_t> finished_waves;
    for (const auto& b : view->batches)
        if (b.finished_at) finished_waves.insert(b.wave);

    // The task as loaded now decides step counts and which steps are idempotent.
    config::Diagnostics diags;
    auto task = f.prepare.command ? std::optional(app::adhoc_task(*f.prepare.command))
                                  : config::load_task(run.task, diags);
    if (!task) return report(diags);
    std::vector<std::vector<HostResume>> todo;
    std::vector<std::string> unknown;
    for (size_t k = 0; k < waves->size(); ++k) {
        todo.emplace_back();
        if (finished_waves.count(int64_t(k + 1))) continue;
        for (const auto& name : (*waves)[k]) {
            auto h = hosts.find(name);
            if (h != hosts.end() && host_ended(*h->second)) continue;
            size_t first = 0;
            auto& done = steps[name];
            while (first < task->steps.size() && done.count(int64_t(first)) &&
                   step_done(*done[int64_t(first)]))
                ++first;
            if (first == task->steps.size()) continue; // every step done; only its end was lost
            auto at = done.find(int64_t(first));
            if (at != done.end() && outcome_unknown(*at->second) &&
                !task->steps[first].idempotent && !rerun_unknown)
                unknown.push_back(name + " (step " + std::to_string(first + 1) + " \"" +
                                  task->steps[first].name + "\")");
            todo.back().push_back({name, first});
        }
    }
    if (!unknown.empty()) {
        std::string list;
        for (const auto& u : unknown)
            list += (list.empty() ? "" : ", ") + u;
        return report(Error(ErrorKind::usage,
                            "these hosts were inside a step when run " + run.id +
                                " stopped, so whether it did its work is unknown: " + list +
                                ". Mark the step idempotent = true if running it again is safe, "
                                "or pass --rerun-unknown"));
    }
    for (const auto& wave : todo)
        for (const auto& h : wave) {
            f.prepare.only_hosts.push_back(h.name);
            f.run.first_steps[h.name] = h.first_step;
        }
    if (f.prepare.only_hosts.empty()) {
        std::fprintf(stderr, "leura: run %s has nothing left to resume\n", run.id.c_str());
        return 0;
    }
    auto prepared = app::prepare(f.prepare, diags);
    if (!prepared) return report(diags);
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < prepared->hosts.size(); ++i)
        index[prepared->hosts[i]->name] = i;
    rollout::Plan plan;
    for (const auto& wave : todo) {
        if (wave.empty()) continue;
        plan.waves.emplace_back();
        for (const auto& h : wave)
            plan.waves.back().hosts.push_back(index.at(h.name));
        plan.waves.back().cumulative =
            (plan.waves.size() > 1 ? plan.waves[plan.waves.size() - 2].cumulative : 0) +
            wave.size();
        plan.waves.back().target = plan.waves.back().cumulative;
    }
    auto rollout = app::effective_rollout(*prepared, app::WaveOptions{});
    f.run.resumes = run.id;
    std::fprintf(stderr, "leura: resuming run %s: %zu host%s in %zu wave%s\n", run.id.c_str(),
                 f.prepare.only_hosts.size(), f.prepare.only_hosts.size() == 1 ? "" : "s",
                 plan.waves.size(), plan.waves.size() == 1 ? "" : "s");
    return run_planned(f, *prepared, rollout, plan);
}

} // namespace

Action add_resume(CLI::App& sub) {
    auto f = std::make_shared<RunFlags>();
    auto run = std::make_shared<std::string>();
    auto rerun_unknown = std::make_shared<bool>(false);
    sub.add_option("run", *run, "Run id or a unique prefix of one")->required();
    sub.add_flag("--rerun-unknown", *rerun_unknown,
                 "Run again the steps that were running when the run stopped");
    add_run_flags(sub, *f);
    return [f, run, rerun_unknown] { return resume(*f, *run, *rerun_unknown); };
}

} // namespace leura::cli
