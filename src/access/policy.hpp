// SPDX-License-Identifier: Apache-2.0
#pragma once

// The access policy's decisions (docs/access.md): pure functions over the parsed file.
//
// Actions: view < logs < run < edit < admin is a chain, each containing the ones below it;
// `exec` (ad-hoc commands on an inventory) and `schedule` stand apart; `admin` contains every
// action. An allow of A allows every action A contains. A deny of D denies every action that
// contains D (a deny of `run` denies run, edit and admin, and leaves view and logs alone).
// Default deny; any matching deny wins over any allow; the order of the rules never matters.
#include "config/access_file.hpp"
#include "inventory/inventory.hpp"
#include "util/error.hpp"

#include <functional>
#include <string>
#include <vector>

namespace leura::access {

using Policy = config::AccessFile;

// Who asks: a kind ("user", "schedule", "monitor", "token") and a name, and the policy groups
// they belong to (named in `members` or through the group's Unix group).
struct Principal {
    std::string kind = "user";
    std::string name;
    std::vector<std::string> groups;
};

// Whether Unix user `user` is a member of Unix group `group` (/etc/group; unit tests inject one).
using UnixMembership = std::function<bool(const std::string& user, const std::string& group)>;
// The real one: getgrnam's members, or the user's primary group (getpwnam). Files only.
bool unix_member(const std::string& user, const std::string& group);

// "alice", "user:alice", "schedule:nightly", or "group:sre" (someone in that group only), with
// the groups the policy gives them. Unknown kinds are a usage error.
Result<Principal> principal(const Policy& policy, const std::string& spec,
                            const UnixMembership& in_unix_group = unix_member);

struct Request {
    std::string action;    // one of config::access_actions()
    std::string task;      // library task name; "" when none (exec)
    std::string inventory; // inventory name; "" when none
    // The hosts the request touches (their names), and the inventory they come from when known:
    // a grant's `hosts` selector is evaluated over it (groups and attributes), else over names.
    std::vector<std::string> hosts;
    const inventory::Inventory* hosts_from = nullptr;
};

struct Decision {
    bool allowed = false;
    std::string rule_id; // the deciding grant; "" for the default deny
    SourcePos where;     // its position in the policy file
    std::string reason;  // the grant's reason, if any
    std::string why;     // one human line: action, resource and the deciding rule
};

// Does action `granted` contain action `asked`? (admin contains all; the chain as above.)
bool contains(const std::string& granted, const std::string& asked);

Decision decide(const Policy& policy, const Principal& who, const Request& request);

enum class RunsVisible { none, own, all };
// Which runs of `task` on `inventory` the principal may see (view): all, only its own, none.
RunsVisible runs_visible(const Policy& policy, const Principal& who, const std::string& task,
                         const std::string& inventory);

// The principals (user:NAME, group:NAME, ...) named by grants that match `action` on the task and
// inventory: the allow grants' ids, and the deny grants' that name the same principal (a member of
// an allowed group may still be denied as a user: `check` decides for one). Host selectors are not
// evaluated.
struct WhoCan {
    std::string principal;
    std::vector<std::string> grant_ids;
    std::vector<std::string> denied_by; // deny grants naming this principal that match
};
std::vector<WhoCan> who_can(const Policy& policy, const std::string& action,
                            const std::string& task, const std::string& inventory);

// The grants that name the principal (directly or through one of its groups), in file order.
std::vector<const config::AccessGrant*> explain(const Policy& policy, const Principal& who);

// "access.toml:12" for messages.
std::string rule_location(const SourcePos& where);

} // namespace leura::access
