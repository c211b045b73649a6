// SPDX-License-Identifier: Apache-2.0
#include "store/store.hpp"
#include "util/json.hpp"

#include <filesystem>

namespace leura::store {

Result<Store> Store::open(const std::string& path) {
    LEURA_TRY_ASSIGN(db, Db::open(path));
    Store store(std::move(db));
    LEURA_TRY(store.migrate());
    return store;
}

Result<Store> Store::open_read_only(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return fail(ErrorKind::io, "no database " + path);
    LEURA_TRY_ASSIGN(db, Db::open_read_only(path));
    Store store(std::move(db));
    LEURA_TRY_ASSIGN(version, Stmt::prepare(*store.m_db, "PRAGMA user_version"));
    LEURA_TRY(version.step());
    store.m_version = int(version.integer(0));
    if (store.m_version > latest_schema_version())
        return fail(ErrorKind::config, "the database is newer than this leura");
    return store;
}

Result<Stmt*> Store::kept(const char* sql) {
    auto found = m_writes.find(sql);
    if (found == m_writes.end()) {
        LEURA_TRY_ASSIGN(stmt, Stmt::prepare(*m_db, sql));
        found = m_writes.emplace(sql, std::move(stmt)).first;
    }
    return &found->second;
}

Status Store::run_kept(const char* sql, const std::function<void(Stmt&)>& bind) {
    LEURA_TRY_ASSIGN(stmt, kept(sql));
    bind(*stmt);
    auto done = stmt->run();
    stmt->reset();
    return done;
}

Status Store::in_transaction(const std::function<Status()>& body) {
    if (m_batch) return body();
    LEURA_TRY_ASSIGN(tx, Transaction::begin(*m_db));
    LEURA_TRY(body());
    return tx.commit();
}

Status Store::write(const char* sql, const std::function<void(Stmt&)>& bind) {
    return in_transaction([&] { return run_kept(sql, bind); });
}

Status Store::probe_writes(const std::string& run_id) {
    if (m_batch) return fail(ErrorKind::internal, "probe_writes inside a batch");
    LEURA_TRY(begin_batch());
    BatchRecord b;
    b.run_id = run_id;
    HostRecord h;
    h.run_id = run_id;
    h.host = "leura-probe";
    StepRecord s;
    s.run_id = run_id;
    s.host = h.host;
    s.name = "probe";
    s.status = "running";
    Status st = insert_batch(b);
    if (st) st = upsert_host(h);
    if (st) st = insert_step(s);
    m_batch.reset(); // rolled back
    return st;
}

Status Store::begin_batch() {
    if (m_batch) return {};
    LEURA_TRY_ASSIGN(tx, Transaction::begin(*m_db));
    m_batch.emplace(std::move(tx));
    return {};
}

Status Store::end_batch() {
    if (!m_batch) return {};
    auto done = m_batch->commit();
    m_batch.reset();
    return done;
}

Status Store::insert_run(const RunRecord& r) {
    return write("INSERT INTO runs (id, task, task_hash, task_text, inventory, targets, user, "
                 "args, started_at, status, hosts, plan, waves, resumes, overrides, task_name, "
                 "tags, parent, stage, note, triggered_by) "
                 "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                 [&](Stmt& s) {
                     s.bind(1, r.id).bind(2, r.task).bind(3, r.task_hash).bind(4, r.task_text);
                     s.bind(5, r.inventory).bind(6, r.targets).bind(7, r.user).bind(8, r.args);
                     s.bind(9, r.started_at).bind(10, r.status).bind(11, r.hosts);
                     s.bind(12, r.plan).bind(13, r.waves).bind(14, r.resumes);
                     s.bind(15, r.overrides).bind(16, r.task_name).bind(17, r.tags);
                     s.bind(18, r.parent).bind(19, r.stage).bind(20, r.note);
                     s.bind(21, r.triggered_by);
                 });
}

Status Store::finish_run(const RunRecord& r) {
    return write(
        "UPDATE runs SET finished_at=?, status=?, exit_code=?, ok=?, failed=?, "
        "unreachable=?, skipped=?, archive=?, interrupted=?, rolled_back=?, note=? WHERE id=?",
        [&](Stmt& s) {
            s.bind(1, r.finished_at).bind(2, r.status);
            if (r.exit_code)
                s.bind(3, *r.exit_code);
            else
                s.bind_null(3);
            s.bind(4, r.ok).bind(5, r.failed).bind(6, r.unreachable).bind(7, r.skipped);
            s.bind(8, r.archive).bind(9, r.interrupted).bind(10, r.rolled_back);
            s.bind(11, r.note).bind(12, r.id);
        });
}

