// SPDX-License-Identifier: Apache-2.0
// The access policy and the audit log over the API: GET /v1/access/check answers what
// `leura access check` answers, GET /v1/audit lists what `leura audit --json` lists, a page at
// a time.
#include "access/policy.hpp"
#include "app/access_gate.hpp"
#include "app/api.hpp"
#include "app/audit.hpp"
#include "app/exit_code.hpp"
#include "app/library.hpp"
#include "app/prepare.hpp"
#include "config/task.hpp"
#include "inventory/selector.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <algorithm>

namespace leura::app {

// ?action=A&task=T&inventory=I&hosts=SELECTOR&as=PRINCIPAL: would the principal (the caller
// when `as` is not given) be allowed? The policy file is world-readable, so anyone may ask
// about anyone, as on the command line. `hosts` is a selector over the inventory when it is
// one the server lists (groups and attributes then count), else a list of host names.
http::Response Api::access_check(Context& ctx, const http::Request& r) {
    const std::string action = r.param("action").value_or("");
    const auto& actions = config::access_actions();
    if (std::find(actions.begin(), actions.end(), action) == actions.end()) {
        std::string list;
        for (const auto& a : actions)
            list += (list.empty() ? "" : ", ") + a;
        return bad_request("action must be one of " + list + ", got '" + action + "'");
    }
    const std::string task = r.param("task").value_or("");
    const std::string inventory = r.param("inventory").value_or("");
    const std::string as = r.param("as").value_or(principal_key(ctx.identity));
    const auto& state = access_state(ctx);
    util::JsonObject o;
    if (state.mode == access::PolicyState::Mode::off) {
        o.add("allowed", true).add("principal", as).add_null("rule");
        o.add("why", "access control is off (no " + state.location.path.string() + ")");
        return json_response(o.str());
    }
    if (!state.policy) {
        if (!state.problems.empty()) return problem(state.problems);
        return problem(Error(ErrorKind::config, state.why));
    }
    auto who = access::principal(*state.policy, as);
    if (!who) return bad_request("as: " + who.error().message);

    access::Request req{action, task, inventory, {}, nullptr};
    std::optional<inventory::Inventory> inv;
    const std::string selector = r.param("hosts").value_or("");
    if (!selector.empty()) {
        for (const auto& file : known_inventories(ctx.settings)) {
            if (inventory.empty() || file.stem().string() != inventory) continue;
            config::Diagnostics diags;
            inv = load_inventory(file, diags);
            if (!inv) return problem(diags);
        }
        if (inv) {
            auto picked = inventory::select(*inv, selector);
            if (!picked) return bad_request("hosts: " + picked.error().message);
            for (const auto* h : *picked)
                req.hosts.push_back(h->name);
            req.hosts_from = &*inv;
        } else {
            for (const auto& n : util::split(selector, ','))
                if (!util::trim(n).empty()) req.hosts.emplace_back(util::trim(n));
        }
    }
    const access::Decision d = access::decide(*state.policy, *who, req);
    o.add("allowed", d.allowed).add("principal", who->kind + ":" + who->name);
    if (d.rule_id.empty())
        o.add_null("rule");
    else
        o.add("rule", d.rule_id);
    o.add("where", d.rule_id.empty() ? std::string() : access::rule_location(d.where));
    o.add("reason", d.reason).add("why", d.why);
    o.add_raw("hosts", util::json_string_array(req.hosts));
    return json_response(o.str());
}

// ?since=7d&actor=user:alice&decision=deny&limit=N&cursor=ID: entries newest first; reading the
// log is an admin's, as `leura audit` is.
http::Response Api::audit_list(Context& ctx, const http::Request& r) {
    AccessRequest admin;
    admin.action = "admin";
    admin.resource = "command:audit";
    if (auto ok = authorize(ctx, admin); !ok) return problem(ok.error());
    store::AuditFilter filter;
    auto limit = page_limit(r, 50);
    if (!limit) return limit.error();
    filter.limit = *limit;
    if (auto since = r.param("since")) {
        auto age = config::parse_duration(*since);
        if (!age)
            return bad_request("since wants a duration such as 7d or 12h, got '" + *since + "'");
        filter.since = util::rfc3339(ctx.clock() - *age);
    }
    if (auto actor = r.param("actor")) filter.actor = *actor;
    if (auto decision = r.param("decision")) {
        if (*decision != "allow" && *decision != "deny")
            return bad_request("decision must be allow or deny, got '" + *decision + "'");
        filter.decision = *decision;
    }
    if (auto cursor = r.param("cursor")) {
        char* end = nullptr;
        const int64_t id = std::strtoll(cursor->c_str(), &end, 10);
        if (cursor->empty() || *end || id < 1)
            return bad_request("cursor must be an entry's id, from a page's next_cursor");
        filter.before_id = id;
    }
    auto records = ctx.records();
    if (!records) return problem(records.error());
    auto entries = (*records)->list_audit(filter);
    if (!entries) return problem(entries.error());
    std::vector<std::string> items;
    for (const auto& e : *entries)
        items.push_back(audit_entry_json(e));
    util::JsonObject o;
    o.add_raw("entries", util::json_array(items));
    if (int64_t(entries->size()) == filter.limit)
        o.add("next_cursor", std::to_string(entries->back().id));
    else
        o.add_null("next_cursor");
    return json_response(o.str());
}

} // namespace leura::app
