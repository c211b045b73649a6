// SPDX-License-Identifier: Apache-2.0
// The access decisions. Why they work this way (docs/access.md):
// - Every grant that applies is found first, then a deny among them wins over every allow, so
//   the order of the rules in the file can never change a decision (the unit tests shuffle it).
// - A grant with `hosts` must hold for every host a request touches: an allow applies only when
//   every host matches its selector (and the hosts are known); a deny applies when any does.
// - When the request names no task (exec) or no inventory, only grants whose globs include "*"
//   for it apply: a grant limited to some tasks never covers "no task".
#include "access/policy.hpp"
#include "inventory/selector.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <grp.h>
#include <pwd.h>
#include <set>

namespace leura::access {

namespace {

int chain_rank(const std::string& action) {
    static const std::vector<std::string> chain{"view", "logs", "run", "edit", "admin"};
    auto it = std::find(chain.begin(), chain.end(), action);
    return it == chain.end() ? -1 : int(it - chain.begin());
}

bool any_glob(const std::vector<std::string>& globs, const std::string& name) {
    for (const auto& g : globs)
        if (name.empty() ? g == "*" : util::glob_match(g, name)) return true;
    return false;
}

bool names(const config::AccessGrant& g, const Principal& who) {
    for (const auto& w : g.who) {
        if (w == who.kind + ":" + who.name) return true;
        if (w.starts_with("group:") &&
            std::find(who.groups.begin(), who.groups.end(), w.substr(6)) != who.groups.end())
            return true;
    }
    return false;
}

// The request's hosts the selector picks, or nullopt when it cannot be evaluated.
std::optional<size_t> matching_hosts(const std::string& selector, const Request& r) {
    std::vector<std::string> picked;
    if (r.hosts_from) {
        auto hosts = inventory::select(*r.hosts_from, selector);
        if (!hosts) return std::nullopt;
        for (const auto* h : *hosts)
            picked.push_back(h->name);
    } else {
        auto n = inventory::select_names(r.hosts, selector);
        if (!n) return std::nullopt;
        picked = std::move(*n);
    }
    size_t count = 0;
    for (const auto& h : r.hosts)
        if (std::find(picked.begin(), picked.end(), h) != picked.end()) ++count;
    return count;
}

bool hosts_hold(const config::AccessGrant& g, const Request& r) {
    if (g.hosts.empty()) return true;
    if (r.hosts.empty()) return g.deny; // unknown hosts: an allow cannot vouch for them
    auto count = matching_hosts(g.hosts, r);
    if (!count) return false; // a selector that does not parse (for this inventory) holds nowhere
    return g.deny ? *count > 0 : *count == r.hosts.size();
}

bool covers_action(const config::AccessGrant& g, const std::string& asked) {
    for (const auto& a : g.actions)
        if (g.deny ? contains(asked, a) : contains(a, asked)) return true;
    return false;
}

bool resources_match(const config::AccessGrant& g, const std::string& task,
                     const std::string& inventory) {
    return any_glob(g.tasks, task) && any_glob(g.inventories, inventory);
}

std::string resource(const Request& r) {
    std::string out = r.task.empty() ? "no task" : "task '" + r.task + "'";
    if (!r.inventory.empty()) out += " on inventory '" + r.inventory + "'";
    if (!r.hosts.empty()) out += " (" + std::to_string(r.hosts.size()) + " hosts)";
    return out;
}

} // namespace

bool contains(const std::string& granted, const std::string& asked) {
    if (granted == asked || granted == "admin") return true;
    int g = chain_rank(granted), a = chain_rank(asked);
    return g >= 0 && a >= 0 && a <= g;
}

bool unix_member(const std::string& user, const std::string& group) {
    const struct group* gr = ::getgrnam(group.c_str());
    if (!gr) return false;
    for (char** m = gr->gr_mem; m && *m; ++m)
        if (user == *m) return true;
    const struct passwd* pw = ::getpwnam(user.c_str());
    return pw && pw->pw_gid == gr->gr_gid;
}

Result<Principal> principal(const Policy& policy, const std::string& spec,
                            const UnixMembership& in_unix_group) {
    Principal p;
    auto colon = spec.find(':');
    if (colon == spec.npos) {
        p.name = spec;
    } else {
        p.kind = spec.substr(0, colon);
        p.name = spec.substr(colon + 1);
    }
    static const std::vector<std::string> kinds{"user", "group", "schedule", "monitor", "token"};
    if (std::find(kinds.begin(), kinds.end(), p.kind) == kinds.end() || p.name.empty())
        return fail(ErrorKind::usage, "'" + spec +
                                          "' is not a principal: write NAME, user:NAME, "
                                          "group:NAME, schedule:NAME, monitor:NAME or token:ID");
    if (p.kind == "group") {
        // Someone who is in this group and no other, for `check --as group:G`.
        p.groups.push_back(p.name);
        p.name = "(a member of " + p.name + ")";
        return p;
    }
    for (const auto& g : policy.groups) {
        bool member = std::find(g.members.begin(), g.members.end(), p.name) != g.members.end() &&
                      p.kind == "user";
        if (!member && p.kind == "user" && !g.unix_group.empty() && in_unix_group)
            member = in_unix_group(p.name, g.unix_group);
        if (member) p.groups.push_back(g.name);
    }
    return p;
}

Decision decide(const Policy& policy, const Principal& who, const Request& request) {
    const config::AccessGrant* allow = nullptr;
    const config::AccessGrant* deny = nullptr;
    for (const auto& g : policy.grants) {
        if (!names(g, who) || !covers_action(g, request.action) ||
            !resources_match(g, request.task, request.inventory) || !hosts_hold(g, request))
            continue;
        // Ties are broken by id, never by position, so the order of rules cannot matter.
        auto& slot = g.deny ? deny : allow;
        if (!slot || g.id < slot->id) slot = &g;
    }
    Decision d;
    const std::string subject = who.kind + ":" + who.name;
    if (const auto* g = deny ? deny : allow) {
        d.allowed = !deny;
        d.rule_id = g->id;
        d.where = g->pos;
        d.reason = g->reason;
        d.why = std::string(d.allowed ? "allowed" : "denied") + ": " + subject + " " +
                request.action + " " + resource(request) + " by " + (g->deny ? "deny" : "grant") +
                " '" + g->id + "' (" + rule_location(g->pos) + ")" +
                (g->reason.empty() ? "" : ": " + g->reason);
        return d;
    }
    d.why = "denied: " + subject + " " + request.action + " " + resource(request) +
            ": no grant allows it (the policy denies what it does not grant)";
    return d;
}

RunsVisible runs_visible(const Policy& policy, const Principal& who, const std::string& task,
                         const std::string& inventory) {
    Request r{"view", task, inventory, {}, nullptr};
    bool any = false, all = false;
    for (const auto& g : policy.grants) {
        if (!names(g, who) || !covers_action(g, "view") || !resources_match(g, task, inventory))
            continue;
        if (g.deny) {
            if (hosts_hold(g, r)) return RunsVisible::none;
            continue;
        }
        any = true;
        all = all || g.all_runs;
    }
    return !any ? RunsVisible::none : all ? RunsVisible::all : RunsVisible::own;
}

std::vector<WhoCan> who_can(const Policy& policy, const std::string& action,
                            const std::string& task, const std::string& inventory) {
    std::vector<WhoCan> out;
    auto entry = [&](const std::string& p) -> WhoCan& {
        for (auto& w : out)
            if (w.principal == p) return w;
        out.push_back({p, {}, {}});
        return out.back();
    };
    for (const auto& g : policy.grants)
        if (!g.deny && covers_action(g, action) && resources_match(g, task, inventory))
            for (const auto& w : g.who)
                entry(w).grant_ids.push_back(g.id);
    for (const auto& g : policy.grants)
        if (g.deny && covers_action(g, action) && resources_match(g, task, inventory))
            for (const auto& w : g.who)
                entry(w).denied_by.push_back(g.id);
    std::sort(out.begin(), out.end(),
              [](const WhoCan& a, const WhoCan& b) { return a.principal < b.principal; });
    return out;
}

std::vector<const config::AccessGrant*> explain(const Policy& policy, const Principal& who) {
    std::vector<const config::AccessGrant*> out;
    for (const auto& g : policy.grants)
        if (names(g, who)) out.push_back(&g);
    return out;
}

std::string rule_location(const SourcePos& where) {
    std::string file = where.file;
    if (auto slash = file.rfind('/'); slash != file.npos) file = file.substr(slash + 1);
    return file + ":" + std::to_string(where.line);
}

} // namespace leura::access
