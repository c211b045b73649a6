// SPDX-License-Identifier: Apache-2.0
#pragma once

// The access policy file (/etc/leura/access.toml, docs/access.md) and `leura access test`'s
// expectations file, as plain structs. What the rules mean is src/access/'s.
#include "config/diagnostic.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace leura::config {

// The actions a grant names, in the file's spelling.
const std::vector<std::string>& access_actions();

struct AccessGroup {
    std::string name;
    std::vector<std::string> members; // user names
    std::string unix_group;           // "" when none: members of this Unix group belong too
    SourcePos pos;
};

struct AccessGrant {
    std::string id;
    std::vector<std::string> who; // "user:NAME", "group:NAME", "schedule:NAME", ...
    bool deny = false;
    std::vector<std::string> actions;
    std::vector<std::string> tasks{"*"};       // globs over library task names
    std::vector<std::string> inventories{"*"}; // globs over inventory names
    std::string hosts;                         // a selector every selected host must match
    bool all_runs = false;                     // runs = "all" (default "own")
    std::string reason;
    SourcePos pos;
};

struct AccessFile {
    std::filesystem::path file;
    std::string text;
    std::vector<std::string> users; // [users] names: users known without a group or grant
    std::vector<AccessGroup> groups;
    std::vector<AccessGrant> grants;
};

// Every problem goes to `diags` (unknown keys with "did you mean", bad actions and principals,
// repeated ids), each at file:line:col; nullopt when there was any.
std::optional<AccessFile> load_access_file(const std::filesystem::path& file, Diagnostics& diags);
// The same over text in memory (an edit checked before it is written); `name` names it.
std::optional<AccessFile> parse_access_text(const std::string& text, const std::string& name,
                                            Diagnostics& diags);

// One [[expect]] of an expectations file (`leura access test`).
struct AccessExpectation {
    std::string as; // a principal: NAME, user:NAME, group:NAME, ...
    std::string action;
    std::string task;
    std::string inventory;
    std::vector<std::string> hosts;
    bool allowed = false;
    SourcePos pos;
};

std::optional<std::vector<AccessExpectation>>
load_access_expectations(const std::filesystem::path& file, Diagnostics& diags);

} // namespace leura::config
