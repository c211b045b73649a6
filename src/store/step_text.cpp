// SPDX-License-Identifier: Apache-2.0
// The steps' output, compressed, and the full-text index over it (schema v11).
//
// `step_text` is an FTS5 table with no content of its own (content=''): it holds the words of
// each step's previews, stdout and stderr joined by a newline, under the step's `text_id`
// (not its rowid, which VACUUM may renumber; null while a step has no entry). It answers
// "which steps may hold these words" and nothing more: detail=none keeps no positions (no
// phrase queries; the caller reads the previews to find the lines), columnsize=0 keeps no
// lengths (no ranking), and the `ascii` tokenizer (ASCII letters and digits and every
// non-ASCII byte make words, ASCII case folded) gives the same words from the same bytes in
// every SQLite version, which a contentless index needs: an entry is deleted by handing FTS5
// the text it was made of again, and a tokenizer that split it differently would corrupt the
// index. That text comes back from the stored previews, in unindex().
#include "store/store.hpp"
#include "util/json.hpp"

#include <algorithm>

namespace leura::store {

Result<std::string> Store::plain_preview(const Stmt& row, int codec_col, int col) {
    if (row.is_null(codec_col)) return row.text(col); // written before v10: plain bytes
    std::string codec = row.text(codec_col);
    if (codec != "zstd")
        return fail(ErrorKind::internal,
                    "a stored preview has codec '" + codec + "', unknown to this leura");
    return m_zstd.decompress(row.text(col));
}

Status Store::unindex(int64_t text_id, const std::string& out, const std::string& err) {
    return run_kept("INSERT INTO step_text (step_text, rowid, text) "
                    "VALUES ('delete', ?1, CAST(?2 AS TEXT) || char(10) || CAST(?3 AS TEXT))",
                    [&](Stmt& s) { s.bind(1, text_id).bind_blob(2, out).bind_blob(3, err); });
}

// The entry of the step `r` is about to replace, if that step has one.
Status Store::unindex_step(const StepRecord& r) {
    LEURA_TRY_ASSIGN(s, kept("SELECT text_id, preview_codec, preview_out, preview_err "
                             "FROM steps WHERE run_id = ? AND host = ? AND idx = ? "
                             "AND text_id IS NOT NULL"));
    s->bind(1, r.run_id).bind(2, r.host).bind(3, r.idx);
    auto row = s->step();
    Status done;
    if (!row)
        done = std::unexpected(row.error());
    else if (*row) {
        auto out = plain_preview(*s, 1, 2);
        auto err = plain_preview(*s, 1, 3);
        int64_t id = s->integer(0);
        if (!out || !err)
            done = std::unexpected(out ? err.error() : out.error());
        else
            done = unindex(id, *out, *err);
    }
    s->reset();
    return done;
}

Status Store::unindex_run(const std::string& run_id) {
    return in_transaction([&]() -> Status {
        LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, "SELECT text_id, preview_codec, preview_out, "
                                                 "preview_err FROM steps WHERE run_id = ? "
                                                 "AND text_id IS NOT NULL"));
        s.bind(1, run_id);
        for (;;) {
            LEURA_TRY_ASSIGN(row, s.step());
            if (!row) break;
            LEURA_TRY_ASSIGN(out, plain_preview(s, 1, 2));
            LEURA_TRY_ASSIGN(err, plain_preview(s, 1, 3));
            LEURA_TRY(unindex(s.integer(0), out, err));
        }
        return run_kept("UPDATE steps SET text_id = NULL WHERE run_id = ? "
                        "AND text_id IS NOT NULL",
                        [&](Stmt& u) { u.bind(1, run_id); });
    });
}

Status Store::compact_index() {
    return in_transaction(
        [&] { return m_db->exec("INSERT INTO step_text (step_text) VALUES ('optimize')"); });
}

Result<std::vector<std::string>> Store::recorded_hosts() {
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, "SELECT DISTINCT host FROM hosts ORDER BY host"));
    std::vector<std::string> out;
    LEURA_TRY(s.each([&](const Stmt& row) { out.push_back(row.text(0)); }));
    return out;
}

