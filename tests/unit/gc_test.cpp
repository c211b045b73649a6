// SPDX-License-Identifier: Apache-2.0
// `leura gc`: the policy rule by rule in memory, then collect_garbage over a real data dir (a
// real SQLite file, real archive and spool files, a real flock for a live run).
#include "app/gc.hpp"
#include "util/file_lock.hpp"
#include "util/time.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <unistd.h>

namespace leura::app {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const util::SystemTime k_now = *util::parse_rfc3339("2026-06-01T00:00:00.000Z");

// A run started `days` before k_now.
GcRun run(const std::string& id, const std::string& task, int days,
          const std::string& status = "ok") {
    return {id, task, util::rfc3339(k_now - std::chrono::hours(24 * days)), status, {}, {}, false};
}

GcRun stage(const std::string& id, const std::string& parent, int days,
            const std::string& status = "ok") {
    GcRun r = run(id, "stage.toml", days, status);
    r.parent = parent;
    return r;
}

std::vector<std::string> ids(const std::vector<GcChoice>& chosen) {
    std::vector<std::string> out;
    for (const auto& c : chosen)
        out.push_back(c.id);
    return out;
}

GcPolicy policy(int days, int64_t keep_runs) {
    return {std::chrono::hours(24 * days), keep_runs};
}

TEST(GcPolicy, OldRunsGoOldestFirstButTheNewestNOfEachTaskStay) {
    std::vector<GcRun> runs = {
        run("a1", "a.toml", 400), run("a2", "a.toml", 300), run("a3", "a.toml", 200),
        run("a4", "a.toml", 100), run("b1", "b.toml", 500), run("b2", "b.toml", 5),
    };
    EXPECT_EQ(ids(choose_runs(runs, policy(90, 2), k_now)), (std::vector<std::string>{"a1", "a2"}));
    // b1 is old, but b has only one other run, and b2 is recent: with keep_runs 1, b1 goes.
    EXPECT_EQ(ids(choose_runs(runs, policy(90, 1), k_now)),
              (std::vector<std::string>{"b1", "a1", "a2", "a3"}));
    EXPECT_EQ(ids(choose_runs(runs, policy(90, 0), k_now)),
              (std::vector<std::string>{"b1", "a1", "a2", "a3", "a4"}));
}

TEST(GcPolicy, RunsWithinTheAgeStayWhateverTheirNumber) {
    std::vector<GcRun> runs;
    for (int i = 0; i < 20; ++i)
        runs.push_back(run("r" + std::to_string(i), "t.toml", i));
    EXPECT_TRUE(choose_runs(runs, policy(30, 1), k_now).empty());
    // Exactly at the cutoff still counts as within it.
    EXPECT_EQ(ids(choose_runs(runs, policy(17, 1), k_now)),
              (std::vector<std::string>{"r19", "r18"}));
}

TEST(GcPolicy, RunningAndLiveRunsAreNeverChosen) {
    std::vector<GcRun> runs = {run("old-running", "t.toml", 300, "running"),
                               run("old-live", "t.toml", 299, "interrupted"),
                               run("old", "t.toml", 298)};
    runs[1].live = true; // its lock is held, whatever the record says
    EXPECT_EQ(ids(choose_runs(runs, policy(1, 0), k_now)), (std::vector<std::string>{"old"}));
}

TEST(GcPolicy, AWorkflowGoesWithItsStagesAndStaysWithThem) {
    std::vector<GcRun> runs = {
        run("w1", "wf.toml", 200),
        stage("w1.build", "w1", 200),
        stage("w1.ship", "w1", 200),
        run("w2", "wf.toml", 150),
        stage("w2.build", "w2", 150, "running"),
        stage("w3.build", "w3", 140), // its workflow's run is not recorded: a run of its own
    };
    auto chosen = choose_runs(runs, policy(1, 0), k_now);
    ASSERT_EQ(ids(chosen), (std::vector<std::string>{"w1", "w3.build"}));
    EXPECT_EQ(chosen[0].stages, (std::vector<std::string>{"w1.build", "w1.ship"}));
    EXPECT_TRUE(chosen[1].stages.empty());
    // The workflow's task counts its runs, not the stages': w4 is wf.toml's newest, and
    // w3.build (a unit of its own) the newest of stage.toml.
    runs.push_back(run("w4", "wf.toml", 100));
    EXPECT_EQ(ids(choose_runs(runs, policy(1, 1), k_now)), (std::vector<std::string>{"w1"}));
}

TEST(GcPolicy, AKeptRunKeepsTheRunsItContinues) {
    std::vector<GcRun> runs = {run("r1", "t.toml", 300, "interrupted"),
                               run("r2", "t.toml", 299, "interrupted"), run("r3", "t.toml", 1),
                               run("x", "t.toml", 298)};
    runs[1].resumes = "r1";
    runs[2].resumes = "r2"; // r3 is recent: it keeps r2, and r2 keeps r1
    EXPECT_EQ(ids(choose_runs(runs, policy(30, 0), k_now)), (std::vector<std::string>{"x"}));
    // A stage that continues an older workflow's stage keeps that workflow.
    std::vector<GcRun> wf = {run("w1", "wf.toml", 300), stage("w1.s", "w1", 300, "interrupted"),
                             run("w2", "wf.toml", 1), stage("w2.s", "w2", 1)};
    wf[3].resumes = "w1.s";
    EXPECT_TRUE(choose_runs(wf, policy(30, 0), k_now).empty());
    // When the newest of the chain goes too, the whole chain goes.
    runs[2].started_at = runs[3].started_at;
    EXPECT_EQ(ids(choose_runs(runs, policy(30, 0), k_now)),
              (std::vector<std::string>{"r1", "r2", "r3", "x"}));
}

// collect_garbage over a real data dir.
class GcTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        m_ctx.data_dir = fs::temp_directory_path() /
                         ("leura-gc-test-" + std::to_string(getpid()) + "-" + std::to_string(n++));
        fs::remove_all(m_ctx.data_dir);
        fs::create_directories(m_ctx.data_dir / "archives");
        m_ctx.clock = [] { return k_now; };
    }
    void TearDown() override { fs::remove_all(m_ctx.data_dir); }

    store::Store& records() { return **m_ctx.records(); }
    static store::RunFilter all_runs() {
        store::RunFilter f;
        f.stages = true;
        f.limit = 1000;
        return f;
    }

    // A finished run with `hosts` hosts of two steps each, its archive (`bytes` long) and,
    // when asked, a downloads folder.
    void add_run(const std::string& id, int days, int hosts, size_t bytes,
                 const std::string& status = "ok", bool downloads = false) {
        store::RunRecord r;
        r.id = id;
        r.task = "/tasks/t.toml";
        r.task_hash = "x";
        r.inventory = "i";
        r.targets = "all";
        r.user = "u";
        r.args = "[]";
        r.started_at = util::rfc3339(k_now - std::chrono::hours(24 * days));
        ASSERT_TRUE(records().insert_run(r));
        store::BatchRecord b;
        b.run_id = id;
        b.started_at = r.started_at;
        ASSERT_TRUE(records().insert_batch(b));
        for (int h = 0; h < hosts; ++h) {
            store::HostRecord hr;
            hr.run_id = id;
            hr.host = "h" + std::to_string(h);
            hr.status = "ok";
            ASSERT_TRUE(records().upsert_host(hr));
            for (int s = 0; s < 2; ++s) {
                store::StepRecord sr;
                sr.run_id = id;
                sr.host = hr.host;
                sr.idx = s;
                sr.name = "s";
                sr.status = "ok";
                sr.started_at = r.started_at;
                sr.preview_out = std::string(5000, 'x'); // overflow pages, freed on delete
                ASSERT_TRUE(records().insert_step(sr));
            }
        }
        fs::path archive = m_ctx.data_dir / "archives" / (id + ".tar.gz");
        std::ofstream(archive) << std::string(bytes, 'a');
        r.status = status;
        r.archive = archive.string();
        ASSERT_TRUE(records().finish_run(r));
        if (downloads) {
            fs::create_directories(m_ctx.data_dir / "downloads" / id / "h0");
            std::ofstream(m_ctx.data_dir / "downloads" / id / "h0" / "f") << "12345";
        }
    }

    Context m_ctx;
};

