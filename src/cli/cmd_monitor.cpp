// SPDX-License-Identifier: Apache-2.0
// `leura monitor`: self-healing checks. A monitor's rounds run from the schedule tick; here
// one can run a round now, see each host's state, ask why a host was (not) reacted to, and
// acknowledge a host for a while.
#include "app/access_gate.hpp"
#include "app/monitor_round.hpp"
#include "app/schedules.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "cli/run_flags.hpp"
#include "config/task.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <cstdio>
#include <memory>

namespace leura::cli {

namespace {

struct MonitorFlags {
    std::string name, host, at, for_ = "1h";
    int64_t limit = 20;
    bool json = false;
};

std::string when(int64_t t) {
    return util::display_time(util::rfc3339(util::from_unix(t)), false);
}

int64_t now_of(app::Context& ctx) {
    return util::unix_seconds(ctx.clock());
}

Result<config::MonitorDef> find(app::Context& ctx, const std::string& name) {
    config::Diagnostics diags;
    auto m = app::find_monitor(ctx, name, diags);
    if (!m && !diags.empty()) report(diags);
    return m;
}

int round(app::Context& ctx, const MonitorFlags& f) {
    auto m = find(ctx, f.name);
    if (!m) return report(m.error());
    int64_t now = now_of(ctx);
    if (!f.at.empty()) {
        auto t = app::parse_command_time(f.at, nullptr);
        if (!t) return report(Error(ErrorKind::usage, "--at: " + t.error().message));
        now = *t;
    }
    // The checks are ad-hoc commands on the monitor's hosts, as monitor:NAME.
    std::string why;
    if (!app::principal_allows(ctx, "monitor:" + m->name, "exec", "",
                               app::inventory_name_of(m->inventory.empty()
                                                          ? ctx.settings.text("inventory")
                                                          : m->inventory),
                               why))
        return report(
            Error(ErrorKind::denied, "monitor:" + m->name + " may not run its check: " + why));
    RunFlags rf;
    rf.prepare.command = m->check_command;
    rf.prepare.inventory = m->inventory;
    rf.prepare.targets = m->targets;
    if (auto st = parse_flags(rf, ctx.settings); !st) return report(st.error());
    config::Diagnostics diags;
    auto prepared = app::prepare(rf.prepare, diags);
    if (!prepared) return report(diags);
    app::ProcessLauncher launcher(ctx.data_dir);
    auto hosts = app::monitor_round(ctx, *m, *prepared, rf.run, now, launcher);
    if (!hosts) return report(hosts.error());
    for (const auto& h : *hosts) {
        if (f.json) {
            util::JsonObject o;
            o.add("monitor", m->name).add("host", h.host).add("result", to_string(h.result));
            o.add("state", h.state).add("decision", h.decision.decision);
            o.add("reason", h.decision.reason).add("run", h.run_id);
            std::printf("%s\n", o.str().c_str());
            continue;
        }
        std::printf("%s  %s  %s  %s%s%s\n", cell(h.host).c_str(), to_string(h.result),
                    h.state.c_str(), h.decision.decision.c_str(),
                    h.decision.reason.empty() ? "" : (": " + cell(h.decision.reason)).c_str(),
                    h.run_id ? ("  run " + *h.run_id).c_str() : "");
    }
    return 0;
}

int status(app::Context& ctx, const MonitorFlags& f) {
    std::vector<std::string> names;
    config::Diagnostics diags; // of monitor files that do not check out: said at the end
    if (!f.name.empty()) {
        auto m = find(ctx, f.name);
        if (!m) return report(m.error());
        names.push_back(m->name);
    } else {
        for (const auto& m : app::load_monitors(ctx, diags))
            names.push_back(m.name);
        if (names.empty() && diags.empty()) {
            std::fprintf(stderr, "leura: no monitors in %s\n", app::monitors_dir(ctx).c_str());
            return 0;
        }
    }
    auto records = ctx.records();
    if (!records) return report(records.error());
    const int64_t now = now_of(ctx);
    std::vector<std::vector<std::string>> rows{
        {"MONITOR", "HOST", "STATE", "RECENT", "SINCE", "LAST DECISION"}};
    for (const auto& name : names) {
        auto hosts = (*records)->monitor_hosts(name);
        if (!hosts) return report(hosts.error());
        for (const auto& h : *hosts) {
            auto last = (*records)->monitor_decisions(name, h.host, 1);
            std::string decision =
                last && !last->empty()
                    ? last->front().decision +
                          (last->front().reason.empty() ? "" : ": " + last->front().reason)
                    : "-";
            std::string state = h.state;
            if (h.flapping) state += " (flapping)";
            if (h.ack_until > now) state += " (acked until " + when(h.ack_until) + ")";
            std::string recent =
                h.results.size() > 10 ? h.results.substr(h.results.size() - 10) : h.results;
            if (f.json) {
                std::printf("%s\n", app::monitor_host_json(**records, name, h).c_str());
                continue;
            }
            rows.push_back({cell(name), cell(h.host), state, recent.empty() ? "-" : recent,
                            h.changed_at ? when(h.changed_at) : "-", cell(decision)});
        }
    }
    if (!f.json) {
        if (rows.size() == 1)
            std::fprintf(stderr, "leura: no round has run yet\n");
        else
            print_columns(rows);
    }
    if (!diags.empty()) return report(diags);
    return 0;
}

int why(app::Context& ctx, const MonitorFlags& f) {
    auto records = ctx.records();
    if (!records) return report(records.error());
    auto decisions = (*records)->monitor_decisions(f.name, f.host, f.limit);
    if (!decisions) return report(decisions.error());
    auto checks = (*records)->monitor_checks(f.name, f.host, f.limit);
    if (!checks) return report(checks.error());
    if (decisions->empty() && checks->empty()) {
        auto m = find(ctx, f.name);
        if (!m) return report(m.error());
        return report(Error(ErrorKind::not_found,
                            "monitor " + f.name + " has checked no host '" + f.host + "' yet"));
    }
    if (f.json) {
        for (const auto& d : *decisions)
            std::printf("%s\n", app::monitor_decision_json(d).c_str());
        return 0;
    }
    if (decisions->empty()) {
        std::printf("no decision: every check of %s passed while it was OK\n", f.host.c_str());
    } else {
        const auto& d = decisions->front();
        std::printf("%s: %s%s (state %s, %s)\n", cell(f.host).c_str(), d.decision.c_str(),
                    d.reason.empty() ? "" : (": " + cell(d.reason)).c_str(), d.state.c_str(),
                    when(d.at).c_str());
        std::vector<std::vector<std::string>> rows{{"TIME", "STATE", "DECISION", "WHY", "RUN"}};
        for (const auto& x : *decisions)
            rows.push_back(
                {when(x.at), x.state, x.decision, cell(x.reason), cell(x.run_id.value_or(""))});
        print_columns(rows);
    }
    if (!checks->empty()) {
        std::printf("\nchecks:\n");
        std::vector<std::vector<std::string>> rows{{"TIME", "RESULT", "EXIT", "OUTPUT"}};
        for (const auto& c : *checks)
            rows.push_back({when(c.round_at), c.result,
                            c.exit_code ? std::to_string(*c.exit_code) : "-",
                            cell(std::string(util::trim(c.output).substr(0, 80)))});
        print_columns(rows);
    }
    return 0;
}

int ack(app::Context& ctx, const MonitorFlags& f) {
    auto m = find(ctx, f.name);
    if (!m) return report(m.error());
    auto d = config::parse_duration(f.for_);
    if (!d) return report(Error(ErrorKind::usage, "--for wants a duration such as 2h"));
    auto until = app::acknowledge_host(ctx, *m, f.host, *d);
    if (!until) return report(until.error());
    std::printf("%s on %s: no reaction until %s\n", m->name.c_str(), cell(f.host).c_str(),
                when(*until).c_str());
    return 0;
}

} // namespace

Action add_monitor(CLI::App& sub) {
    auto f = std::make_shared<MonitorFlags>();
    auto action = std::make_shared<std::string>();
    sub.require_subcommand(1, 1);
    auto on = [action](const char* name) { return [action, name] { *action = name; }; };

    auto* s = sub.add_subcommand("status", "Each host's state: ok, failing, reacting, ...");
    s->add_option("name", f->name, "Only this monitor");
    s->add_flag("--json", f->json, "One JSON object per host");
    s->callback(on("status"));

    auto* w = sub.add_subcommand("why", "Why a host was (or was not) reacted to");
    w->add_option("name", f->name, "The monitor")->required();
    w->add_option("host", f->host, "The host")->required();
    w->add_option("--limit", f->limit, "At most this many decisions and checks (default 20)");
    w->add_flag("--json", f->json, "One JSON object per decision");
    w->callback(on("why"));

    auto* a = sub.add_subcommand("ack", "No reaction on a host for a while (default 1h)");
    a->add_option("name", f->name, "The monitor")->required();
    a->add_option("host", f->host, "The host")->required();
    a->add_option("--for", f->for_, "How long (default 1h)");
    a->callback(on("ack"));

    auto* r = sub.add_subcommand("round", "Run one round of checks now (the tick runs them)");
    r->add_option("name", f->name, "The monitor")->required();
    r->add_option("--at", f->at, "Record the round at this time (default now)");
    r->add_flag("--json", f->json, "One JSON object per host");
    r->callback(on("round"));

    return [f, action](app::Context& ctx) {
        if (*action == "status") return status(ctx, *f);
        if (*action == "why") return why(ctx, *f);
        if (*action == "ack") return ack(ctx, *f);
        return round(ctx, *f);
    };
}

} // namespace leura::cli