Status Store::insert_batch(const BatchRecord& b) {
    return write("INSERT INTO batches (run_id, wave, planned_hosts, hosts, started_at) "
                 "VALUES (?,?,?,?,?)",
                 [&](Stmt& s) {
                     s.bind(1, b.run_id).bind(2, b.wave).bind(3, b.planned_hosts);
                     s.bind(4, b.hosts).bind(5, b.started_at);
                 });
}

Status Store::finish_batch(const BatchRecord& b) {
    return write(
        "UPDATE batches SET finished_at=?, ok=?, failed=?, unreachable=?, "
        "failed_total=?, gate=?, rollback=?, reason=?, skipped=?, interrupted=?, rolled_back=? "
        "WHERE run_id=? AND wave=?",
        [&](Stmt& s) {
            s.bind(1, b.finished_at).bind(2, b.ok).bind(3, b.failed);
            s.bind(4, b.unreachable).bind(5, b.failed_total).bind(6, b.gate);
            s.bind(7, b.rollback).bind(8, b.reason).bind(9, b.skipped);
            s.bind(10, b.interrupted).bind(11, b.rolled_back).bind(12, b.run_id);
            s.bind(13, b.wave);
        });
}

Status Store::upsert_host(const HostRecord& h) {
    return write(
        "INSERT INTO hosts (run_id, host, wave, status, error_kind, error, exit_code, started_at, "
        "finished_at, duration_ms, steps_run, seq) VALUES (?,?,?,?,?,?,?,?,?,?,?, "
        "(SELECT COALESCE(MAX(seq) + 1, 0) FROM hosts WHERE run_id=?1)) "
        "ON CONFLICT(run_id, host) DO UPDATE SET status=excluded.status, "
        "error_kind=excluded.error_kind, error=excluded.error, exit_code=excluded.exit_code, "
        "started_at=COALESCE(hosts.started_at, excluded.started_at), "
        "finished_at=excluded.finished_at, duration_ms=excluded.duration_ms, "
        "steps_run=excluded.steps_run",
        [&](Stmt& s) {
            s.bind(1, h.run_id).bind(2, h.host).bind(3, h.wave).bind(4, h.status);
            s.bind(5, h.error_kind).bind(6, h.error);
            if (h.exit_code)
                s.bind(7, *h.exit_code);
            else
                s.bind_null(7);
            s.bind(8, h.started_at).bind(9, h.finished_at).bind(10, h.duration_ms);
            s.bind(11, h.steps_run);
        });
}

Status Store::set_host_status(const std::string& run_id, const std::string& host,
                              const std::string& status) {
    return write("UPDATE hosts SET status=? WHERE run_id=? AND host=?",
                 [&](Stmt& s) { s.bind(1, status).bind(2, run_id).bind(3, host); });
}