namespace {

struct StepKey {
    std::string run_id, task, started_at, host;
    int64_t idx;
};

// A word in few steps (OutputQuery::few_steps) is searched in one query, its steps sorted at
// once; a commoner one (or none) by walking the runs newest first, a batch at a time, so that
// a search stopped by its limit never sorts millions of keys (tests/bench/history.sh: a word
// in every step of 2.5 million took 10 s that way).
constexpr int64_t k_first_batch = 16, k_largest_batch = 512; // runs

// The filters every key query shares: ?2 task substring, ?3 hosts (a JSON array), ?4 since.
constexpr const char* k_key_columns = "SELECT s.run_id, r.task, r.started_at, s.host, s.idx ";
constexpr const char* k_key_joins =
    "JOIN runs r ON r.id = s.run_id JOIN hosts h ON h.run_id = s.run_id AND h.host = s.host "
    "WHERE (?2 IS NULL OR instr(r.task, ?2) > 0) AND (?3 IS NULL OR s.host IN (SELECT value "
    "FROM json_each(?3))) AND (?4 IS NULL OR r.started_at >= ?4) ";
constexpr const char* k_key_order = " ORDER BY r.started_at DESC, r.id DESC, h.seq, s.idx";

Status fts_error(const Error& e) {
    if (e.message.find("fts5:") != std::string::npos)
        return fail(ErrorKind::usage, "cannot search for that: " + e.message);
    return std::unexpected(e);
}

} // namespace

