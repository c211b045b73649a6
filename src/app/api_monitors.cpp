// SPDX-License-Identifier: Apache-2.0
// Monitors over the API: their hosts' states (GET /v1/monitors), why a host was or was not
// reacted to (GET /v1/monitors/NAME/hosts/HOST, as `leura monitor why`), an acknowledgement
// (POST .../hosts/HOST:ack, as `leura monitor ack`), and Alertmanager's webhook feeding a
// monitor (POST /v1/monitors/NAME/alerts, app/monitor_alerts.hpp).
#include "app/access_gate.hpp"
#include "app/api.hpp"
#include "app/exit_code.hpp"
#include "app/library.hpp"
#include "app/monitor_alerts.hpp"
#include "app/monitor_round.hpp"
#include "app/prepare.hpp"
#include "app/tokens.hpp"
#include "config/task.hpp"
#include "util/json.hpp"
#include "util/json_parse.hpp"
#include "util/time.hpp"

namespace leura::app {

http::Response Api::monitor_route(Context& ctx, const http::Request& r,
                                  const std::vector<std::string>& seg, const Token& token) {
    const bool get = r.method == "GET";
    auto refused = [&](const std::string& action, const std::string& task) {
        return problem(403, "denied", to_int(ExitCode::refused),
                       "token " + token->id + " does not allow '" + action + "'" +
                           (task.empty() ? "" : " on task " + task));
    };
    if (seg.size() == 2) {
        if (!get) return method_not_allowed("GET");
        if (token && !token_scope_allows(*token, "view", "")) return refused("view", "");
        return monitors(ctx);
    }
    config::Diagnostics diags;
    auto m = find_monitor(ctx, seg[2], diags);
    if (!m) return diags.empty() ? problem(m.error()) : problem(diags);
    if (seg.size() == 4 && seg[3] == "alerts") {
        if (r.method != "POST") return method_not_allowed("POST");
        if (token && !token_scope_allows(*token, "run", m->reaction_task))
            return refused("run", m->reaction_task);
        return monitor_alerts(ctx, *m, r);
    }
    if (seg.size() == 5 && seg[3] == "hosts") {
        std::string host = seg[4];
        if (host.ends_with(":ack")) {
            if (r.method != "POST") return method_not_allowed("POST");
            if (token && !token_scope_allows(*token, "run", m->reaction_task))
                return refused("run", m->reaction_task);
            host.resize(host.size() - 4);
            return monitor_ack(ctx, *m, host, r);
        }
        if (!get) return method_not_allowed("GET");
        if (token && !token_scope_allows(*token, "view", "")) return refused("view", "");
        return monitor_host(ctx, *m, host, r);
    }
    return problem(404, "not_found", to_int(ExitCode::usage), "no such endpoint: " + r.path);
}

// Every monitor with each host's state, as `leura monitor status --json` shows them; a
// monitor file with a problem is listed under `problems` (file:line:col), the rest as usual.
http::Response Api::monitors(Context& ctx) {
    auto records = ctx.records();
    if (!records) return problem(records.error());
    config::Diagnostics diags;
    std::vector<std::string> items;
    for (const auto& m : load_monitors(ctx, diags)) {
        auto hosts = (*records)->monitor_hosts(m.name);
        if (!hosts) return problem(hosts.error());
        std::vector<std::string> rows;
        for (const auto& h : *hosts)
            rows.push_back(monitor_host_json(**records, m.name, h));
        items.push_back(
            util::JsonObject().add("name", m.name).add_raw("hosts", util::json_array(rows)).str());
    }
    return json_response(util::JsonObject()
                             .add_raw("monitors", util::json_array(items))
                             .add_raw("problems", problems_json(diags))
                             .str());
}

// What `leura monitor why NAME HOST --json` says, and the host's state: its decisions and
// checks, newest first.
http::Response Api::monitor_host(Context& ctx, const config::MonitorDef& m, const std::string& host,
                                 const http::Request& r) {
    auto limit = page_limit(r, 20);
    if (!limit) return limit.error();
    auto records = ctx.records();
    if (!records) return problem(records.error());
    auto decisions = (*records)->monitor_decisions(m.name, host, *limit);
    if (!decisions) return problem(decisions.error());
    auto checks = (*records)->monitor_checks(m.name, host, *limit);
    if (!checks) return problem(checks.error());
    auto hosts = (*records)->monitor_hosts(m.name);
    if (!hosts) return problem(hosts.error());
    std::string state;
    for (const auto& h : *hosts)
        if (h.host == host) state = monitor_host_json(**records, m.name, h);
    if (state.empty() && decisions->empty() && checks->empty())
        return problem(404, "not_found", to_int(ExitCode::usage),
                       "monitor " + m.name + " has checked no host '" + host + "' yet");
    std::vector<std::string> d_items, c_items;
    for (const auto& d : *decisions)
        d_items.push_back(monitor_decision_json(d));
    for (const auto& c : *checks) {
        util::JsonObject o;
        o.add("at", util::rfc3339(util::from_unix(c.round_at)))
            .add("result", c.result)
            .add("exit", c.exit_code);
        o.add("duration_ms", c.duration_ms).add("output", c.output);
        c_items.push_back(o.str());
    }
    util::JsonObject o;
    o.add("monitor", m.name).add("host", host);
    if (state.empty())
        o.add_null("state");
    else
        o.add_raw("state", state);
    o.add_raw("decisions", util::json_array(d_items)).add_raw("checks", util::json_array(c_items));
    return json_response(o.str());
}

// {"for": "2h"} (default 1h): no reaction on the host until then; the `run` right on the
// monitor's reaction task, as `leura monitor ack`.
http::Response Api::monitor_ack(Context& ctx, const config::MonitorDef& m, const std::string& host,
                                const http::Request& r) {
    std::string for_ = "1h";
    if (!r.body.empty()) {
        auto doc = util::parse_json(r.body);
        if (!doc || !doc->is(util::JsonValue::Type::object))
            return bad_request("the body must be a JSON object such as {\"for\": \"2h\"}");
        for (const auto& f : doc->members) {
            if (f.name != "for" || !f.value.is(util::JsonValue::Type::string))
                return bad_request("unknown field '" + f.name + "' (known: for, a duration)", 422);
            for_ = f.value.text;
        }
    }
    auto d = config::parse_duration(for_);
    if (!d || d->count() < 1000) return bad_request("for wants a duration such as 2h", 422);
    auto until = acknowledge_host(ctx, m, host, *d);
    if (!until) return problem(until.error());
    return json_response(
        util::JsonObject().add("monitor", m.name).add("host", host).add("ack_until", *until).str());
}

// Alertmanager's webhook (`webhook_configs: url: .../v1/monitors/NAME/alerts`, with a bearer
// token): each new alert about one of the monitor's hosts is a result of that host. Feeding a
// monitor can start its reaction: it takes the `run` right on the reaction task.
http::Response Api::monitor_alerts(Context& ctx, const config::MonitorDef& m,
                                   const http::Request& r) {
    AccessRequest req;
    req.action = "run";
    req.task = m.reaction_task;
    req.resource = "monitor:" + m.name + " alerts";
    if (auto st = authorize(ctx, req, false); !st) return problem(st.error());
    PrepareOptions o;
    o.command = m.check_command;
    o.inventory = m.inventory;
    o.targets = m.targets;
    o.default_inventory = ctx.settings.text("inventory");
    o.library = library_root(ctx.settings);
    config::Diagnostics diags;
    auto prepared = prepare(o, diags);
    if (!prepared) return problem(diags);
    auto feed = feed_alerts(ctx, m, prepared->hosts, inventory_name_of(prepared->inventory_file),
                            r.body, util::unix_seconds(ctx.clock()), m_launcher);
    if (!feed) return problem(feed.error());
    std::vector<std::string> ignored, hosts;
    for (const auto& i : feed->ignored)
        ignored.push_back(util::JsonObject()
                              .add("fingerprint", i.fingerprint)
                              .add("alertname", i.alertname)
                              .add("why", i.why)
                              .str());
    for (const auto& h : feed->judged) {
        util::JsonObject x;
        x.add("host", h.host).add("result", to_string(h.result)).add("state", h.state);
        x.add("decision", h.decision.decision).add("reason", h.decision.reason);
        x.add("run", h.run_id);
        hosts.push_back(x.str());
    }
    return json_response(util::JsonObject()
                             .add("monitor", m.name)
                             .add("received", feed->received)
                             .add("repeated", feed->repeated)
                             .add_raw("ignored", util::json_array(ignored))
                             .add_raw("hosts", util::json_array(hosts))
                             .str());
}

} // namespace leura::app
