// SPDX-License-Identifier: Apache-2.0
// The steps' previews compressed (schema v11) and the output index over them.
#include "store/compression.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

namespace leura::store {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;

// About 16 KiB of kernel-log-like lines: what a preview of `dmesg` holds.
std::string log_text() {
    std::string s;
    for (int i = 0; s.size() < 16 * 1024; ++i)
        s += "[" + std::to_string(1000 + i * 7) +
             ".123456] eth0: link up, 1000Mbps, full-duplex, " + "lpa 0x" +
             std::to_string(4501 + i % 13) + " queue " + std::to_string(i % 8) + "\n";
    return s;
}

TEST(ZstdTest, RoundTripsTextBinaryAndEmpty) {
    Zstd z;
    for (const std::string& plain : {""s, "ok\n"s, "a\0b\xff\xfe\0"s, log_text()}) {
        auto frame = z.compress(plain);
        ASSERT_TRUE(frame) << frame.error().message;
        auto back = z.decompress(*frame);
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(*back, plain);
    }
    EXPECT_EQ(*z.compress(""), "") << "no frame for nothing";
    auto frame = z.compress(log_text());
    EXPECT_LT(frame->size() * 4, log_text().size()) << "logs compress well";
}

TEST(ZstdTest, DamagedFramesAreErrorsNotGarbage) {
    Zstd z;
    auto frame = *z.compress(log_text());
    auto not_a_frame = z.decompress("plain text, never compressed");
    ASSERT_FALSE(not_a_frame);
    EXPECT_EQ(not_a_frame.error().message, "zstd: a stored preview is not a zstd frame");
    std::string flipped = frame;
    flipped[flipped.size() / 2] ^= 0x55;
    EXPECT_FALSE(z.decompress(flipped)) << "the frame's checksum catches it";
    EXPECT_FALSE(z.decompress(frame.substr(0, frame.size() - 10))) << "truncated";
}

class StoreOutputTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> counter{0};
        m_dir = fs::temp_directory_path() / ("leura-store-output-test-" + std::to_string(getpid()) +
                                             "-" + std::to_string(counter++));
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
    // A run with its hosts, started at second `sec`.
    static void add_run(Store& store, const std::string& id, int sec,
                        const std::vector<std::string>& hosts) {
        RunRecord r;
        r.id = id;
        r.task = "/lib/deploy.toml";
        r.task_hash = "sha";
        r.inventory = "inventory.toml";
        r.targets = "all";
        r.user = "alice";
        r.args = "[]";
        r.started_at =
            "2026-01-01T00:00:" + std::string(sec < 10 ? "0" : "") + std::to_string(sec) + ".000Z";
        ASSERT_TRUE(store.insert_run(r));
        for (const auto& h : hosts) {
            HostRecord hr;
            hr.run_id = id;
            hr.host = h;
            ASSERT_TRUE(store.upsert_host(hr));
        }
    }
    static StepRecord step(const std::string& run, const std::string& host, int64_t idx,
                           const std::string& out, const std::string& err = "") {
        StepRecord s;
        s.run_id = run;
        s.host = host;
        s.idx = idx;
        s.name = "s" + std::to_string(idx);
        s.status = "ok";
        s.started_at = "2026-01-01T00:00:00.000Z";
        s.preview_out = out;
        s.preview_err = err;
        return s;
    }
    // Whether a step's output holds every "word" of an index query, as the caller checks it:
    // step_outputs gives the steps that may (every step of the newest runs, else those whose
    // index entry matches).
    static bool holds_words(const StepOutput& o, const std::string& match) {
        const std::string text = o.preview_out + "\n" + o.preview_err;
        for (size_t open = match.find('"'); open != std::string::npos;) {
            size_t close = match.find('"', open + 1);
            if (text.find(match.substr(open + 1, close - open - 1)) == std::string::npos)
                return false;
            open = match.find('"', close + 1);
        }
        return true;
    }
    // "run/host/idx" of each step the index selects, in the order given (no run read whole).
    static std::vector<std::string> found(Store& store, const std::string& match) {
        OutputQuery q;
        q.match = match;
        q.unindexed_steps = 0;
        std::vector<std::string> out;
        auto st = store.step_outputs(q, [&](const StepOutput& o) {
            out.push_back(o.run_id + "/" + o.host + "/" + std::to_string(o.idx));
            return true;
        });
        EXPECT_TRUE(st) << st.error().message;
        return out;
    }
    Db raw() {
        auto db = Db::open(m_path);
        if (!db) throw std::runtime_error("raw open failed");
        return std::move(*db);
    }
    int64_t query_int(const std::string& sql) {
        Db db = raw();
        auto stmt = Stmt::prepare(db, sql.c_str());
        EXPECT_TRUE(stmt.has_value());
        auto row = stmt->step();
        EXPECT_TRUE(row.has_value() && *row);
        return stmt->integer(0);
    }
    // FTS5's own check of the index's structure: a bad 'delete' breaks it.
    void expect_index_sound() {
        Db db = raw();
        auto st = db.exec("INSERT INTO step_text (step_text) VALUES ('integrity-check')");
        EXPECT_TRUE(st) << st.error().message;
    }