// Previews are written as zstd frames (preview_codec 'zstd'); rows from before schema v11 have
// a null codec and plain bytes, and are read as they are (a codec column, not a sniff of the
// frame magic: a plain preview of a host's binary output can start with those four bytes).
Status Store::insert_step(const StepRecord& r) {
    LEURA_TRY_ASSIGN(out, m_zstd.compress(r.preview_out));
    LEURA_TRY_ASSIGN(err, m_zstd.compress(r.preview_err));
    return in_transaction([&]() -> Status {
        LEURA_TRY(unindex_step(r));
        std::optional<int64_t> text_id;
        if (!r.preview_out.empty() || !r.preview_err.empty()) {
            LEURA_TRY_ASSIGN(next, kept("SELECT COALESCE(MAX(text_id), 0) + 1 FROM steps "
                                        "WHERE text_id IS NOT NULL"));
            LEURA_TRY_ASSIGN(row, next->step());
            text_id = row ? next->integer(0) : 1;
            next->reset();
        }
        LEURA_TRY(run_kept(
            "INSERT OR REPLACE INTO steps (run_id, host, idx, name, status, exit_code, "
            "signal, error_kind, error, started_at, duration_ms, bytes_out, bytes_err, "
            "preview_out, preview_err, phase, output_sha256, outputs, preview_codec, text_id, "
            "attempts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'zstd',?,?)",
            [&](Stmt& s) {
                s.bind(1, r.run_id).bind(2, r.host).bind(3, r.idx).bind(4, r.name);
                s.bind(5, r.status);
                if (r.exit_code)
                    s.bind(6, *r.exit_code);
                else
                    s.bind_null(6);
                s.bind(7, r.signal).bind(8, r.error_kind).bind(9, r.error);
                s.bind(10, r.started_at).bind(11, r.duration_ms);
                s.bind(12, r.bytes_out).bind(13, r.bytes_err);
                s.bind_blob(14, out).bind_blob(15, err).bind(16, r.phase);
                s.bind(17, r.output_sha256).bind(18, r.outputs);
                if (text_id)
                    s.bind(19, *text_id);
                else
                    s.bind_null(19);
                s.bind(20, r.attempts);
            }));
        if (!text_id) return {};
        // The same expression as migration 11's and unindex()'s: a contentless index forgets
        // the text, and deleting an entry needs the very bytes it was made of.
        return run_kept("INSERT INTO step_text (rowid, text) "
                        "VALUES (?1, CAST(?2 AS TEXT) || char(10) || CAST(?3 AS TEXT))",
                        [&](Stmt& s) {
                            s.bind(1, *text_id).bind_blob(2, r.preview_out);
                            s.bind_blob(3, r.preview_err);
                        });
    });
}

Status Store::interrupt_hosts(const std::string& run_id, const std::string& at) {
    return write("UPDATE hosts SET status='interrupted', error_kind='interrupted', "
                 "error='leura ended before this host finished', finished_at=? "
                 "WHERE run_id=? AND status='running'",
                 [&](Stmt& s) { s.bind(1, at).bind(2, run_id); });
}

namespace {

std::optional<std::string> opt_text(const Stmt& s, int col) {
    if (s.is_null(col)) return std::nullopt;
    return s.text(col);
}
std::optional<int64_t> opt_int(const Stmt& s, int col) {
    if (s.is_null(col)) return std::nullopt;
    return s.integer(col);
}

constexpr const char* k_run_columns =
    "id, task, task_hash, inventory, targets, user, args, started_at, finished_at, status, "
    "exit_code, hosts, ok, failed, unreachable, skipped, archive, task_text, plan, waves, resumes, "
    "interrupted, rolled_back, overrides, task_name, tags, parent, stage, note, "
    "triggered_by";

// The two columns that can be large (kilobytes a run); read_run() reads them unless `light`.
void read_run_text(const Stmt& s, RunRecord& r) {
    r.task_text = opt_text(s, 17);
    r.plan = opt_text(s, 18);
}

RunRecord read_run(const Stmt& s, bool light = false) {
    RunRecord r;
    r.id = s.text(0);
    r.task = s.text(1);
    r.task_hash = s.text(2);
    r.inventory = s.text(3);
    r.targets = s.text(4);
    r.user = s.text(5);
    r.args = s.text(6);
    r.started_at = s.text(7);
    r.finished_at = opt_text(s, 8);
    r.status = s.text(9);
    r.exit_code = opt_int(s, 10);
    r.hosts = s.integer(11);
    r.ok = s.integer(12);
    r.failed = s.integer(13);
    r.unreachable = s.integer(14);
    r.skipped = s.integer(15);
    r.archive = opt_text(s, 16);
    if (!light) read_run_text(s, r);
    r.waves = s.integer(19);
    r.resumes = opt_text(s, 20);
    r.interrupted = s.integer(21);
    r.rolled_back = s.integer(22);
    r.overrides = opt_text(s, 23);
    r.task_name = opt_text(s, 24);
    r.tags = opt_text(s, 25);
    r.parent = opt_text(s, 26);
    r.stage = opt_text(s, 27);
    r.note = opt_text(s, 28);
    r.triggered_by = opt_text(s, 29);
    return r;
}

} // namespace

// "last" is the newest run (workflows and plain runs; not a workflow's stages), "last~N" the
// one N before it, as git's HEAD~N.
static std::optional<int64_t> last_offset(const std::string& text) {
    if (text == "last") return 0;
    if (text.rfind("last~", 0) != 0 || text.size() == 5 || text.size() > 12) return std::nullopt;
    int64_t n = 0;
    for (char c : text.substr(5)) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return n;
}

