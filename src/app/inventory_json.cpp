// SPDX-License-Identifier: Apache-2.0
#include "app/inventory_json.hpp"

#include "app/access_gate.hpp"
#include "app/library.hpp"
#include "app/prepare.hpp"
#include "util/json.hpp"

#include <string_view>

namespace leura::app {

std::vector<InventorySummary> visible_inventories(Context& ctx) {
    std::vector<InventorySummary> out;
    for (const auto& file : known_inventories(ctx.settings)) {
        InventorySummary s;
        s.name = file.stem().string();
        if (!access_allows(ctx, "view", "", s.name)) continue; // not theirs to see
        s.file = file;
        config::Diagnostics diags;
        auto inv = load_inventory(file, diags);
        s.valid = bool(inv);
        s.hosts = inv ? inv->hosts.size() : 0;
        out.push_back(std::move(s));
    }
    return out;
}

std::string inventory_summary_json(const InventorySummary& s) {
    util::JsonObject o;
    o.add("name", s.name).add("file", s.file.string()).add("valid", s.valid).add("hosts", s.hosts);
    return o.str();
}

std::vector<std::pair<const char*, const Sourced*>> connection_fields(const HostConnection& c) {
    return {{"address", &c.address},
            {"user", &c.user},
            {"port", &c.port},
            {"identity", &c.identity},
            {"jump", &c.jump},
            {"known_hosts", &c.known_hosts},
            {"connect_timeout", &c.connect_timeout}};
}

std::string host_json(const std::string& name, const HostConnection& c,
                      const inventory::Host* listed) {
    util::JsonObject o, origins;
    o.add("host", name);
    for (const auto& [key, v] : connection_fields(c)) {
        if (std::string_view(key) == "port")
            o.add(key, c.endpoint.port);
        else
            o.add(key, v->value);
        origins.add(key, v->origin);
    }
    o.add_raw("origins", origins.str());
    if (listed) {
        util::JsonObject attrs;
        for (const auto& [k, v] : listed->attrs)
            attrs.add(k, v);
        o.add_raw("groups", util::json_string_array(listed->groups)).add_raw("attrs", attrs.str());
    }
    return o.str();
}

} // namespace leura::app
