// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite.hpp"
#include "store/store.hpp"
#include "util/time.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace leura::store {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;

// Each test gets a real SQLite file in its own directory, removed afterwards.
class StoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> counter{0};
        m_dir = fs::temp_directory_path() /
                ("leura-store-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
        m_path = (m_dir / "runs.db").string();
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(m_dir, ignored);
    }

    Store open() {
        auto store = Store::open(m_path);
        if (!store) throw std::runtime_error("open failed: " + store.error().message);
        return std::move(*store);
    }

    static RunRecord make_run(const std::string& id, const std::string& started_at,
                              const std::string& task = "tasks/deploy.toml") {
        RunRecord r;
        r.id = id;
        r.task = task;
        r.task_hash = "sha-" + id;
        r.inventory = "inventory.toml";
        r.targets = "web";
        r.user = "alice";
        r.args = R"(["leura","run"])";
        r.started_at = started_at;
        r.hosts = 3;
        return r;
    }
    static HostRecord make_host(const std::string& run, const std::string& host) {
        HostRecord h;
        h.run_id = run;
        h.host = host;
        h.started_at = "2026-01-01T00:00:01.000Z";
        return h;
    }

    // One integer from a query, read through the store's own SQLite wrapper.
    int64_t query_int(const std::string& sql) {
        auto db = Db::open(m_path);
        EXPECT_TRUE(db.has_value());
        auto stmt = Stmt::prepare(*db, sql.c_str());
        EXPECT_TRUE(stmt.has_value());
        auto row = stmt->step();
        EXPECT_TRUE(row.has_value() && *row);
        return stmt->integer(0);
    }

    fs::path m_dir;
    std::string m_path;
};

TEST_F(StoreTest, OpenCreatesTheLatestSchemaInAPrivateFile) {
    mode_t old = ::umask(0); // the mode must not depend on the caller's umask
    {
        auto store = open();
        EXPECT_EQ(store.schema_version(), latest_schema_version());
        ::umask(old);
        struct stat st {};
        ASSERT_EQ(::stat(m_path.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0600u);
        for (const char* suffix : {"-wal", "-shm"}) // present while the database is open
            if (::stat((m_path + suffix).c_str(), &st) == 0) {
                EXPECT_EQ(st.st_mode & 0777, 0600u) << suffix;
            }
    }
    EXPECT_EQ(query_int("PRAGMA user_version"), latest_schema_version());
    EXPECT_EQ(query_int("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name IN "
                        "('runs','batches','hosts','steps')"),
              4);
}

TEST_F(StoreTest, ReopenKeepsDataAndVersion) {
    {
        auto store = open();
        ASSERT_TRUE(store.insert_run(make_run("20260101-000000-aaaa", "2026-01-01T00:00:00.000Z")));
    }
    auto store = open();
    EXPECT_EQ(store.schema_version(), latest_schema_version());
    auto run = store.run("20260101-000000-aaaa");
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->task_hash, "sha-20260101-000000-aaaa");
    EXPECT_EQ(query_int("SELECT COUNT(*) FROM runs"), 1);
}

// The probe writes a run's kinds of records and leaves none of them behind.
TEST_F(StoreTest, ProbeWritesLeaveNothing) {
    auto store = open();
    ASSERT_TRUE(store.insert_run(make_run("20260101-000000-aaaa", "2026-01-01T00:00:00.000Z")));
    auto probe = store.probe_writes("20260101-000000-aaaa");
    ASSERT_TRUE(probe) << probe.error().message;
    EXPECT_EQ(query_int("SELECT COUNT(*) FROM batches"), 0);
    EXPECT_EQ(query_int("SELECT COUNT(*) FROM hosts"), 0);
    EXPECT_EQ(query_int("SELECT COUNT(*) FROM steps"), 0);
    // Later writes go on as usual (no transaction left open).
    ASSERT_TRUE(store.insert_run(make_run("20260101-000001-bbbb", "2026-01-01T00:00:01.000Z")));
    EXPECT_EQ(query_int("SELECT COUNT(*) FROM runs"), 2);
}

