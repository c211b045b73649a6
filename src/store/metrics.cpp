// SPDX-License-Identifier: Apache-2.0
// The counts /metrics serves, each one aggregate query: a scrape costs the same with ten runs
// or a hundred thousand recorded.
#include "store/store.hpp"

namespace leura::store {

namespace {

Status count_by_status(const Db& db, const char* sql, std::map<std::string, int64_t>& out) {
    LEURA_TRY_ASSIGN(s, Stmt::prepare(db, sql));
    return s.each([&](const Stmt& row) { out[row.text(0)] = row.integer(1); });
}

} // namespace

Result<RecordCounts> Store::record_counts() {
    RecordCounts c;
    LEURA_TRY(count_by_status(*m_db, "SELECT status, count(*) FROM runs GROUP BY status",
                              c.runs_by_status));
    LEURA_TRY(count_by_status(*m_db, "SELECT status, count(*) FROM hosts GROUP BY status",
                              c.hosts_by_status));
    // Durations from the RFC 3339 times (julianday() reads their offsets), in milliseconds.
    std::string sql = "WITH d AS (SELECT CAST(round((julianday(finished_at) - "
                      "julianday(started_at)) * 86400000) AS INTEGER) AS ms FROM runs "
                      "WHERE finished_at IS NOT NULL AND julianday(finished_at) IS NOT NULL AND "
                      "julianday(started_at) IS NOT NULL) SELECT count(*), total(ms)";
    for (int64_t bound : k_duration_bounds_s)
        sql += ", total(ms <= " + std::to_string(bound * 1000) + ")";
    sql += " FROM d";
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, sql.c_str()));
    LEURA_TRY(s.each([&](const Stmt& row) {
        c.finished_runs = row.integer(0);
        c.finished_ms = row.integer(1);
        for (size_t i = 0; i < std::size(k_duration_bounds_s); ++i)
            c.finished_at_most.push_back(row.integer(int(i) + 2));
    }));
    // A claim is taken within seconds; one not taken in ten minutes lost its process (it stays
    // a day, for the record) and waits for nothing.
    LEURA_TRY_ASSIGN(q, Stmt::prepare(*m_db, "SELECT count(*) FROM pending_runs WHERE "
                                             "julianday(created_at) > julianday('now') - 600.0 / "
                                             "86400"));
    LEURA_TRY(q.each([&](const Stmt& row) { c.queued = row.integer(0); }));
    return c;
}

} // namespace leura::store