    fs::path m_dir;
    std::string m_path;
};

TEST_F(StoreOutputTest, PreviewsAreStoredCompressedAndReadPlain) {
    auto store = open();
    add_run(store, "r1", 1, {"web-1"});
    ASSERT_TRUE(store.insert_step(step("r1", "web-1", 0, log_text(), "warn\0x\n"s)));
    EXPECT_EQ(query_int("SELECT COUNT(*) FROM steps WHERE preview_codec = 'zstd'"), 1);
    EXPECT_LT(query_int("SELECT length(preview_out) FROM steps") * 4, int64_t(log_text().size()));
    auto steps = store.steps("r1");
    ASSERT_TRUE(steps) << steps.error().message;
    ASSERT_EQ(steps->size(), 1u);
    EXPECT_EQ((*steps)[0].preview_out, log_text());
    EXPECT_EQ((*steps)[0].preview_err, "warn\0x\n"s);
}

// Rows written before v11 keep their plain bytes and a null codec, and read as they are, even
// when they begin with zstd's frame magic (which is why the codec is a column, not a sniff).
TEST_F(StoreOutputTest, OldPlainRowsReadAsTheyAre) {
    auto store = open();
    add_run(store, "r1", 1, {"web-1"});
    ASSERT_TRUE(store.insert_step(step("r1", "web-1", 0, "x")));
    {
        Db db = raw();
        ASSERT_TRUE(db.exec("UPDATE steps SET preview_codec = NULL, "
                            "preview_out = x'28b52ffd00e9bf', preview_err = CAST('old' AS BLOB)"));
    }
    auto steps = store.steps("r1");
    ASSERT_TRUE(steps) << steps.error().message;
    EXPECT_EQ((*steps)[0].preview_out, "\x28\xb5\x2f\xfd\x00\xe9\xbf"s);
    EXPECT_EQ((*steps)[0].preview_err, "old");
}

TEST_F(StoreOutputTest, AnUnknownCodecIsAnErrorNotGarbage) {
    auto store = open();
    add_run(store, "r1", 1, {"web-1"});
    ASSERT_TRUE(store.insert_step(step("r1", "web-1", 0, "x")));
    ASSERT_TRUE(raw().exec("UPDATE steps SET preview_codec = 'brotli'"));
    auto steps = store.steps("r1");
    ASSERT_FALSE(steps);
    EXPECT_EQ(steps.error().message, "a stored preview has codec 'brotli', unknown to this leura");
}

