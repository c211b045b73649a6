// SPDX-License-Identifier: Apache-2.0
#include "app/access_gate.hpp"
#include "app/audit.hpp"
#include "app/library.hpp"
#include "app/recorder.hpp"
#include "util/paths.hpp"
#include "util/sha256.hpp"

#include <cstdio>

namespace leura::app {

namespace {

// The person acting as the policy knows them: the user, and the groups it gives them.
const access::Principal& principal_of(Context& ctx) {
    if (ctx.access_principal) return *ctx.access_principal;
    const auto& state = access_state(ctx);
    access::Principal p;
    p.name = ctx.identity.name;
    if (state.policy)
        if (auto found = access::principal(*state.policy, principal_key(ctx.identity)))
            p = std::move(*found);
    ctx.access_principal = std::move(p);
    return *ctx.access_principal;
}

// Audits a decision; a denied one becomes the `denied` error saying `denial`. An allowed
// request that cannot be audited does not happen: the log is the record of it.
Status record(Context& ctx, store::AuditEntry e, const std::string& denial) {
    const bool allowed = e.decision == "allow";
    auto logged = audit(ctx, std::move(e));
    if (!allowed) return fail(ErrorKind::denied, denial);
    if (!logged) return std::unexpected(logged.error());
    return {};
}

} // namespace

const access::PolicyState& access_state(Context& ctx) {
    if (ctx.access_policy) return *ctx.access_policy;
    access::PolicyLocation where = access::policy_location();
    // A variable must not move a shared controller's policy: only root's file counts there.
    if (ctx.service && where.from_env) where = {"/etc/leura/access.toml", false};
    access::PolicyState state = access::load_policy(where);
    if (ctx.service && state.mode == access::PolicyState::Mode::off) {
        state.mode = access::PolicyState::Mode::broken;
        state.why = where.path.string() + " does not exist, and service_user makes this a shared " +
                    "controller: everyone but root is denied until an admin writes it";
    }
    ctx.access_policy = std::move(state);
    return *ctx.access_policy;
}

std::string task_name_of(const store::RunRecord& run) {
    return run.task_name ? *run.task_name : run.task;
}

std::string inventory_name_of(const std::filesystem::path& inventory_file) {
    return inventory_file.stem().string();
}

Status authorize(Context& ctx, const AccessRequest& r, bool audit_allowed) {
    const auto& state = access_state(ctx);
    if (state.mode == access::PolicyState::Mode::off) return {};
    access::Request req{r.action, r.task, r.inventory, r.hosts, r.hosts_from};
    access::Decision d = access::authorize(state, ctx.identity.uid, principal_of(ctx), req);
    if (d.allowed && !audit_allowed) return {};
    store::AuditEntry e;
    e.action = r.action;
    e.resource = !r.resource.empty() ? r.resource
                 : !r.task.empty()   ? "task:" + r.task
                                     : "inventory:" + r.inventory;
    e.inventory = r.inventory;
    e.host_count = int64_t(r.hosts.size());
    e.decision = d.allowed ? "allow" : "deny";
    e.rule = d.rule_id.empty() ? "" : d.rule_id + " " + access::rule_location(d.where);
    e.run_id = r.run_id;
    e.detail = d.why;
    return record(ctx, std::move(e), d.why);
}

bool may_see(Context& ctx, const store::RunRecord& run, const std::string& action) {
    const auto& state = access_state(ctx);
    if (state.mode == access::PolicyState::Mode::off || ctx.identity.uid == 0) return true;
    if (!state.policy) return false;
    const std::string task = task_name_of(run);
    const std::string inventory = inventory_name_of(run.inventory);
    const access::Principal& who = principal_of(ctx);
    access::Request req{action, task, inventory, {}, nullptr};
    if (!access::decide(*state.policy, who, req).allowed) return false;
    auto visible = access::runs_visible(*state.policy, who, task, inventory);
    return visible == access::RunsVisible::all ||
           (visible == access::RunsVisible::own && run.user == ctx.identity.name);
}

Status require_named(Context& ctx, const std::string& arg) {
    if (!ctx.service || arg.empty() || !is_task_path(arg)) return {};
    AccessRequest r;
    r.action = "admin";
    r.resource = "path:" + arg;
    LEURA_TRY(authorize(ctx, r, false));
    return {};
}

bool access_allows(Context& ctx, const std::string& action, const std::string& task,
                   const std::string& inventory) {
    const auto& state = access_state(ctx);
    if (state.mode == access::PolicyState::Mode::off) return true;
    access::Request req{action, task, inventory, {}, nullptr};
    return access::authorize(state, ctx.identity.uid, principal_of(ctx), req).allowed;
}

bool principal_allows(Context& ctx, const std::string& principal, const std::string& action,
                      const std::string& task, const std::string& inventory, std::string& why) {
    const auto& state = access_state(ctx);
    if (state.mode == access::PolicyState::Mode::off) return true;
    if (!state.policy) {
        why = state.why;
        return false;
    }
    auto who = access::principal(*state.policy, principal);
    if (!who) {
        why = who.error().message;
        return false;
    }
    access::Request req{action, task, inventory, {}, nullptr};
    access::Decision d = access::authorize(state, uid_t(-1), *who, req);
    why = d.why;
    return d.allowed;
}

namespace {

// Whether `path` is `folder` or below it once links are followed (a link inside the folder
// that points elsewhere is elsewhere).
bool inside(const std::filesystem::path& path, const std::filesystem::path& folder) {
    return util::relative_inside(path, folder).has_value();
}

// What in `task` acts on the controller as the service account beyond reading the task's own
// folder: "" when nothing does. A step that runs there holds the fleet's keys; a file read
// from elsewhere (a script, an upload, a secret) goes to the hosts, where its bytes can be
// read back; a download written outside <data dir>/downloads could replace the records.
std::string controller_side(const config::Task& task, const std::filesystem::path& data_dir) {
    const auto folder = task.file.parent_path().lexically_normal();
    for (const auto* list : {&task.steps, &task.verify, &task.rollback})
        for (const auto& s : *list) {
            const std::string step = "step '" + s.name + "'";
            if (s.kind == config::StepKind::local) return step + " is a local step";
            if (s.kind == config::StepKind::custom) return step + " is a custom step";
            if (s.upload && !inside(folder / s.upload->src, folder))
                return step + " uploads " + (folder / s.upload->src).lexically_normal().string() +
                       ", outside the task's folder";
            if (!s.script_file.empty() && !inside(s.script_file, folder))
                return step + " reads script_file " + s.script_file.lexically_normal().string() +
                       ", outside the task's folder";
            if (s.download) {
                // Any host's: {host} becomes one file name component.
                auto dest = download_path(*s.download, "host", "run", data_dir);
                if (!inside(dest, data_dir / "downloads"))
                    return step + " downloads to " + dest.lexically_normal().string() +
                           ", outside " + (data_dir / "downloads").string();
            }
        }
    for (const auto& [name, file] : task.secret_files)
        if (!inside(file, folder))
            return "secret '" + name + "' is read from " + file.lexically_normal().string() +
                   ", outside the task's folder";
    return "";
}

// Whether `user` is an admin for `task` by the policy (root always is).
bool is_admin(Context& ctx, const std::string& user, const std::string& task) {
    if (user == "root") return true;
    const auto& state = access_state(ctx);
    if (!state.policy) return false;
    auto who = access::principal(*state.policy, "user:" + user);
    if (!who) return false;
    return access::decide(*state.policy, *who, {"admin", task, "", {}, nullptr}).allowed;
}

} // namespace

Status controller_steps_allowed(Context& ctx, const config::Task& task,
                                const std::string& task_name) {
    if (!ctx.service || task.adhoc) return {};
    std::string what = controller_side(task, ctx.data_dir);
    if (what.empty() || ctx.identity.uid == 0 || is_admin(ctx, ctx.identity.name, task_name))
        return {};
    std::string saved_by;
    if (!task_name.empty()) {
        LEURA_TRY_ASSIGN(records, ctx.records());
        LEURA_TRY_ASSIGN(versions, records->task_versions(task_name, false));
        const std::string hash = util::sha256_hex(task.text);
        for (auto v = versions.rbegin(); v != versions.rend(); ++v)
            if (v->sha256 == hash && v->source != "run") {
                saved_by = v->saved_by;
                break;
            }
    }
    if (!saved_by.empty() && is_admin(ctx, saved_by, task_name)) return {};
    store::AuditEntry e;
    e.action = "run";
    e.resource = "task:" + (task_name.empty() ? task.file.string() : task_name);
    e.decision = "deny";
    e.detail = what + "; not saved by an admin";
    return record(ctx, std::move(e),
                  "denied: " + what + ", which runs on the controller as the service account; " +
                      "it runs only from a version an admin saved with leura task new or edit (" +
                      (saved_by.empty() ? std::string("no saved version has this content")
                                        : "this content was saved by " + saved_by) +
                      ")");
}

Status require_run(Context& ctx, const store::RunRecord& run, const std::string& action) {
    if (access_state(ctx).mode == access::PolicyState::Mode::off) return {};
    bool seen = may_see(ctx, run, action);
    if (seen && action == "view") return {};
    store::AuditEntry e;
    e.action = action;
    e.resource = "run:" + run.id;
    e.inventory = inventory_name_of(run.inventory);
    e.decision = seen ? "allow" : "deny";
    e.run_id = run.id;
    e.detail = seen ? "task " + task_name_of(run)
                    : "run " + run.id + " of task " + task_name_of(run) + " by " + run.user +
                          " is not theirs to " + action;
    return record(ctx, std::move(e),
                  "denied: " + action + " of run " + run.id + ": no grant lets " +
                      ctx.identity.name + " see it");
}

} // namespace leura::app
