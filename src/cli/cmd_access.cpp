// SPDX-License-Identifier: Apache-2.0
// `leura access`: the access policy file (src/access/, docs/access.md). Edits (user, group,
// grant, revoke) rewrite the file's text as root; the rest only read it.
#include "access/policy_edit.hpp"
#include "access/policy_file.hpp"
#include "app/prepare.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "config/access_file.hpp"
#include "inventory/selector.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>
#include <unistd.h>

namespace leura::cli {

namespace {

namespace fs = std::filesystem;

struct AccessFlags {
    std::string which; // the chosen leaf: "user add", "grant", ...
    std::vector<std::string> args;
    std::string unix_group;
    std::string as;
    std::vector<std::string> tasks;
    std::vector<std::string> inventories;
    std::string inventory;
    std::string hosts;
    std::string runs = "own";
    std::string reason;
    std::string id;
    bool deny = false;
};

std::string join(const std::vector<std::string>& items, const std::string& sep = ", ") {
    std::string out;
    for (const auto& i : items)
        out += (out.empty() ? "" : sep) + i;
    return out;
}

std::string safe(const std::string& s) {
    return util::terminal_safe(s, true);
}

// The policy to edit: empty when the file does not exist yet; an invalid one is not edited.
Result<access::Policy> load_for_edit(const access::PolicyLocation& loc) {
    if (::geteuid() != 0 && !loc.from_env)
        return fail(ErrorKind::permission,
                    "changing the access policy needs root: sudo leura access ... (" +
                        loc.path.string() + " is root's)");
    std::error_code ec;
    if (!fs::exists(loc.path, ec)) {
        access::Policy p;
        p.file = loc.path;
        p.text = "# leura's access policy (leura-access(1), docs/access.md)\n";
        return p;
    }
    config::Diagnostics diags;
    auto p = config::load_access_file(loc.path, diags);
    if (!p) {
        report(diags);
        return fail(ErrorKind::config,
                    "the policy is invalid; fix it by hand first (" + loc.path.string() + ")");
    }
    return std::move(*p);
}

// The policy to query, or the exit status already reported.
std::optional<access::Policy> load_for_query(const fs::path& file, int& status) {
    std::error_code ec;
    if (!fs::exists(file, ec)) {
        status = report(
            Error(ErrorKind::not_found, "no access policy at " + file.string() +
                                            ": access control is off (one user owns everything)"));
        return std::nullopt;
    }
    config::Diagnostics diags;
    auto p = config::load_access_file(file, diags);
    if (!p) {
        status = report(diags);
        return std::nullopt;
    }
    return p;
}

int edit(const access::PolicyLocation& loc, const AccessFlags& f) {
    auto policy = load_for_edit(loc);
    if (!policy) return report(policy.error()); // an invalid one: its problems came first
    const auto& p = *policy;
    const auto& a = f.args;
    Result<std::string> text = fail(ErrorKind::internal, "no edit");
    std::string done;
    if (f.which == "user add") {
        text = access::add_user(p, a[0]);
        done = "added user " + a[0];
    } else if (f.which == "user rm") {
        text = access::remove_user(p, a[0]);
        done = "removed user " + a[0] + " from the groups and grants";
    } else if (f.which == "group add") {
        text = access::add_group(p, a[0], f.unix_group);
        done = "added group " + a[0];
    } else if (f.which == "group rm") {
        text = access::remove_group(p, a[0]);
        done = "removed group " + a[0];
    } else if (f.which == "group member add") {
        text = access::add_member(p, a[0], a[1]);
        done = "added " + a[1] + " to group " + a[0];
    } else if (f.which == "group member rm") {
        text = access::remove_member(p, a[0], a[1]);
        done = "removed " + a[1] + " from group " + a[0];
    } else if (f.which == "grant") {
        config::AccessGrant g;
        for (const auto& w : util::split(a[0], ','))
            g.who.push_back(w.find(':') == std::string::npos ? "user:" + w : w);
        g.actions = util::split(a[1], ',');
        g.deny = f.deny;
        g.tasks = f.tasks;
        if (!f.inventories.empty()) g.inventories = f.inventories;
        g.hosts = f.hosts;
        g.all_runs = f.runs == "all";
        g.reason = f.reason;
        g.id = f.id.empty() ? access::generated_id(g) : f.id;
        text = access::add_grant(p, g);
        done = std::string(f.deny ? "added deny " : "added grant ") + g.id;
    } else if (f.which == "revoke") {
        text = access::revoke(p, a[0]);
        done = "revoked " + a[0];
    }
    if (!text) return report(text.error());
    if (auto w = access::write_policy(loc.path, *text); !w) return report(w.error());
    std::printf("%s in %s\n", safe(done).c_str(), loc.path.c_str());
    return 0;
}

int status(const access::PolicyLocation& loc) {
    auto s = access::load_policy(loc);
    const char* mode = s.mode == access::PolicyState::Mode::off  ? "off"
                       : s.mode == access::PolicyState::Mode::on ? "on"
                                                                 : "deny all but root";
    std::printf("access control: %s\n", mode);
    std::printf("policy file:    %s%s\n", loc.path.c_str(),
                loc.from_env ? " (LEURA_ACCESS_FILE: for tests and CI)" : "");
    std::printf("why:            %s\n", safe(s.why).c_str());
    if (s.policy)
        std::printf("rules:          %zu grants, %zu groups, %zu users\n", s.policy->grants.size(),
                    s.policy->groups.size(), access::list_users(*s.policy).size());
    if (!s.problems.empty()) report(s.problems);
    return 0;
}

void list(const access::PolicyLocation& loc, const AccessFlags& f, int& rc) {
    auto p = load_for_query(loc.path, rc);
    if (!p) return;
    if (f.which == "user list") {
        for (const auto& u : access::list_users(*p))
            std::printf("%s\n", safe(u).c_str());
        return;
    }
    for (const auto& g : p->groups)
        std::printf("%-16s %-12s %s\n", safe(g.name).c_str(),
                    g.unix_group.empty() ? "-" : ("unix:" + safe(g.unix_group)).c_str(),
                    g.members.empty() ? "-" : safe(join(g.members)).c_str());
}

// -t over the inventory when -i names one leura finds, else a list of host names.
struct Hosts {
    std::optional<inventory::Inventory> inv;
    std::vector<std::string> names;
};

Result<Hosts> hosts_of(const std::string& inventory_name, const std::string& selector) {
    Hosts h;
    if (selector.empty()) return h;
    if (!inventory_name.empty())
        if (auto file = app::find_inventory(inventory_name, fs::current_path() / "-")) {
            config::Diagnostics diags;
            h.inv = app::load_inventory(*file, diags);
            if (!h.inv) {
                report(diags);
                return fail(ErrorKind::config, "cannot read inventory " + file->string());
            }
            LEURA_TRY_ASSIGN(picked, inventory::select(*h.inv, selector));
            for (const auto* host : picked)
                h.names.push_back(host->name);
            return h;
        }
    for (const auto& n : util::split(selector, ','))
        if (!util::trim(n).empty()) h.names.emplace_back(util::trim(n));
    return h;
}

int check(app::Context& ctx, const access::PolicyLocation& loc, const AccessFlags& f) {
    std::error_code ec;
    if (!fs::exists(loc.path, ec)) {
        std::printf("allowed: access control is off (no %s)\n", loc.path.c_str());
        return 0;
    }
    int rc = 0;
    auto p = load_for_query(loc.path, rc);
    if (!p) return rc;
    auto who = access::principal(*p, f.as.empty() ? ctx.identity.name : f.as);
    if (!who) return report(who.error());
    auto hosts = hosts_of(f.inventory, f.hosts);
    if (!hosts) return report(hosts.error());
    access::Request r{f.args[0], f.args[1], f.inventory, hosts->names,
                      hosts->inv ? &*hosts->inv : nullptr};
    const auto& actions = config::access_actions();
    if (std::find(actions.begin(), actions.end(), r.action) == actions.end())
        return report(Error(ErrorKind::usage,
                            "unknown action '" + r.action + "'; the actions are " + join(actions)));
    auto d = access::decide(*p, *who, r);
    std::printf("%s\n", safe(d.why).c_str());
    return d.allowed ? 0 : to_int(ExitCode::refused);
}

void print_grant(const config::AccessGrant& g) {
    std::printf("%-5s %-14s tasks %s", g.deny ? "deny" : "allow", join(g.actions, ",").c_str(),
                safe(join(g.tasks, ",")).c_str());
    if (g.inventories != std::vector<std::string>{"*"})
        std::printf("  inventories %s", safe(join(g.inventories, ",")).c_str());
    if (!g.hosts.empty()) std::printf("  hosts %s", safe(g.hosts).c_str());
    if (!g.deny) std::printf("  runs %s", g.all_runs ? "all" : "own");
    std::printf("  [%s %s]", safe(g.id).c_str(), safe(access::rule_location(g.pos)).c_str());
    if (!g.reason.empty()) std::printf("  %s", safe(g.reason).c_str());
    std::printf("\n");
}

int explain(app::Context& ctx, const access::PolicyLocation& loc, const AccessFlags& f) {
    int rc = 0;
    auto p = load_for_query(loc.path, rc);
    if (!p) return rc;
    auto who = access::principal(*p, f.as.empty() ? ctx.identity.name : f.as);
    if (!who) return report(who.error());
    std::printf("%s:%s, groups: %s\n", safe(who->kind).c_str(), safe(who->name).c_str(),
                who->groups.empty() ? "-" : safe(join(who->groups)).c_str());
    auto grants = access::explain(*p, *who);
    if (grants.empty()) std::printf("no grant names them: everything is denied\n");
    for (const auto* g : grants)
        print_grant(*g);
    return 0;
}

int who_can(const access::PolicyLocation& loc, const AccessFlags& f) {
    int rc = 0;
    auto p = load_for_query(loc.path, rc);
    if (!p) return rc;
    auto list = access::who_can(*p, f.args[0], f.args[1], f.inventory);
    if (list.empty()) std::printf("nobody but root\n");
    for (const auto& w : list) {
        if (w.grant_ids.empty())
            std::printf("%-24s denied by %s", safe(w.principal).c_str(),
                        safe(join(w.denied_by)).c_str());
        else
            std::printf("%-24s by %s", safe(w.principal).c_str(), safe(join(w.grant_ids)).c_str());
        if (!w.denied_by.empty() && !w.grant_ids.empty())
            std::printf("  (but denied by %s)", safe(join(w.denied_by)).c_str());
        std::printf("\n");
    }
    return 0;
}

int test(const access::PolicyLocation& loc, const AccessFlags& f) {
    int rc = 0;
    auto p = load_for_query(loc.path, rc);
    if (!p) return rc;
    config::Diagnostics diags;
    auto expectations = config::load_access_expectations(f.args[0], diags);
    if (!expectations) return report(diags);
    size_t failed = 0;
    for (const auto& e : *expectations) {
        auto who = access::principal(*p, e.as);
        if (!who) {
            std::printf("%s:%d: %s\n", e.pos.file.c_str(), e.pos.line,
                        safe(who.error().message).c_str());
            ++failed;
            continue;
        }
        access::Request r{e.action, e.task, e.inventory, e.hosts, nullptr};
        auto d = access::decide(*p, *who, r);
        if (d.allowed == e.allowed) continue;
        ++failed;
        std::printf("FAIL %s:%d: %s %s %s%s%s: expected %s, but %s\n", e.pos.file.c_str(),
                    e.pos.line, safe(e.as).c_str(), e.action.c_str(),
                    e.task.empty() ? "(no task)" : safe(e.task).c_str(),
                    e.inventory.empty() ? "" : (" -i " + safe(e.inventory)).c_str(),
                    e.hosts.empty() ? "" : (" on " + safe(join(e.hosts, ","))).c_str(),
                    e.allowed ? "allowed" : "denied", safe(d.why).c_str());
    }
    std::printf("%zu expectations, %zu failed\n", expectations->size(), failed);
    return failed ? 1 : 0;
}

// The decisions that differ between the policy and OTHER over the principals, actions, tasks
// and inventories either names (globs taken as names), printed as what OTHER grants or revokes.
int diff(const access::PolicyLocation& loc, const AccessFlags& f) {
    int rc = 0;
    auto a = load_for_query(loc.path, rc);
    if (!a) return rc;
    auto b = load_for_query(f.args[0], rc);
    if (!b) return rc;
    std::set<std::string> principals, tasks{""}, inventories{""};
    for (const auto* p : {&*a, &*b}) {
        for (const auto& u : access::list_users(*p))
            principals.insert("user:" + u);
        for (const auto& g : p->groups)
            principals.insert("group:" + g.name);
        for (const auto& g : p->grants) {
            principals.insert(g.who.begin(), g.who.end());
            tasks.insert(g.tasks.begin(), g.tasks.end());
            inventories.insert(g.inventories.begin(), g.inventories.end());
        }
    }
    size_t changes = 0;
    for (const auto& spec : principals) {
        auto wa = access::principal(*a, spec);
        auto wb = access::principal(*b, spec);
        if (!wa || !wb) continue;
        for (const auto& action : config::access_actions())
            for (const auto& task : tasks)
                for (const auto& inv : inventories) {
                    access::Request r{action, task, inv, {}, nullptr};
                    auto da = access::decide(*a, *wa, r);
                    auto db = access::decide(*b, *wb, r);
                    if (da.allowed == db.allowed) continue;
                    ++changes;
                    const auto& by = db.allowed ? db : da;
                    std::printf("%s %-20s %-8s task %s%s  (%s %s)\n",
                                db.allowed ? "+ grant " : "- revoke", safe(spec).c_str(),
                                action.c_str(), task.empty() ? "(none)" : safe(task).c_str(),
                                inv.empty() ? "" : (" inventory " + safe(inv)).c_str(),
                                db.allowed ? "by" : "was by",
                                by.rule_id.empty() ? "default deny" : safe(by.rule_id).c_str());
                }
    }
    if (changes == 0) std::printf("no decision changes\n");
    return 0;
}

} // namespace

Action add_access(CLI::App& sub) {
    sub.require_subcommand(1);
    auto f = std::make_shared<AccessFlags>();
    std::vector<std::pair<CLI::App*, std::string>> leaves;
    auto leaf = [&](CLI::App* parent, const char* name, const char* about, std::string which) {
        auto* c = parent->add_subcommand(name, about);
        leaves.emplace_back(c, std::move(which));
        return c;
    };
    auto* st = leaf(&sub, "status", "Whether access control is on, and why", "status");
    (void)st;
    auto* user = sub.add_subcommand("user", "Users in the policy: add, rm, list");
    user->require_subcommand(1);
    leaf(user, "add", "Add a user to [users] (root)", "user add")
        ->add_option("name", f->args, "User name")
        ->required();
    leaf(user, "rm", "Take a user out of every group and grant (root)", "user rm")
        ->add_option("name", f->args, "User name")
        ->required();
    leaf(user, "list", "Every user the policy names", "user list");
    auto* group = sub.add_subcommand("group", "Groups in the policy: add, rm, list, member");
    group->require_subcommand(1);
    auto* ga = leaf(group, "add", "Add a group (root)", "group add");
    ga->add_option("name", f->args, "Group name")->required();
    ga->add_option("--unix", f->unix_group, "Members of this Unix group belong too");
    leaf(group, "rm", "Remove a group no grant names (root)", "group rm")
        ->add_option("name", f->args, "Group name")
        ->required();
    leaf(group, "list", "Groups, their Unix group and members", "group list");
    auto* member = group->add_subcommand("member", "Add or remove a group's member");
    member->require_subcommand(1);
    leaf(member, "add", "Add USER to GROUP (root)", "group member add")
        ->add_option("group user", f->args, "GROUP USER")
        ->expected(2)
        ->required();
    leaf(member, "rm", "Remove USER from GROUP (root)", "group member rm")
        ->add_option("group user", f->args, "GROUP USER")
        ->expected(2)
        ->required();
    auto* grant =
        leaf(&sub, "grant", "Add a rule allowing (or with --deny denying) actions (root)", "grant");
    grant
        ->add_option("who actions", f->args,
                     "WHO (user:N, group:N or a user name; comma-separated) and ACTIONS "
                     "(view, logs, run, edit, admin, exec, schedule; comma-separated)")
        ->expected(2)
        ->required();
    grant->add_option("--task", f->tasks, "Task name glob (repeatable; * for every task)")
        ->required();
    grant->add_option("--inventory", f->inventories, "Inventory name glob (repeatable)");
    grant->add_option("--hosts", f->hosts, "Selector every selected host must match");
    grant->add_option("--runs", f->runs, "Whose runs it shows: own or all")
        ->check(CLI::IsMember({"own", "all"}));
    grant->add_option("--reason", f->reason, "Shown with refusals");
    grant->add_flag("--deny", f->deny, "A deny rule instead of an allow");
    grant->add_option("--id", f->id, "The rule's id (default: g- and 8 hex digits of a hash)");
    leaf(&sub, "revoke", "Remove the rule with this id (root)", "revoke")
        ->add_option("id", f->args, "Rule id")
        ->required();
    auto* ck =
        leaf(&sub, "check", "Would PRINCIPAL be allowed ACTION on TASK? Exit 0 or 4", "check");
    ck->add_option("--as", f->as, "Principal: NAME, user:NAME, group:NAME (default: you)");
    ck->add_option("action task", f->args, "ACTION TASK")->expected(2)->required();
    ck->add_option("-i,--inventory", f->inventory, "Inventory name");
    ck->add_option("-t,--targets", f->hosts, "Selector (over -i's hosts) or host names");
    leaf(&sub, "explain", "The rules that apply to a principal", "explain")
        ->add_option("--as", f->as, "Principal (default: you)");
    auto* wc = leaf(&sub, "who-can", "Who the rules allow ACTION on TASK", "who-can");
    wc->add_option("action task", f->args, "ACTION TASK")->expected(2)->required();
    wc->add_option("-i,--inventory", f->inventory, "Inventory name");
    leaf(&sub, "test", "Check the policy against a file of [[expect]]; exit 1 on a failure", "test")
        ->add_option("file", f->args, "Expectations file")
        ->required();
    leaf(&sub, "diff", "Which decisions change from the policy to OTHER", "diff")
        ->add_option("other", f->args, "Another policy file")
        ->required();
    for (auto& [c, which] : leaves)
        c->callback([f, which] { f->which = which; });
    return [f](app::Context& ctx) {
        auto loc = access::policy_location();
        const std::string& w = f->which;
        int rc = 0;
        if (w == "status") return status(loc);
        if (w == "user list" || w == "group list") {
            list(loc, *f, rc);
            return rc;
        }
        if (w == "check") return check(ctx, loc, *f);
        if (w == "explain") return explain(ctx, loc, *f);
        if (w == "who-can") return who_can(loc, *f);
        if (w == "test") return test(loc, *f);
        if (w == "diff") return diff(loc, *f);
        return edit(loc, *f);
    };
}

} // namespace leura::cli
