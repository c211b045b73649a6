// SPDX-License-Identifier: Apache-2.0
// The live view's frame at chosen moments of a run: counts, ETA, the gate's budget, the
// slowest running hosts and the stop countdown.
#include "ui/live_view.hpp"

#include <gtest/gtest.h>

using namespace leura::ui;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

HostDone done(const std::string& host, const std::string& status) {
    HostDone h;
    h.host = host;
    h.status = status;
    return h;
}

struct LiveViewTest : ::testing::Test {
    Clock::time_point t0 = Clock::time_point{} + seconds(1000);
    LiveState s;
    void SetUp() override {
        s.run_started(10, t0);
        s.batch_started({2, 3, {"a", "b", "c", "d"}, size_t(2)});
    }
};

} // namespace

TEST_F(LiveViewTest, CountsWaveElapsedAndEta) {
    s.step_started({"a", "restart", "steps"}, t0);
    s.host_finished(done("a", "ok"));
    s.host_finished(done("b", "failed"));
    auto lines = s.render(t0 + seconds(20), 200, 5);
    // 2 of 10 in 20s: 8 more take 80s at that pace.
    EXPECT_EQ(lines[0], "wave 2/3 | 2/10 done: 1 ok, 1 failed, 0 unreachable | 0 running | "
                        "0:20, ETA 1:20");
    EXPECT_EQ(lines[1], "gate: 1 failed of 2 allowed in this wave; 1 more allowed");
}

TEST_F(LiveViewTest, SlowestRunningHostsFirstWithTheirStep) {
    s.step_started({"c", "drain", "steps"}, t0 + seconds(5));
    s.step_started({"d", "restart", "steps"}, t0 + seconds(1));
    s.step_started({"e", "restart", "steps"}, t0 + seconds(3));
    auto lines = s.render(t0 + seconds(10), 200, 2);
    ASSERT_EQ(lines.size(), 4u); // counts, gate, two hosts
    EXPECT_NE(lines[0].find("3 running"), std::string::npos) << lines[0];
    EXPECT_NE(lines[2].find("d  restart"), std::string::npos) << lines[2];
    EXPECT_NE(lines[2].find("9.0s"), std::string::npos) << lines[2];
    EXPECT_NE(lines[3].find("e  restart"), std::string::npos) << lines[3];
    // A host's next step restarts its clock; its end takes it off the list.
    s.step_started({"d", "check", "verify"}, t0 + seconds(9));
    s.host_finished(done("e", "ok"));
    lines = s.render(t0 + seconds(10), 200, 5);
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_NE(lines[2].find("c  drain"), std::string::npos) << lines[2];
    EXPECT_NE(lines[3].find("d  check"), std::string::npos) << lines[3];
}

TEST_F(LiveViewTest, TheNextFailureHaltsWhenTheBudgetIsSpent) {
    s.host_finished(done("a", "unreachable"));
    s.host_finished(done("b", "failed"));
    auto lines = s.render(t0 + seconds(1), 200, 5);
    EXPECT_EQ(lines[1], "gate: 2 failed of 2 allowed in this wave; the next failure halts");
}

TEST_F(LiveViewTest, StopCountdownReplacesTheGateLine) {
    s.step_started({"a", "restart", "steps"}, t0);
    s.stop_requested({1, 1, 10'000}, t0 + seconds(2));
    auto lines = s.render(t0 + seconds(5), 200, 5);
    EXPECT_EQ(lines[1], "stopping: 7s left for 1 running host(s) to finish; Ctrl-C again to abort");
    EXPECT_EQ(lines[0].find("ETA"), std::string::npos) << "no ETA once stopping: " << lines[0];
    s.stop_requested({2, 1, 0}, t0 + seconds(6));
    EXPECT_EQ(s.render(t0 + seconds(6), 200, 5)[1], "aborting: ending the running steps");
}

TEST_F(LiveViewTest, LinesFitTheTerminalAndStepNamesCannotMoveTheCursor) {
    s.step_started({"a", "evil\033[2Jname", "steps"}, t0);
    for (const auto& line : s.render(t0 + seconds(1), 30, 5)) {
        EXPECT_LT(line.size(), 30u) << line;
        EXPECT_EQ(line.find('\033'), std::string::npos) << line;
    }
}

TEST_F(LiveViewTest, StagesCountTheirOwnHosts) {
    s.host_finished(done("a", "ok"));
    StageStart st;
    st.stage = "web";
    st.hosts = 4;
    s.stage_started(st, t0 + seconds(3));
    auto lines = s.render(t0 + seconds(4), 200, 0);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0], "stage web | 0/4 done: 0 ok, 0 failed, 0 unreachable | 0 running | 0:01");
}

TEST_F(LiveViewTest, PlainLineNamesTheSlowestHost) {
    s.step_started({"b", "restart", "steps"}, t0 + seconds(1));
    s.step_started({"c", "drain", "steps"}, t0 + seconds(2));
    EXPECT_NE(s.plain_line(t0 + milliseconds(3500)).find("slowest: b restart for 2.5s"),
              std::string::npos)
        << s.plain_line(t0 + milliseconds(3500));
}
