// SPDX-License-Identifier: Apache-2.0
#include "app/waves.hpp"
#include "inventory/range.hpp"
#include "util/json.hpp"

namespace leura::app {

std::optional<config::Rollout> effective_rollout(const Prepared& p, const WaveOptions& o) {
    std::optional<config::Rollout> r = p.task.rollout;
    if (o.batches) {
        if (!r) r.emplace();
        r->batches = *o.batches;
    }
    return r;
}

rollout::Plan plan_waves(const Prepared& p, const std::optional<config::Rollout>& r,
                         const WaveOptions& o) {
    rollout::PlanInput in;
    in.hosts = p.hosts;
    in.shuffle_seed = o.shuffle_seed;
    if (r) {
        in.batches = r->batches;
        in.affinity = r->affinity;
        in.spread = r->spread;
    } else {
        in.batches = {{true, 100}};
    }
    return rollout::make_plan(in);
}

std::string targets_json(const Prepared& p) {
    util::JsonObject o;
    o.add("task", p.task.targets);
    if (p.flag_targets.empty())
        o.add_null("flag");
    else
        o.add("flag", p.flag_targets);
    return o.add("replaced", p.targets_replaced).add("selector", p.targets).str();
}

std::string plan_json(const Prepared& p, const rollout::Plan& plan,
                      const std::optional<config::Rollout>& r) {
    std::vector<std::string> waves;
    for (size_t k = 0; k < plan.waves.size(); ++k) {
        const auto& w = plan.waves[k];
        std::vector<std::string> names;
        for (size_t i : w.hosts)
            names.push_back(p.hosts[i]->name);
        std::vector<std::string> spread;
        for (size_t s = 0; r && s < r->spread.size() && s < w.spread_values.size(); ++s)
            spread.push_back(util::JsonObject()
                                 .add("attribute", r->spread[s])
                                 .add("values", w.spread_values[s])
                                 .str());
        waves.push_back(util::JsonObject()
                            .add("wave", k + 1)
                            .add("hosts", names.size())
                            .add("target", w.target)
                            .add("cumulative", w.cumulative)
                            .add("folded", inventory::fold_hosts(names))
                            .add("clusters", w.clusters)
                            .add_raw("spread", util::json_array(spread))
                            .add("oversized", w.oversized)
                            .add("names", names)
                            .str());
    }
    return util::JsonObject()
        .add("hosts", p.hosts.size())
        .add("affinity", r ? r->affinity : std::string())
        .add("waves", plan.waves.size())
        .add_raw("plan", util::json_array(waves))
        .add("warnings", plan.warnings)
        .add_raw("targets", targets_json(p))
        .str();
}

} // namespace leura::app
