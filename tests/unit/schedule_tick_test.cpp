// SPDX-License-Identifier: Apache-2.0
// The tick on a fake clock against a real SQLite file and a launcher that records what it was
// asked to start: each fire decided once (also by two tickers at once, and over 1,000 ticks
// across a DST change), catch-up as configured, pauses not caught up.
#include "app/schedule_tick.hpp"
#include "app/schedules.hpp"
#include "util/sha256.hpp"
#include "util/time.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unistd.h>

namespace leura::app {
namespace {

namespace fs = std::filesystem;

int64_t at(const char* rfc3339) {
    auto t = util::parse_rfc3339(rfc3339);
    EXPECT_TRUE(t.has_value()) << rfc3339;
    return util::unix_seconds(*t);
}

class RecordingLauncher : public Launcher {
public:
    Result<int64_t> start(const LaunchRequest& r) override {
        std::lock_guard<std::mutex> lock(m_mutex);
        requests.push_back(r);
        return int64_t(4242);
    }
    std::vector<LaunchRequest> requests;

private:
    std::mutex m_mutex;
};

class ScheduleTick : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> counter{0};
        m_dir = fs::temp_directory_path() /
                ("leura-tick-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(m_dir);
        fs::create_directories(m_dir / "config/leura");
        ::setenv("XDG_CONFIG_HOME", (m_dir / "config").c_str(), 1);
        m_task = (m_dir / "task.toml").string();
        std::ofstream(m_task) << "[[steps]]\nname = \"a\"\ncommand = \"true\"\n";
    }
    void TearDown() override {
        ::unsetenv("XDG_CONFIG_HOME");
        fs::remove_all(m_dir);
    }

    Context context() {
        Context ctx;
        ctx.data_dir = m_dir / "data";
        ctx.identity = {1000, "alice", "cli"};
        ctx.clock = [] { return std::chrono::system_clock::now(); };
        return ctx;
    }

    void schedules(const std::string& body) {
        std::ofstream(m_dir / "config/leura/schedules.toml") << body;
    }
    std::string entry(const std::string& name, const std::string& when,
                      const std::string& extra = "") {
        return "[schedules." + name + "]\ntask = \"" + m_task + "\"\n" + when + "\n" + extra + "\n";
    }

    std::vector<TickDecision> tick(Context& ctx, int64_t now, Launcher& launcher) {
        TickOptions o;
        o.now = now;
        config::Diagnostics diags;
        auto d = app::tick(ctx, o, launcher, diags);
        EXPECT_TRUE(d.has_value()) << (d ? "" : d.error().message) << " "
                                   << (diags.empty() ? "" : diags.items()[0].message);
        return d ? *d : std::vector<TickDecision>{};
    }

    fs::path m_dir;
    std::string m_task;
};

TEST_F(ScheduleTick, StartsADueFireOnceAsTheScheduleWithAClaim) {
    schedules(entry("five", "cron = \"*/5 * * * *\"", "since = \"2030-01-01T00:00:00Z\""));
    Context ctx = context();
    RecordingLauncher launcher;
    EXPECT_TRUE(tick(ctx, at("2030-01-01T00:04:59Z"), launcher).empty());
    auto d = tick(ctx, at("2030-01-01T00:05:10Z"), launcher);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].fire.status, "started");
    EXPECT_EQ(d[0].fire.scheduled_at, at("2030-01-01T00:05:00Z"));
    ASSERT_EQ(launcher.requests.size(), 1u);
    const auto& args = launcher.requests[0].args;
    EXPECT_EQ(args[0], "run");
    EXPECT_EQ(args[1], m_task);
    EXPECT_NE(std::find(args.begin(), args.end(), "--claim-fd"), args.end());
    // The claim names the run and the principal, once.
    auto records = ctx.records();
    ASSERT_TRUE(records.has_value());
    auto taken = (*records)->take_pending_run(util::sha256_hex(launcher.requests[0].claim_token));
    ASSERT_TRUE(taken.has_value());
    ASSERT_TRUE(taken->has_value());
    EXPECT_EQ((*taken)->principal, "schedule:five");
    EXPECT_EQ((*taken)->run_id, launcher.requests[0].run_id);
    auto again = (*records)->take_pending_run(util::sha256_hex(launcher.requests[0].claim_token));
    ASSERT_TRUE(again.has_value());
    EXPECT_FALSE(again->has_value());
    // The same instant again starts nothing.
    EXPECT_TRUE(tick(ctx, at("2030-01-01T00:05:40Z"), launcher).empty());
    EXPECT_EQ(launcher.requests.size(), 1u);
}

TEST_F(ScheduleTick, TwoTickersAtOnceStartEachFireOnce) {
    schedules(entry("minutely", "cron = \"* * * * *\"", "since = \"2030-01-01T00:00:00Z\""));
    RecordingLauncher launcher;
    std::atomic<int> started{0};
    // Both tickers tick each minute at the same time, as two cron entries on one controller
    // would; left to drift, one could run minutes ahead and rightly call the other's fires late.
    std::barrier minute(2);
    auto ticker = [&] {
        Context ctx = context();
        for (int m = 1; m <= 30; ++m) {
            minute.arrive_and_wait();
            for (const auto& d : tick(ctx, at("2030-01-01T00:00:00Z") + m * 60 + 5, launcher))
                started += d.fire.status == "started" && !d.claimed_elsewhere;
        }
    };
    std::thread a(ticker), b(ticker);
    a.join();
    b.join();
    EXPECT_EQ(started.load(), 30);
    EXPECT_EQ(launcher.requests.size(), 30u);
    std::set<std::string> ids;
    for (const auto& r : launcher.requests)
        ids.insert(r.run_id);
    EXPECT_EQ(ids.size(), 30u);
}