TEST_F(StoreTest, RunRoundTripsThroughInsertAndFinish) {
    auto store = open();
    RunRecord r = make_run("20260101-000000-aaaa", "2026-01-01T00:00:00.000Z");
    r.task_text = "[task]\nname = \"deploy\"\n";
    ASSERT_TRUE(store.insert_run(r));

    auto running = store.run(r.id);
    ASSERT_TRUE(running);
    EXPECT_EQ(running->status, "running");
    EXPECT_FALSE(running->finished_at);
    EXPECT_FALSE(running->exit_code);
    EXPECT_FALSE(running->archive);

    r.finished_at = "2026-01-01T00:01:00.000Z";
    r.status = "failed";
    r.exit_code = 1;
    r.ok = 1, r.failed = 1, r.unreachable = 1, r.skipped = 0;
    r.archive = "/data/archives/x.tar.gz";
    ASSERT_TRUE(store.finish_run(r));
    auto got = store.run(r.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->id, r.id);
    EXPECT_EQ(got->task, r.task);
    EXPECT_EQ(got->task_hash, r.task_hash);
    EXPECT_EQ(got->inventory, r.inventory);
    EXPECT_EQ(got->targets, r.targets);
    EXPECT_EQ(got->user, r.user);
    EXPECT_EQ(got->args, r.args);
    EXPECT_EQ(got->started_at, r.started_at);
    EXPECT_EQ(got->finished_at, r.finished_at);
    EXPECT_EQ(got->status, "failed");
    EXPECT_EQ(got->exit_code, std::optional<int64_t>(1));
    EXPECT_EQ(got->hosts, 3);
    EXPECT_EQ(got->ok, 1);
    EXPECT_EQ(got->failed, 1);
    EXPECT_EQ(got->unreachable, 1);
    EXPECT_EQ(got->skipped, 0);
    EXPECT_EQ(got->archive, r.archive);
    EXPECT_EQ(got->task_text, r.task_text);

    auto missing = store.run("nope");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
}

TEST_F(StoreTest, HostsKeepInsertionOrderAndUpsertUpdatesInPlace) {
    auto store = open();
    const std::string run = "20260101-000000-aaaa";
    ASSERT_TRUE(store.insert_run(make_run(run, "2026-01-01T00:00:00.000Z")));
    for (const char* name : {"zeta", "alpha", "mid"})
        ASSERT_TRUE(store.upsert_host(make_host(run, name)));

    HostRecord done = make_host(run, "zeta");
    done.started_at = std::nullopt; // an update without a start keeps the recorded one
    done.status = "failed";
    done.error_kind = "exit";
    done.error = "step \"two\" exited with 2";
    done.exit_code = 2;
    done.finished_at = "2026-01-01T00:00:09.000Z";
    done.duration_ms = 8000;
    done.steps_run = 2;
    ASSERT_TRUE(store.upsert_host(done));

    auto hosts = store.hosts(run);
    ASSERT_TRUE(hosts);
    ASSERT_EQ(hosts->size(), 3u);
    EXPECT_EQ((*hosts)[0].host, "zeta");
    EXPECT_EQ((*hosts)[1].host, "alpha");
    EXPECT_EQ((*hosts)[2].host, "mid");
    const auto& z = (*hosts)[0];
    EXPECT_EQ(z.status, "failed");
    EXPECT_EQ(z.error_kind, done.error_kind);
    EXPECT_EQ(z.error, done.error);
    EXPECT_EQ(z.exit_code, std::optional<int64_t>(2));
    EXPECT_EQ(z.started_at, std::optional<std::string>("2026-01-01T00:00:01.000Z"));
    EXPECT_EQ(z.finished_at, done.finished_at);
    EXPECT_EQ(z.duration_ms, 8000);
    EXPECT_EQ(z.steps_run, 2);
    EXPECT_EQ((*hosts)[1].status, "running");
    EXPECT_FALSE((*hosts)[1].exit_code);
    EXPECT_TRUE(store.hosts("other-run")->empty());
}