TEST_F(GcTest, WithoutAnAgeNothingIsDeletedAndTheErrorSaysHowToAsk) {
    auto r = collect_garbage(m_ctx, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::usage);
    EXPECT_NE(r.error().message.find("leura gc --keep 90d"), std::string::npos);
    EXPECT_NE(r.error().message.find("retention"), std::string::npos);
}

TEST_F(GcTest, DeletesRowsArchivesAndDownloadsOfTheChosenRunsOnly) {
    add_run("20260101-000000-aaaa", 150, 3, 1000, "ok", true);
    add_run("20260102-000000-bbbb", 149, 2, 500);
    add_run("20260530-000000-cccc", 2, 4, 700);
    GcOptions dry;
    dry.keep = 30 * 24h;
    dry.keep_runs = 0;
    dry.dry_run = true;
    auto seen = collect_garbage(m_ctx, dry);
    ASSERT_TRUE(seen) << seen.error().message;
    ASSERT_EQ(seen->runs.size(), 2u);
    EXPECT_EQ(seen->rows.hosts, 5);
    EXPECT_EQ(seen->rows.steps, 10);
    EXPECT_EQ(seen->archive_bytes, 1500u);
    EXPECT_EQ(seen->other_bytes, 5u);
    EXPECT_TRUE(fs::exists(m_ctx.data_dir / "archives" / "20260101-000000-aaaa.tar.gz"));
    EXPECT_EQ(records().runs(all_runs())->size(), 3u) << "a dry run deletes nothing";

    GcOptions o = dry;
    o.dry_run = false;
    auto done = collect_garbage(m_ctx, o);
    ASSERT_TRUE(done) << done.error().message;
    EXPECT_EQ(done->rows.runs, 2);
    EXPECT_EQ(done->rows.batches, 2);
    EXPECT_EQ(done->rows.hosts, 5);
    EXPECT_EQ(done->rows.steps, 10);
    EXPECT_EQ(done->archive_bytes, 1500u);
    EXPECT_LT(done->db_after, done->db_before);
    EXPECT_FALSE(fs::exists(m_ctx.data_dir / "archives" / "20260101-000000-aaaa.tar.gz"));
    EXPECT_FALSE(fs::exists(m_ctx.data_dir / "downloads" / "20260101-000000-aaaa"));
    EXPECT_TRUE(fs::exists(m_ctx.data_dir / "archives" / "20260530-000000-cccc.tar.gz"));
    auto left = records().runs(all_runs());
    ASSERT_EQ(left->size(), 1u);
    EXPECT_EQ(left->front().id, "20260530-000000-cccc");
    EXPECT_EQ(records().steps("20260530-000000-cccc")->size(), 8u);
    EXPECT_FALSE(records().run("20260101-000000-aaaa"));
}

