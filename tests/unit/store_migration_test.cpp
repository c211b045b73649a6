// SPDX-License-Identifier: Apache-2.0
// Databases that users already have, one per released schema version
// (tests/fixtures/db/v<K>.sqlite, made once by make_fixtures.py there and never regenerated),
// migrated by Store::open to the latest version: every record must still read back through
// the store as it was written, and columns added since get their defaults. A new version's
// fixture is picked up by the glob.
#include "store/sqlite.hpp"
#include "store/store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <regex>
#include <set>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#ifndef LEURA_DB_FIXTURES
#error "tests/CMakeLists.txt defines LEURA_DB_FIXTURES, the directory of the database fixtures"
#endif

namespace leura::store {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;
using Opt = std::optional<std::string>;

struct DbFixture {
    int version = 0;
    fs::path path;
};
void PrintTo(const DbFixture& f, std::ostream* os) {
    *os << f.path.string();
}

std::vector<DbFixture> db_fixtures() {
    std::vector<DbFixture> out;
    std::error_code ec;
    static const std::regex name(R"(v([0-9]+)\.sqlite)");
    for (const auto& entry : fs::directory_iterator(LEURA_DB_FIXTURES, ec)) {
        std::smatch m;
        std::string file = entry.path().filename().string();
        if (std::regex_match(file, m, name)) out.push_back({std::stoi(m[1]), entry.path()});
    }
    std::sort(out.begin(), out.end(),
              [](const DbFixture& a, const DbFixture& b) { return a.version < b.version; });
    return out;
}

// The records make_fixtures.py writes (keep the two in step).
const std::string k_run_ok = "20260105-101500-3f9a";
const std::string k_run_failed = "20260106-083000-b7c2";
const std::string k_run_stage = "20260105-101530-51e0";
const std::string k_task = "/srv/leura/tasks/web/deploy.toml";
const std::string k_task_text = "description = \"deploy the web app\"\n"
                                "tags = [\"web\", \"deploy\"]\n\n"
                                "[[steps]]\nname = \"check disk\"\nrun = \"df -h /srv\"\n\n"
                                "[[steps]]\nname = \"restart app\"\nrun = \"systemctl restart "
                                "app\"\n";
const std::string k_task_hash = "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592";
const std::string k_plan = R"({"waves":[{"wave":1,"hosts":["web-01","web-02","web-03"]}]})";
const std::string k_out_disk = "Filesystem Size Used Avail Use% Mounted on\n"
                               "/dev/sda1 40G 12G 26G 32% /srv\n";
const std::string k_out_restart = "restarting app\ncaf\xe9 \xff\xfe ok\n\0tail\n"s;
const std::string k_err_restart = "warning: unit file changed\n\xc3\x28 invalid\n";
const std::string k_err_failed =
    "Job for app.service failed.\nsee 'journalctl -xeu app' \x80\x81\n";
const std::string k_sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

// What a fixture held before leura opened it: its version and each table's columns, which
// decide whether a record's newer fields were written or must come back as defaults.
struct Before {
    int version = 0;
    std::map<std::string, std::set<std::string>> columns;
    bool has(const std::string& table, const std::string& column) const {
        auto t = columns.find(table);
        return t != columns.end() && t->second.contains(column);
    }
};

std::vector<std::string> query_texts(Db& db, const std::string& sql) {
    auto stmt = Stmt::prepare(db, sql.c_str());
    EXPECT_TRUE(stmt) << sql;
    std::vector<std::string> out;
    if (!stmt) return out;
    auto done = stmt->each([&](const Stmt& row) { out.push_back(row.text(0)); });
    EXPECT_TRUE(done) << sql;
    return out;
}

Before inspect(const std::string& path) {
    Before b;
    auto db = Db::open(path);
    EXPECT_TRUE(db);
    if (!db) return b;
    auto v = query_texts(*db, "PRAGMA user_version");
    b.version = v.empty() ? -1 : std::stoi(v[0]);
    for (const auto& table :
         query_texts(*db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))
        for (const auto& column :
             query_texts(*db, "SELECT name FROM pragma_table_info('" + table + "')"))
            b.columns[table].insert(column);
    return b;
}

// The whole database as text: its schema, its version and every row of every table, each
// value quote()d (BLOBs as hex), in a stable order.
std::string dump(const std::string& path) {
    auto db = Db::open(path);
    EXPECT_TRUE(db);
    if (!db) return {};
    std::string out = "user_version " + query_texts(*db, "PRAGMA user_version").at(0) + "\n";
    for (const auto& sql : query_texts(*db, "SELECT type || ' ' || name || ': ' || "
                                            "COALESCE(sql, '') FROM sqlite_master ORDER BY name"))
        out += sql + "\n";
    for (const auto& table :
         query_texts(*db, "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                          "COALESCE(sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")) {
        // A virtual table (the FTS5 output index) is dumped through its shadow tables.
        std::string row = "quote(\"\")";
        for (const auto& column :
             query_texts(*db, "SELECT name FROM pragma_table_info('" + table + "')"))
            row += " || ',' || quote(\"" + column + "\")";
        for (const auto& r :
             query_texts(*db, "SELECT " + row + " AS r FROM \"" + table + "\" ORDER BY r"))
            out += table + ": " + r + "\n";
    }
    return out;
}

// The schema (tables, columns with types, defaults and constraints, indexes) as text.
std::string schema_of(const std::string& path) {
    auto db = Db::open(path);
    EXPECT_TRUE(db);
    if (!db) return {};
    std::string out;
    for (const auto& s :
         query_texts(*db, "SELECT type || ' ' || name || ' ON ' || tbl_name || ': ' || "
                          "COALESCE(sql, '') FROM sqlite_master ORDER BY type, name"))
        out += s + "\n";
    return out;
}

class StoreMigrationTest : public ::testing::TestWithParam<DbFixture> {
protected:
    void SetUp() override {
        static std::atomic<int> counter{0};
        m_dir = fs::temp_directory_path() / ("leura-migration-test-" + std::to_string(getpid()) +
                                             "-" + std::to_string(counter++));
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(m_dir, ignored);
    }

    // A copy of the fixture, so the committed file is never written.
    std::string copy(const std::string& name) {
        fs::path to = m_dir / name;
        fs::copy_file(GetParam().path, to);
        fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write);
        return to.string();
    }

    fs::path m_dir;
};

void expect_run(const RunRecord& got, const RunRecord& want) {
    SCOPED_TRACE("run " + want.id);
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.task, want.task);
    EXPECT_EQ(got.task_name, want.task_name);
    EXPECT_EQ(got.task_hash, want.task_hash);
    EXPECT_EQ(got.inventory, want.inventory);
    EXPECT_EQ(got.targets, want.targets);
    EXPECT_EQ(got.user, want.user);
    EXPECT_EQ(got.args, want.args);
    EXPECT_EQ(got.started_at, want.started_at);
    EXPECT_EQ(got.finished_at, want.finished_at);
    EXPECT_EQ(got.status, want.status);
    EXPECT_EQ(got.exit_code, want.exit_code);
    EXPECT_EQ(got.hosts, want.hosts);
    EXPECT_EQ(got.ok, want.ok);
    EXPECT_EQ(got.failed, want.failed);
    EXPECT_EQ(got.unreachable, want.unreachable);
    EXPECT_EQ(got.skipped, want.skipped);
    EXPECT_EQ(got.interrupted, want.interrupted);
    EXPECT_EQ(got.rolled_back, want.rolled_back);
    EXPECT_EQ(got.archive, want.archive);
    EXPECT_EQ(got.task_text, want.task_text);
    EXPECT_EQ(got.plan, want.plan);
    EXPECT_EQ(got.waves, want.waves);
    EXPECT_EQ(got.resumes, want.resumes);
    EXPECT_EQ(got.overrides, want.overrides);
    EXPECT_EQ(got.tags, want.tags);
    EXPECT_EQ(got.parent, want.parent);
    EXPECT_EQ(got.stage, want.stage);
    EXPECT_EQ(got.note, want.note);
}

void expect_host(const HostRecord& got, const HostRecord& want) {
    SCOPED_TRACE("host " + want.run_id + " " + want.host);
    EXPECT_EQ(got.host, want.host);
    EXPECT_EQ(got.wave, want.wave);
    EXPECT_EQ(got.status, want.status);
    EXPECT_EQ(got.error_kind, want.error_kind);
    EXPECT_EQ(got.error, want.error);
    EXPECT_EQ(got.exit_code, want.exit_code);
    EXPECT_EQ(got.started_at, want.started_at);
    EXPECT_EQ(got.finished_at, want.finished_at);
    EXPECT_EQ(got.duration_ms, want.duration_ms);
    EXPECT_EQ(got.steps_run, want.steps_run);
}

void expect_step(const StepRecord& got, const StepRecord& want) {
    SCOPED_TRACE("step " + want.run_id + " " + want.host + " " + std::to_string(want.idx));
    EXPECT_EQ(got.host, want.host);
    EXPECT_EQ(got.idx, want.idx);
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.status, want.status);
    EXPECT_EQ(got.exit_code, want.exit_code);
    EXPECT_EQ(got.signal, want.signal);
    EXPECT_EQ(got.error_kind, want.error_kind);
    EXPECT_EQ(got.error, want.error);
    EXPECT_EQ(got.started_at, want.started_at);
    EXPECT_EQ(got.duration_ms, want.duration_ms);
    EXPECT_EQ(got.bytes_out, want.bytes_out);
    EXPECT_EQ(got.bytes_err, want.bytes_err);
    EXPECT_EQ(got.preview_out, want.preview_out) << "byte for byte";
    EXPECT_EQ(got.preview_err, want.preview_err) << "byte for byte";
    EXPECT_EQ(got.phase, want.phase);
    EXPECT_EQ(got.output_sha256, want.output_sha256);
    EXPECT_EQ(got.outputs, want.outputs);
    EXPECT_EQ(got.attempts, want.attempts);
}

