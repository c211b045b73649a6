// SPDX-License-Identifier: Apache-2.0
#include "exec/engine.hpp"
#include "fake_transport.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace leura::exec {
namespace {

using test::Chunks;
using test::exits;
using test::FakeHost;
using test::FakeStep;
using test::hangs;
using test::MemoryOutputs;
using test::plan;
using test::plans;
using test::RecordingEvents;
using test::talks;
using namespace std::chrono_literals;
using ssh::Stream;

class EngineTest : public ::testing::Test {
protected:
    void SetUp() override {
        transport.clock = [this] { return reactor.now(); };
        options.connect_timeout = 2s;
    }

    // Runs every host in `names` through `steps`, then checks what must hold for any run.
    RunSummary run(const std::vector<std::string>& names, const std::vector<StepPlan>& steps,
                   OnceLedger* once = nullptr) {
        job = Job{};
        job.once = once;
        for (const auto& n : names)
            job.hosts.push_back({n, ssh::Endpoint{n, 22, "deploy", {}, {}, false, {}, {}}});
        job.steps = steps;
        job.remote_command = "remote-sh";
        job.render_script = [this](size_t h, size_t s) {
            rendered.emplace_back(h, s);
            return script(h, s);
        };
        RunSummary summary = exec::run(job, transport, reactor, outputs, events, options);
        check_invariants(summary);
        return summary;
    }

    static std::string script(size_t h, size_t s) {
        return "echo host " + std::to_string(h) + " step " + std::to_string(s) + "\n";
    }

    void check_invariants(const RunSummary& summary) {
        std::map<size_t, int> finished;
        size_t by_status[6] = {};
        for (const auto& o : events.hosts) {
            ++finished[o.host];
            ++by_status[size_t(o.status)];
        }
        for (size_t h = 0; h < job.hosts.size(); ++h)
            EXPECT_EQ(finished[h], 1) << "host_finished count for host " << h;
        EXPECT_EQ(events.hosts.size(), job.hosts.size());
        EXPECT_EQ(summary.ok, by_status[size_t(HostStatus::ok)]);
        EXPECT_EQ(summary.failed, by_status[size_t(HostStatus::failed)]);
        EXPECT_EQ(summary.unreachable, by_status[size_t(HostStatus::unreachable)]);
        EXPECT_EQ(summary.skipped, by_status[size_t(HostStatus::skipped)]);
        EXPECT_EQ(summary.interrupted, by_status[size_t(HostStatus::interrupted)]);
        EXPECT_EQ(summary.rolled_back, by_status[size_t(HostStatus::rolled_back)]);
        EXPECT_EQ(transport.live, 0u) << "connections left open";
        size_t started = 0;
        for (const auto& line : events.log)
            started += line.starts_with("step_started");
        EXPECT_EQ(started, events.steps.size()) << "every started step finishes once";
    }

    const HostOutcome& outcome(size_t host) {
        for (const auto& o : events.hosts)
            if (o.host == host) return o;
        throw std::runtime_error("no outcome for host " + std::to_string(host));
    }
    std::vector<std::string> host_log(size_t host) {
        std::vector<std::string> out;
        std::string tag = " " + std::to_string(host);
        for (const auto& line : events.log)
            if (line.ends_with(tag) || line.find(tag + "/") != std::string::npos)
                out.push_back(line.substr(0, line.find(' ')) + line.substr(line.find(tag)));
        return out;
    }
    const test::CommandRecord& command(const std::string& host, size_t i, size_t conn = 0) {
        return transport.opened.at(host).at(conn).commands.at(i);
    }