Result<std::string> Store::resolve_run(const std::string& prefix) {
    if (prefix.empty()) return fail(ErrorKind::usage, "empty run id");
    if (auto back = last_offset(prefix)) {
        LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, "SELECT id FROM runs WHERE parent IS NULL "
                                                 "ORDER BY started_at DESC, id DESC "
                                                 "LIMIT 1 OFFSET ?1"));
        s.bind(1, *back);
        std::optional<std::string> id;
        LEURA_TRY(s.each([&](const Stmt& row) { id = row.text(0); }));
        if (!id)
            return fail(ErrorKind::not_found, *back == 0
                                                  ? std::string("there is no run yet")
                                                  : "there are not " + std::to_string(*back + 1) +
                                                        " runs: '" + prefix + "' names none");
        return *id;
    }
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, "SELECT id FROM runs WHERE substr(id, 1, ?1) = ?2 "
                                             "AND (parent IS NULL OR id = ?2) "
                                             "ORDER BY id DESC LIMIT 6"));
    // A workflow's stage runs answer to their whole id only: a prefix names the workflow.
    s.bind(1, int64_t(prefix.size())).bind(2, prefix);
    std::vector<std::string> ids;
    LEURA_TRY(s.each([&](const Stmt& row) { ids.push_back(row.text(0)); }));
    if (ids.empty()) return fail(ErrorKind::not_found, "no run matches '" + prefix + "'");
    if (ids.size() > 1) {
        std::string list;
        for (size_t i = 0; i < std::min<size_t>(ids.size(), 5); ++i)
            list += (i ? ", " : "") + ids[i];
        return fail(ErrorKind::usage, "run id '" + prefix + "' is ambiguous: " + list +
                                          (ids.size() > 5 ? ", ..." : ""));
    }
    return ids.front();
}

Result<RunRecord> Store::run(const std::string& id) {
    std::string sql = std::string("SELECT ") + k_run_columns + " FROM runs WHERE id = ?";
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, sql.c_str()));
    s.bind(1, id);
    LEURA_TRY_ASSIGN(row, s.step());
    if (!row) return fail(ErrorKind::not_found, "no run '" + id + "'");
    return read_run(s);
}

Result<bool> Store::run_exists(const std::string& id) {
    LEURA_TRY_ASSIGN(s, kept("SELECT 1 FROM runs WHERE id = ?"));
    s->bind(1, id);
    LEURA_TRY_ASSIGN(row, s->step());
    s->reset();
    return row;
}

// A run (or a workflow through its stage runs) had one of the filter's hosts: exact names (?8,
// through the hosts_host index: a host in no run costs nothing) or GLOB patterns (?9, a scan of
// each run's hosts), both JSON arrays; ?8 null: no filter.
static constexpr const char* k_host_filter =
    "(?8 IS NULL "
    "OR runs.id IN (SELECT run_id FROM hosts WHERE host IN (SELECT value FROM json_each(?8))) "
    "OR runs.id IN (SELECT c.parent FROM runs c CROSS JOIN hosts h ON h.run_id = c.id "
    "WHERE c.parent IS NOT NULL AND h.host IN (SELECT value FROM json_each(?8))) "
    "OR (json_array_length(?9) > 0 AND (EXISTS (SELECT 1 FROM hosts h WHERE h.run_id = runs.id "
    "AND EXISTS (SELECT 1 FROM json_each(?9) g WHERE h.host GLOB g.value)) "
    "OR EXISTS (SELECT 1 FROM runs c JOIN hosts h ON h.run_id = c.id WHERE c.parent = runs.id "
    "AND EXISTS (SELECT 1 FROM json_each(?9) g WHERE h.host GLOB g.value)))))";

Result<std::vector<std::string>> Store::resumed_by(const std::string& id) {
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, "SELECT id FROM runs WHERE resumes = ? "
                                             "ORDER BY started_at, id"));
    s.bind(1, id);
    std::vector<std::string> out;
    LEURA_TRY(s.each([&](const Stmt& row) { out.push_back(row.text(0)); }));
    return out;
}