TEST_F(StoreTest, StepsComeBackByHostThenIndexWithBinaryPreviews) {
    auto store = open();
    const std::string run = "20260101-000000-aaaa";
    ASSERT_TRUE(store.insert_run(make_run(run, "2026-01-01T00:00:00.000Z")));
    ASSERT_TRUE(store.upsert_host(make_host(run, "web-2")));
    ASSERT_TRUE(store.upsert_host(make_host(run, "web-1")));
    const std::string binary = "a\0b\n\xff\xfe\0"s;
    for (int64_t idx : {2, 0, 1})
        for (const char* host : {"web-1", "web-2"}) {
            StepRecord s;
            s.run_id = run;
            s.host = host;
            s.idx = idx;
            s.name = "step" + std::to_string(idx);
            s.status = idx == 1 ? "failed" : "ok";
            if (idx != 1) s.exit_code = 0;
            if (idx == 1) s.signal = "KILL";
            s.started_at = "2026-01-01T00:00:02.000Z";
            s.duration_ms = 10 * idx;
            s.bytes_out = 1000 + idx;
            s.bytes_err = idx;
            s.preview_out = binary + host;
            s.preview_err = "";
            ASSERT_TRUE(store.insert_step(s));
        }
    auto steps = store.steps(run);
    ASSERT_TRUE(steps) << steps.error().message;
    ASSERT_EQ(steps->size(), 6u);
    std::vector<std::pair<std::string, int64_t>> order;
    for (const auto& s : *steps)
        order.emplace_back(s.host, s.idx);
    EXPECT_EQ(
        order,
        (std::vector<std::pair<std::string, int64_t>>{
            {"web-2", 0}, {"web-2", 1}, {"web-2", 2}, {"web-1", 0}, {"web-1", 1}, {"web-1", 2}}));
    const auto& s1 = (*steps)[1];
    EXPECT_EQ(s1.name, "step1");
    EXPECT_EQ(s1.status, "failed");
    EXPECT_FALSE(s1.exit_code);
    EXPECT_EQ(s1.signal, std::optional<std::string>("KILL"));
    EXPECT_FALSE(s1.error_kind);
    EXPECT_EQ(s1.duration_ms, 10);
    EXPECT_EQ(s1.bytes_out, 1001);
    EXPECT_EQ(s1.bytes_err, 1);
    EXPECT_EQ(s1.preview_out, binary + "web-2");
    EXPECT_EQ(s1.preview_out.size(), binary.size() + 5);
    EXPECT_EQ(s1.preview_err, "");
    EXPECT_EQ(query_int("SELECT COUNT(*) FROM steps WHERE typeof(preview_out) = 'blob'"), 6);

    // One host's steps only (logs --host), in the same order, previews and all.
    for (const char* glob : {"web-1", "*-1", "web-?1", "web?1"}) {
        auto one = store.steps(run, true, glob);
        ASSERT_TRUE(one);
        if (std::string(glob) == "web-?1") {
            EXPECT_TRUE(one->empty()) << glob;
            continue;
        }
        ASSERT_EQ(one->size(), 3u) << glob;
        for (int64_t i = 0; i < 3; ++i) {
            EXPECT_EQ((*one)[size_t(i)].host, "web-1");
            EXPECT_EQ((*one)[size_t(i)].idx, i);
        }
        EXPECT_EQ((*one)[0].preview_out, binary + "web-1");
    }
}

