// SPDX-License-Identifier: Apache-2.0
#include "app/resume.hpp"
#include "store/status.hpp"
#include "util/json_parse.hpp"

#include <map>

namespace leura::app {

namespace {

using store::HostState;
using store::StepState;
using util::JsonValue;

enum class HostPlan { done, resume, from_start };

HostPlan host_plan(const store::HostRecord* h, const ResumeOptions& o) {
    if (!h) return HostPlan::resume;
    auto state = store::parse_host_state(h->status).value_or(HostState::running);
    bool interrupted = h->error_kind == std::string(to_string(ErrorKind::interrupted));
    switch (state) {
    case HostState::ok:
        return HostPlan::done;
    case HostState::unreachable:
        return o.retry_failed ? HostPlan::from_start : HostPlan::done;
    case HostState::failed:
        // Before v6 a stop recorded its hosts failed/interrupted.
        if (interrupted) return HostPlan::resume;
        return o.retry_failed ? HostPlan::from_start : HostPlan::done;
    case HostState::rolled_back:
        // Rolled back by its wave (it had succeeded: no error): back at the start. Rolled back
        // by itself after a failure: it failed.
        if (!h->error_kind) return HostPlan::from_start;
        return o.retry_failed ? HostPlan::from_start : HostPlan::done;
    case HostState::skipped:
    case HostState::interrupted:
    case HostState::running:
        return HostPlan::resume;
    }
    return HostPlan::resume;
}

bool step_done(const store::StepRecord& s) {
    auto st = store::parse_step_state(s.status);
    return st == StepState::ok || st == StepState::unchanged || st == StepState::skipped;
}

bool outcome_unknown(const store::StepRecord& s) {
    auto st = store::parse_step_state(s.status);
    return st == StepState::running ||
           (st == StepState::failed && s.error_kind == std::string("interrupted"));
}

const config::Step& step_at(const config::Task& t, size_t i) {
    return i < t.steps.size() ? t.steps[i] : t.verify[i - t.steps.size()];
}

} // namespace

size_t ResumePlan::hosts() const {
    size_t n = 0;
    for (const auto& w : waves)
        n += w.size();
    return n;
}

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

Result<ResumePlan> plan_resume(const RunView& view, const config::Task& task,
                               const std::string& resumed_by, const ResumeOptions& o) {
    const auto& run = view.run;
    auto status = store::parse_run_status(run.status);
    if (status == store::RunStatus::running)
        return fail(ErrorKind::locked, "run " + run.id + " is still running");
    if (status != store::RunStatus::interrupted && status != store::RunStatus::halted &&
        status != store::RunStatus::declined)
        return fail(ErrorKind::usage, "run " + run.id + " ended " + run.status +
                                          "; resume continues interrupted, halted and declined "
                                          "runs "
                                          "(leura retry " +
                                          run.id + " runs its failed hosts again)");
    if (!resumed_by.empty())
        return fail(ErrorKind::usage, "run " + run.id + " was resumed by run " + resumed_by +
                                          "; resume that one if it did not finish");
    LEURA_TRY_ASSIGN(waves, recorded_waves(run));

    std::map<std::string, const store::HostRecord*> hosts;
    for (const auto& h : view.hosts)
        hosts[h.host] = &h;
    std::map<std::string, std::map<int64_t, const store::StepRecord*>> steps;
    for (const auto& s : view.steps)
        if (s.phase == "steps" || s.phase == "verify") steps[s.host][s.idx] = &s;
    const size_t total = task.steps.size() + task.verify.size();

    ResumePlan plan;
    std::vector<std::string> unknown;
    for (const auto& names : waves) {
        std::vector<ResumeHost> todo;
        for (const auto& name : names) {
            auto h = hosts.find(name);
            HostPlan what = host_plan(h == hosts.end() ? nullptr : h->second, o);
            if (what == HostPlan::done) continue;
            if (what == HostPlan::from_start) {
                todo.push_back({name, 0});
                continue;
            }
            size_t first = 0;
            auto& done = steps[name];
            while (first < total && done.count(int64_t(first)) && step_done(*done[int64_t(first)]))
                ++first;
            if (first == total) continue; // every step done; only its end was lost
            auto at = done.find(int64_t(first));
            const config::Step& step = step_at(task, first);
            if (at != done.end() && outcome_unknown(*at->second) && !step.idempotent &&
                !o.rerun_unknown)
                unknown.push_back(name + " (step " + std::to_string(first + 1) + " \"" + step.name +
                                  "\")");
            todo.push_back({name, first});
        }
        if (!todo.empty()) plan.waves.push_back(std::move(todo));
    }
    if (!unknown.empty()) {
        std::string list;
        for (const auto& u : unknown)
            list += (list.empty() ? "" : ", ") + u;
        return fail(ErrorKind::usage,
                    "these hosts were inside a step when run " + run.id +
                        " stopped, so whether it did its work is unknown: " + list +
                        ". Mark the step idempotent = true if running it again is safe, or "
                        "pass --rerun-unknown");
    }
    return plan;
}

rollout::Plan resume_waves(const ResumePlan& todo, const Prepared& prepared) {
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < prepared.hosts.size(); ++i)
        index[prepared.hosts[i]->name] = i;
    rollout::Plan plan;
    size_t cumulative = 0;
    for (const auto& wave : todo.waves) {
        rollout::Wave& w = plan.waves.emplace_back();
        for (const auto& h : wave)
            if (auto at = index.find(h.name); at != index.end()) w.hosts.push_back(at->second);
        cumulative += w.hosts.size();
        w.cumulative = w.target = cumulative;
    }
    return plan;
}

std::vector<std::string> hosts_to_retry(const RunView& view, const std::string& which) {
    std::vector<std::string> out;
    for (const auto& h : view.hosts) {
        auto state = store::parse_host_state(h.status).value_or(HostState::running);
        // By default the hosts that failed, including those that then rolled themselves back
        // (on_host_failure: their error is kept), and the unreachable ones.
        bool failed_then_rolled_back = state == HostState::rolled_back && h.error_kind;
        bool wanted = which == "all" || (which.empty() ? state == HostState::failed ||
                                                             state == HostState::unreachable ||
                                                             failed_then_rolled_back
                                                       : which == to_string(state));
        if (wanted) out.push_back(h.host);
    }
    return out;
}

} // namespace leura::app
