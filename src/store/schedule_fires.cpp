// SPDX-License-Identifier: Apache-2.0
// Fires of schedules and pending runs (schema 14).
#include "store/store.hpp"
#include "util/time.hpp"

namespace leura::store {

namespace {

constexpr const char* k_fire_columns =
    "schedule, scheduled_at, due_at, shift, status, run_id, pid, decided_at, detail";

FireRecord read_fire(const Stmt& row) {
    FireRecord f;
    f.schedule = row.text(0);
    f.scheduled_at = row.integer(1);
    f.due_at = row.integer(2);
    f.shift = row.integer(3);
    f.status = row.text(4);
    if (!row.is_null(5)) f.run_id = row.text(5);
    if (!row.is_null(6)) f.pid = row.integer(6);
    f.decided_at = row.text(7);
    f.detail = row.text(8);
    return f;
}

} // namespace

Result<bool> Store::claim_fire(const FireRecord& f) {
    bool claimed = false;
    Status done = in_transaction([&]() -> Status {
        LEURA_TRY(run_kept("INSERT OR IGNORE INTO schedule_fires (schedule, scheduled_at, due_at, "
                           "shift, status, run_id, pid, decided_at, detail) "
                           "VALUES (?,?,?,?,?,?,?,?,?)",
                           [&](Stmt& s) {
                               s.bind(1, f.schedule).bind(2, f.scheduled_at).bind(3, f.due_at);
                               s.bind(4, f.shift).bind(5, f.status).bind(6, f.run_id);
                               if (f.pid)
                                   s.bind(7, *f.pid);
                               else
                                   s.bind_null(7);
                               s.bind(8, f.decided_at).bind(9, f.detail);
                           }));
        claimed = m_db->changes() == 1;
        return {};
    });
    if (!done) return std::unexpected(done.error());
    return claimed;
}

Status Store::update_fire(const FireRecord& f) {
    return write("UPDATE schedule_fires SET status = ?, run_id = ?, pid = ?, detail = ? "
                 "WHERE schedule = ? AND scheduled_at = ?",
                 [&](Stmt& s) {
                     s.bind(1, f.status).bind(2, f.run_id);
                     if (f.pid)
                         s.bind(3, *f.pid);
                     else
                         s.bind_null(3);
                     s.bind(4, f.detail).bind(5, f.schedule).bind(6, f.scheduled_at);
                 });
}

Result<std::optional<int64_t>> Store::last_fire_at(const std::string& schedule) {
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, "SELECT max(scheduled_at) FROM schedule_fires "
                                             "WHERE schedule = ?"));
    s.bind(1, schedule);
    LEURA_TRY_ASSIGN(row, s.step());
    if (!row || s.is_null(0)) return std::optional<int64_t>();
    return std::optional<int64_t>(s.integer(0));
}

Result<std::vector<FireRecord>> Store::list_fires(const std::string& schedule, int64_t limit) {
    std::string sql = std::string("SELECT ") + k_fire_columns + " FROM schedule_fires";
    if (!schedule.empty()) sql += " WHERE schedule = ?1";
    sql += " ORDER BY scheduled_at DESC, schedule LIMIT ?2";
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, sql.c_str()));
    if (!schedule.empty()) s.bind(1, schedule);
    s.bind(2, limit < 0 ? int64_t(-1) : limit);
    std::vector<FireRecord> out;
    LEURA_TRY(s.each([&](const Stmt& row) { out.push_back(read_fire(row)); }));
    return out;
}

Status Store::insert_pending_run(const PendingRun& p) {
    return in_transaction([&]() -> Status {
        // A claim never taken (its child died first) goes after a day: RFC 3339 texts of one
        // format sort as their times do.
        auto day_before = util::parse_rfc3339(p.created_at);
        if (day_before)
            if (auto st = run_kept("DELETE FROM pending_runs WHERE created_at < ?",
                                   [&](Stmt& s) {
                                       s.bind(1,
                                              util::rfc3339(*day_before - std::chrono::hours(24)));
                                   });
                !st)
                return st;
        return run_kept("INSERT INTO pending_runs (token_hash, principal, triggered_by, run_id, "
                        "created_at) VALUES (?,?,?,?,?)",
                        [&](Stmt& s) {
                            s.bind(1, p.token_hash).bind(2, p.principal).bind(3, p.triggered_by);
                            s.bind(4, p.run_id).bind(5, p.created_at);
                        });
    });
}

Result<std::optional<PendingRun>> Store::take_pending_run(const std::string& token_hash) {
    std::optional<PendingRun> found;
    Status done = in_transaction([&]() -> Status {
        {
            LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, "SELECT principal, triggered_by, run_id, "
                                                     "created_at FROM pending_runs "
                                                     "WHERE token_hash = ?"));
            s.bind(1, token_hash);
            LEURA_TRY_ASSIGN(row, s.step());
            if (!row) return {};
            found = PendingRun{token_hash, s.text(0), s.text(1), s.text(2), s.text(3)};
        }
        return run_kept("DELETE FROM pending_runs WHERE token_hash = ?",
                        [&](Stmt& s) { s.bind(1, token_hash); });
    });
    if (!done) return std::unexpected(done.error());
    return found;
}

} // namespace leura::store