TEST_F(StoreOutputTest, StepsAreFoundByTheirWordsNewestRunFirst) {
    auto store = open();
    add_run(store, "r1", 1, {"web-1", "web-2"});
    add_run(store, "r2", 2, {"web-2", "web-1"});
    ASSERT_TRUE(store.insert_step(step("r1", "web-1", 0, "disk full on /dev/sda1\n")));
    ASSERT_TRUE(store.insert_step(step("r1", "web-2", 0, "all good\n", "Disk FULL\n")));
    ASSERT_TRUE(store.insert_step(step("r2", "web-1", 0, "fine\n")));
    ASSERT_TRUE(store.insert_step(step("r2", "web-2", 1, "", "disk fullness\n")));
    ASSERT_TRUE(store.insert_step(step("r2", "web-2", 0, "")));
    using V = std::vector<std::string>;
    EXPECT_EQ(found(store, "\"disk\" AND \"full\""), (V{"r1/web-1/0", "r1/web-2/0"}));
    EXPECT_EQ(found(store, "\"disk\" AND \"full\"*"), (V{"r2/web-2/1", "r1/web-1/0", "r1/web-2/0"}))
        << "newest run first, then the hosts' start order";
    EXPECT_EQ(found(store, "\"sda1\""), (V{"r1/web-1/0"}));
    EXPECT_EQ(found(store, "").size(), 5u) << "no query: every step";
    EXPECT_EQ(query_int("SELECT COUNT(*) FROM steps WHERE text_id IS NULL"), 1)
        << "a step without output has no entry";
    OutputQuery q;
    q.match = "\"disk\"";
    q.hosts = std::vector<std::string>{"web-2", "web-9"};
    q.since = "2026-01-01T00:00:02.000Z";
    std::vector<std::string> out;
    q.unindexed_steps = 0;
    ASSERT_TRUE(store.step_outputs(q, [&](const StepOutput& o) {
        out.push_back(o.run_id + "/" + o.host + ":" + o.preview_err);
        return true;
    }));
    EXPECT_EQ(out, (V{"r2/web-2:disk fullness\n"}));
}

// The newest runs are read whole; then a common word (or no word) walks the older runs a
// batch at a time through the index, and a rare one is one sorted query. Both give the same
// steps in the same order, under every filter, across batch boundaries and runs that started in
// the same millisecond; a caller that stops early gets the first steps of that order.
TEST_F(StoreOutputTest, WalkingTheRunsFindsWhatOneSortedQueryFinds) {
    auto store = open();
    const std::vector<std::string> hosts = {"web-1", "web-2", "db-1"};
    for (int i = 0; i < 60; ++i) {
        // Runs 20 and 21 start at the same instant; every other run starts its hosts backwards.
        const int sec = i == 21 ? 20 : i;
        std::vector<std::string> order = hosts;
        if (i % 2) std::reverse(order.begin(), order.end());
        const std::string id = "r" + std::to_string(100 + i);
        add_run(store, id, sec, order);
        if (i % 7 == 3) {
            ASSERT_TRUE(
                raw().exec("UPDATE runs SET task = '/lib/backup.toml' WHERE id = '" + id + "'"));
        }
        for (const auto& h : order) {
            for (int64_t idx = 0; idx < 2; ++idx) {
                std::string out = "common line from " + h + "\n";
                if ((i + idx) % 9 == 0) out += "rare marker\n";
                ASSERT_TRUE(store.insert_step(step(id, h, idx, out, idx ? "stderr common\n" : "")));
            }
        }
    }
    auto keys = [&](OutputQuery q, int64_t few, int64_t whole = 16, size_t stop_after = 0) {
        q.few_steps = few;
        q.unindexed_steps = whole;
        std::vector<std::string> out;
        auto st = store.step_outputs(q, [&](const StepOutput& o) {
            if (holds_words(o, q.match))
                out.push_back(o.run_id + "/" + o.host + "/" + std::to_string(o.idx));
            return stop_after == 0 || out.size() < stop_after;
        });
        EXPECT_TRUE(st) << st.error().message;
        return out;
    };
    std::vector<OutputQuery> queries;
    for (const char* match : {"\"common\"", "\"rare\"", "\"stderr\"", "\"nowhere\""}) {
        OutputQuery q;
        q.match = match;
        queries.push_back(q);
        q.task = "backup";
        queries.push_back(q);
        q.task.reset();
        q.hosts = std::vector<std::string>{"db-1", "web-2"};
        queries.push_back(q);
        q.since = "2026-01-01T00:00:20.000Z";
        queries.push_back(q);
        q.hosts.reset();
        queries.push_back(q);
    }
    for (const auto& q : queries) {
        const auto sorted = keys(q, 1 << 20, 0);
        for (int64_t whole : {0, 1, 16, 100, 1000})
            for (int64_t few : {0, 1 << 20})
                EXPECT_EQ(keys(q, few, whole), sorted)
                    << q.match << " task " << q.task.value_or("-") << " hosts "
                    << (q.hosts ? q.hosts->size() : 0) << " since " << q.since.value_or("-")
                    << " whole " << whole << " few " << few;
    }
    OutputQuery all;
    all.match = "\"common\"";
    const auto every = keys(all, 1 << 20);
    ASSERT_EQ(every.size(), 60u * 3 * 2) << "every step says 'common'";
    EXPECT_EQ(every.front(), "r159/db-1/0") << "newest run first, in its hosts' start order";
    EXPECT_EQ(every[6], "r158/web-1/0");
    EXPECT_EQ(keys(OutputQuery{}, 1 << 20), every) << "no word: every step, walked, same order";
    const auto first = keys(all, 0, 16, 100);
    EXPECT_EQ(first, std::vector<std::string>(every.begin(), every.begin() + 100))
        << "a caller that stops gets the first steps";
}

