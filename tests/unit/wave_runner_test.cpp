// SPDX-License-Identifier: Apache-2.0
// The rollout policy (app/wave_runner.hpp) driven in memory: the fake transport and virtual
// clock of fake_transport.hpp, real records in a SQLite file, a real spool. Each test reads
// the outcome back from the records, as `show` and `resume` would.
#include "app/wave_runner.hpp"
#include "fake_transport.hpp"
#include "store/status.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <unistd.h>

namespace leura::app {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::exits;
using test::FakeHost;
using test::hangs;

config::Step step(std::string name, bool always = false) {
    config::Step s;
    s.name = std::move(name);
    s.body = "true";
    s.always = always;
    return s;
}

class WaveRunnerTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> counter{0};
        m_dir = fs::temp_directory_path() /
                ("leura-waves-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
        auto st = store::Store::open((m_dir / "leura.db").string());
        ASSERT_TRUE(st) << st.error().message;
        m_store.emplace(std::move(*st));
        auto sp = archive::Spool::create(m_dir / "spool");
        ASSERT_TRUE(sp) << sp.error().message;
        m_spool.emplace(std::move(*sp));
        m_null = std::fopen("/dev/null", "w");
        ui::ReporterOptions ro;
        ro.quiet = true;
        m_reporter = ui::make_reporter(ro, m_null, m_null);
        transport.clock = [this] { return reactor.now(); };
        task.steps = {step("deploy")};
        settings.run_id = "run-1";
        settings.connect_timeout = 2s;
    }
    void TearDown() override {
        m_reporter.reset();
        if (m_null) std::fclose(m_null);
        m_store.reset();
        std::error_code ignored;
        fs::remove_all(m_dir, ignored);
    }

    // `n` hosts h0..h(n-1), in waves of the given sizes.
    void hosts_in_waves(std::vector<size_t> sizes) {
        plan = {};
        settings.host_names.clear();
        size_t next = 0;
        for (size_t size : sizes) {
            plan.waves.emplace_back();
            for (size_t i = 0; i < size; ++i, ++next) {
                settings.host_names.push_back("h" + std::to_string(next));
                plan.waves.back().hosts.push_back(next);
            }
        }
    }

    // Runs the rollout; each step of the task becomes a plain step on its own channel.
    WaveOutcome run() {
        store::RunRecord r;
        r.id = settings.run_id;
        r.started_at = "2026-12-02T00:00:00Z";
        EXPECT_TRUE(m_store->insert_run(r));
        WaveDeps deps{
            transport,
            reactor,
            *m_store,
            *m_spool,
            *m_reporter,
            m_redactor,
            [this](const std::vector<size_t>& hosts, JobPhase phase, int, bool host_rollback) {
                auto steps = job_steps(task, phase, host_rollback);
                WaveJob wj;
                for (size_t h : hosts)
                    wj.job.hosts.push_back(
                        {settings.host_names[h],
                         ssh::Endpoint{settings.host_names[h], 22, "u", {}, {}, false, {}, {}}});
                for (const auto& s : steps) {
                    exec::StepPlan p = test::plan(s.meta.name);
                    p.always = s.step->always;
                    p.after_failure = s.after_failure;
                    wj.job.steps.push_back(p);
                }
                wj.job.remote_command = "sh";
                wj.job.render_script = [steps](size_t, size_t k) {
                    return steps[k].meta.phase + std::string(":") + steps[k].meta.name;
                };
                wj.steps = metas(steps);
                return wj;
            },
            {stop_level, -1}};
        return run_waves(settings, plan, deps);
    }

    std::map<std::string, store::HostRecord> hosts() {
        std::map<std::string, store::HostRecord> out;
        auto all = m_store->hosts(settings.run_id);
        EXPECT_TRUE(all);
        for (auto& h : *all)
            out[h.host] = h;
        return out;
    }
    std::vector<store::BatchRecord> batches() { return m_store->batches(settings.run_id).value(); }
    // The scripts a host was sent, in order ("steps:deploy", "rollback:undo").
    std::vector<std::string> sent(const std::string& host) {
        std::vector<std::string> out;
        for (const auto& conn : transport.opened[host])
            for (const auto& c : conn.commands)
                out.push_back(c.stdin_data);
        return out;
    }
    size_t started() {
        size_t n = 0;
        for (const auto& name : settings.host_names)
            n += !sent(name).empty();
        return n;
    }
    config::Rollout gate(size_t max_failed) {
        config::Rollout r;
        r.max_failed = {false, double(max_failed)};
        return r;
    }

