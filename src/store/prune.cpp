// SPDX-License-Identifier: Apache-2.0
// Deleting runs' records, for `leura gc`. The tables are deleted from explicitly, children
// first (the foreign keys' ON DELETE CASCADE would do it too, but would not say how many rows
// went, and a future index over the rows wants to see each run go).
#include "store/store.hpp"

namespace leura::store {

Result<std::vector<RunSummary>> Store::run_summaries() {
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, "SELECT id, task, started_at, status, parent, "
                                             "resumes, archive FROM runs "
                                             "ORDER BY started_at, id"));
    std::vector<RunSummary> out;
    LEURA_TRY(s.each([&](const Stmt& row) {
        RunSummary r;
        r.id = row.text(0);
        r.task = row.text(1);
        r.started_at = row.text(2);
        r.status = row.text(3);
        if (!row.is_null(4)) r.parent = row.text(4);
        if (!row.is_null(5)) r.resumes = row.text(5);
        if (!row.is_null(6)) r.archive = row.text(6);
        out.push_back(std::move(r));
    }));
    return out;
}

Result<RunRows> Store::count_run_rows(const std::string& run_id) {
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, "SELECT (SELECT count(*) FROM runs WHERE id = ?1), "
                                             "(SELECT count(*) FROM batches WHERE run_id = ?1), "
                                             "(SELECT count(*) FROM hosts WHERE run_id = ?1), "
                                             "(SELECT count(*) FROM steps WHERE run_id = ?1)"));
    s.bind(1, run_id);
    RunRows rows;
    LEURA_TRY(s.each([&](const Stmt& row) {
        rows.runs = row.integer(0);
        rows.batches = row.integer(1);
        rows.hosts = row.integer(2);
        rows.steps = row.integer(3);
    }));
    return rows;
}

Result<RunRows> Store::delete_run_rows(const std::string& run_id) {
    bool own = !m_batch;
    if (own) LEURA_TRY(begin_batch());
    RunRows rows;
    auto by_run = [&](Stmt& s) { s.bind(1, run_id); };
    auto remove = [&](const char* sql, int64_t& count) -> Status {
        LEURA_TRY(write(sql, by_run));
        count = m_db->changes();
        return {};
    };
    // The output index first: its 'delete' needs the previews the steps' rows still hold.
    Status done = unindex_run(run_id);
    if (done) done = remove("DELETE FROM steps WHERE run_id = ?", rows.steps);
    if (done) done = remove("DELETE FROM hosts WHERE run_id = ?", rows.hosts);
    if (done) done = remove("DELETE FROM batches WHERE run_id = ?", rows.batches);
    if (done) done = remove("DELETE FROM runs WHERE id = ?", rows.runs);
    if (!done) {
        if (own) m_batch.reset(); // rolled back
        return std::unexpected(done.error());
    }
    if (own) LEURA_TRY(end_batch());
    return rows;
}

Result<RunRows> Store::delete_runs(const std::vector<std::string>& run_ids) {
    if (m_batch) return fail(ErrorKind::internal, "delete_runs inside a batch");
    LEURA_TRY(begin_batch());
    RunRows total;
    for (const auto& id : run_ids) {
        auto rows = delete_run_rows(id);
        if (!rows) {
            m_batch.reset(); // rolled back
            return std::unexpected(rows.error());
        }
        total += *rows;
    }
    LEURA_TRY(end_batch());
    return total;
}

Result<int64_t> Store::used_bytes() {
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, "SELECT (p.page_count - f.freelist_count) * "
                                             "z.page_size FROM pragma_page_count p, "
                                             "pragma_freelist_count f, pragma_page_size z"));
    int64_t bytes = 0;
    LEURA_TRY(s.each([&](const Stmt& row) { bytes = row.integer(0); }));
    return bytes;
}

Status Store::vacuum() {
    LEURA_TRY(m_db->exec("VACUUM"));
    return m_db->exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

} // namespace leura::store
