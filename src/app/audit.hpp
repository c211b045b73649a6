// SPDX-License-Identifier: Apache-2.0
#pragma once

// The audit log: what access enforcement and state-changing commands record (the table and its
// hash chain are store/audit.cpp's). After each append the chain's latest hash goes to syslog
// (LOG_AUTHPRIV), outside the database, so a log cut short or rewritten can be told from the
// hashes syslog kept.
#include "app/context.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

#include <string>

namespace leura::app {

// "user:alice": how the audit log names a principal.
std::string actor_of(const Principal& p);

// Appends `entry` to ctx's records, then sends "audit ID HASH" to syslog. Fields left empty are
// filled: `at` from ctx.clock, `actor` and `via` from ctx.identity. Errors: those of the
// records (io, config, internal for an entry without action or resource or with a decision
// other than allow or deny). A syslog that is not there (no /dev/log) is no error.
Status audit(Context& ctx, store::AuditEntry entry);

// audit() of an allowed change a command made: action, resource, detail; the rest filled.
Status audit_change(Context& ctx, const std::string& action, const std::string& resource,
                    const std::string& detail);

// One entry as `leura audit --json` and GET /v1/audit show it, with its hashes.
std::string audit_entry_json(const store::AuditEntry& e);

} // namespace leura::app
