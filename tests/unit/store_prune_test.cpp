// SPDX-License-Identifier: Apache-2.0
// Deleting runs' records (store/prune.cpp) in a real SQLite file.
#include "store/sqlite.hpp"
#include "store/store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <unistd.h>

namespace leura::store {
namespace {

namespace fs = std::filesystem;

class StorePruneTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        m_dir = fs::temp_directory_path() /
                ("leura-prune-test-" + std::to_string(getpid()) + "-" + std::to_string(n++));
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
        m_path = (m_dir / "leura.db").string();
        auto s = Store::open(m_path);
        ASSERT_TRUE(s) << s.error().message;
        m_store.emplace(std::move(*s));
    }
    void TearDown() override {
        m_store.reset();
        fs::remove_all(m_dir);
    }

    // A run with `waves` waves, `hosts` hosts and two steps per host.
    void add(const std::string& id, int waves, int hosts,
             std::optional<std::string> parent = std::nullopt) {
        RunRecord r;
        r.id = id;
        r.task = "/t.toml";
        r.task_hash = r.inventory = r.targets = r.user = "x";
        r.args = "[]";
        r.started_at = "2026-01-01T00:00:00.000Z";
        r.parent = parent;
        ASSERT_TRUE(m_store->insert_run(r));
        for (int w = 1; w <= waves; ++w) {
            BatchRecord b;
            b.run_id = id;
            b.wave = w;
            b.started_at = r.started_at;
            ASSERT_TRUE(m_store->insert_batch(b));
        }
        for (int h = 0; h < hosts; ++h) {
            HostRecord hr;
            hr.run_id = id;
            hr.host = "h" + std::to_string(h);
            ASSERT_TRUE(m_store->upsert_host(hr));
            for (int i = 0; i < 2; ++i) {
                StepRecord s;
                s.run_id = id;
                s.host = hr.host;
                s.idx = i;
                s.name = "s";
                s.status = "ok";
                s.started_at = r.started_at;
                // Text zstd cannot shrink much (previews are stored compressed): letters
                // from a fixed pseudo-random sequence, in words.
                s.preview_out.resize(6000);
                for (char& c : s.preview_out) {
                    m_seed = m_seed * 6364136223846793005ULL + 1442695040888963407ULL;
                    c = (m_seed >> 59) < 4 ? ' ' : char('a' + (m_seed >> 40) % 26);
                }
                ASSERT_TRUE(m_store->insert_step(s));
            }
        }
    }

    uint64_t m_seed = 42;

    int64_t count(const std::string& table) {
        auto db = Db::open(m_path);
        auto s = Stmt::prepare(*db, ("SELECT count(*) FROM " + table).c_str());
        EXPECT_TRUE(s && s->step().value_or(false));
        return s->integer(0);
    }

    fs::path m_dir;
    std::string m_path;
    std::optional<Store> m_store;
};

TEST_F(StorePruneTest, DeleteRunRowsTakesEveryRowOfThatRunAndSaysHowMany) {
    add("a", 2, 3);
    add("b", 1, 2);
    auto counted = m_store->count_run_rows("a");
    ASSERT_TRUE(counted);
    EXPECT_EQ(counted->runs, 1);
    EXPECT_EQ(counted->batches, 2);
    EXPECT_EQ(counted->hosts, 3);
    EXPECT_EQ(counted->steps, 6);
    auto deleted = m_store->delete_run_rows("a");
    ASSERT_TRUE(deleted) << deleted.error().message;
    EXPECT_EQ(deleted->runs, 1);
    EXPECT_EQ(deleted->batches, 2);
    EXPECT_EQ(deleted->hosts, 3);
    EXPECT_EQ(deleted->steps, 6);
    EXPECT_EQ(count("runs"), 1);
    EXPECT_EQ(count("batches"), 1);
    EXPECT_EQ(count("hosts"), 2);
    EXPECT_EQ(count("steps"), 4);
    EXPECT_EQ(m_store->steps("b")->size(), 4u);
    auto again = m_store->delete_run_rows("a");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->runs + again->steps, 0) << "an unknown run deletes nothing";
}

TEST_F(StorePruneTest, AStageRunIsARunOfItsOwn) {
    add("w", 1, 1);
    add("w.s", 1, 1, "w");
    ASSERT_TRUE(m_store->delete_run_rows("w"));
    EXPECT_TRUE(m_store->run("w.s")) << "delete_run_rows leaves the stage runs to the caller";
    auto all = m_store->run_summaries();
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ(all->front().parent, "w");
}

TEST_F(StorePruneTest, DeleteRunsIsOneTransactionAndFreesPages) {
    for (int i = 0; i < 5; ++i)
        add("r" + std::to_string(i), 1, 20);
    auto before = m_store->used_bytes();
    ASSERT_TRUE(before);
    auto size_before = fs::file_size(m_path);
    auto rows = m_store->delete_runs({"r0", "r1", "r2", "r3"});
    ASSERT_TRUE(rows) << rows.error().message;
    EXPECT_EQ(rows->runs, 4);
    EXPECT_EQ(rows->steps, 160);
    // As gc does: the output index frees its entries' space when its segments merge.
    ASSERT_TRUE(m_store->compact_index());
    auto after = m_store->used_bytes();
    ASSERT_TRUE(after);
    EXPECT_LT(*after * 3, *before) << "four fifths of the data went";
    ASSERT_TRUE(m_store->begin_batch());
    EXPECT_FALSE(m_store->delete_runs({"r4"})) << "not inside a batch of the caller's";
    ASSERT_TRUE(m_store->end_batch());
    ASSERT_TRUE(m_store->vacuum());
    EXPECT_LT(fs::file_size(m_path) * 2, size_before);
    EXPECT_EQ(m_store->steps("r4")->size(), 40u);
}

} // namespace
} // namespace leura::store
