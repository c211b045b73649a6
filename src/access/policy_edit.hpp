// SPDX-License-Identifier: Apache-2.0
#pragma once

// `leura access user|group|grant|revoke`: edits of the policy file as text. toml++ cannot write
// comments back, so an edit inserts or removes whole blocks ([[grant]], [groups.NAME], [users])
// or rewrites one array line in a block, and every comment elsewhere stays. Each edit returns the
// new text, already checked by parsing it; write_policy() puts it in place atomically.
#include "access/policy.hpp"
#include "util/error.hpp"

#include <filesystem>
#include <string>

namespace leura::access {

// Users are any name in [users] names, in a group's members or in a grant's who as user:NAME.
// `user add` puts the name in [users] names (a block added at the end when missing).
Result<std::string> add_user(const Policy& p, const std::string& name);
// Takes the user out of [users], every group's members and every grant's who; refuses when a
// grant names only them (revoke it first), saying which.
Result<std::string> remove_user(const Policy& p, const std::string& name);
std::vector<std::string> list_users(const Policy& p);

Result<std::string> add_group(const Policy& p, const std::string& name,
                              const std::string& unix_group);
// Refuses while a grant names group:NAME.
Result<std::string> remove_group(const Policy& p, const std::string& name);
Result<std::string> add_member(const Policy& p, const std::string& group, const std::string& user);
Result<std::string> remove_member(const Policy& p, const std::string& group,
                                  const std::string& user);

// A [[grant]] block appended at the end; an empty id becomes g-<8 hex of a hash of the rule>.
// The grant's fields are checked by parsing the result (unknown actions, bad principals).
Result<std::string> add_grant(const Policy& p, config::AccessGrant grant);
// The id a grant without one gets: stable for the same rule.
std::string generated_id(const config::AccessGrant& grant);
Result<std::string> revoke(const Policy& p, const std::string& id);

// A new file: a temporary file in the same folder, written, synced, given the old file's mode
// and owner (0644 for a new one), then renamed over it.
Status write_policy(const std::filesystem::path& file, const std::string& text);

} // namespace leura::access