// A batch is one transaction: another connection (a `leura show` in another process) sees its
// writes all at once when it ends, none before; writes outside a batch commit one by one.
TEST_F(StoreTest, BatchedWritesAppearTogetherWhenTheBatchEnds) {
    auto store = open();
    auto reader = open();
    const std::string run = "20260101-000000-bbbb";
    ASSERT_TRUE(store.insert_run(make_run(run, "2026-01-01T00:00:00.000Z")));
    ASSERT_TRUE(store.upsert_host(make_host(run, "first")));
    ASSERT_EQ(reader.hosts(run)->size(), 1u);
    ASSERT_TRUE(store.begin_batch());
    ASSERT_TRUE(store.begin_batch()); // already open: the same batch
    for (const char* name : {"a", "b", "c"})
        ASSERT_TRUE(store.upsert_host(make_host(run, name)));
    EXPECT_EQ(store.hosts(run)->size(), 4u); // the writer sees its own batch
    EXPECT_EQ(reader.hosts(run)->size(), 1u);
    ASSERT_TRUE(store.end_batch());
    EXPECT_EQ(reader.hosts(run)->size(), 4u);
    ASSERT_TRUE(store.end_batch()); // none open: nothing to do
    ASSERT_TRUE(store.upsert_host(make_host(run, "after")));
    EXPECT_EQ(reader.hosts(run)->size(), 5u);
}

TEST_F(StoreTest, HostOfAnUnknownRunIsRefused) {
    auto store = open();
    EXPECT_FALSE(store.upsert_host(make_host("no-such-run", "web-1")));
}

TEST_F(StoreTest, ResolveRunByPrefix) {
    auto store = open();
    for (const char* id : {"20260101-000000-aaaa", "20260101-000000-aaab", "20260202-120000-beef"})
        ASSERT_TRUE(store.insert_run(make_run(id, "2026-01-01T00:00:00.000Z")));

    EXPECT_EQ(store.resolve_run("20260202"), "20260202-120000-beef");
    EXPECT_EQ(store.resolve_run("20260101-000000-aaab"), "20260101-000000-aaab");

    auto ambiguous = store.resolve_run("20260101");
    ASSERT_FALSE(ambiguous);
    EXPECT_EQ(ambiguous.error().kind, ErrorKind::usage);
    EXPECT_EQ(ambiguous.error().message, "run id '20260101' is ambiguous: 20260101-000000-aaab, "
                                         "20260101-000000-aaaa");

    auto none = store.resolve_run("2025");
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().kind, ErrorKind::not_found);
    EXPECT_EQ(none.error().message, "no run matches '2025'");
    // A prefix is not a pattern: SQL wildcards match nothing.
    EXPECT_EQ(store.resolve_run("2026%").error().kind, ErrorKind::not_found);
    EXPECT_EQ(store.resolve_run("").error().kind, ErrorKind::usage);
}

TEST_F(StoreTest, ResolveRunListsAtMostFiveCandidates) {
    auto store = open();
    for (int i = 0; i < 7; ++i)
        ASSERT_TRUE(store.insert_run(
            make_run("20260101-000000-000" + std::to_string(i), "2026-01-01T00:00:00.000Z")));
    auto ambiguous = store.resolve_run("2026");
    ASSERT_FALSE(ambiguous);
    const auto& msg = ambiguous.error().message;
    EXPECT_TRUE(msg.ends_with("20260101-000000-0002, ...")) << msg;
    EXPECT_EQ(msg.find("20260101-000000-0001"), std::string::npos) << msg;
}

