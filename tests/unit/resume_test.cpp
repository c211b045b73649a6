// SPDX-License-Identifier: Apache-2.0
// app::plan_resume rule by rule, over records built by hand, and the run's verdict.
#include "app/outcome.hpp"
#include "app/resume.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace leura::app {
namespace {

class ResumeTest : public ::testing::Test {
protected:
    void SetUp() override {
        view.run.id = "r1";
        view.run.status = "interrupted";
        view.run.plan = R"({"plan":[{"wave":1,"names":["a","b"]},{"wave":2,"names":["c","d"]}]})";
        for (const char* name : {"one", "two", "three"}) {
            config::Step s;
            s.name = name;
            task.steps.push_back(s);
        }
    }
    void host(const std::string& name, const std::string& status,
              std::optional<std::string> kind = std::nullopt) {
        store::HostRecord h;
        h.host = name;
        h.status = status;
        h.error_kind = std::move(kind);
        if (h.error_kind) h.error = "why";
        view.hosts.push_back(h);
    }
    void steps(const std::string& name, std::vector<std::string> statuses,
               std::optional<std::string> last_kind = std::nullopt) {
        for (size_t i = 0; i < statuses.size(); ++i) {
            store::StepRecord s;
            s.host = name;
            s.idx = int64_t(i);
            s.status = statuses[i];
            s.phase = i < task.steps.size() ? "steps" : "verify";
            if (i + 1 == statuses.size()) s.error_kind = last_kind;
            view.steps.push_back(s);
        }
    }
    // "a@0 b@2 | c@0": each wave's hosts and their first steps.
    std::string planned(const ResumeOptions& o = {}) {
        auto p = plan_resume(view, task, "", o);
        if (!p) return "error: " + p.error().message;
        std::string out;
        for (const auto& w : p->waves) {
            if (!out.empty()) out += " | ";
            std::string line;
            for (const auto& h : w)
                line += (line.empty() ? "" : " ") + h.name + "@" + std::to_string(h.first_step);
            out += line;
        }
        return out;
    }

    RunView view;
    config::Task task;
};

TEST_F(ResumeTest, HostsThatEndedStayAndTheRestContinueFromTheirFirstUnfinishedStep) {
    host("a", "ok");
    steps("a", {"ok", "ok", "ok"});
    host("b", "interrupted", "interrupted");
    steps("b", {"ok", "unchanged"});
    host("c", "skipped", "interrupted");
    // d: never recorded at all (a kill -9 before it started)
    EXPECT_EQ(planned(), "b@2 | c@0 d@0");
}

TEST_F(ResumeTest, AStepOfUnknownOutcomeIsRefusedUnlessIdempotentOrRerunUnknown) {
    host("a", "interrupted", "interrupted");
    steps("a", {"ok", "failed"}, "interrupted");
    host("b", "running");
    steps("b", {"running"});
    EXPECT_EQ(planned(), "error: these hosts were inside a step when run r1 stopped, so "
                         "whether it did its work is unknown: a (step 2 \"two\"), b (step 1 "
                         "\"one\"). Mark the step idempotent = true if running it again is "
                         "safe, or pass --rerun-unknown");
    ResumeOptions rerun;
    rerun.rerun_unknown = true;
    EXPECT_EQ(planned(rerun), "a@1 b@0 | c@0 d@0");
    task.steps[0].idempotent = task.steps[1].idempotent = true;
    EXPECT_EQ(planned(), "a@1 b@0 | c@0 d@0");
}

TEST_F(ResumeTest, AHostWhoseEveryStepIsDoneNeedsNothing) {
    host("a", "running");
    steps("a", {"ok", "ok", "skipped"});
    host("b", "ok");
    EXPECT_EQ(planned(), "c@0 d@0");
}

TEST_F(ResumeTest, VerifyChecksCountAfterTheSteps) {
    config::Step check;
    check.name = "health";
    task.verify.push_back(check);
    host("a", "interrupted", "interrupted");
    steps("a", {"ok", "ok", "ok"});
    EXPECT_EQ(planned().substr(0, 3), "a@3");
}

TEST_F(ResumeTest, AHaltedRunContinuesWithTheHostsItNeverStarted) {
    view.run.status = "halted";
    host("a", "failed", "exit");
    host("b", "skipped", "halted");
    host("c", "skipped", "halted");
    host("d", "skipped", "halted");
    EXPECT_EQ(planned(), "b@0 | c@0 d@0");
    ResumeOptions retry;
    retry.retry_failed = true;
    EXPECT_EQ(planned(retry), "a@0 b@0 | c@0 d@0");
}

TEST_F(ResumeTest, ADeclinedRunContinuesWithTheHostsItNeverStarted) {
    view.run.status = "declined";
    host("a", "ok");
    steps("a", {"ok", "ok", "ok"});
    host("b", "skipped", "halted");
    host("c", "skipped", "halted");
    host("d", "skipped", "halted");
    EXPECT_EQ(planned(), "b@0 | c@0 d@0");
}

TEST_F(ResumeTest, HostsTheirWaveRolledBackStartAgainButThoseThatFailedStayFailed) {
    view.run.status = "halted";
    host("a", "rolled_back");         // it had succeeded; its wave's rollback undid it
    host("b", "rolled_back", "exit"); // it failed and rolled itself back
    steps("a", {"ok", "ok", "ok"});
    EXPECT_EQ(planned(), "a@0 | c@0 d@0");
    ResumeOptions retry;
    retry.retry_failed = true;
    EXPECT_EQ(planned(retry), "a@0 b@0 | c@0 d@0");
}

TEST_F(ResumeTest, UnreachableHostsRunAgainOnlyWhenAsked) {
    host("a", "unreachable", "connect");
    EXPECT_EQ(planned(), "b@0 | c@0 d@0");
    ResumeOptions retry;
    retry.retry_failed = true;
    EXPECT_EQ(planned(retry), "a@0 b@0 | c@0 d@0");
}

TEST_F(ResumeTest, ARecordFromBeforeVersion6StillResumes) {
    // Older runs recorded a stopped host as failed with error kind interrupted.
    host("a", "failed", "interrupted");
    steps("a", {"ok"});
    EXPECT_EQ(planned(), "a@1 b@0 | c@0 d@0");
}

TEST_F(ResumeTest, RunsThatCannotBeResumedSaySo) {
    view.run.status = "running";
    auto p = plan_resume(view, task, "", {});
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().kind, ErrorKind::locked);
    view.run.status = "ok";
    EXPECT_EQ(planned(), "error: run r1 ended ok; resume continues interrupted, halted and declined runs "
                         "(leura retry r1 runs its failed hosts again)");
    view.run.status = "interrupted";
    auto again = plan_resume(view, task, "r2", {});
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().message,
              "run r1 was resumed by run r2; resume that one if it did not finish");
    view.run.plan.reset();
    EXPECT_EQ(planned(), "error: run r1 has no recorded plan to resume");
}