    test::FakeTransport transport;
    test::FakeReactor reactor;
    config::Task task;
    WaveSettings settings;
    rollout::Plan plan;
    std::function<int()> stop_level = [] { return 0; };

private:
    fs::path m_dir;
    std::optional<store::Store> m_store;
    std::optional<archive::Spool> m_spool;
    std::FILE* m_null = nullptr;
    std::unique_ptr<ui::Reporter> m_reporter;
    util::Redactor m_redactor;
};

TEST_F(WaveRunnerTest, EveryWavePassesItsGateInTurn) {
    hosts_in_waves({1, 2, 3});
    settings.rollout = gate(0);
    auto out = run();
    EXPECT_EQ(out.totals.ok, 6u);
    EXPECT_FALSE(out.halted || out.stopped || out.declined);
    auto b = batches();
    ASSERT_EQ(b.size(), 3u);
    for (const auto& w : b) {
        EXPECT_EQ(w.gate, std::optional<std::string>("pass"));
        EXPECT_TRUE(w.finished_at);
    }
}

TEST_F(WaveRunnerTest, AGateHaltsAWaveMidWayAndLaterWavesNeverStart) {
    hosts_in_waves({20, 5});
    settings.rollout = gate(0);
    settings.concurrency = 2;
    transport.hosts["h0"].steps = {exits(1)};
    auto out = run();
    EXPECT_TRUE(out.halted);
    EXPECT_LE(started(), 3u) << "no host of the wave starts after the failure";
    auto h = hosts();
    size_t halted_skips = 0;
    for (const auto& [name, rec] : h)
        if (rec.status == "skipped" && rec.error_kind == std::string("halted")) ++halted_skips;
    EXPECT_EQ(halted_skips, 25u - started());
    EXPECT_NE(h["h5"].error->find("the gate halted wave 1"), std::string::npos);
    EXPECT_EQ(h["h22"].error, std::optional<std::string>("the run halted at wave 1"));
    auto b = batches();
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0].gate, std::optional<std::string>("halt"));
}

TEST_F(WaveRunnerTest, OnFailureContinueKeepsStartingHosts) {
    hosts_in_waves({10, 5});
    settings.rollout = gate(0);
    settings.rollout->on_failure = config::OnFailure::continue_;
    settings.concurrency = 2;
    transport.hosts["h0"].steps = {exits(1)};
    auto out = run();
    EXPECT_FALSE(out.halted);
    EXPECT_EQ(started(), 15u);
    EXPECT_EQ(out.totals.failed, 1u);
}

TEST_F(WaveRunnerTest, AStopLetsStartedHostsFinishAndLeavesTheWaveUnfinished) {
    hosts_in_waves({6, 6});
    settings.concurrency = 2;
    task.steps = {step("drain"), step("restart"), step("undrain", true)};
    stop_level = [this] { return transport.total_pumps >= 2 ? 1 : 0; };
    auto out = run();
    EXPECT_TRUE(out.stopped);
    EXPECT_EQ(out.totals.ok, 2u);
    EXPECT_EQ(out.totals.skipped, 10u);
    EXPECT_EQ(sent("h0"),
              (std::vector<std::string>{"steps:drain", "steps:restart", "steps:undrain"}));
    auto b = batches();
    ASSERT_EQ(b.size(), 1u) << "wave 2 never starts";
    EXPECT_EQ(b[0].gate, std::optional<std::string>("interrupted"));
    EXPECT_FALSE(b[0].finished_at) << "an interrupted wave is not finished";
    auto h = hosts();
    EXPECT_EQ(h["h3"].status, "skipped");
    EXPECT_EQ(h["h3"].error_kind, std::optional<std::string>("interrupted"));
    EXPECT_EQ(h["h9"].error, std::optional<std::string>("the run was stopped in wave 1"));
}

TEST_F(WaveRunnerTest, TheGraceCutsOffWhatIsStillRunning) {
    hosts_in_waves({2});
    settings.stop_grace = 3s;
    transport.hosts["h0"].steps = {hangs()};
    transport.hosts["h1"].steps = {hangs()};
    stop_level = [this] { return reactor.elapsed() >= 100ms ? 1 : 0; };
    auto out = run();
    EXPECT_EQ(out.totals.interrupted, 2u);
    EXPECT_EQ(hosts()["h0"].status, "interrupted");
    EXPECT_GE(reactor.elapsed(), 3s);
    EXPECT_EQ(batches()[0].gate, std::optional<std::string>("interrupted"));
}

TEST_F(WaveRunnerTest, AnAlwaysStepRunsOnAHostThatFailed) {
    hosts_in_waves({2});
    task.steps = {step("drain"), step("deploy"), step("check"), step("undrain", true)};
    transport.hosts["h1"].steps = {exits(0), exits(5)};
    run();
    EXPECT_EQ(sent("h1"),
              (std::vector<std::string>{"steps:drain", "steps:deploy", "steps:undrain"}));
    EXPECT_EQ(hosts()["h1"].status, "failed");
}

