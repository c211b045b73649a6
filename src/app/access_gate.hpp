// SPDX-License-Identifier: Apache-2.0
#pragma once

// Access control for the commands (docs/access.md): the policy this process enforces, and the
// checks a command asks before it acts. Every refusal, and every allowed request that runs
// something or reads output, goes to the audit log (app/audit.hpp) with its deciding rule.
#include "access/policy_file.hpp"
#include "app/context.hpp"
#include "config/task.hpp"
#include "inventory/inventory.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

#include <string>
#include <vector>

namespace leura::app {

// The policy: /etc/leura/access.toml ($LEURA_ACCESS_FILE only on a single-user controller,
// for tests and CI). On a shared controller a missing policy fails closed: everyone but root
// is denied, as with an unsafe or invalid one. Loaded once per context.
const access::PolicyState& access_state(Context& ctx);

// What is asked: an action of access/policy.hpp and what it touches.
struct AccessRequest {
    std::string action;    // view, logs, run, edit, admin, exec, schedule
    std::string task;      // the library name (else the path); "" when none
    std::string inventory; // the inventory's name (its file's stem); "" when none
    std::vector<std::string> hosts;
    const inventory::Inventory* hosts_from = nullptr; // where `hosts` come from, when known
    std::string resource; // for the audit log; default "task:TASK" or "inventory:INVENTORY"
    std::optional<std::string> run_id;
};

// Allowed, or an error of kind `denied` (exit 4) naming the action, the resource and the
// deciding rule with its reason. Denials are audited; allowed ones when `audit_allowed`.
Status authorize(Context& ctx, const AccessRequest& request, bool audit_allowed = true);

// Whether the person acting may see `run` for `action` (view: its records; logs: its output):
// their own runs, or every run of a task a grant with runs = "all" covers. Always true with
// access control off.
bool may_see(Context& ctx, const store::RunRecord& run, const std::string& action = "view");

// Whether the policy allows `action` on the library task `task` and the inventory `inventory`
// ("" for either: a grant covering every one): for lists, which leave out what is not allowed
// rather than refuse. Not audited.
bool access_allows(Context& ctx, const std::string& action, const std::string& task,
                   const std::string& inventory = "");

// Whether `principal` ("schedule:NAME") may do `action` on `task` and `inventory`: asked by a
// starter (the schedule tick) before it starts a run on that principal's behalf, so that a
// refusal is its decision, recorded, rather than a run that never appears. Not audited: the
// run's own check is. `why` receives the deciding rule's reason when refused.
bool principal_allows(Context& ctx, const std::string& principal, const std::string& action,
                      const std::string& task, const std::string& inventory, std::string& why);

// On a shared controller tasks and inventories are named, never given as paths, by anyone but
// an admin: leura runs as the service account there, and a path would have it read any file
// that account can (a key, shown back as "error at line 1"). `arg` is a command's task or
// inventory argument; a path from a non-admin is refused (denied, audited).
Status require_named(Context& ctx, const std::string& arg);

// may_see() as a check: a run the person may not see is refused (exit 4), audited; reading a
// run's output (`logs`) is audited when allowed too.
Status require_run(Context& ctx, const store::RunRecord& run, const std::string& action);

// On a shared controller, what acts on the controller itself as the service account holds the
// fleet's keys: `local` and `custom` steps; a script_file, upload source or secrets file outside
// the task's folder (links followed); a download dest outside <data dir>/downloads. Such a task
// runs only from a version an admin saved (`leura task new/edit`, the task history says who),
// or for an admin. `edit` alone changes remote steps. Errors: denied.
Status controller_steps_allowed(Context& ctx, const config::Task& task,
                                const std::string& task_name);

// The name a run's task goes by in the policy: its library name, else its path.
std::string task_name_of(const store::RunRecord& run);
// An inventory's name in the policy: its file's stem.
std::string inventory_name_of(const std::filesystem::path& inventory_file);

} // namespace leura::app