    test::FakeTransport transport;
    test::FakeReactor reactor;
    MemoryOutputs outputs;
    RecordingEvents events;
    EngineOptions options;
    Job job;
    std::vector<std::pair<size_t, size_t>> rendered;
};

TEST_F(EngineTest, AllHostsRunTheirStepsInOrderOnOneConnection) {
    std::vector<std::string> names = {"web-1", "web-2", "db-1", "db-2"};
    for (const auto& n : names)
        for (int s = 0; s < 3; ++s)
            transport.hosts[n].steps.push_back(talks({{Stream::out, n + " " + std::to_string(s)}}));
    auto summary = run(names, plans({"one", "two", "three"}));

    EXPECT_EQ(summary.ok, 4u);
    EXPECT_FALSE(summary.stopped);
    for (size_t h = 0; h < names.size(); ++h) {
        SCOPED_TRACE(names[h]);
        ASSERT_EQ(transport.opens(names[h]), 1u);
        ASSERT_EQ(transport.opened[names[h]][0].commands.size(), 3u);
        for (size_t s = 0; s < 3; ++s) {
            EXPECT_EQ(command(names[h], s).command, "remote-sh");
            EXPECT_EQ(command(names[h], s).stdin_data, script(h, s));
            EXPECT_EQ((outputs.files[{h, s}].out), names[h] + " " + std::to_string(s));
        }
        std::string n = std::to_string(h);
        EXPECT_EQ(host_log(h),
                  (std::vector<std::string>{"host_started " + n, "step_started " + n + "/0",
                                            "step_finished " + n + "/0", "step_started " + n + "/1",
                                            "step_finished " + n + "/1", "step_started " + n + "/2",
                                            "step_finished " + n + "/2", "host_finished " + n}));
        EXPECT_EQ(outcome(h).status, HostStatus::ok);
        EXPECT_EQ(outcome(h).steps_run, 3u);
        EXPECT_EQ(outcome(h).exit_code, 0);
        EXPECT_FALSE(outcome(h).error);
    }
}

TEST_F(EngineTest, NonZeroExitFailsOnlyThatHostAndSkipsItsLaterSteps) {
    transport.hosts["b"].steps = {exits(0), exits(2), exits(0)};
    auto summary = run({"a", "b", "c"}, plans({"one", "two", "three"}));

    EXPECT_EQ(summary.ok, 2u);
    EXPECT_EQ(summary.failed, 1u);
    const auto& b = outcome(1);
    EXPECT_EQ(b.status, HostStatus::failed);
    ASSERT_TRUE(b.error);
    EXPECT_EQ(b.error->kind, ErrorKind::remote_exit);
    EXPECT_EQ(b.error->message, "step \"two\" exited with 2");
    EXPECT_EQ(b.exit_code, 2);
    EXPECT_EQ(b.steps_run, 2u);
    EXPECT_EQ(transport.opened["b"][0].commands.size(), 2u);
    EXPECT_EQ(transport.opened["a"][0].commands.size(), 3u);
    EXPECT_EQ(transport.opened["c"][0].commands.size(), 3u);
    std::sort(rendered.begin(), rendered.end());
    EXPECT_EQ(rendered, (std::vector<std::pair<size_t, size_t>>{
                            {0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {2, 0}, {2, 1}, {2, 2}}));
}

TEST_F(EngineTest, DeathBySignalFailsTheStep) {
    FakeStep killed;
    killed.signal = "KILL";
    transport.hosts["a"].steps = {killed};
    run({"a"}, plans({"one"}));
    ASSERT_EQ(events.steps.size(), 1u);
    EXPECT_FALSE(events.steps[0].ok);
    EXPECT_EQ(events.steps[0].exit_code, -1);
    EXPECT_EQ(events.steps[0].exit_signal, "KILL");
    ASSERT_TRUE(outcome(0).error);
    EXPECT_EQ(outcome(0).error->message, "step \"one\" killed by signal KILL");
    EXPECT_EQ(outcome(0).status, HostStatus::failed);
}

TEST_F(EngineTest, IgnoreErrorsRunsLaterStepsAndTheHostEndsOk) {
    transport.hosts["a"].steps = {exits(3), exits(0)};
    auto summary = run({"a"}, {plan("may-fail", std::nullopt, true), plan("next")});

    ASSERT_EQ(events.steps.size(), 2u);
    EXPECT_FALSE(events.steps[0].ok) << "the step itself still failed";
    EXPECT_EQ(events.steps[0].exit_code, 3);
    ASSERT_TRUE(events.steps[0].error);
    EXPECT_EQ(events.steps[0].error->kind, ErrorKind::remote_exit);
    EXPECT_TRUE(events.steps[1].ok);
    EXPECT_EQ(summary.ok, 1u);
    EXPECT_EQ(outcome(0).status, HostStatus::ok);
    EXPECT_FALSE(outcome(0).error);
    EXPECT_EQ(outcome(0).exit_code, 0) << "the exit code of the last step that ran";
    EXPECT_EQ(outcome(0).steps_run, 2u);
}

TEST_F(EngineTest, IgnoreErrorsDoesNotCoverATimeout) {
    transport.hosts["a"].steps = {hangs(), exits(0)};
    run({"a"}, {plan("slow", 1s, true), plan("next")});
    EXPECT_EQ(outcome(0).status, HostStatus::failed);
    ASSERT_TRUE(outcome(0).error);
    EXPECT_EQ(outcome(0).error->kind, ErrorKind::timeout);
    EXPECT_EQ(transport.opened["a"][0].commands.size(), 1u);
}

TEST_F(EngineTest, HangingStepTimesOutAndIsAbortedWhileOthersFinish) {
    transport.hosts["b"].steps = {exits(0), hangs()};
    auto summary = run({"a", "b", "c"}, {plan("one"), plan("slow", 5s), plan("three")});

    EXPECT_EQ(summary.ok, 2u);
    EXPECT_EQ(summary.failed, 1u);
    const auto& b = outcome(1);
    ASSERT_TRUE(b.error);
    EXPECT_EQ(b.error->kind, ErrorKind::timeout);
    EXPECT_EQ(b.error->message, "step \"slow\" timed out after 5000ms");
    EXPECT_TRUE(command("b", 1).aborted);
    EXPECT_FALSE(command("b", 0).aborted);
    EXPECT_FALSE(command("a", 1).aborted);
    EXPECT_EQ(transport.opened["b"][0].commands.size(), 2u);
    EXPECT_GE(reactor.elapsed(), 5s);
    auto slow = std::find_if(events.steps.begin(), events.steps.end(),
                             [](const auto& o) { return o.host == 1 && o.step == 1; });
    ASSERT_NE(slow, events.steps.end());
    EXPECT_EQ(slow->exit_code, -1);
    EXPECT_GE(slow->duration, 5s);
}

TEST_F(EngineTest, ConnectErrorsAreRetriedWithDoublingBackoff) {
    transport.hosts["down"].connect = FakeHost::Connect::fail;
    options.connect_attempts = 3;
    options.connect_backoff = 500ms;
    auto summary = run({"up", "down"}, plans({"one"}));

    EXPECT_EQ(summary.ok, 1u);
    EXPECT_EQ(summary.unreachable, 1u);
    ASSERT_EQ(transport.opens("down"), 3u);
    const auto& opened = transport.opened["down"];
    EXPECT_GE(opened[1].opened_at - opened[0].opened_at, 500ms);
    EXPECT_GE(opened[2].opened_at - opened[1].opened_at, 1000ms);
    EXPECT_GE(reactor.elapsed(), 1500ms);
    const auto& down = outcome(1);
    EXPECT_EQ(down.status, HostStatus::unreachable);
    ASSERT_TRUE(down.error);
    EXPECT_EQ(down.error->kind, ErrorKind::connect);
    EXPECT_EQ(down.error->message, "cannot connect to down (3 attempts)");
    EXPECT_EQ(down.steps_run, 0u);
    EXPECT_EQ(host_log(1), (std::vector<std::string>{"host_started 1", "host_finished 1"}));
    EXPECT_EQ(rendered, (std::vector<std::pair<size_t, size_t>>{{0, 0}}));
}

TEST_F(EngineTest, ConnectSucceedsAfterFailedAttempts) {
    transport.hosts["flaky"].fail_times = 2;
    run({"flaky"}, plans({"one", "two"}));
    EXPECT_EQ(outcome(0).status, HostStatus::ok);
    // The outcome that stands is success: the failed attempts leave no error behind.
    EXPECT_FALSE(outcome(0).error.has_value()) << outcome(0).error->message;
    ASSERT_EQ(transport.opens("flaky"), 3u);
    EXPECT_TRUE(transport.opened["flaky"][0].commands.empty());
    EXPECT_TRUE(transport.opened["flaky"][1].commands.empty());
    EXPECT_EQ(transport.opened["flaky"][2].commands.size(), 2u);
}

// A server that drops handshakes beyond 10 at once (a stock sshd's MaxStartups) loses no host:
// dropped handshakes are retried soon, apart from the connect attempts, and fewer run at once.
TEST_F(EngineTest, DroppedHandshakesAreRetriedWithFewerAtOnce) {
    transport.max_handshakes = 10;
    std::vector<std::string> names;
    for (int i = 0; i < 300; ++i) {
        names.push_back("h" + std::to_string(i));
        transport.hosts[names.back()].connect_turns = 3;
    }
    options.concurrency = 64;
    options.connect_attempts = 1;
    auto summary = run(names, plans({"one"}));
    EXPECT_EQ(summary.ok, 300u);
    for (size_t i = 0; i < names.size(); ++i)
        EXPECT_FALSE(outcome(i).error.has_value()) << names[i] << " keeps a dropped handshake";
    EXPECT_GT(transport.dropped, 0u);
    EXPECT_LT(transport.dropped, 300u) << "the allowance never narrowed";
    for (const auto& name : names)
        EXPECT_LE(transport.opens(name), 9u) << name;
}

TEST_F(EngineTest, AuthAndHostKeyErrorsAreNotRetried) {
    std::vector<std::pair<std::string, ErrorKind>> cases = {
        {"auth", ErrorKind::auth},
        {"key", ErrorKind::host_key},
        {"changed", ErrorKind::host_key_changed}};
    std::vector<std::string> names;
    for (const auto& [name, kind] : cases) {
        transport.hosts[name].connect = FakeHost::Connect::fail;
        transport.hosts[name].error_kind = kind;
        names.push_back(name);
    }
    auto summary = run(names, plans({"one"}));
    EXPECT_EQ(summary.unreachable, 3u);
    for (size_t h = 0; h < cases.size(); ++h) {
        SCOPED_TRACE(names[h]);
        EXPECT_EQ(transport.opens(names[h]), 1u);
        ASSERT_TRUE(outcome(h).error);
        EXPECT_EQ(outcome(h).error->kind, cases[h].second);
        EXPECT_EQ(outcome(h).error->message, "cannot connect to " + names[h]);
    }
}

TEST_F(EngineTest, HangingConnectTimesOutAndCountsAsAnAttempt) {
    transport.hosts["slow"].connect = FakeHost::Connect::hang;
    options.connect_timeout = 2s;
    options.connect_attempts = 1;
    run({"slow"}, plans({"one"}));
    ASSERT_TRUE(outcome(0).error);
    EXPECT_EQ(outcome(0).status, HostStatus::unreachable);
    EXPECT_EQ(outcome(0).error->kind, ErrorKind::connect);
    EXPECT_EQ(outcome(0).error->message, "connect to slow timed out after 2000ms");
    EXPECT_GE(reactor.elapsed(), 2s);
    EXPECT_LT(reactor.elapsed(), 3s);
    EXPECT_EQ(transport.opens("slow"), 1u);

    options.connect_attempts = 2;
    events = {};
    transport.opened.clear();
    run({"slow"}, plans({"one"}));
    EXPECT_EQ(transport.opens("slow"), 2u);
    EXPECT_EQ(outcome(0).error->message, "connect to slow timed out after 2000ms (2 attempts)");
}

TEST_F(EngineTest, ConcurrencyLimitIsRespected) {
    std::vector<std::string> names;
    for (int i = 0; i < 10; ++i) {
        names.push_back("h" + std::to_string(i));
        transport.hosts[names.back()].steps = {
            talks({{Stream::out, "x"}, {Stream::out, "y"}, {Stream::err, "z"}})};
    }
    options.concurrency = 3;
    auto summary = run(names, plans({"one", "two"}));
    EXPECT_EQ(summary.ok, 10u);
    EXPECT_EQ(transport.max_live, 3u);
}

// Regression: when every running host finished in the same pass, the loop slept its idle
// timeout (60 s) before admitting the next queued host; with --concurrency 1, every host.
TEST_F(EngineTest, AFreedSlotIsFilledWithoutWaiting) {
    options.concurrency = 1;
    auto summary = run({"a", "b", "c"}, plans({"one"}));
    EXPECT_EQ(summary.ok, 3u);
    EXPECT_LT(reactor.elapsed(), 1s);
}

TEST_F(EngineTest, OutputBytesAreCountedPerStream) {
    transport.hosts["a"].steps = {
        talks({{Stream::out, "hello"}, {Stream::err, "oops"}, {Stream::out, "world!"}}), exits(0)};
    run({"a"}, plans({"talk", "quiet"}));
    ASSERT_EQ(events.steps.size(), 2u);
    EXPECT_EQ(events.steps[0].bytes_out, 11u);
    EXPECT_EQ(events.steps[0].bytes_err, 4u);
    EXPECT_EQ((outputs.files[{0, 0}].out), "helloworld!");
    EXPECT_EQ((outputs.files[{0, 0}].err), "oops");
    EXPECT_EQ(events.steps[1].bytes_out, 0u);
    EXPECT_EQ(events.steps[1].bytes_err, 0u);
}

TEST_F(EngineTest, OutputStoreFailureFailsTheHostWithoutRunningTheStep) {
    outputs.fail_at = std::pair<size_t, size_t>{0, 1};
    run({"a"}, plans({"one", "two", "three"}));
    EXPECT_EQ(outcome(0).status, HostStatus::failed);
    ASSERT_TRUE(outcome(0).error);
    EXPECT_EQ(outcome(0).error->kind, ErrorKind::io);
    EXPECT_EQ(transport.opened["a"][0].commands.size(), 1u);
    EXPECT_EQ(rendered, (std::vector<std::pair<size_t, size_t>>{{0, 0}}));
}

TEST_F(EngineTest, StopLevelOneSkipsQueuedHostsAndLetsTheRunningStepFinish) {
    transport.hosts["a"].steps = {
        talks({{Stream::out, "1"}, {Stream::out, "2"}, {Stream::out, "3"}, {Stream::out, "4"}})};
    options.concurrency = 1;
    options.stop_level = [this] { return transport.total_pumps >= 2 ? 1 : 0; };
    auto summary = run({"a", "b", "c"}, plans({"one"}));

    EXPECT_TRUE(summary.stopped);
    EXPECT_EQ(summary.ok, 1u);
    EXPECT_EQ(summary.skipped, 2u);
    EXPECT_FALSE(command("a", 0).aborted);
    EXPECT_TRUE(command("a", 0).finished);
    EXPECT_EQ((outputs.files[{0, 0}].out), "1234");
    EXPECT_EQ(transport.opens("b") + transport.opens("c"), 0u);
    EXPECT_EQ(host_log(1), std::vector<std::string>{"host_finished 1"});
    EXPECT_EQ(outcome(2).status, HostStatus::skipped);
}

TEST_F(EngineTest, StopLevelOneLetsAStartedHostRunItsRemainingSteps) {
    // After a first stop request a started host goes on (within the grace): a host stopped
    // half-way would stay drained.
    transport.hosts["a"].steps = {talks({{Stream::out, "1"}, {Stream::out, "2"}})};
    options.stop_level = [this] { return transport.total_pumps >= 1 ? 1 : 0; };
    auto summary = run({"a"}, plans({"one", "two"}));
    EXPECT_TRUE(summary.stopped);
    EXPECT_EQ(transport.opened["a"][0].commands.size(), 2u);
    EXPECT_EQ(outcome(0).status, HostStatus::ok);
}

TEST_F(EngineTest, StopLevelOneStartsNoNewHost) {
    std::vector<std::string> names = {"a", "b", "c"};
    options.concurrency = 1;
    options.stop_level = [this] { return transport.total_pumps >= 1 ? 1 : 0; };
    auto summary = run(names, plans({"one", "two"}));
    EXPECT_EQ(summary.ok, 1u);
    EXPECT_EQ(summary.skipped, 2u);
    EXPECT_EQ(transport.opens("b") + transport.opens("c"), 0u);
    ASSERT_TRUE(outcome(1).error);
    EXPECT_EQ(outcome(1).error->kind, ErrorKind::interrupted);
}

TEST_F(EngineTest, StopLevelOneInterruptsARunningStepAfterTheGrace) {
    transport.hosts["a"].steps = {hangs()};
    options.stop_grace = 3s;
    options.stop_level = [this] { return transport.total_pumps >= 1 ? 1 : 0; };
    auto summary = run({"a"}, plans({"forever", "after"}));
    EXPECT_TRUE(command("a", 0).aborted);
    EXPECT_EQ(outcome(0).status, HostStatus::interrupted);
    EXPECT_EQ(summary.interrupted, 1u);
    EXPECT_EQ(outcome(0).error->kind, ErrorKind::interrupted);
    EXPECT_EQ(transport.opened["a"][0].commands.size(), 1u) << "nothing after the grace";
    EXPECT_GE(reactor.elapsed(), 3s);
    EXPECT_LT(reactor.elapsed(), 4s);
}

TEST_F(EngineTest, StopLevelTwoAbortsRunningCommandsAtOnce) {
    std::vector<std::string> names = {"a", "b", "c", "d"};
    for (const auto& n : names)
        transport.hosts[n].steps = {hangs()};
    options.concurrency = 2;
    options.stop_level = [this] { return transport.total_pumps >= 4 ? 2 : 0; };
    auto summary = run(names, plans({"forever"}));

    EXPECT_TRUE(summary.stopped);
    EXPECT_EQ(summary.interrupted, 2u);
    EXPECT_EQ(summary.skipped, 2u);
    for (size_t h = 0; h < 2; ++h) {
        EXPECT_TRUE(command(names[h], 0).aborted);
        EXPECT_EQ(outcome(h).status, HostStatus::interrupted);
        ASSERT_TRUE(outcome(h).error);
        EXPECT_EQ(outcome(h).error->kind, ErrorKind::interrupted);
    }
    EXPECT_LT(reactor.elapsed(), 1s) << "no waiting for a grace period";
    EXPECT_EQ(transport.opens("c") + transport.opens("d"), 0u);
}

TEST_F(EngineTest, AStopSkipsAHostStillConnecting) {
    // It has not started its work: it is skipped (resumable), not failed.
    transport.hosts["a"].connect = FakeHost::Connect::hang;
    options.stop_level = [this] { return reactor.elapsed() >= 100ms ? 2 : 0; };
    run({"a"}, plans({"one"}));
    EXPECT_EQ(outcome(0).status, HostStatus::skipped);
    ASSERT_TRUE(outcome(0).error);
    EXPECT_EQ(outcome(0).error->kind, ErrorKind::interrupted);
    EXPECT_EQ(transport.opens("a"), 1u);
}

TEST_F(EngineTest, StopLevelOneOpensNoNewConnectionForAHostInBackoff) {
    // A retry is a new connection: after a first stop request, a host waiting to retry ends.
    transport.hosts["down"].connect = FakeHost::Connect::fail;
    options.connect_backoff = 1s;
    options.stop_level = [this] { return transport.opens("down") >= 1 ? 1 : 0; };
    run({"down"}, plans({"one"}));
    EXPECT_EQ(transport.opens("down"), 1u);
    EXPECT_EQ(outcome(0).status, HostStatus::skipped);
    ASSERT_TRUE(outcome(0).error);
    EXPECT_EQ(outcome(0).error->kind, ErrorKind::interrupted);
}

// ---- always, after_failure, hold, connecting first ----

TEST_F(EngineTest, AnAlwaysStepRunsAfterAFailure) {
    transport.hosts["a"].steps = {exits(0), exits(3), exits(0)};
    auto steps = plans({"drain", "deploy", "check", "undrain"});
    steps[3].always = true;
    run({"a"}, steps);
    EXPECT_EQ(outcome(0).status, HostStatus::failed);
    EXPECT_EQ(outcome(0).error->message, "step \"deploy\" exited with 3");
    // drain, deploy, undrain: "check" is skipped, "undrain" runs.
    ASSERT_EQ(transport.opened["a"][0].commands.size(), 3u);
    EXPECT_NE(transport.opened["a"][0].commands[2].stdin_data.find("step 3"), std::string::npos);
}

TEST_F(EngineTest, AnAlwaysStepRunsWithinTheGraceOfAStop) {
    auto steps = plans({"drain", "restart", "undrain"});
    steps[2].always = true;
    options.stop_level = [this] { return transport.total_pumps >= 1 ? 1 : 0; };
    run({"a"}, steps);
    EXPECT_EQ(transport.opened["a"][0].commands.size(), 3u);
    EXPECT_EQ(outcome(0).status, HostStatus::ok);
}

TEST_F(EngineTest, ALostConnectionRunsNoFurtherRemoteStep) {
    // Not even an `always` one: it would only fail the same way, after a timeout. (Local
    // always steps still run; the fake reactor cannot run local processes.)
    FakeStep lost;
    lost.error = Error(ErrorKind::connect, "the host stopped answering");
    transport.hosts["a"].steps = {lost};
    auto steps = plans({"restart", "remote cleanup"});
    steps[1].always = true;
    run({"a"}, steps);
    EXPECT_EQ(outcome(0).status, HostStatus::failed);
    EXPECT_EQ(outcome(0).error->kind, ErrorKind::connect);
    EXPECT_EQ(transport.opened["a"][0].commands.size(), 1u) << "nothing more on a dead session";
}

TEST_F(EngineTest, AfterFailureStepsRollBackOnlyAHostThatFailed) {
    transport.hosts["bad"].steps = {exits(1), exits(0)};
    auto steps = plans({"deploy", "rollback"});
    steps[1].after_failure = true;
    auto summary = run({"good", "bad"}, steps);
    EXPECT_EQ(outcome(0).status, HostStatus::ok);
    EXPECT_EQ(transport.opened["good"][0].commands.size(), 1u) << "no rollback on success";
    EXPECT_EQ(outcome(1).status, HostStatus::rolled_back);
    EXPECT_EQ(transport.opened["bad"][0].commands.size(), 2u);
    EXPECT_EQ(summary.rolled_back, 1u);
}

TEST_F(EngineTest, AFailedRollbackLeavesTheHostFailed) {
    transport.hosts["bad"].steps = {exits(1), exits(2), exits(0)};
    auto steps = plans({"deploy", "rollback 1", "rollback 2"});
    steps[1].after_failure = steps[2].after_failure = true;
    run({"bad"}, steps);
    EXPECT_EQ(outcome(0).status, HostStatus::failed);
    EXPECT_EQ(transport.opened["bad"][0].commands.size(), 2u) << "rollback stops at a failure";
}

TEST_F(EngineTest, AHoldSkipsEveryHostNotYetStarted) {
    std::vector<std::string> names;
    for (int i = 0; i < 20; ++i)
        names.push_back("h" + std::to_string(i));
    transport.hosts["h0"].steps = {exits(1)};
    options.concurrency = 2;
    options.hold = [this]() -> std::optional<std::string> {
        for (const auto& o : events.hosts)
            if (o.status == HostStatus::failed) return "gate";
        return std::nullopt;
    };
    auto summary = run(names, plans({"one"}));
    EXPECT_EQ(summary.failed, 1u);
    EXPECT_LE(summary.ok, 2u) << "at most the host running beside it, and one admitted with it";
    EXPECT_EQ(summary.failed + summary.ok + summary.skipped, 20u);
    EXPECT_EQ(summary.held, std::optional<std::string>("gate"));
    for (const auto& o : events.hosts)
        if (o.status == HostStatus::skipped) {
            EXPECT_EQ(o.error->kind, ErrorKind::halted);
        }
}

TEST_F(EngineTest, AHostConnectsBeforeItsFirstLocalStep) {
    transport.hosts["a"].connect = FakeHost::Connect::fail;
    transport.hosts["a"].error_kind = ErrorKind::host_key;
    auto steps = plans({"drain", "restart"});
    steps[0].local = true;
    steps[0].command = "false";
    run({"a"}, steps);
    EXPECT_EQ(outcome(0).status, HostStatus::unreachable);
    EXPECT_EQ(outcome(0).steps_run, 0u) << "the local drain never ran";
    for (const auto& line : events.log)
        EXPECT_FALSE(line.starts_with("step_started")) << line;
}

// ---- run_once ----

std::vector<StepPlan> once_plans() {
    auto steps = plans({"prepare", "migrate", "restart"});
    steps[1].once_key = "migrate";
    return steps;
}

size_t log_index(const std::vector<std::string>& log, const std::string& line) {
    auto it = std::find(log.begin(), log.end(), line);
    return it == log.end() ? log.size() : size_t(it - log.begin());
}

TEST_F(EngineTest, RunOnceRunsOnOneHostWhileTheOthersWaitForIt) {
    OnceLedger ledger;
    // The migration on the first host takes many turns; nobody may restart before it ends.
    Chunks slow;
    for (int i = 0; i < 30; ++i)
        slow.push_back({Stream::out, "."});
    transport.hosts["a"].steps = {exits(0), talks(slow), exits(0)};
    auto summary = run({"a", "b", "c"}, once_plans(), &ledger);

    EXPECT_EQ(summary.ok, 3u);
    EXPECT_EQ(transport.opened["a"][0].commands.size(), 3u);
    EXPECT_EQ(transport.opened["b"][0].commands.size(), 2u) << "no migrate on b";
    EXPECT_EQ(transport.opened["c"][0].commands.size(), 2u) << "no migrate on c";
    size_t migrated = log_index(events.log, "step_finished 0/1");
    ASSERT_LT(migrated, events.log.size());
    for (size_t h : {1, 2}) {
        SCOPED_TRACE(h);
        EXPECT_GT(log_index(events.log, "step_started " + std::to_string(h) + "/2"), migrated);
        auto skipped = std::find_if(events.steps.begin(), events.steps.end(),
                                    [h](const auto& o) { return o.host == h && o.step == 1; });
        ASSERT_NE(skipped, events.steps.end());
        EXPECT_TRUE(skipped->ok);
        EXPECT_EQ(skipped->ran_on, "a");
    }
    EXPECT_EQ(ledger.entries["migrate"].state, OnceLedger::State::ok);
}

TEST_F(EngineTest, RunOnceFailureFailsEveryHostAtThatStep) {
    OnceLedger ledger;
    transport.hosts["a"].steps = {exits(0), exits(4)};
    auto summary = run({"a", "b"}, once_plans(), &ledger);

    EXPECT_EQ(summary.failed, 2u);
    ASSERT_TRUE(outcome(1).error);
    EXPECT_EQ(outcome(1).error->message, "step \"migrate\" (run_once) failed on a");
    EXPECT_EQ(transport.opened["b"][0].commands.size(), 1u) << "b stops before restart";
    EXPECT_EQ(ledger.entries["migrate"].state, OnceLedger::State::failed);
}

TEST_F(EngineTest, RunOnceIsTakenOverWhenItsHostIsUnreachable) {
    OnceLedger ledger;
    auto steps = once_plans();
    steps.erase(steps.begin()); // the once step first: taken before connecting
    transport.hosts["a"].connect = FakeHost::Connect::fail;
    transport.hosts["a"].error_kind = ErrorKind::auth;
    auto summary = run({"a", "b", "c"}, steps, &ledger);

    EXPECT_EQ(summary.unreachable, 1u);
    EXPECT_EQ(summary.ok, 2u);
    EXPECT_EQ(ledger.entries["migrate"].host, "b");
    EXPECT_EQ(transport.opened["b"][0].commands.size(), 2u);
    EXPECT_EQ(transport.opened["c"][0].commands.size(), 1u);
}

TEST_F(EngineTest, RunOnceOutcomeCarriesOverToTheNextWave) {
    OnceLedger ledger;
    ledger.entries["migrate"] = {OnceLedger::State::ok, "earlier-host"};
    run({"d"}, once_plans(), &ledger);
    EXPECT_EQ(transport.opened["d"][0].commands.size(), 2u);
    EXPECT_EQ(events.steps[1].ran_on, "earlier-host");
}

} // namespace
} // namespace leura::exec