TEST_F(WaveRunnerTest, AFailingHostRollsItselfBackWhileTheGatePasses) {
    hosts_in_waves({4});
    settings.rollout = gate(1);
    settings.rollout->on_host_failure = config::OnHostFailure::rollback;
    task.verify = {step("health")};
    task.rollback = {step("restore")};
    transport.hosts["h2"].steps = {exits(0), exits(1), exits(0)};
    auto out = run();
    EXPECT_FALSE(out.halted);
    EXPECT_EQ(out.totals.rolled_back, 1u);
    EXPECT_EQ(out.totals.ok, 3u);
    EXPECT_EQ(sent("h2"),
              (std::vector<std::string>{"steps:deploy", "verify:health", "rollback:restore"}));
    EXPECT_EQ(sent("h0"), (std::vector<std::string>{"steps:deploy", "verify:health"}));
    EXPECT_EQ(hosts()["h2"].status, "rolled_back");
    auto b = batches();
    EXPECT_EQ(b[0].gate, std::optional<std::string>("pass"));
    EXPECT_EQ(b[0].rolled_back, 1);
}

TEST_F(WaveRunnerTest, AWaveRollbackSkipsHostsRolledBackAlreadyAndThoseNeverLoggedIn) {
    hosts_in_waves({4});
    settings.rollout = gate(0);
    settings.rollout->on_failure = config::OnFailure::rollback;
    settings.rollout->on_host_failure = config::OnHostFailure::rollback;
    task.rollback = {step("restore")};
    transport.hosts["h1"].steps = {exits(1), exits(0)};
    transport.hosts["h3"].connect = FakeHost::Connect::fail;
    transport.hosts["h3"].error_kind = ErrorKind::host_key;
    auto out = run();
    EXPECT_TRUE(out.halted);
    // h1 rolled itself back once; h0 and h2 are rolled back by the wave; h3 never logged in.
    EXPECT_EQ(sent("h1"), (std::vector<std::string>{"steps:deploy", "rollback:restore"}));
    EXPECT_EQ(sent("h0"), (std::vector<std::string>{"steps:deploy", "rollback:restore"}));
    EXPECT_TRUE(sent("h3").empty());
    auto h = hosts();
    EXPECT_EQ(h["h0"].status, "rolled_back");
    EXPECT_EQ(h["h1"].status, "rolled_back");
    EXPECT_EQ(h["h3"].status, "unreachable");
    EXPECT_EQ(out.totals.ok, 0u) << "rolled-back hosts are not counted ok";
    EXPECT_EQ(out.totals.rolled_back, 3u);
    EXPECT_EQ(batches()[0].rollback, "ok");
}

TEST_F(WaveRunnerTest, NoAtAConfirmationHaltsTheRestUntouched) {
    hosts_in_waves({1, 3});
    settings.rollout = gate(0);
    settings.rollout->pause = config::Pause::confirm;
    int asked = 0;
    settings.confirm = [&](int next, size_t waves, size_t n) {
        ++asked;
        EXPECT_EQ(next, 2);
        EXPECT_EQ(waves, 2u);
        EXPECT_EQ(n, 3u);
        return false;
    };
    auto out = run();
    EXPECT_EQ(asked, 1);
    EXPECT_TRUE(out.declined);
    EXPECT_EQ(started(), 1u);
    auto h = hosts();
    EXPECT_EQ(h["h2"].status, "skipped");
    EXPECT_EQ(h["h2"].error,
              std::optional<std::string>("declined at the confirmation before wave 2"));
}

TEST_F(WaveRunnerTest, APauseWaitsOnTheClockAndAStopEndsIt) {
    hosts_in_waves({1, 1});
    settings.rollout = gate(0);
    settings.rollout->pause = config::Pause::duration;
    settings.rollout->pause_for = 30s;
    run();
    EXPECT_GE(reactor.elapsed(), 30s);
    EXPECT_EQ(started(), 2u);
}

TEST_F(WaveRunnerTest, AStopDuringAPauseStartsNoFurtherWave) {
    hosts_in_waves({1, 1});
    settings.rollout = gate(0);
    settings.rollout->pause = config::Pause::duration;
    settings.rollout->pause_for = 30s;
    stop_level = [this] { return reactor.elapsed() >= 5s ? 1 : 0; };
    auto out = run();
    EXPECT_TRUE(out.stopped);
    EXPECT_LT(reactor.elapsed(), 6s);
    EXPECT_EQ(started(), 1u);
    EXPECT_EQ(hosts()["h1"].error, std::optional<std::string>("the run was stopped before wave 2"));
}

} // namespace
} // namespace leura::app