TEST_F(StoreTest, RunsFilterAndOrderNewestFirst) {
    auto store = open();
    struct Row {
        const char* id;
        const char* started;
        const char* task;
        const char* status;
    };
    std::vector<Row> rows = {
        {"r1", "2026-01-01T00:00:00.000Z", "tasks/deploy.toml", "ok"},
        {"r2", "2026-01-03T00:00:00.000Z", "tasks/restart.toml", "failed"},
        {"r3", "2026-01-02T00:00:00.000Z", "tasks/deploy.toml", "failed"},
        {"r4", "2026-01-04T00:00:00.000Z", "other/deploy-db.toml", "ok"},
    };
    for (const auto& row : rows) {
        RunRecord r = make_run(row.id, row.started, row.task);
        ASSERT_TRUE(store.insert_run(r));
        r.status = row.status;
        ASSERT_TRUE(store.finish_run(r));
    }
    auto ids = [&](const RunFilter& f) {
        std::vector<std::string> out;
        auto runs = store.runs(f);
        EXPECT_TRUE(runs);
        for (const auto& r : *runs)
            out.push_back(r.id);
        return out;
    };
    using V = std::vector<std::string>;
    EXPECT_EQ(ids({}), (V{"r4", "r2", "r3", "r1"}));
    RunFilter f;
    f.status = "failed";
    EXPECT_EQ(ids(f), (V{"r2", "r3"}));
    f = {};
    f.task = "deploy";
    EXPECT_EQ(ids(f), (V{"r4", "r3", "r1"}));
    f.task = "restart";
    EXPECT_EQ(ids(f), (V{"r2"}));
    f = {};
    f.since = "2026-01-02T00:00:00.000Z";
    EXPECT_EQ(ids(f), (V{"r4", "r2", "r3"}));
    f = {};
    f.limit = 2;
    EXPECT_EQ(ids(f), (V{"r4", "r2"}));
    f = {};
    f.task = "deploy";
    f.status = "ok";
    f.since = "2026-01-01T12:00:00.000Z";
    EXPECT_EQ(ids(f), (V{"r4"}));
    f.task = "%";
    EXPECT_EQ(ids(f), V{}) << "the task filter is a plain substring";
}

// cron can start several leura at once on a machine that never ran one: every process must
// open (and migrate) the fresh database. Found broken twice: the WAL switch and a migration
// check left open both answered "database is locked" at once instead of waiting.
TEST_F(StoreTest, ProcessesOpeningAFreshDatabaseAtOnceAllSucceed) {
    for (int round = 0; round < 10; ++round) {
        std::string path = m_path + "." + std::to_string(round);
        std::vector<pid_t> children;
        for (int i = 0; i < 4; ++i) {
            pid_t pid = ::fork();
            ASSERT_GE(pid, 0);
            if (pid == 0) {
                auto store = Store::open(path);
                ::_exit(store && store->schema_version() == latest_schema_version() ? 0 : 1);
            }
            children.push_back(pid);
        }
        for (pid_t pid : children) {
            int status = 0;
            ASSERT_EQ(::waitpid(pid, &status, 0), pid);
            EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "round " << round;
        }
    }
}

TEST_F(StoreTest, NewerSchemaIsRefused) {
    const int newer = latest_schema_version() + 1;
    {
        auto db = Db::open(m_path);
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec("PRAGMA user_version = " + std::to_string(newer)));
    }
    auto store = Store::open(m_path);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().kind, ErrorKind::config);
    EXPECT_EQ(store.error().message, "the database has schema version " + std::to_string(newer) +
                                         ", newer than this leura (" + std::to_string(newer - 1) +
                                         "); upgrade leura");
    EXPECT_EQ(query_int("PRAGMA user_version"), newer) << "left as it was";
    EXPECT_EQ(query_int("SELECT COUNT(*) FROM sqlite_master"), 0);
}

TaskVersion version_of(const std::string& name, const std::string& content,
                       const std::string& source = "run") {
    TaskVersion v;
    v.name = name;
    v.path = "/lib/" + name + ".toml";
    v.sha256 = "sha-" + content; // the store compares what it is given
    v.content = content;
    v.saved_at = "2026-01-01T00:00:00.000Z";
    v.saved_by = "alice";
    v.source = source;
    return v;
}