TEST_F(ResumeTest, EveryWaveDoneLeavesAnEmptyPlan) {
    for (const char* n : {"a", "b", "c", "d"})
        host(n, "ok");
    auto p = plan_resume(view, task, "", {});
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->waves.empty());
}

// ---- the run's verdict ----

TEST(RunVerdictTest, EachOutcomeHasOneStatusAndExitCode) {
    WaveOutcome w;
    EXPECT_EQ(run_verdict(w, 0).exit, ExitCode::ok);
    w.totals.failed = 1;
    EXPECT_EQ(run_verdict(w, 0).exit, ExitCode::hosts_failed);
    w.totals = {};
    w.totals.rolled_back = 1;
    EXPECT_EQ(run_verdict(w, 0).status, store::RunStatus::failed);
    w.declined = true;
    EXPECT_EQ(run_verdict(w, 0).exit, ExitCode::halted);
    EXPECT_EQ(run_verdict(w, 0).status, store::RunStatus::declined);
    w.halted = true;
    EXPECT_EQ(run_verdict(w, 0).status, store::RunStatus::halted);
    EXPECT_EQ(run_verdict(w, SIGINT).exit, ExitCode::sigint);
    EXPECT_EQ(run_verdict(w, SIGTERM).exit, ExitCode::sigterm);
    EXPECT_EQ(run_verdict(w, SIGTERM).status, store::RunStatus::interrupted);
    w.record_error = Error(ErrorKind::io, "disk");
    EXPECT_EQ(run_verdict(w, 0).exit, ExitCode::internal);
}

TEST(StatusTest, EveryStatusParsesBack) {
    for (auto s : {store::HostState::running, store::HostState::ok, store::HostState::failed,
                   store::HostState::unreachable, store::HostState::skipped,
                   store::HostState::interrupted, store::HostState::rolled_back})
        EXPECT_EQ(store::parse_host_state(to_string(s)), s);
    for (auto s : {store::RunStatus::running, store::RunStatus::ok, store::RunStatus::failed,
                   store::RunStatus::halted, store::RunStatus::declined,
                   store::RunStatus::interrupted, store::RunStatus::skipped})
        EXPECT_EQ(store::parse_run_status(to_string(s)), s);
    EXPECT_FALSE(store::parse_step_state("bogus"));
}

} // namespace
} // namespace leura::app

namespace leura::app {
namespace {

// ---- who is acting ----

std::optional<std::string> names(uid_t uid) {
    if (uid == 0) return "root";
    if (uid == 1000) return "alice";
    if (uid == 999) return "leura";
    return std::nullopt;
}

TEST(IdentityTest, TheRealUidDecidesNotTheEnvironment) {
    EXPECT_EQ(identify({1000, std::nullopt, std::nullopt, std::nullopt}, names).name, "alice");
    // SUDO_UID is anyone's to set: it counts only under the service account.
    EXPECT_EQ(identify({1000, 0, std::nullopt, std::nullopt}, names).name, "alice");
    EXPECT_EQ(identify({1000, 0, 999, std::nullopt}, names).name, "alice");
    EXPECT_EQ(identify({999, 1000, 999, std::nullopt}, names).name, "alice");
    EXPECT_EQ(identify({999, 1000, 999, 0}, names).name, "root") << "a socket's peer wins";
    EXPECT_EQ(identify({4242, std::nullopt, std::nullopt, std::nullopt}, names).name, "uid-4242");
}

} // namespace
} // namespace leura::app
