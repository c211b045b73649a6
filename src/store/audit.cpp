// SPDX-License-Identifier: Apache-2.0
// The audit log (schema 13). Entries are only ever appended: triggers abort any UPDATE or
// DELETE of the table, and nothing in leura deletes from it (`leura gc` neither). Against edits
// made around leura (the database file is the user's), each entry carries a hash chain:
//
//   hash = sha256_hex("leura-audit-1\n" + F(prev_hash) + F(id) + F(at) + F(actor) + F(via) +
//                     F(action) + F(resource) + F(inventory) + F(host_count) + F(decision) +
//                     F(rule) + R(run_id) + F(detail))
//   F(s) = decimal length of s + ":" + s + "\n";  R(null) = "-\n", R(s) = F(s)
//
// with prev_hash the previous entry's hash (64 zeros for entry 1) and integers as decimal text.
// The length prefixes make the layout unambiguous: no bytes can move from one field into its
// neighbour and keep the hash. An entry edited in place fails its own hash; one deleted from
// the middle leaves a gap in the ids and a prev_hash that names no entry; entries renumbered
// fail their hashes (the id is hashed). Entries cut from the end leave a shorter chain that
// verifies: the latest hash app/audit.cpp sends to syslog after each append is what catches
// that.
#include "store/store.hpp"
#include "util/sha256.hpp"

namespace leura::store {

namespace {

void field(util::Sha256& h, const std::string& s) {
    h.update(std::to_string(s.size()));
    h.update(":");
    h.update(s);
    h.update("\n");
}

constexpr const char* k_columns = "id, at, actor, via, action, resource, inventory, host_count, "
                                  "decision, rule, run_id, detail, prev_hash, hash";

AuditEntry read_entry(const Stmt& row) {
    AuditEntry e;
    e.id = row.integer(0);
    e.at = row.text(1);
    e.actor = row.text(2);
    e.via = row.text(3);
    e.action = row.text(4);
    e.resource = row.text(5);
    e.inventory = row.text(6);
    e.host_count = row.integer(7);
    e.decision = row.text(8);
    e.rule = row.text(9);
    if (!row.is_null(10)) e.run_id = row.text(10);
    e.detail = row.text(11);
    e.prev_hash = row.text(12);
    e.hash = row.text(13);
    return e;
}

} // namespace

std::string audit_hash(const AuditEntry& e) {
    util::Sha256 h;
    h.update("leura-audit-1\n");
    field(h, e.prev_hash);
    field(h, std::to_string(e.id));
    for (const std::string* s : {&e.at, &e.actor, &e.via, &e.action, &e.resource, &e.inventory})
        field(h, *s);
    field(h, std::to_string(e.host_count));
    field(h, e.decision);
    field(h, e.rule);
    if (e.run_id)
        field(h, *e.run_id);
    else
        h.update("-\n");
    field(h, e.detail);
    return h.finish_hex();
}

Result<AuditEntry> Store::append_audit(AuditEntry e) {
    if (e.decision != "allow" && e.decision != "deny")
        return fail(ErrorKind::internal, "audit: decision '" + e.decision + "' is not allow/deny");
    if (e.actor.empty() || e.action.empty() || e.resource.empty() || e.at.empty())
        return fail(ErrorKind::internal,
                    "audit: an entry needs a time, actor, action and resource");
    LEURA_TRY(in_transaction([&]() -> Status {
        // Read inside the write transaction: no other process can append between this read
        // and the insert.
        {
            LEURA_TRY_ASSIGN(last, kept("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1"));
            auto row = last->step();
            if (!row) {
                last->reset();
                return std::unexpected(row.error());
            }
            e.id = *row ? last->integer(0) + 1 : 1;
            e.prev_hash = *row ? last->text(1) : k_audit_genesis;
            last->reset();
        }
        e.hash = audit_hash(e);
        return run_kept("INSERT INTO audit (id, at, actor, via, action, resource, inventory, "
                        "host_count, decision, rule, run_id, detail, prev_hash, hash) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        [&](Stmt& s) {
                            s.bind(1, e.id).bind(2, e.at).bind(3, e.actor).bind(4, e.via);
                            s.bind(5, e.action).bind(6, e.resource).bind(7, e.inventory);
                            s.bind(8, e.host_count).bind(9, e.decision).bind(10, e.rule);
                            s.bind(11, e.run_id).bind(12, e.detail).bind(13, e.prev_hash);
                            s.bind(14, e.hash);
                        });
    }));
    return e;
}

Result<std::vector<AuditEntry>> Store::list_audit(const AuditFilter& f) {
    std::string sql = std::string("SELECT ") + k_columns + " FROM audit WHERE 1";
    if (f.since) sql += " AND at >= ?1";
    if (f.actor) sql += " AND actor = ?2";
    if (f.decision) sql += " AND decision = ?3";
    if (f.before_id) sql += " AND id < ?5";
    sql += " ORDER BY id DESC LIMIT ?4";
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, sql.c_str()));
    if (f.since) s.bind(1, *f.since);
    if (f.actor) s.bind(2, *f.actor);
    if (f.decision) s.bind(3, *f.decision);
    s.bind(4, f.limit < 0 ? int64_t(-1) : f.limit);
    if (f.before_id) s.bind(5, *f.before_id);
    std::vector<AuditEntry> out;
    LEURA_TRY(s.each([&](const Stmt& row) { out.push_back(read_entry(row)); }));
    return out;
}

Result<AuditCheck> Store::verify_audit() {
    AuditCheck c;
    c.latest = k_audit_genesis;
    int64_t last_id = 0;
    LEURA_TRY_ASSIGN(
        s, Stmt::prepare(*m_db,
                         (std::string("SELECT ") + k_columns + " FROM audit ORDER BY id").c_str()));
    for (;;) {
        LEURA_TRY_ASSIGN(more, s.step());
        if (!more) break;
        AuditEntry e = read_entry(s);
        std::string problem;
        if (e.id != last_id + 1)
            problem = last_id == 0
                          ? "the log starts at entry " + std::to_string(e.id) +
                                ": entries before it are missing"
                          : "entry " + std::to_string(e.id) + " follows entry " +
                                std::to_string(last_id) + ": entries between them are missing";
        else if (audit_hash(e) != e.hash)
            problem = "its hash does not match its fields: it was changed after it was written";
        else if (e.prev_hash != c.latest)
            problem = last_id == 0 ? "its prev_hash is not the first entry's (64 zeros)"
                                   : "its prev_hash is not entry " + std::to_string(last_id) +
                                         "'s hash: an entry before it was changed or replaced";
        if (!problem.empty()) {
            c.broken = e.id;
            c.problem = std::move(problem);
            c.entry = std::move(e);
            break;
        }
        ++c.count;
        last_id = e.id;
        c.latest = e.hash;
    }
    return c;
}

} // namespace leura::store