// A version is a content: saving the newest one again adds nothing; going back to an older
// content is a change, and adds it again.
TEST_F(StoreTest, TaskVersionsAreSavedOncePerChangeAndNumberedFromTheOldest) {
    auto store = open();
    auto saved = [&](const TaskVersion& v) {
        auto r = store.save_task_version(v);
        EXPECT_TRUE(r) << r.error().message;
        return r && *r;
    };
    EXPECT_TRUE(saved(version_of("web/restart", "a", "new")));
    EXPECT_FALSE(saved(version_of("web/restart", "a")));
    EXPECT_TRUE(saved(version_of("web/restart", "b", "edit")));
    EXPECT_FALSE(saved(version_of("web/restart", "b")));
    EXPECT_TRUE(saved(version_of("web/restart", "a")));
    EXPECT_TRUE(saved(version_of("db/vacuum", "a", "new"))) << "the same content, another task";
    auto versions = store.task_versions("web/restart");
    ASSERT_TRUE(versions) << versions.error().message;
    ASSERT_EQ(versions->size(), 3u);
    std::vector<std::string> contents, sources;
    for (const auto& v : *versions) {
        EXPECT_EQ(v.number, int64_t(contents.size()) + 1);
        contents.push_back(v.content);
        sources.push_back(v.source);
    }
    EXPECT_EQ(contents, (std::vector<std::string>{"a", "b", "a"}));
    EXPECT_EQ(sources, (std::vector<std::string>{"new", "edit", "run"}));
    EXPECT_EQ((*versions)[0].path, "/lib/web/restart.toml");
    EXPECT_EQ((*versions)[0].saved_by, "alice");
    auto bare = store.task_versions("web/restart", false);
    ASSERT_TRUE(bare);
    EXPECT_EQ((*bare)[1].content, "") << "contents left out when not asked for";
    EXPECT_EQ((*bare)[1].sha256, "sha-b");
    auto none = store.task_versions("nothing/here");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}

TEST_F(StoreTest, ATaskVersionNeedsAKnownSource) {
    auto store = open();
    EXPECT_FALSE(store.save_task_version(version_of("web/restart", "a", "copy")));
    EXPECT_EQ(query_int("SELECT COUNT(*) FROM task_versions"), 0);
}

// The access policy's filter: the limit counts the runs kept, the order is the list's, and the
// large columns come with every run kept (the predicate sees the rest).
TEST_F(StoreTest, RunsKeptByAPredicateFillTheLimit) {
    auto store = open();
    for (int i = 0; i < 30; ++i) {
        RunRecord r = make_run("k" + std::to_string(100 + i),
                               "2026-01-01T00:00:" + std::to_string(10 + i) + ".000Z");
        r.user = i % 3 == 0 ? "alice" : "bob";
        r.task_text = "[[steps]] # " + r.id;
        r.plan = "{\"waves\":[]}";
        ASSERT_TRUE(store.insert_run(r));
    }
    RunFilter f;
    f.limit = 4;
    size_t asked = 0;
    f.keep = [&asked](const RunRecord& r) {
        ++asked;
        EXPECT_FALSE(r.task_text); // not read for the predicate
        return r.user == "alice";
    };
    auto runs = store.runs(f);
    ASSERT_TRUE(runs);
    std::vector<std::string> ids;
    for (const auto& r : *runs) {
        ids.push_back(r.id);
        EXPECT_EQ(r.task_text, "[[steps]] # " + r.id);
        EXPECT_EQ(r.plan, "{\"waves\":[]}");
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"k127", "k124", "k121", "k118"}));
    EXPECT_EQ(asked, 12u); // it stopped at the fourth it kept (k118), not at the end
    f.limit = 0;
    EXPECT_TRUE(store.runs(f)->empty());
    f.limit = 100;
    EXPECT_EQ(store.runs(f)->size(), 10u);
}

TEST_F(StoreTest, RunsFilterByTheTagsTheirTaskHad) {
    auto store = open();
    RunRecord a = make_run("r1", "2026-01-01T00:00:00.000Z");
    a.tags = R"(["web","restart"])";
    RunRecord b = make_run("r2", "2026-01-02T00:00:00.000Z");
    b.tags = R"(["web-db"])";
    RunRecord c = make_run("r3", "2026-01-03T00:00:00.000Z"); // exec: no tags
    for (const auto& r : {a, b, c})
        ASSERT_TRUE(store.insert_run(r));
    auto ids = [&](const std::string& tag) {
        RunFilter f;
        f.tag = tag;
        std::vector<std::string> out;
        auto runs = store.runs(f);
        EXPECT_TRUE(runs) << runs.error().message;
        for (const auto& r : *runs)
            out.push_back(r.id);
        return out;
    };
    EXPECT_EQ(ids("web"), std::vector<std::string>{"r1"}) << "a whole tag, not a substring";
    EXPECT_EQ(ids("web-db"), std::vector<std::string>{"r2"});
    EXPECT_TRUE(ids("Web").empty());
    auto back = store.run("r1");
    ASSERT_TRUE(back);
    EXPECT_EQ(back->tags, R"(["web","restart"])");
    EXPECT_FALSE(store.run("r3")->tags);
}