void expect_batch(const BatchRecord& got, const BatchRecord& want) {
    SCOPED_TRACE("batch " + want.run_id + " " + std::to_string(want.wave));
    EXPECT_EQ(got.wave, want.wave);
    EXPECT_EQ(got.planned_hosts, want.planned_hosts);
    EXPECT_EQ(got.hosts, want.hosts);
    EXPECT_EQ(got.started_at, want.started_at);
    EXPECT_EQ(got.finished_at, want.finished_at);
    EXPECT_EQ(got.ok, want.ok);
    EXPECT_EQ(got.failed, want.failed);
    EXPECT_EQ(got.unreachable, want.unreachable);
    EXPECT_EQ(got.skipped, want.skipped);
    EXPECT_EQ(got.interrupted, want.interrupted);
    EXPECT_EQ(got.rolled_back, want.rolled_back);
    EXPECT_EQ(got.failed_total, want.failed_total);
    EXPECT_EQ(got.gate, want.gate);
    EXPECT_EQ(got.rollback, want.rollback);
    EXPECT_EQ(got.reason, want.reason);
}

// A field the fixture's version had comes back as written; one added later, as its default.
template <class T>
T if_had(const Before& b, const char* table, const char* column, T written, T otherwise = T{}) {
    return b.has(table, column) ? written : otherwise;
}