// 1,000 ticks ten minutes apart over New York's spring-forward week: every fire the calendar
// gives is started once, the shifted one included, none twice.
TEST_F(ScheduleTick, ThousandTicksAcrossADstWeekStartEachFireOnce) {
    schedules(entry("quarter", "cron = \"*/15 * * * *\"",
                    "tz = \"America/New_York\"\nsince = \"2026-03-05T00:00:00Z\"") +
              entry("night", "cron = \"30 2 * * *\"",
                    "tz = \"America/New_York\"\nsince = \"2026-03-05T00:00:00Z\""));
    Context ctx = context();
    RecordingLauncher launcher;
    const int64_t start = at("2026-03-05T00:00:00Z");
    std::map<std::string, std::multiset<int64_t>> got;
    int64_t now = start;
    for (int i = 1; i <= 1000; ++i) {
        now = start + int64_t(i) * 600;
        for (const auto& d : tick(ctx, now, launcher)) {
            EXPECT_EQ(d.fire.status, "started") << d.fire.schedule << " " << d.fire.detail;
            got[d.fire.schedule].insert(d.fire.scheduled_at);
        }
    }
    config::Diagnostics diags;
    auto all = load_schedules(ctx, diags);
    ASSERT_TRUE(all.has_value());
    for (const auto& s : *all) {
        std::multiset<int64_t> want;
        for (const auto& f : upcoming_fires(s, start, 2000))
            if (f.utc <= now) want.insert(f.utc);
        EXPECT_EQ(got[s.def.name], want) << s.def.name;
    }
    EXPECT_EQ(got["night"].size(), 7u); // Mar 5..11, the 8th shifted to 03:30 EDT
    EXPECT_TRUE(got["night"].count(at("2026-03-08T07:30:00Z")));
}

TEST_F(ScheduleTick, CatchUpAllRunsTenLateOnesAndMissesOlderThanTheWindow) {
    schedules(entry("m", "every = \"1m\"",
                    "catchup = \"all\"\ncatchup_window = \"15m\"\n"
                    "since = \"2030-01-01T00:00:00Z\""));
    Context ctx = context();
    RecordingLauncher launcher;
    auto d = tick(ctx, at("2030-01-01T00:30:00Z"), launcher);
    size_t started = 0, missed = 0;
    for (const auto& x : d) {
        started += x.fire.status == "started";
        missed += x.fire.status == "missed";
    }
    // On time (within 2 minutes): 00:28, 00:29, 00:30, which always run; late in the window:
    // 00:15..00:27, the newest 10 run; 00:01..00:14 are before the window.
    EXPECT_EQ(started, 13u);
    EXPECT_EQ(missed, 17u);
    // Several runs of one schedule in one tick queue behind each other.
    for (const auto& r : launcher.requests)
        EXPECT_NE(std::find(r.args.begin(), r.args.end(), "--wait"), r.args.end());
}

TEST_F(ScheduleTick, APausedScheduleDecidesNothing) {
    schedules(entry("p", "every = \"1m\"", "paused = true\nsince = \"2030-01-01T00:00:00Z\""));
    Context ctx = context();
    RecordingLauncher launcher;
    EXPECT_TRUE(tick(ctx, at("2030-01-01T02:00:00Z"), launcher).empty());
    EXPECT_TRUE(launcher.requests.empty());
}

// `schedule resume` moves `since` to the moment it resumed: the fires of the pause are neither
// run nor recorded missed.
TEST_F(ScheduleTick, AResumedScheduleDoesNotCatchUpItsPause) {
    schedules(entry("m", "every = \"1m\"", "since = \"2030-01-01T00:00:00Z\""));
    Context ctx = context();
    RecordingLauncher launcher;
    tick(ctx, at("2030-01-01T00:10:05Z"), launcher);
    schedules(entry("m", "every = \"1m\"", "since = \"2030-01-01T00:30:00Z\""));
    auto d = tick(ctx, at("2030-01-01T00:31:05Z"), launcher);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].fire.scheduled_at, at("2030-01-01T00:31:00Z"));
    EXPECT_EQ(d[0].fire.status, "started");
}

TEST(ScheduleJitter, SameForTheSameFireAndBelowTheBound) {
    EXPECT_EQ(jitter_for("a", 1000, 300), jitter_for("a", 1000, 300));
    std::set<int64_t> seen;
    for (int64_t t = 0; t < 100; ++t) {
        int64_t j = jitter_for("a", t * 60, 300);
        EXPECT_GE(j, 0);
        EXPECT_LT(j, 300);
        seen.insert(j);
    }
    EXPECT_GT(seen.size(), 50u);
    EXPECT_EQ(jitter_for("a", 1000, 0), 0);
}

} // namespace
} // namespace leura::app