TEST_F(StoreTest, LastRunsHaveTheNewestRunOfEachTask) {
    auto store = open();
    ASSERT_TRUE(store.insert_run(make_run("r1", "2026-01-01T00:00:00.000Z", "/a.toml")));
    ASSERT_TRUE(store.insert_run(make_run("r2", "2026-01-03T00:00:00.000Z", "/a.toml")));
    ASSERT_TRUE(store.insert_run(make_run("r3", "2026-01-02T00:00:00.000Z", "/a.toml")));
    ASSERT_TRUE(store.insert_run(make_run("r4", "2026-01-01T00:00:00.000Z", "/b.toml")));
    auto last = store.last_runs();
    ASSERT_TRUE(last) << last.error().message;
    ASSERT_EQ(last->size(), 2u);
    EXPECT_EQ(last->at("/a.toml").id, "r2");
    EXPECT_EQ(last->at("/b.toml").id, "r4");
}

// What /metrics counts: runs and hosts by status, and finished runs' durations as cumulative
// buckets (a run with a time offset other than Z is measured across it).
TEST_F(StoreTest, RecordCountsGroupByStatusAndBucketDurations) {
    auto store = open();
    auto finished = [&](const std::string& id, const std::string& start, const std::string& end,
                        const std::string& status) {
        RunRecord r = make_run(id, start);
        ASSERT_TRUE(store.insert_run(r));
        r.finished_at = end;
        r.status = status;
        ASSERT_TRUE(store.finish_run(r));
    };
    finished("20260101-000000-aaaa", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.400Z", "ok");
    finished("20260101-000000-bbbb", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:30.000Z",
             "failed");
    finished("20260101-000000-cccc", "2026-01-01T01:00:00.000+01:00", "2026-01-01T00:10:00.000Z",
             "ok"); // 10 minutes
    ASSERT_TRUE(store.insert_run(make_run("20260101-000000-dddd", "2026-01-01T00:00:00.000Z")));
    for (const char* h : {"a", "b"})
        ASSERT_TRUE(store.upsert_host(make_host("20260101-000000-aaaa", h)));
    HostRecord failed = make_host("20260101-000000-bbbb", "c");
    failed.status = "failed";
    ASSERT_TRUE(store.upsert_host(failed));

    auto c = store.record_counts();
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->runs_by_status,
              (std::map<std::string, int64_t>{{"failed", 1}, {"ok", 2}, {"running", 1}}));
    EXPECT_EQ(c->hosts_by_status["failed"], 1);
    EXPECT_EQ(c->hosts_by_status[make_host("x", "y").status], 2);
    EXPECT_EQ(c->finished_runs, 3);
    EXPECT_EQ(c->finished_ms, 400 + 30000 + 600000);
    // Bounds 1, 5, 15, 60, 300, 900, 3600, 14400 s.
    EXPECT_EQ(c->finished_at_most, (std::vector<int64_t>{1, 1, 1, 2, 2, 3, 3, 3}));
    EXPECT_EQ(c->queued, 0);
    // A run started for someone, not claimed yet, is queued; one an hour old waits for nothing.
    for (const auto& [hash, age] : {std::pair{"h1", 1}, std::pair{"h2", 3600}}) {
        PendingRun p;
        p.token_hash = hash;
        p.principal = p.triggered_by = "schedule:nightly";
        p.run_id = std::string("r-") + hash;
        p.created_at =
            leura::util::rfc3339(std::chrono::system_clock::now() - std::chrono::seconds(age));
        ASSERT_TRUE(store.insert_pending_run(p));
    }
    c = store.record_counts();
    ASSERT_TRUE(c);
    EXPECT_EQ(c->queued, 1);
}