std::vector<RunRecord> want_runs(const Before& b) {
    RunRecord ok;
    ok.id = k_run_ok;
    ok.task = k_task;
    ok.task_hash = k_task_hash;
    ok.task_text = k_task_text;
    ok.inventory = "/srv/leura/inventory/prod.toml";
    ok.targets = "web";
    ok.user = "alice";
    ok.args = R"(["leura","run","web/deploy","-i","prod"])";
    ok.started_at = "2026-01-05T10:15:00.123Z";
    ok.finished_at = "2026-01-05T10:15:42.456Z";
    ok.status = "ok";
    ok.exit_code = 0;
    ok.hosts = 3;
    ok.ok = 3;
    ok.archive = "/var/lib/leura/archive/" + k_run_ok + ".tar.zst";
    ok.plan = if_had<Opt>(b, "runs", "plan", k_plan);
    ok.waves = 1;
    ok.task_name = if_had<Opt>(b, "runs", "task_name", "web/deploy");
    ok.tags = if_had<Opt>(b, "runs", "tags", R"(["web","deploy"])");

    RunRecord failed = ok;
    failed.id = k_run_failed;
    failed.args = R"(["leura","resume","20260106-080000-0c1d"])";
    failed.started_at = "2026-01-06T08:30:00.000Z";
    failed.finished_at = "2026-01-06T08:31:05.900Z";
    failed.status = "failed";
    failed.exit_code = 1;
    failed.ok = 1;
    failed.failed = 1;
    failed.unreachable = 1;
    failed.archive = "/var/lib/leura/archive/" + k_run_failed + ".tar.zst";
    failed.resumes = if_had<Opt>(b, "runs", "resumes", "20260106-080000-0c1d");
    failed.note = if_had<Opt>(b, "runs", "note", "resumed after SIGTERM");

    ok.overrides =
        if_had<Opt>(b, "runs", "overrides", R"({"concurrency":8,"vars":[["version","2.4.1"]]})");
    return {failed, ok}; // newest first
}