Status Store::step_outputs(const OutputQuery& q,
                           const std::function<bool(const StepOutput&)>& each) {
    std::optional<std::string> match, hosts;
    if (!q.match.empty()) match = q.match;
    if (q.hosts) {
        std::string list;
        for (const auto& h : *q.hosts)
            list += (list.empty() ? "" : ",") + util::json_string(h);
        hosts = "[" + list + "]";
    }
    // Keys first (small rows), then each step's previews by its key, only as far as the
    // caller reads: a sort never holds previews. False: the caller has had enough.
    LEURA_TRY_ASSIGN(read, Stmt::prepare(*m_db, "SELECT name, preview_codec, preview_out, "
                                                "preview_err FROM steps WHERE run_id = ? "
                                                "AND host = ? AND idx = ?"));
    int64_t keys_read = 0;
    auto deliver = [&](Stmt& keys) -> Result<bool> {
        std::vector<StepKey> chosen;
        auto all = keys.each([&](const Stmt& k) {
            chosen.push_back({k.text(0), k.text(1), k.text(2), k.text(3), k.integer(4)});
        });
        if (!all) return std::unexpected(fts_error(all.error()).error());
        keys_read += int64_t(chosen.size());
        for (auto& k : chosen) {
            read.bind(1, k.run_id).bind(2, k.host).bind(3, k.idx);
            LEURA_TRY_ASSIGN(row, read.step());
            if (!row) { // deleted since the keys were read
                read.reset();
                continue;
            }
            StepOutput o{std::move(k.run_id),
                         std::move(k.task),
                         std::move(k.started_at),
                         std::move(k.host),
                         k.idx,
                         read.text(0),
                         {},
                         {}};
            LEURA_TRY_ASSIGN(out, plain_preview(read, 1, 2));
            LEURA_TRY_ASSIGN(err, plain_preview(read, 1, 3));
            o.preview_out = std::move(out);
            o.preview_err = std::move(err);
            read.reset();
            if (!each(o)) return false;
        }
        return true;
    };

    // The runs newest first, a batch at a time (keyset: after the last one's started_at, id),
    // only those that had one of the hosts.
    LEURA_TRY_ASSIGN(runs,
                     Stmt::prepare(*m_db, "SELECT r.id, r.started_at FROM runs r "
                                          "WHERE (?2 IS NULL OR instr(r.task, ?2) > 0) "
                                          "AND (?3 IS NULL OR EXISTS (SELECT 1 FROM hosts h WHERE "
                                          "h.run_id = r.id AND h.host IN (SELECT value FROM "
                                          "json_each(?3)))) AND (?4 IS NULL OR r.started_at >= ?4) "
                                          "AND (?5 IS NULL OR (r.started_at, r.id) < (?5, ?6)) "
                                          "ORDER BY r.started_at DESC, r.id DESC LIMIT ?7"));
    std::optional<std::string> after_started, after_id;
    auto next_runs = [&](int64_t n) -> Result<std::string> { // a JSON array; "" when done
        runs.bind(2, q.task).bind(3, hosts).bind(4, q.since);
        runs.bind(5, after_started).bind(6, after_id).bind(7, n);
        std::string list;
        LEURA_TRY(runs.each([&](const Stmt& r) {
            list += (list.empty() ? "[" : ",") + util::json_string(r.text(0));
            after_id = r.text(0);
            after_started = r.text(1);
        }));
        runs.reset();
        return list.empty() ? list : list + "]";
    };
    // A batch's steps, sorted as one query would sort them: through the index (the batch's
    // entries are a range of text ids, which FTS5 seeks into), or every step of the batch.
    LEURA_TRY_ASSIGN(span, Stmt::prepare(*m_db, "SELECT min(text_id), max(text_id) FROM steps "
                                                "WHERE run_id IN (SELECT value FROM "
                                                "json_each(?1))"));
    const std::string every_sql = std::string(k_key_columns) + "FROM steps s " + k_key_joins +
                                  "AND s.run_id IN (SELECT value FROM json_each(?5)) AND ?1 "
                                  "IS NULL" +
                                  k_key_order;
    const std::string indexed_sql =
        std::string(k_key_columns) + "FROM step_text f JOIN steps s ON s.text_id = f.rowid " +
        k_key_joins +
        "AND s.run_id IN (SELECT value FROM json_each(?5)) AND f.step_text MATCH ?1 AND "
        "f.rowid BETWEEN ?6 AND ?7" +
        k_key_order;
    LEURA_TRY_ASSIGN(every, Stmt::prepare(*m_db, every_sql.c_str()));
    LEURA_TRY_ASSIGN(indexed, Stmt::prepare(*m_db, indexed_sql.c_str()));
    auto batch = [&](const std::string& list, bool use_index) -> Result<bool> {
        Stmt& keys = use_index ? indexed : every;
        keys.bind(1, use_index ? match : std::nullopt).bind(2, q.task).bind(3, hosts);
        keys.bind(4, q.since).bind(5, list);
        if (use_index) {
            span.bind(1, list);
            LEURA_TRY(span.step());
            const bool none = span.is_null(0);
            if (!none) keys.bind(6, span.integer(0)).bind(7, span.integer(1));
            span.reset();
            if (none) {
                keys.reset();
                return true;
            }
        }
        auto more = deliver(keys);
        keys.reset();
        return more;
    };

    // The newest runs whole, without the index, until OutputQuery::unindexed_steps steps were
    // read; the caller checks the text, as it does for the index's steps.
    int64_t n = k_first_batch;
    for (; !match || keys_read < q.unindexed_steps; n = std::min(n * 2, k_largest_batch)) {
        LEURA_TRY_ASSIGN(newest, next_runs(match ? std::min(n, q.unindexed_steps - keys_read) : n));
        if (newest.empty()) return {};
        LEURA_TRY_ASSIGN(more, batch(newest, false));
        if (!more) return {};
    }
    if (match) {
        // A rare match: the rest of its steps in one sorted query.
        LEURA_TRY_ASSIGN(count, Stmt::prepare(*m_db, "SELECT count(*) FROM (SELECT rowid FROM "
                                                     "step_text WHERE step_text MATCH ?1 "
                                                     "LIMIT ?2)"));
        count.bind(1, *match).bind(2, q.few_steps + 1);
        auto counted = count.step();
        if (!counted) return fts_error(counted.error());
        if (count.integer(0) <= q.few_steps) {
            const std::string sql =
                std::string(k_key_columns) +
                "FROM step_text f JOIN steps s ON s.text_id = f.rowid " + k_key_joins +
                "AND f.step_text MATCH ?1 AND (?5 IS NULL OR (r.started_at, r.id) < (?5, ?6))" +
                k_key_order;
            LEURA_TRY_ASSIGN(keys, Stmt::prepare(*m_db, sql.c_str()));
            keys.bind(1, *match).bind(2, q.task).bind(3, hosts).bind(4, q.since);
            keys.bind(5, after_started).bind(6, after_id);
            LEURA_TRY(deliver(keys));
            return {};
        }
    }
    for (;; n = std::min(n * 2, k_largest_batch)) {
        LEURA_TRY_ASSIGN(list, next_runs(n));
        if (list.empty()) return {};
        LEURA_TRY_ASSIGN(go_on, batch(list, match.has_value()));
        if (!go_on) return {};
    }
}

} // namespace leura::store