// An Idempotency-Key is taken once; until its run is settled a second claim sees it starting;
// a failed start frees it; a day-old claim is gone. Across two Store handles (two processes'
// worth): the records are where the key lives.
TEST_F(StoreTest, IdempotencyKeysAreClaimedOnceSettledAndExpire) {
    auto a = open();
    auto b = open();
    const int64_t t0 = 1'900'000'000;
    // As the server claims at `t`: claims expire after a day, unsettled ones after 2 minutes.
    auto claim = [&](Store& store, const std::string& key, const std::string& digest, int64_t t) {
        auto at = [](int64_t s) { return leura::util::rfc3339(leura::util::from_unix(s)); };
        return store.claim_idempotency_key(key, digest, at(t), at(t - 86400), at(t - 120));
    };
    auto first = claim(a, "user:alice\nk1", "d1", t0);
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->claimed);
    auto again = claim(b, "user:alice\nk1", "d2", t0 + 1);
    ASSERT_TRUE(again);
    EXPECT_FALSE(again->claimed);
    EXPECT_EQ(again->digest, "d1");
    EXPECT_FALSE(again->run_id) << "still starting";
    ASSERT_TRUE(a.settle_idempotency_key("user:alice\nk1", std::string("run-1")));
    again = claim(b, "user:alice\nk1", "d1", t0 + 2);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->run_id.value_or(""), "run-1");
    // A failed start frees its key.
    ASSERT_TRUE(claim(a, "user:bob\nk1", "d3", t0));
    ASSERT_TRUE(a.settle_idempotency_key("user:bob\nk1", std::nullopt));
    auto freed = claim(b, "user:bob\nk1", "d4", t0 + 3);
    ASSERT_TRUE(freed);
    EXPECT_TRUE(freed->claimed);
    // A claim whose server died before it settled: still starting for 2 minutes, then free.
    ASSERT_TRUE(claim(a, "user:carol\nk1", "d6", t0));
    auto stuck = claim(b, "user:carol\nk1", "d6", t0 + 100);
    ASSERT_TRUE(stuck);
    EXPECT_FALSE(stuck->claimed);
    auto abandoned = claim(b, "user:carol\nk1", "d6", t0 + 121);
    ASSERT_TRUE(abandoned);
    EXPECT_TRUE(abandoned->claimed);
    // A day later alice's key is forgotten: a new request takes it.
    auto later = claim(b, "user:alice\nk1", "d5", t0 + 86401);
    ASSERT_TRUE(later);
    EXPECT_TRUE(later->claimed);
}

// An alert is new unless the monitor's last of its fingerprint had the same status and start.
TEST_F(StoreTest, MonitorAlertsRepeatedAreNotNew) {
    auto store = open();
    MonitorAlertRow a;
    a.monitor = "svc";
    a.fingerprint = "f1";
    a.host = "web-1";
    a.status = "firing";
    a.starts_at = "2030-01-01T00:00:00Z";
    a.received_at = 1000;
    EXPECT_EQ(store.note_monitor_alert(a).value_or(false), true);
    EXPECT_EQ(store.note_monitor_alert(a).value_or(true), false);
    a.status = "resolved";
    EXPECT_EQ(store.note_monitor_alert(a).value_or(false), true);
    a.status = "firing";
    a.starts_at = "2030-01-01T01:00:00Z"; // firing again later: a new alert
    EXPECT_EQ(store.note_monitor_alert(a).value_or(false), true);
    a.monitor = "other"; // another monitor's alert with the same fingerprint is its own
    EXPECT_EQ(store.note_monitor_alert(a).value_or(false), true);
}

} // namespace
} // namespace leura::store
