// SPDX-License-Identifier: Apache-2.0
// The stage graph (app/stage_graph.hpp, config::stage_order) and value passing
// (app/step_values.hpp, app::pass_values), rule by rule.
#include "app/stage_graph.hpp"
#include "app/step_values.hpp"
#include "app/workflow.hpp"
#include "config/task.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace leura::app {
namespace {

config::Stage stage(const std::string& name, std::vector<std::string> after, bool when = false) {
    config::Stage s;
    s.name = name;
    s.after = std::move(after);
    s.when_failed = when;
    return s;
}

StageOutcome state(StageState s) {
    StageOutcome o;
    o.state = s;
    return o;
}

TEST(StageGraph, OrderFollowsDependenciesAndFileOrderAmongEquals) {
    std::vector<config::Stage> s = {stage("web", {"workers"}), stage("db", {}), stage("cache", {}),
                                    stage("workers", {"db", "cache"})};
    EXPECT_EQ(config::stage_order(s), (std::vector<size_t>{1, 2, 3, 0}));
}

TEST(StageGraph, ParallelBranchesRunWhenTheirOwnDependenciesPass) {
    std::vector<config::Stage> s = {stage("db", {}), stage("a", {"db"}), stage("b", {"db"})};
    std::vector<StageOutcome> o(3);
    EXPECT_EQ(decide_stage(s, 1, o).verdict, StageVerdict::wait);
    o[0] = state(StageState::ok);
    EXPECT_EQ(decide_stage(s, 1, o).verdict, StageVerdict::run);
    o[1] = state(StageState::failed);
    EXPECT_EQ(decide_stage(s, 2, o).verdict, StageVerdict::run); // a's failure is not b's
}

TEST(StageGraph, HaltPropagatesWithItsCauseNamed) {
    std::vector<config::Stage> s = {stage("db", {}), stage("workers", {"db"}),
                                    stage("web", {"workers"})};
    std::vector<StageOutcome> o(3);
    o[0] = state(StageState::halted);
    auto d = decide_stage(s, 1, o);
    EXPECT_EQ(d.verdict, StageVerdict::skip);
    EXPECT_EQ(d.reason, "stage db halted");
    o[1].state = StageState::skipped;
    o[1].reason = d.reason;
    d = decide_stage(s, 2, o);
    EXPECT_EQ(d.verdict, StageVerdict::skip);
    EXPECT_EQ(d.reason, "stage db halted");
}

TEST(StageGraph, ContinueGatePassesFailuresToDependentsAndHandlers) {
    std::vector<config::Stage> s = {stage("up", {}), stage("next", {"up"}),
                                    stage("fix", {"up"}, true)};
    std::vector<StageOutcome> o(3);
    o[0] = state(StageState::passed);
    EXPECT_EQ(decide_stage(s, 1, o).verdict, StageVerdict::run);
    EXPECT_EQ(decide_stage(s, 2, o).verdict, StageVerdict::run);
}

TEST(StageGraph, WhenFailedRunsOnlyThenAndIsTransparentOtherwise) {
    std::vector<config::Stage> s = {stage("web", {}), stage("notify", {"web"}, true),
                                    stage("after", {"notify"}), stage("page", {"notify"}, true)};
    std::vector<StageOutcome> o(4);
    o[0] = state(StageState::ok);
    EXPECT_EQ(decide_stage(s, 1, o).verdict, StageVerdict::not_needed);
    o[1] = state(StageState::not_needed);
    EXPECT_EQ(decide_stage(s, 2, o).verdict, StageVerdict::run);
    // web failed: notify runs; the stage after it sees the failure, a handler after it runs.
    o[0] = state(StageState::failed);
    auto d = decide_stage(s, 1, o);
    ASSERT_EQ(d.verdict, StageVerdict::run);
    o[1] = state(StageState::ok);
    o[1].handled = true;
    o[1].cause = d.reason;
    EXPECT_EQ(decide_stage(s, 2, o).verdict, StageVerdict::skip);
    EXPECT_EQ(decide_stage(s, 2, o).reason, "stage web failed");
    EXPECT_EQ(decide_stage(s, 3, o).verdict, StageVerdict::run);
}

TEST(StageGraph, CompletedStagesRollBackNewestFirstHandlersExcluded) {
    std::vector<StageOutcome> o(4);
    o[0] = state(StageState::ok);
    o[1] = state(StageState::passed);
    o[2] = state(StageState::halted);
    o[3] = state(StageState::ok);
    o[3].handled = true;
    EXPECT_EQ(stages_to_roll_back({0, 1, 3}, o), (std::vector<size_t>{1, 0}));
}

TEST(StageGraph, CyclesUnknownNamesAndDefaultsAreCheckedWithPositions) {
    auto dir = std::filesystem::temp_directory_path() / "leura-stage-graph-test";
    std::filesystem::create_directories(dir);
    auto load = [&](const std::string& text, config::Diagnostics& diags) {
        std::ofstream(dir / "t.toml") << text;
        return config::load_task(dir / "t.toml", diags);
    };
    config::Diagnostics ok;
    auto t = load("[[stages]]\nname = \"a\"\n[[stages.steps]]\ncommand = \"true\"\n"
                  "[[stages]]\nname = \"b\"\n[[stages.steps]]\ncommand = \"true\"\n",
                  ok);
    ASSERT_TRUE(t) << (ok.items().empty() ? "" : ok.items()[0].message);
    EXPECT_TRUE(t->stages[0].after.empty());
    EXPECT_EQ(t->stages[1].after, (std::vector<std::string>{"a"})); // the stage before it
    config::Diagnostics cyc;
    EXPECT_FALSE(
        load("[[stages]]\nname = \"a\"\nafter = [\"b\"]\n[[stages.steps]]\ncommand = \"x\"\n"
             "[[stages]]\nname = \"b\"\n[[stages.steps]]\ncommand = \"x\"\n",
             cyc));
    ASSERT_EQ(cyc.items().size(), 1u);
    EXPECT_NE(cyc.items()[0].message.find("cycle: a -> b -> a"), std::string::npos);
    EXPECT_EQ(cyc.items()[0].pos.line, 6); // b's implicit after = ["a"] closes it
    config::Diagnostics unknown;
    EXPECT_FALSE(load("[[stages]]\nname = \"a\"\nafter = [\"zz\"]\n[[stages.steps]]\n"
                      "command = \"x\"\n",
                      unknown));
    ASSERT_EQ(unknown.items().size(), 1u);
    EXPECT_EQ(unknown.items()[0].pos.line, 3);
    EXPECT_EQ(unknown.items()[0].pos.column, 10);
    std::filesystem::remove_all(dir);
}

TEST(StepValues, ValueLineIsCutFromTheStreamAcrossChunks) {
    ValueCut cut("abc123");
    std::string out;
    auto emit = [&](std::string_view d) -> Status {
        out.append(d);
        return {};
    };
    // "x=1\ny=two words\n" hex-encoded, split at awkward places.
    std::string hex = "783d310a793d74776f20776f7264730a";
    std::string stream = "warning\n\nabc123 " + hex + "\n";
    for (char c : stream)
        ASSERT_TRUE(cut.take(std::string_view(&c, 1), emit));
    ASSERT_TRUE(cut.finish(emit));
    EXPECT_EQ(out, "warning\n");
    EXPECT_EQ(cut.cut_bytes(), stream.size() - 8);
    auto v = parse_values(cut);
    EXPECT_EQ(v.values, (config::KeyValues{{"x", "1"}, {"y", "two words"}}));
    EXPECT_TRUE(v.problems.empty());
}

TEST(StepValues, BadLinesAreNamedAndTheLastWriteWins) {
    auto v = parse_values_text("a=1\n# note\n\n9bad=2\nno equals\na=3\r\n");
    EXPECT_EQ(v.values, (config::KeyValues{{"a", "3"}}));
    ASSERT_EQ(v.problems.size(), 2u);
    EXPECT_NE(v.problems[0].find("line 4"), std::string::npos);
    EXPECT_NE(v.problems[1].find("line 5"), std::string::npos);
    EXPECT_EQ(values_json({{"k", "v"}, {"tok", "s"}}, {"tok"}),
              "{\"k\":\"v\",\"tok\":\"[secret:tok]\"}");
}

TEST(StepValues, LaterStagesGetAgreedValuesFilesAndSecrets) {
    HostValues values = {{"h1", {{"version", "2"}, {"role", "primary"}, {"token", "s"}}},
                         {"h2", {{"version", "2"}, {"role", "replica"}}}};
    config::Task next;
    pass_values("db-tier", values, {"token"}, {"h2", "h1"}, next);
    EXPECT_EQ(next.vars, (config::KeyValues{{"LEURA_DB_TIER_VERSION", "2"}}));
    EXPECT_EQ(next.secrets, (config::KeyValues{{"LEURA_DB_TIER_TOKEN", "s"}}));
    EXPECT_EQ(next.value_files,
              (config::KeyValues{{"LEURA_DB_TIER_ROLE_FILE", "h2 replica\nh1 primary\n"},
                                 {"LEURA_DB_TIER_VERSION_FILE", "h2 2\nh1 2\n"}}));
}

} // namespace
} // namespace leura::app
