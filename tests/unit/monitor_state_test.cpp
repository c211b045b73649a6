// SPDX-License-Identifier: Apache-2.0
// The monitor's state machine on a fake clock with scripted results: k of N (alternating
// failures count), recovery, flapping, cooldown, the daily cap, the fleet limit with 100
// failing hosts, the breaker, escalation and its repeat, muting, a reaction that fails, and a
// restart mid-sequence (the state copied out and back, as the records keep it).
#include "app/monitor_state.hpp"

#include <gtest/gtest.h>

namespace leura::app {
namespace {

config::MonitorDef monitor() {
    config::MonitorDef m;
    m.name = "svc";
    m.failures = 3;
    m.window = 5;
    m.recoveries = 2;
    m.flap_changes = 6;
    m.flap_window = 10;
    m.reaction_task = "restart";
    m.cooldown = std::chrono::minutes(10);
    m.daily_cap = 3;
    m.max_hosts = 5;
    m.breaker = 20;
    m.escalation_task = "page";
    m.escalate_after = 2;
    m.escalate_every = std::chrono::hours(1);
    return m;
}

struct Host {
    const config::MonitorDef& m;
    MonitorHostState s;
    int64_t now = 1'000'000;
    Decision check(CheckResult r, FleetState fleet = {}, std::string reaction = "",
                   bool muted = false) {
        now += 60;
        DecideInputs in;
        in.result = r;
        in.now = now;
        in.fleet = fleet;
        in.muted = muted;
        in.reaction_status = std::move(reaction);
        Decision d = decide(m, s, in);
        if (d.act == Decision::Act::react) s.reaction_run = "run-" + std::to_string(now);
        return d;
    }
};

constexpr auto O = CheckResult::ok;
constexpr auto F = CheckResult::fail;
constexpr auto W = CheckResult::warn;
constexpr auto U = CheckResult::unreachable;

TEST(MonitorState, KOfNCountsAlternatingFailures) {
    auto m = monitor();
    m.flap_changes = 6; // F O F O F is 4 changes: not yet flapping
    Host h{m, {}};
    EXPECT_EQ(h.check(F).decision, "soft_fail");
    EXPECT_EQ(h.check(O).decision, "soft_fail");
    EXPECT_EQ(h.check(F).decision, "soft_fail");
    EXPECT_EQ(h.check(O).decision, "soft_fail");
    Decision d = h.check(F); // F O F O F: 3 of the last 5
    EXPECT_EQ(d.decision, "react");
    EXPECT_EQ(d.reason, "3 of the last 5 checks failed");
    EXPECT_EQ(h.s.state, "reacting");
}

TEST(MonitorState, ReactionVerifiedThenRecovered) {
    auto m = monitor();
    Host h{m, {}};
    for (int i = 0; i < 2; ++i)
        h.check(F);
    EXPECT_EQ(h.check(F).act, Decision::Act::react);
    EXPECT_EQ(h.check(F, {}, "running").reason.substr(0, 16), "reaction running");
    Decision d = h.check(O, {}, "ok");
    EXPECT_EQ(d.decision, "recovered");
    EXPECT_EQ(h.s.state, "ok");
    EXPECT_EQ(h.s.failed_reactions, 0);
    // The failures the reaction settled do not count again: one new failure is a soft one.
    EXPECT_EQ(h.check(F).decision, "soft_fail");
    EXPECT_EQ(h.s.results, "FFFFO|F");
}

TEST(MonitorState, FailedReactionsEscalateAndRepeatHourly) {
    auto m = monitor();
    m.cooldown = std::chrono::minutes(1);
    Host h{m, {}};
    for (int i = 0; i < 3; ++i)
        h.check(F);
    EXPECT_EQ(h.s.state, "reacting");
    // The reaction ran, the check still fails: one failed reaction; react again, saying so.
    Decision again = h.check(F, {}, "ok");
    EXPECT_EQ(again.act, Decision::Act::react);
    EXPECT_EQ(again.reason.substr(0, 18), "reaction run-10001");
    EXPECT_NE(again.reason.find("ended ok but the check still fails after it; "),
              std::string::npos);
    EXPECT_EQ(h.s.failed_reactions, 1);
    // This reaction's run failed: two in a row: escalate.
    Decision d = h.check(F, {}, "failed");
    EXPECT_EQ(d.act, Decision::Act::escalate);
    EXPECT_EQ(d.reason, "reaction run-" + std::to_string(h.now - 60) +
                            " ended failed; 2 reactions in a row did not bring it back");
    EXPECT_EQ(h.s.state, "escalated");
    // No more reactions, no escalation again within the hour...
    d = h.check(F);
    EXPECT_EQ(d.decision, "skip");
    EXPECT_NE(d.reason.find("escalated"), std::string::npos);
    // ... then again.
    h.now += 3600;
    EXPECT_EQ(h.check(F).act, Decision::Act::escalate);
    // Recovered by itself: two OKs in a row.
    h.check(O);
    EXPECT_EQ(h.check(O).decision, "recovered");
    EXPECT_EQ(h.s.state, "ok");
}

TEST(MonitorState, FlappingSuppressesReactions) {
    auto m = monitor();
    m.failures = 2;
    m.window = 10;
    m.recoveries = 3;
    Host h{m, {}};
    h.check(F);
    h.check(O);
    h.check(F); // failing now, reacting
    h.s = MonitorHostState{};
    h.s.state = "failing";
    h.s.results = "FOFOFOFO";
    Decision d = h.check(O);
    d = h.check(F);
    EXPECT_TRUE(h.s.flapping);
    EXPECT_EQ(d.decision, "skip");
    EXPECT_EQ(d.reason.substr(0, 8), "flapping");
}

TEST(MonitorState, CooldownAndDailyCap) {
    auto m = monitor();
    m.recoveries = 1;
    Host h{m, {}};
    for (int i = 0; i < 3; ++i)
        h.check(F);
    EXPECT_EQ(h.check(O, {}, "ok").decision, "recovered");
    for (int i = 0; i < 3; ++i)
        h.check(F);
    Decision d = h.check(F);
    EXPECT_EQ(d.reason.substr(0, 8), "cooldown");
    // Three reactions in a day, each after the cooldown: the fourth is capped.
    MonitorHostState s;
    s.state = "failing";
    s.results = "FFFFF";
    s.reactions = {h.now - 7200, h.now - 5400, h.now - 3600};
    h.s = s;
    d = h.check(F);
    EXPECT_EQ(d.decision, "skip");
    EXPECT_EQ(d.reason, "cap: 3 reactions in 24 hours");
}

TEST(MonitorState, FleetLimitWithAHundredFailingHosts) {
    auto m = monitor();
    m.max_hosts = 5;
    m.breaker = 1000;
    FleetState fleet;
    int reacted = 0;
    std::vector<Host> hosts;
    for (int i = 0; i < 100; ++i)
        hosts.push_back(Host{m, {}});
    for (int round = 0; round < 3; ++round)
        for (auto& h : hosts) {
            Decision d = h.check(F, fleet);
            if (d.act == Decision::Act::react) {
                ++reacted;
                ++fleet.reacting;
                ++fleet.reactions_last_hour;
            } else if (round == 2) {
                EXPECT_EQ(d.reason, "fleet limit: 5 hosts under reaction already");
            }
        }
    EXPECT_EQ(reacted, 5);
}

TEST(MonitorState, BreakerTripsAndEscalates) {
    auto m = monitor();
    Host h{m, {}};
    h.check(F);
    h.check(F);
    FleetState fleet;
    fleet.reactions_last_hour = 20;
    Decision d = h.check(F, fleet);
    EXPECT_EQ(d.act, Decision::Act::escalate);
    EXPECT_EQ(d.reason, "the breaker tripped: 20 reactions in the last hour");
    m.escalation_task.clear();
    Host quiet{m, {}};
    quiet.check(F);
    quiet.check(F);
    d = quiet.check(F, fleet);
    EXPECT_EQ(d.reason, "breaker: 20 reactions fleet-wide in the last hour");
}

TEST(MonitorState, MutedAndUnreachableDoNotReact) {
    auto m = monitor();
    Host h{m, {}};
    h.check(F);
    h.check(F);
    EXPECT_EQ(h.check(F, {}, "", true).reason, "muted");
    Decision d = h.check(U);
    EXPECT_EQ(d.decision, "skip");
    EXPECT_EQ(h.s.results, "FFF"); // left out of the window
    m.unreachable_fails = true;
    EXPECT_EQ(h.check(U).act, Decision::Act::react);
    EXPECT_EQ(h.s.results, "FFFF");
    (void)W;
}

TEST(MonitorState, ARestartMidSequenceChangesNoDecision) {
    auto m = monitor();
    std::vector<CheckResult> script{F, O, F, F, O, F, F, F, O, O};
    Host straight{m, {}};
    std::vector<std::string> want;
    for (auto r : script)
        want.push_back(straight.check(r, {}, "ok").decision);
    Host restarted{m, {}};
    std::vector<std::string> got;
    for (size_t i = 0; i < script.size(); ++i) {
        MonitorHostState saved = restarted.s; // what the records keep
        restarted.s = MonitorHostState{};
        restarted.s = saved;
        got.push_back(restarted.check(script[i], {}, "ok").decision);
    }
    EXPECT_EQ(got, want);
}

} // namespace
} // namespace leura::app
