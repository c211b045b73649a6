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
} // namespace

Status Store::step_outputs(const OutputQuery& q,
                           const std::function<bool(const StepOutput&)>& each) {
    // First the keys of the chosen steps, sorted (small rows); then each step's previews by
    // its key, only as far as the caller reads: the sort never holds the previews.
    std::string sql =
        "SELECT s.run_id, r.task, r.started_at, s.host, s.idx FROM " +
        std::string(q.match.empty() ? "steps s "
                                    : "step_text f JOIN steps s ON s.text_id = f.rowid ") +
        "JOIN runs r ON r.id = s.run_id JOIN hosts h ON h.run_id = s.run_id AND h.host = s.host "
        "WHERE (?2 IS NULL OR instr(r.task, ?2) > 0) AND (?3 IS NULL OR s.host IN (SELECT value "
        "FROM json_each(?3))) "
        "AND (?4 IS NULL OR r.started_at >= ?4)" +
        (q.match.empty() ? " AND ?1 IS NULL" : " AND f.step_text MATCH ?1") +
        " ORDER BY r.started_at DESC, r.id DESC, h.seq, s.idx";
    LEURA_TRY_ASSIGN(keys, Stmt::prepare(*m_db, sql.c_str()));
    if (q.match.empty())
        keys.bind_null(1);
    else
        keys.bind(1, q.match);
    std::optional<std::string> hosts;
    if (q.hosts) {
        std::string list;
        for (const auto& h : *q.hosts)
            list += (list.empty() ? "" : ",") + util::json_string(h);
        hosts = "[" + list + "]";
    }
    keys.bind(2, q.task).bind(3, hosts).bind(4, q.since);
    std::vector<StepKey> chosen;
    auto all = keys.each([&](const Stmt& k) {
        chosen.push_back({k.text(0), k.text(1), k.text(2), k.text(3), k.integer(4)});
    });
    if (!all) {
        if (all.error().message.find("fts5:") != std::string::npos)
            return fail(ErrorKind::usage, "cannot search for that: " + all.error().message);
        return all;
    }
    LEURA_TRY_ASSIGN(read, Stmt::prepare(*m_db, "SELECT name, preview_codec, preview_out, "
                                                "preview_err FROM steps WHERE run_id = ? "
                                                "AND host = ? AND idx = ?"));
    for (auto& k : chosen) {
        read.bind(1, k.run_id).bind(2, k.host).bind(3, k.idx);
        LEURA_TRY_ASSIGN(row, read.step());
        if (row) { // else deleted since the keys were read
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
            if (!each(o)) return {};
            continue;
        }
        read.reset();
    }
    return {};
}

} // namespace leura::store