std::vector<HostRecord> want_hosts(const std::string& run) {
    const bool failed = run == k_run_failed;
    const std::string day = failed ? "2026-01-06T08:30:" : "2026-01-05T10:15:";
    std::vector<HostRecord> out;
    for (int seq = 0; seq < 3; ++seq) {
        HostRecord h;
        h.run_id = run;
        h.host = "web-0" + std::to_string(seq + 1);
        h.status = "ok";
        h.exit_code = 0;
        h.started_at = day + "01.000Z";
        h.finished_at = day + std::to_string(20 + seq) + ".500Z";
        h.duration_ms = 19500 + seq;
        h.steps_run = 2;
        out.push_back(h);
    }
    if (failed) {
        out[1].status = "failed";
        out[1].error_kind = "remote_exit";
        out[1].error = "step 'restart app' exited with status 3";
        out[1].exit_code = 3;
        out[2].status = "unreachable";
        out[2].error_kind = "connect";
        out[2].error = "connect to web-03:22: Connection refused";
        out[2].exit_code = std::nullopt;
        out[2].finished_at = day + "01.020Z";
        out[2].duration_ms = 20;
        out[2].steps_run = 0;
    }
    return out;
}

std::vector<StepRecord> want_steps(const Before& b, const std::string& run) {
    const bool failed_run = run == k_run_failed;
    const std::string start = failed_run ? "2026-01-06T08:30:02" : "2026-01-05T10:15:02";
    const Opt sha = if_had<Opt>(b, "steps", "output_sha256", k_sha);
    const Opt sha_reversed =
        if_had<Opt>(b, "steps", "output_sha256", std::string(k_sha.rbegin(), k_sha.rend()));
    std::vector<StepRecord> out;
    for (std::string host : {"web-01", "web-02", "web-03"}) {
        if (failed_run && host == "web-03") continue; // unreachable
        StepRecord first;
        first.run_id = run;
        first.host = host;
        first.idx = 0;
        first.name = "check disk";
        first.status = "ok";
        first.exit_code = 0;
        first.started_at = start + ".000Z";
        first.duration_ms = 120;
        first.bytes_out = int64_t(k_out_disk.size());
        first.preview_out = k_out_disk;
        first.output_sha256 = sha;
        out.push_back(first);

        StepRecord second = first;
        second.idx = 1;
        second.name = "restart app";
        second.started_at = start + ".200Z";
        second.duration_ms = 18000;
        second.bytes_out = int64_t(k_out_restart.size()) + 4096;
        second.bytes_err = int64_t(k_err_restart.size());
        second.preview_out = k_out_restart;
        second.preview_err = k_err_restart;
        second.output_sha256 = sha_reversed;
        second.outputs = if_had<Opt>(b, "steps", "outputs", R"({"version":"2.4.1"})");
        if (failed_run && host == "web-02") {
            second.status = "failed";
            second.exit_code = 3;
            second.error_kind = "remote_exit";
            second.error = "exited with status 3";
            second.preview_out = "";
            second.preview_err = k_err_failed;
            second.bytes_out = 0;
            second.bytes_err = int64_t(k_err_failed.size());
            second.outputs = std::nullopt;
            second.attempts = if_had<int64_t>(b, "steps", "attempts", 3, 1);
        }
        out.push_back(second);
    }
    return out;
}