Result<std::vector<RunRecord>> Store::runs(const RunFilter& f) {
    std::string sql =
        std::string("SELECT ") + k_run_columns +
        " FROM runs WHERE (?1 IS NULL OR instr(task, ?1) > 0) AND (?2 IS NULL OR "
        "status = ?2) AND (?3 IS NULL OR started_at >= ?3) AND (?5 IS NULL OR "
        "EXISTS (SELECT 1 FROM json_each(runs.tags) WHERE value = ?5)) AND (?6 OR parent IS NULL) "
        "AND (?7 IS NULL OR user = ?7) AND " +
        std::string(k_host_filter) +
        " AND (?10 IS NULL OR started_at < ?10 OR (started_at = ?10 AND id < ?11)) "
        "ORDER BY started_at DESC, id DESC LIMIT ?4";
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, sql.c_str()));
    s.bind(1, f.task).bind(2, f.status).bind(3, f.since).bind(5, f.tag);
    s.bind(4, f.keep ? int64_t(-1) : f.limit); // with keep, the limit counts what it keeps
    s.bind(6, int64_t(f.stages)).bind(7, f.user);
    std::optional<std::string> names, globs;
    if (!f.host_names.empty() || !f.host_globs.empty()) {
        names = util::json_string_array(f.host_names);
        globs = util::json_string_array(f.host_globs);
    }
    s.bind(8, names).bind(9, globs);
    std::optional<std::string> after_at, after_id;
    if (f.after) after_at = f.after->first, after_id = f.after->second;
    s.bind(10, after_at).bind(11, after_id);
    std::vector<RunRecord> out;
    if (!f.keep) {
        LEURA_TRY(s.each([&](const Stmt& row) { out.push_back(read_run(row)); }));
        return out;
    }
    if (f.limit <= 0) return out;
    LEURA_TRY(s.each_while([&](const Stmt& row) {
        RunRecord r = read_run(row, true);
        if (!f.keep(r)) return true;
        read_run_text(row, r);
        out.push_back(std::move(r));
        return int64_t(out.size()) < f.limit;
    }));
    return out;
}

Result<std::unordered_map<std::string, RunRecord>> Store::last_runs() {
    // SQLite documents that with max() the bare columns come from the row holding the
    // maximum; the (task, started_at) index makes this one pass.
    std::string sql = std::string("SELECT ") + k_run_columns +
                      ", max(started_at) FROM runs WHERE parent IS NULL GROUP BY task";
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, sql.c_str()));
    std::unordered_map<std::string, RunRecord> out;
    LEURA_TRY(s.each([&](const Stmt& row) {
        RunRecord r = read_run(row);
        std::string task = r.task;
        out.emplace(std::move(task), std::move(r));
    }));
    return out;
}

Result<std::vector<HostRecord>> Store::hosts(const std::string& run_id) {
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, "SELECT host, wave, status, error_kind, error, "
                                             "exit_code, started_at, finished_at, duration_ms, "
                                             "steps_run FROM hosts WHERE run_id = ? ORDER BY seq"));
    s.bind(1, run_id);
    std::vector<HostRecord> out;
    LEURA_TRY(s.each([&](const Stmt&) {
        HostRecord h;
        h.run_id = run_id;
        h.host = s.text(0);
        h.wave = s.integer(1);
        h.status = s.text(2);
        h.error_kind = opt_text(s, 3);
        h.error = opt_text(s, 4);
        h.exit_code = opt_int(s, 5);
        h.started_at = opt_text(s, 6);
        h.finished_at = opt_text(s, 7);
        h.duration_ms = s.integer(8);
        h.steps_run = s.integer(9);
        out.push_back(std::move(h));
    }));
    return out;
}