// A step is recorded running (no output), then finished; one recorded again replaces its
// entry in the index, which must not keep the old words.
TEST_F(StoreOutputTest, AStepRecordedAgainReplacesItsEntry) {
    auto store = open();
    add_run(store, "r1", 1, {"web-1"});
    ASSERT_TRUE(store.insert_step(step("r1", "web-1", 0, "")));
    ASSERT_TRUE(store.insert_step(step("r1", "web-1", 0, "alpha\n")));
    ASSERT_TRUE(store.insert_step(step("r1", "web-1", 0, "beta\n", "gamma")));
    EXPECT_TRUE(found(store, "\"alpha\"").empty());
    EXPECT_EQ(found(store, "\"beta\" AND \"gamma\"").size(), 1u);
    expect_index_sound();
}

// What `leura gc` does: unindex_run, then delete the run's rows. No word of the deleted run
// is found afterwards, the other runs' still are, and the index stays sound.
TEST_F(StoreOutputTest, UnindexedDeletedRunsLeaveNoHits) {
    auto store = open();
    add_run(store, "old", 1, {"web-1", "web-2"});
    add_run(store, "new", 2, {"web-1"});
    ASSERT_TRUE(store.insert_step(step("old", "web-1", 0, "needle-old shared\n", "\x1b[31m")));
    ASSERT_TRUE(store.insert_step(step("old", "web-2", 0, log_text())));
    ASSERT_TRUE(store.insert_step(step("old", "web-2", 1, "a\0b\xff\n"s)));
    ASSERT_TRUE(store.insert_step(step("new", "web-1", 0, "needle-new shared\n")));
    ASSERT_TRUE(store.unindex_run("old"));
    ASSERT_TRUE(store.unindex_run("old")) << "twice is harmless";
    ASSERT_TRUE(raw().exec("DELETE FROM runs WHERE id = 'old'"));
    EXPECT_EQ(query_int("SELECT COUNT(*) FROM steps"), 1) << "the steps went with the run";
    using V = std::vector<std::string>;
    EXPECT_EQ(found(store, "\"needle\" AND \"old\""), V{});
    EXPECT_EQ(found(store, "\"eth0\""), V{});
    EXPECT_EQ(found(store, "\"shared\""), (V{"new/web-1/0"}));
    // Nothing left under the deleted steps' ids, whatever joins to them.
    Db db = raw();
    auto stale = Stmt::prepare(db, "SELECT COUNT(*) FROM step_text WHERE step_text MATCH 'old OR "
                                   "eth0 OR link OR b'");
    ASSERT_TRUE(stale);
    ASSERT_TRUE(*stale->step());
    EXPECT_EQ(stale->integer(0), 0);
    expect_index_sound();
    // New steps take ids and entries as before.
    add_run(store, "newer", 3, {"web-1"});
    ASSERT_TRUE(store.insert_step(step("newer", "web-1", 0, "needle-old again\n")));
    EXPECT_EQ(found(store, "\"needle\" AND \"old\""), (V{"newer/web-1/0"}));
    expect_index_sound();
    ASSERT_TRUE(store.compact_index());
    EXPECT_EQ(found(store, "\"needle\""), (V{"newer/web-1/0", "new/web-1/0"}));
    expect_index_sound();
}