std::vector<BatchRecord> want_batches(const Before& b, const std::string& run) {
    BatchRecord w;
    w.run_id = run;
    w.wave = 1;
    w.planned_hosts = 3;
    w.hosts = if_had<std::string>(b, "batches", "hosts", "web-[01-03]");
    if (run == k_run_ok) {
        w.started_at = "2026-01-05T10:15:00.200Z";
        w.finished_at = "2026-01-05T10:15:42.400Z";
        w.ok = 3;
        w.gate = "pass";
    } else {
        w.started_at = "2026-01-06T08:30:00.100Z";
        w.finished_at = "2026-01-06T08:31:05.800Z";
        w.ok = w.failed = w.unreachable = 1;
        w.failed_total = if_had<int64_t>(b, "batches", "failed_total", 2);
        w.gate = "halt";
        w.rollback = if_had<std::string>(b, "batches", "rollback", "failed", "none");
        w.reason = if_had<Opt>(b, "batches", "reason", "2 hosts failed; max_failures is 1");
    }
    return {w};
}

// Every record of the fixture, read through the store's API.
void expect_records(Store& store, const Before& b) {
    auto listed = store.runs(RunFilter{});
    ASSERT_TRUE(listed) << listed.error().message;
    auto want = want_runs(b);
    ASSERT_EQ(listed->size(), want.size()) << "both runs, newest first";
    for (size_t i = 0; i < want.size(); ++i)
        expect_run((*listed)[i], want[i]);

    for (const auto& w : want) {
        auto id = store.resolve_run(w.id.substr(0, 9)); // a unique prefix of the id
        ASSERT_TRUE(id) << id.error().message;
        EXPECT_EQ(*id, w.id);
        auto run = store.run(*id);
        ASSERT_TRUE(run) << run.error().message;
        expect_run(*run, w);

        auto hosts = store.hosts(w.id);
        ASSERT_TRUE(hosts) << hosts.error().message;
        auto want_h = want_hosts(w.id);
        ASSERT_EQ(hosts->size(), want_h.size());
        for (size_t i = 0; i < want_h.size(); ++i)
            expect_host((*hosts)[i], want_h[i]);

        auto steps = store.steps(w.id);
        ASSERT_TRUE(steps) << steps.error().message;
        auto want_s = want_steps(b, w.id);
        ASSERT_EQ(steps->size(), want_s.size());
        for (size_t i = 0; i < want_s.size(); ++i)
            expect_step((*steps)[i], want_s[i]);

        auto batches = store.batches(w.id);
        ASSERT_TRUE(batches) << batches.error().message;
        auto want_b = want_batches(b, w.id);
        ASSERT_EQ(batches->size(), want_b.size());
        for (size_t i = 0; i < want_b.size(); ++i)
            expect_batch((*batches)[i], want_b[i]);
    }
    auto last = store.resolve_run("last");
    ASSERT_TRUE(last) << last.error().message;
    EXPECT_EQ(*last, k_run_failed);

    // A workflow's stage run, where the version had workflows.
    auto stages = store.stage_runs(k_run_ok);
    ASSERT_TRUE(stages) << stages.error().message;
    if (b.has("runs", "parent")) {
        ASSERT_EQ(stages->size(), 1u);
        EXPECT_EQ((*stages)[0].id, k_run_stage);
        EXPECT_EQ((*stages)[0].parent, k_run_ok);
        EXPECT_EQ((*stages)[0].stage, "smoke"s);
        EXPECT_EQ((*stages)[0].note, "after deploy"s);
        RunFilter all;
        all.stages = true;
        auto with_stages = store.runs(all);
        ASSERT_TRUE(with_stages);
        EXPECT_EQ(with_stages->size(), 3u);
    } else {
        EXPECT_TRUE(stages->empty());
    }

    // The task library's history, where the version had one.
    auto versions = store.task_versions("web/deploy");
    ASSERT_TRUE(versions) << versions.error().message;
    if (b.columns.contains("task_versions")) {
        ASSERT_EQ(versions->size(), 1u);
        EXPECT_EQ((*versions)[0].number, 1);
        EXPECT_EQ((*versions)[0].content, k_task_text);
        EXPECT_EQ((*versions)[0].source, "new");
        EXPECT_EQ((*versions)[0].saved_by, "alice");
    } else {
        EXPECT_TRUE(versions->empty());
    }

    // Filters that read migrated columns.
    RunFilter by_tag;
    by_tag.tag = "web";
    auto tagged = store.runs(by_tag);
    ASSERT_TRUE(tagged) << tagged.error().message;
    EXPECT_EQ(tagged->size(), b.has("runs", "tags") ? 2u : 0u);
    RunFilter by_host;
    by_host.host_globs = {"web-0[3]"};
    auto on_host = store.runs(by_host);
    ASSERT_TRUE(on_host) << on_host.error().message;
    EXPECT_EQ(on_host->size(), 2u);
}

