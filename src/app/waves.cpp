// SPDX-License-Identifier: Apache-2.0
#include "app/waves.hpp"
#include "inventory/range.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <set>

namespace leura::app {

std::optional<config::Rollout> effective_rollout(const Prepared& p, const WaveOptions& o) {
    std::optional<config::Rollout> r = p.task.rollout;
    if (o.batches) {
        if (!r) r.emplace();
        r->batches = *o.batches;
    }
    return r;
}

namespace {

std::vector<std::string> attribute_names(const std::vector<const inventory::Host*>& hosts) {
    std::set<std::string> names;
    for (const auto* h : hosts)
        for (const auto& kv : h->attrs)
            names.insert(kv.first);
    return {names.begin(), names.end()};
}

bool has_attribute(const std::vector<const inventory::Host*>& hosts, const std::string& name) {
    return std::any_of(hosts.begin(), hosts.end(), [&](const inventory::Host* h) {
        return std::any_of(h->attrs.begin(), h->attrs.end(),
                           [&](const auto& kv) { return kv.first == name; });
    });
}

// "; did you mean "x"?" when one is close, else what the hosts do have.
std::string attribute_hint(const std::string& name, const std::vector<std::string>& known,
                           bool none_allowed) {
    std::vector<std::string> choices = known;
    if (none_allowed) choices.push_back("none");
    if (auto guess = util::closest_match(name, choices); !guess.empty())
        return "; did you mean \"" + guess + "\"?";
    if (known.empty()) return " (the selected hosts have no attributes)";
    constexpr size_t k_listed = 12;
    std::string list;
    for (size_t i = 0; i < known.size() && i < k_listed; ++i)
        list += (i ? ", " : "") + known[i];
    if (known.size() > k_listed) list += ", ...";
    return " (the selected hosts have: " + list + ")";
}

void attribute_error(config::Diagnostics& diags, const Prepared& p, const SourcePos& pos,
                     std::string message) {
    diags.add(pos, std::move(message), pos.line > 0 ? config::line_of(p.task.text, pos.line) : "");
}

} // namespace

void check_rollout_attributes(const Prepared& p, config::Diagnostics& diags) {
    if (!p.task.rollout) return;
    const config::Rollout& r = *p.task.rollout;
    const auto known = attribute_names(p.hosts);
    if (r.affinity_set && r.affinity != k_no_affinity && !has_attribute(p.hosts, r.affinity))
        attribute_error(diags, p, r.affinity_pos,
                        "affinity '" + r.affinity +
                            "': no selected host has this attribute, so it would keep no hosts "
                            "together" +
                            attribute_hint(r.affinity, known, true));
    for (size_t i = 0; i < r.spread.size(); ++i) {
        if (has_attribute(p.hosts, r.spread[i])) continue;
        attribute_error(diags, p, i < r.spread_pos.size() ? r.spread_pos[i] : r.pos,
                        "spread '" + r.spread[i] + "': no selected host has this attribute" +
                            attribute_hint(r.spread[i], known, false));
    }
}

rollout::Plan plan_waves(const Prepared& p, const std::optional<config::Rollout>& r,
                         const WaveOptions& o) {
    rollout::PlanInput in;
    in.hosts = p.hosts;
    in.shuffle_seed = o.shuffle_seed;
    if (r) {
        in.batches = r->batches;
        in.affinity = r->affinity == k_no_affinity ? std::string() : r->affinity;
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