TEST_F(GcTest, ARunWhoseLockIsHeldStaysAndBlocksVacuum) {
    add_run("20260101-000000-aaaa", 150, 1, 10, "interrupted");
    add_run("20260102-000000-bbbb", 149, 1, 10);
    fs::create_directories(m_ctx.data_dir / "locks");
    auto lock =
        util::FileLock::try_acquire(m_ctx.data_dir / "locks" / "run-20260101-000000-aaaa.lock");
    ASSERT_TRUE(lock && *lock);
    GcOptions o;
    o.keep = 24h;
    o.keep_runs = 0;
    o.vacuum = true;
    auto refused = collect_garbage(m_ctx, o);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::usage);
    o.vacuum = false;
    auto done = collect_garbage(m_ctx, o);
    ASSERT_TRUE(done) << done.error().message;
    ASSERT_EQ(done->runs.size(), 1u);
    EXPECT_EQ(done->runs[0].id, "20260102-000000-bbbb");
    EXPECT_TRUE(records().run("20260101-000000-aaaa"));
    lock->reset(); // released: the run is dead, and goes now
    o.vacuum = true;
    done = collect_garbage(m_ctx, o);
    ASSERT_TRUE(done) << done.error().message;
    ASSERT_EQ(done->runs.size(), 1u);
    EXPECT_TRUE(done->vacuumed);
    EXPECT_LE(done->file_after, done->file_before);
}

TEST_F(GcTest, TransactionsAreBoundedByRuns) {
    for (int i = 0; i < int(k_gc_runs_per_transaction) + 3; ++i) {
        char id[32];
        std::snprintf(id, sizeof id, "20250101-%06d-aaaa", i);
        add_run(id, 200, 1, 1);
    }
    GcOptions o;
    o.keep = 24h;
    o.keep_runs = 0;
    auto done = collect_garbage(m_ctx, o);
    ASSERT_TRUE(done) << done.error().message;
    EXPECT_EQ(done->runs.size(), k_gc_runs_per_transaction + 3);
    EXPECT_EQ(done->transactions, 2u);
    EXPECT_TRUE(records().runs(all_runs())->empty());
}

TEST_F(GcTest, TheDataSizeIsTheDatabaseAndTheArchives) {
    add_run("20260101-000000-aaaa", 1, 1, 3000);
    uint64_t size = data_size(m_ctx.data_dir);
    EXPECT_GE(size, 3000u + fs::file_size(m_ctx.data_dir / "leura.db"));
    m_ctx.settings.set("warn_size", "1KiB", "test");
    auto w = size_warning(m_ctx);
    ASSERT_TRUE(w);
    EXPECT_NE(w->find("leura gc"), std::string::npos);
    m_ctx.settings.set("warn_size", "0", "test");
    EXPECT_FALSE(size_warning(m_ctx));
    m_ctx.settings.set("warn_size", "10GiB", "test");
    EXPECT_FALSE(size_warning(m_ctx));
}

} // namespace
} // namespace leura::app