// The output index: migration 11 indexed the plain previews of older files, and make_fixtures
// indexed the zstd ones of newer files as insert_step does; either way one step's words match.
void expect_searchable(Store& store) {
    std::vector<std::string> found;
    OutputQuery q;
    q.match = "journalctl";
    q.unindexed_steps = 0; // the index itself, as migrated or written
    auto done = store.step_outputs(q, [&](const StepOutput& o) {
        found.push_back(o.run_id + " " + o.host + " " + std::to_string(o.idx) + " " +
                        o.preview_err);
        return true;
    });
    ASSERT_TRUE(done) << done.error().message;
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0], k_run_failed + " web-02 1 " + k_err_failed);
}

// The records of the tables later versions added (make_fixtures.py's insert_later_tables),
// where the fixture's version had them; none otherwise.
void expect_later_records(Store& store, const Before& b) {
    auto check = store.verify_audit();
    ASSERT_TRUE(check) << check.error().message;
    EXPECT_FALSE(check->broken) << check->problem;
    auto audit = store.list_audit(AuditFilter{});
    ASSERT_TRUE(audit) << audit.error().message;
    if (b.columns.contains("audit")) {
        EXPECT_EQ(check->count, 2) << "the fixture's chain verifies as it was written";
        ASSERT_EQ(audit->size(), 2u);
        EXPECT_EQ((*audit)[0].actor, "user:mallory");
        EXPECT_EQ((*audit)[0].decision, "deny");
        EXPECT_FALSE((*audit)[0].run_id);
        EXPECT_EQ((*audit)[1].run_id, k_run_ok);
        EXPECT_EQ((*audit)[0].prev_hash, (*audit)[1].hash);
    } else {
        EXPECT_EQ(check->count, 0);
        EXPECT_TRUE(audit->empty());
    }

    const bool v14 = b.columns.contains("schedule_fires");
    auto run = store.run(k_run_ok);
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->triggered_by, v14 ? Opt("schedule:nightly-deploy") : std::nullopt);
    auto fires = store.list_fires("", 10);
    ASSERT_TRUE(fires) << fires.error().message;
    std::string pending_hash; // "abab…", 64 digits
    while (pending_hash.size() < 64)
        pending_hash += "ab";
    auto pending = store.take_pending_run(pending_hash);
    ASSERT_TRUE(pending) << pending.error().message;
    auto monitor = store.monitor_hosts("disk");
    ASSERT_TRUE(monitor) << monitor.error().message;
    auto checks = store.monitor_checks("disk", "web-02", 10);
    ASSERT_TRUE(checks) << checks.error().message;
    auto all_checks = store.monitor_checks("disk", "", 10);
    ASSERT_TRUE(all_checks) << all_checks.error().message;
    auto decisions = store.monitor_decisions("disk", "web-02", 10);
    ASSERT_TRUE(decisions) << decisions.error().message;
    if (v14) {
        ASSERT_EQ(fires->size(), 2u);
        EXPECT_EQ((*fires)[0].status, "missed") << "newest first";
        EXPECT_EQ((*fires)[0].detail, "the controller was down");
        EXPECT_EQ((*fires)[1].run_id, k_run_ok);
        EXPECT_EQ((*fires)[1].due_at, 1767607212);
        ASSERT_TRUE(*pending) << "a pending run is claimed once, after the migration too";
        EXPECT_EQ((*pending)->principal, "schedule:nightly-deploy");
        ASSERT_EQ(monitor->size(), 2u);
        EXPECT_EQ((*monitor)[1].host, "web-02");
        EXPECT_EQ((*monitor)[1].state, "reacting");
        EXPECT_EQ((*monitor)[1].results, "FF");
        EXPECT_EQ((*monitor)[1].reaction_run, k_run_failed);
        // Migration 16 rebuilt the checks with ids: a host's come back newest first.
        ASSERT_EQ(checks->size(), 2u);
        EXPECT_EQ((*checks)[0].round_at, 1767607260);
        EXPECT_EQ((*checks)[1].round_at, 1767607200);
        EXPECT_EQ((*checks)[0].result, "FAIL");
        EXPECT_EQ((*checks)[0].exit_code, 2);
        EXPECT_EQ((*checks)[0].output, "/dev/sda1 97%");
        EXPECT_EQ(all_checks->size(), 4u);
        ASSERT_EQ(decisions->size(), 1u);
        EXPECT_EQ((*decisions)[0].decision, "react");
        EXPECT_EQ((*decisions)[0].run_id, k_run_failed);
    } else {
        EXPECT_TRUE(fires->empty());
        EXPECT_FALSE(*pending);
        EXPECT_TRUE(monitor->empty());
        EXPECT_TRUE(all_checks->empty());
        EXPECT_TRUE(decisions->empty());
    }

    auto tokens = store.tokens();
    ASSERT_TRUE(tokens) << tokens.error().message;
    if (b.columns.contains("api_tokens")) {
        ASSERT_EQ(tokens->size(), 2u);
        EXPECT_EQ((*tokens)[0].id, "0a1b2c3d");
        EXPECT_EQ((*tokens)[0].tasks, R"(["web/*"])");
        EXPECT_FALSE((*tokens)[0].revoked_at);
        EXPECT_EQ((*tokens)[1].revoked_at, Opt("2026-01-05T00:00:00.000Z"));
    } else {
        EXPECT_TRUE(tokens->empty());
    }

    // A key kept from before answers its run; an alert kept from before is a repeat.
    const bool v16 = b.columns.contains("api_idempotency");
    auto claim = store.claim_idempotency_key("deploy-2026-01-05", std::string(64, '1'),
                                             "2026-01-05T11:00:00.000Z", "2026-01-04T11:00:00.000Z",
                                             "2026-01-05T10:58:00.000Z");
    ASSERT_TRUE(claim) << claim.error().message;
    EXPECT_EQ(claim->claimed, !v16);
    if (v16) {
        EXPECT_EQ(claim->run_id, k_run_ok);
    }
    MonitorAlertRow alert{"disk",    "f00dfeed", "web-02", "firing", "2026-01-05T10:00:00Z",
                          1767607300};
    auto fresh = store.note_monitor_alert(alert);
    ASSERT_TRUE(fresh) << fresh.error().message;
    EXPECT_EQ(*fresh, !v16);
}

TEST(StoreMigrationFixtures, OneForEveryReleasedSchemaVersion) {
    auto fixtures = db_fixtures();
    ASSERT_EQ(fixtures.size(), size_t(latest_schema_version()))
        << "tests/fixtures/db/v1.sqlite .. v" << latest_schema_version()
        << ".sqlite: a new schema version needs its fixture (make_fixtures.py)";
    for (size_t i = 0; i < fixtures.size(); ++i)
        EXPECT_EQ(fixtures[i].version, int(i) + 1) << "versions 1..N, none missing";
    EXPECT_LE(fixtures.back().version, latest_schema_version());
}

TEST_P(StoreMigrationTest, MigratesToTheLatestVersionKeepingEveryRecord) {
    const std::string path = copy("runs.db");
    const Before before = inspect(path);
    ASSERT_EQ(before.version, GetParam().version) << "the file's user_version names its version";

    auto store = Store::open(path);
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ(store->schema_version(), latest_schema_version());
    expect_records(*store, before);
    expect_searchable(*store);
    expect_later_records(*store, before);

    // The migrated schema is the one a new database gets.
    const std::string fresh = (m_dir / "fresh.db").string();
    ASSERT_TRUE(Store::open(fresh));
    EXPECT_EQ(schema_of(path), schema_of(fresh));

    // The store still writes to the migrated database: a new run beside the old ones.
    RunRecord r;
    r.id = "20260107-090000-aaaa";
    r.task = k_task;
    r.task_hash = k_task_hash;
    r.inventory = "inv";
    r.targets = "web";
    r.user = "bob";
    r.args = "[]";
    r.started_at = "2026-01-07T09:00:00.000Z";
    ASSERT_TRUE(store->insert_run(r));
    StepRecord s;
    s.run_id = r.id;
    s.host = "web-01";
    s.name = "n";
    s.status = "ok";
    s.started_at = r.started_at;
    s.attempts = 2;
    HostRecord h;
    h.run_id = r.id;
    h.host = "web-01";
    ASSERT_TRUE(store->upsert_host(h));
    ASSERT_TRUE(store->insert_step(s));
    auto steps = store->steps(r.id);
    ASSERT_TRUE(steps);
    ASSERT_EQ(steps->size(), 1u);
    EXPECT_EQ((*steps)[0].attempts, 2);

    // The audit chain goes on from the fixture's last entry (or starts, where it had none).
    auto before_append = store->verify_audit();
    ASSERT_TRUE(before_append) << before_append.error().message;
    AuditEntry a;
    a.at = "2026-01-07T09:00:01.000Z";
    a.actor = "user:bob";
    a.via = "cli";
    a.action = "run";
    a.resource = "task:web/deploy";
    a.run_id = r.id;
    auto appended = store->append_audit(a);
    ASSERT_TRUE(appended) << appended.error().message;
    EXPECT_EQ(appended->id, before_append->count + 1);
    EXPECT_EQ(appended->prev_hash, before_append->latest);
    auto check = store->verify_audit();
    ASSERT_TRUE(check) << check.error().message;
    EXPECT_EQ(check->count, before_append->count + 1);
    EXPECT_FALSE(check->broken);
}

TEST_P(StoreMigrationTest, OpeningAMigratedDatabaseAgainChangesNothing) {
    const std::string path = copy("runs.db");
    const Before before = inspect(path);
    {
        auto store = Store::open(path);
        ASSERT_TRUE(store) << store.error().message;
    }
    const std::string migrated = dump(path);
    ASSERT_NE(migrated.find("user_version " + std::to_string(latest_schema_version()) + "\n"),
              std::string::npos);
    {
        auto again = Store::open(path);
        ASSERT_TRUE(again) << again.error().message;
        EXPECT_EQ(again->schema_version(), latest_schema_version());
        expect_records(*again, before);
    }
    EXPECT_EQ(dump(path), migrated);
}

// Several leura started at once (cron) on a database an older leura left: one migrates, the
// others wait for it and find it done; all of them open it, and it is migrated once.
TEST_P(StoreMigrationTest, ProcessesOpeningAnOldDatabaseAtOnceMigrateItOnce) {
    const std::string path = copy("runs.db");
    const Before before = inspect(path);
    const std::string sequential = copy("sequential.db");
    ASSERT_TRUE(Store::open(sequential));

    std::vector<pid_t> children;
    for (int i = 0; i < 4; ++i) {
        pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            auto store = Store::open(path);
            bool good = store && store->schema_version() == latest_schema_version();
            if (good) {
                auto runs = store->runs(RunFilter{});
                good = runs && runs->size() == 2;
            }
            ::_exit(good ? 0 : 1);
        }
        children.push_back(pid);
    }
    for (pid_t pid : children) {
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    EXPECT_EQ(dump(path), dump(sequential)) << "as if one process had migrated it";
    auto store = Store::open(path);
    ASSERT_TRUE(store) << store.error().message;
    expect_records(*store, before);
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StoreMigrationTest);
INSTANTIATE_TEST_SUITE_P(Fixtures, StoreMigrationTest, ::testing::ValuesIn(db_fixtures()),
                         [](const ::testing::TestParamInfo<DbFixture>& param_info) {
                             return "v" + std::to_string(param_info.param.version);
                         });

} // namespace
} // namespace leura::store