Result<std::vector<StepRecord>> Store::steps(const std::string& run_id, bool previews,
                                             const std::string& host_glob) {
    // Previews are most of a run's bytes (up to 32 KiB a step): read only when wanted, and
    // only for the hosts asked for.
    std::string sql =
        std::string("SELECT s.host, s.idx, s.name, s.status, s.exit_code, s.signal, "
                    "s.error_kind, s.error, s.started_at, s.duration_ms, "
                    "s.bytes_out, s.bytes_err, ") +
        (previews ? "s.preview_out, s.preview_err" : "NULL, NULL") +
        ", s.phase, s.output_sha256, s.outputs, s.preview_codec, s.attempts FROM steps s JOIN "
        "hosts h ON h.run_id "
        "= s.run_id AND "
        "h.host = s.host WHERE s.run_id = ?" +
        (host_glob.empty() ? "" : " AND s.host GLOB ?") + " ORDER BY h.seq, s.idx";
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, sql.c_str()));
    if (!host_glob.empty()) s.bind(2, host_glob);
    s.bind(1, run_id);
    std::vector<StepRecord> out;
    Status unreadable;
    LEURA_TRY(s.each([&](const Stmt&) {
        StepRecord r;
        r.run_id = run_id;
        r.host = s.text(0);
        r.idx = s.integer(1);
        r.name = s.text(2);
        r.status = s.text(3);
        r.exit_code = opt_int(s, 4);
        r.signal = opt_text(s, 5);
        r.error_kind = opt_text(s, 6);
        r.error = opt_text(s, 7);
        r.started_at = s.text(8);
        r.duration_ms = s.integer(9);
        r.bytes_out = s.integer(10);
        r.bytes_err = s.integer(11);
        auto plain_out = plain_preview(s, 17, 12);
        auto plain_err = plain_preview(s, 17, 13);
        if (!plain_out || !plain_err) {
            if (unreadable)
                unreadable = std::unexpected(plain_out ? plain_err.error() : plain_out.error());
            return;
        }
        r.preview_out = std::move(*plain_out);
        r.preview_err = std::move(*plain_err);
        r.phase = s.text(14);
        r.output_sha256 = opt_text(s, 15);
        r.outputs = opt_text(s, 16);
        r.attempts = s.integer(18);
        out.push_back(std::move(r));
    }));
    LEURA_TRY(unreadable);
    return out;
}

Result<std::vector<RunChoice>> Store::run_choices(const std::string& prefix, int64_t limit) {
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, "SELECT id, coalesce(task_name, task), status, "
                                             "started_at FROM runs WHERE parent IS NULL AND "
                                             "substr(id, 1, ?1) = ?2 "
                                             "ORDER BY started_at DESC, id DESC LIMIT ?3"));
    s.bind(1, int64_t(prefix.size())).bind(2, prefix).bind(3, limit);
    std::vector<RunChoice> out;
    LEURA_TRY(s.each([&](const Stmt& row) {
        out.push_back({row.text(0), row.text(1), row.text(2), row.text(3)});
    }));
    return out;
}

Result<std::vector<std::string>> Store::step_names(const std::string& run_id) {
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, "SELECT name FROM steps WHERE run_id = ? "
                                             "GROUP BY idx, name ORDER BY idx"));
    s.bind(1, run_id);
    std::vector<std::string> out;
    LEURA_TRY(s.each([&](const Stmt& row) { out.push_back(row.text(0)); }));
    return out;
}

Result<std::vector<RunRecord>> Store::stage_runs(const std::string& parent) {
    std::string sql = std::string("SELECT ") + k_run_columns +
                      " FROM runs WHERE parent = ? ORDER BY started_at, rowid";
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, sql.c_str()));
    s.bind(1, parent);
    std::vector<RunRecord> out;
    LEURA_TRY(s.each([&](const Stmt& row) { out.push_back(read_run(row)); }));
    return out;
}

Result<std::vector<BatchRecord>> Store::batches(const std::string& run_id) {
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, "SELECT wave, planned_hosts, hosts, started_at, "
                                             "finished_at, ok, failed, unreachable, failed_total, "
                                             "gate, rollback, reason, skipped, interrupted, "
                                             "rolled_back FROM batches WHERE run_id = ? "
                                             "ORDER BY wave"));
    s.bind(1, run_id);
    std::vector<BatchRecord> out;
    LEURA_TRY(s.each([&](const Stmt& row) {
        BatchRecord b;
        b.run_id = run_id;
        b.wave = row.integer(0);
        b.planned_hosts = row.integer(1);
        b.hosts = row.text(2);
        b.started_at = row.text(3);
        b.finished_at = opt_text(row, 4);
        b.ok = row.integer(5);
        b.failed = row.integer(6);
        b.unreachable = row.integer(7);
        b.failed_total = row.integer(8);
        b.gate = opt_text(row, 9);
        b.rollback = row.text(10);
        b.reason = opt_text(row, 11);
        b.skipped = row.integer(12);
        b.interrupted = row.integer(13);
        b.rolled_back = row.integer(14);
        out.push_back(std::move(b));
    }));
    return out;
}

} // namespace leura::store