// A database from before v11: its plain rows stay as they are, and migration 11 puts them in
// the index, from which unindex_run can take them out again.
TEST_F(StoreOutputTest, MigrationElevenIndexesOldRowsWithoutRewritingThem) {
    {
        auto store = open();
        add_run(store, "r1", 1, {"web-1", "web-2"});
    }
    {
        // Back to schema v10 as it was: no codec, no output index, v10's indexes, no audit log,
        // no schedules, no tokens, no idempotency keys or alerts.
        Db db = raw();
        ASSERT_TRUE(db.exec(
            "DROP TABLE audit; DROP TABLE schedule_fires; DROP TABLE pending_runs; "
            "DROP TABLE monitor_hosts; DROP TABLE monitor_checks; "
            "DROP TABLE monitor_decisions; DROP TABLE api_tokens; DROP TABLE api_idempotency; "
            "DROP TABLE monitor_alerts; "
            "ALTER TABLE runs DROP COLUMN triggered_by; "
            "DROP INDEX runs_list; DROP INDEX runs_parent; DROP INDEX runs_resumes; "
            "DROP INDEX hosts_host; CREATE INDEX runs_started ON runs(started_at); "
            "CREATE INDEX runs_parent ON runs(parent); "
            "DROP TABLE step_text; DROP INDEX steps_text_id; "
            "ALTER TABLE steps DROP COLUMN text_id; "
            "ALTER TABLE steps DROP COLUMN preview_codec; PRAGMA user_version = 10"));
        ASSERT_TRUE(db.exec(
            "INSERT INTO steps (run_id, host, idx, name, status, started_at, duration_ms, "
            "bytes_out, bytes_err, preview_out, preview_err) VALUES "
            "('r1','web-1',0,'a','ok','t',0,0,0, CAST('kernel: oom-killer woke\n' AS BLOB), x''),"
            "('r1','web-2',0,'a','ok','t',0,0,0, x'', x'')"));
    }
    auto store = open();
    EXPECT_EQ(store.schema_version(), latest_schema_version());
    EXPECT_EQ(query_int("SELECT COUNT(*) FROM steps WHERE preview_codec IS NULL"), 2)
        << "old rows are not rewritten";
    using V = std::vector<std::string>;
    EXPECT_EQ(found(store, "\"oom\" AND \"killer\""), (V{"r1/web-1/0"}));
    auto steps = store.steps("r1", true, "web-1");
    ASSERT_TRUE(steps);
    EXPECT_EQ((*steps)[0].preview_out, "kernel: oom-killer woke\n");
    // A new step after the old ones gets a fresh id.
    ASSERT_TRUE(store.insert_step(step("r1", "web-2", 1, "oom again\n")));
    EXPECT_EQ(found(store, "\"oom\"").size(), 2u);
    ASSERT_TRUE(store.unindex_run("r1"));
    EXPECT_EQ(found(store, "\"oom\""), V{});
    expect_index_sound();
}

} // namespace
} // namespace leura::store
