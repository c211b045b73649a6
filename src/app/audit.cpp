// SPDX-License-Identifier: Apache-2.0
#include "app/audit.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

#include <syslog.h>

namespace leura::app {

namespace {
// openlog/syslog/closelog each time: a command appends a few entries at most, and nothing
// else in leura uses syslog. Without /dev/log glibc drops the message quietly.
void to_syslog(int64_t id, const std::string& hash) {
    ::openlog("leura", LOG_PID, LOG_AUTHPRIV);
    ::syslog(LOG_INFO, "audit %lld %s", (long long)id, hash.c_str());
    ::closelog();
}
} // namespace

std::string actor_of(const Principal& p) {
    return principal_key(p);
}

Status audit(Context& ctx, store::AuditEntry entry) {
    if (entry.at.empty()) entry.at = ctx.clock ? util::rfc3339(ctx.clock()) : util::now_rfc3339();
    if (entry.actor.empty()) entry.actor = actor_of(ctx.identity);
    if (entry.via.empty()) entry.via = ctx.identity.via;
    LEURA_TRY_ASSIGN(records, ctx.records());
    LEURA_TRY_ASSIGN(done, records->append_audit(std::move(entry)));
    to_syslog(done.id, done.hash);
    return {};
}

Status audit_change(Context& ctx, const std::string& action, const std::string& resource,
                    const std::string& detail) {
    store::AuditEntry e;
    e.action = action;
    e.resource = resource;
    e.decision = "allow";
    e.detail = detail;
    return audit(ctx, std::move(e));
}

std::string audit_entry_json(const store::AuditEntry& e) {
    util::JsonObject o;
    o.add("id", e.id).add("at", e.at).add("actor", e.actor).add("via", e.via);
    o.add("action", e.action).add("resource", e.resource).add("inventory", e.inventory);
    o.add("host_count", e.host_count).add("decision", e.decision).add("rule", e.rule);
    o.add("run", e.run_id).add("detail", e.detail).add("prev_hash", e.prev_hash);
    o.add("hash", e.hash);
    return o.str();
}

} // namespace leura::app
