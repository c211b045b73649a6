// SPDX-License-Identifier: Apache-2.0
// Which runs `leura gc` deletes. The unit is a top-level run with its workflow stage runs, so
// a workflow never loses some stages and keeps others. Every rule only keeps: a unit goes when
// no rule keeps it, so adding a rule can only make gc delete less. "Keep" spreads along
// `resumes` (a kept run keeps the run it continues, and that one the run before), so a resume
// chain never loses its older links while its newest stays. One pass groups by task and
// sorts, one worklist follows the chains: O(n log n) in the number of runs.
#include "app/gc.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace leura::app {

namespace {

struct Unit {
    const GcRun* top = nullptr;
    std::vector<const GcRun*> stages;
    bool keep = false;
};

bool busy(const GcRun& r) {
    return r.live || r.status == "running";
}

} // namespace

std::vector<GcChoice> choose_runs(const std::vector<GcRun>& runs, const GcPolicy& policy,
                                  util::SystemTime now) {
    std::unordered_map<std::string, const GcRun*> by_id;
    for (const auto& r : runs)
        by_id.emplace(r.id, &r);
    // The run at the top of r's parents that is recorded (r itself when it has none); a
    // parent loop, which leura never records, ends at the run it started from.
    auto root = [&](const GcRun& r) {
        const GcRun* at = &r;
        for (size_t hops = 0; at->parent && hops <= runs.size(); ++hops) {
            auto it = by_id.find(*at->parent);
            if (it == by_id.end()) break;
            at = it->second;
        }
        return at->parent && by_id.count(*at->parent) ? &r : at;
    };
    // Units, and the unit every run id belongs to.
    std::vector<Unit> units;
    std::unordered_map<std::string, size_t> unit_of;
    for (const auto& r : runs)
        if (root(r) == &r) {
            unit_of.emplace(r.id, units.size());
            units.push_back({&r, {}, false});
        }
    for (const auto& r : runs)
        if (const GcRun* top = root(r); top != &r) {
            size_t u = unit_of.at(top->id);
            units[u].stages.push_back(&r);
            unit_of.emplace(r.id, u);
        }
    // Age and activity.
    const std::string cutoff =
        util::rfc3339(now - std::chrono::duration_cast<util::SystemTime::duration>(policy.keep));
    for (auto& u : units) {
        u.keep = u.top->started_at >= cutoff || busy(*u.top);
        for (const GcRun* s : u.stages)
            u.keep = u.keep || busy(*s);
    }
    // The newest keep_runs of each task.
    std::map<std::string, std::vector<size_t>> by_task;
    for (size_t i = 0; i < units.size(); ++i)
        by_task[units[i].top->task].push_back(i);
    for (auto& [task, list] : by_task) {
        std::sort(list.begin(), list.end(), [&](size_t a, size_t b) {
            const GcRun &x = *units[a].top, &y = *units[b].top;
            return std::tie(x.started_at, x.id) > std::tie(y.started_at, y.id);
        });
        for (size_t i = 0; i < list.size() && int64_t(i) < policy.keep_runs; ++i)
            units[list[i]].keep = true;
    }
    // What kept units continue, transitively.
    std::vector<size_t> work;
    for (size_t i = 0; i < units.size(); ++i)
        if (units[i].keep) work.push_back(i);
    while (!work.empty()) {
        const Unit& u = units[work.back()];
        work.pop_back();
        std::vector<const GcRun*> members = u.stages;
        members.push_back(u.top);
        for (const GcRun* m : members) {
            if (!m->resumes) continue;
            auto it = unit_of.find(*m->resumes);
            if (it == unit_of.end() || units[it->second].keep) continue;
            units[it->second].keep = true;
            work.push_back(it->second);
        }
    }
    std::vector<const Unit*> going;
    for (const auto& u : units)
        if (!u.keep) going.push_back(&u);
    std::sort(going.begin(), going.end(), [](const Unit* a, const Unit* b) {
        return std::tie(a->top->started_at, a->top->id) < std::tie(b->top->started_at, b->top->id);
    });
    std::vector<GcChoice> out;
    for (const Unit* u : going) {
        GcChoice c{u->top->id, {}};
        for (const GcRun* s : u->stages)
            c.stages.push_back(s->id);
        out.push_back(std::move(c));
    }
    return out;
}

} // namespace leura::app
