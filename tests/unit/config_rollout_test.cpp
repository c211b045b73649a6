// SPDX-License-Identifier: Apache-2.0
// The [rollout] table, [[verify]] and [[rollback]] steps, step retries/interval, and amounts.
#include "config/diagnostic.hpp"
#include "config/task.hpp"
#include "config_fixture.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace leura::config {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

class RolloutConfigTest : public TempDirTest {
protected:
    fs::path write(const std::string& text) { return TempDirTest::write("task.toml", text); }

    // Loads `text` as a task file that must be valid.
    Task task(const std::string& text) {
        Diagnostics diags;
        auto loaded = load_task(write(text), diags);
        EXPECT_TRUE(diags.empty()) << (diags.empty() ? "" : format(diags.items()[0]));
        if (!loaded) throw std::runtime_error("the task did not load");
        return std::move(*loaded);
    }

    // Loads `text` as a task file that must be invalid, and returns its diagnostics.
    std::vector<Diagnostic> task_errors(const std::string& text) {
        Diagnostics diags;
        EXPECT_FALSE(load_task(write(text), diags).has_value());
        return diags.items();
    }
};

const char* const k_one_step = "[[steps]]\ncommand = \"ls\"\n";

// ---- parse_amount / parse_amounts ----

TEST(ParseAmount, CountsAndPercentages) {
    EXPECT_EQ(parse_amount("5"), (Amount{false, 5}));
    EXPECT_EQ(parse_amount("0"), (Amount{false, 0}));
    EXPECT_EQ(parse_amount("007"), (Amount{false, 7}));
    EXPECT_EQ(parse_amount("1000000"), (Amount{false, 1'000'000}));
    EXPECT_EQ(parse_amount("5%"), (Amount{true, 5}));
    EXPECT_EQ(parse_amount("2.5%"), (Amount{true, 2.5}));
    EXPECT_EQ(parse_amount("0.01%"), (Amount{true, 0.01}));
    EXPECT_EQ(parse_amount("100%"), (Amount{true, 100}));
    EXPECT_EQ(parse_amount("100.0%"), (Amount{true, 100}));
    EXPECT_EQ(parse_amount("0%"), (Amount{true, 0}));
}

TEST(ParseAmount, RejectsEverythingElse) {
    for (const char* bad : {"",       " ",
                            "-1",     "-5%",
                            "+5",     "5 %",
                            " 5",     "5 ",
                            "%",      "%5",
                            "5%%",    "101%",
                            "100.5%", "1000%",
                            "1e3",    "1e1%",
                            "0x10",   "2.5",
                            ".5%",    "5.%",
                            "5.5.5%", "inf",
                            "nan%",   "five",
                            "1,5",    "99999999999999999999"}) {
        EXPECT_EQ(parse_amount(bad), std::nullopt) << "'" << bad << "'";
    }
}

TEST(ParseAmounts, SplitsOnCommasAndTrimsItems) {
    EXPECT_EQ(parse_amounts("1%,5%,50%,100%"),
              (std::vector<Amount>{{true, 1}, {true, 5}, {true, 50}, {true, 100}}));
    EXPECT_EQ(parse_amounts("1,10,100%"),
              (std::vector<Amount>{{false, 1}, {false, 10}, {true, 100}}));
    EXPECT_EQ(parse_amounts("1%, 5%"), (std::vector<Amount>{{true, 1}, {true, 5}}));
    EXPECT_EQ(parse_amounts(" 2.5% ,  3 "), (std::vector<Amount>{{true, 2.5}, {false, 3}}));
    EXPECT_EQ(parse_amounts("0"), (std::vector<Amount>{{false, 0}}));
}

TEST(ParseAmounts, RejectsEmptyListsAndBadItems) {
    for (const char* bad :
         {"", " ", ",", "1%,", ",1%", "1%,,5%", "1%,x", "1% 5%", "1%;5%", "1%,101%", "1,-2"}) {
        EXPECT_EQ(parse_amounts(bad), std::nullopt) << "'" << bad << "'";
    }
}

// ---- [rollout] ----

TEST_F(RolloutConfigTest, FullRolloutRoundTrips) {
    Task t = task(R"(description = "Roll nginx out"

[rollout]
batches = ["1%", "5%", "50%", "100%"]
affinity = "rack"
spread = ["az", "vpc", "tenant"]
max_failed = "0"
max_failed_total = "2%"
on_failure = "rollback"
pause = "5m"
concurrency = 100

[[steps]]
command = "ls"

[[rollback]]
command = "true"
)");
    ASSERT_TRUE(t.rollout.has_value());
    const Rollout& r = *t.rollout;
    EXPECT_EQ(r.batches, (std::vector<Amount>{{true, 1}, {true, 5}, {true, 50}, {true, 100}}));
    EXPECT_EQ(r.affinity, "rack");
    EXPECT_EQ(r.spread, (std::vector<std::string>{"az", "vpc", "tenant"}));
    EXPECT_EQ(r.max_failed, (Amount{false, 0}));
    EXPECT_EQ(r.max_failed_total, (Amount{true, 2}));
    EXPECT_EQ(r.on_failure, OnFailure::rollback);
    EXPECT_EQ(r.pause, Pause::duration);
    EXPECT_EQ(r.pause_for, milliseconds(300'000));
    EXPECT_EQ(r.concurrency, 100u);
    EXPECT_EQ(r.pos.file, (m_dir / "task.toml").string());
    EXPECT_EQ(r.pos.line, 3);
    EXPECT_EQ(r.pos.column, 1);
    ASSERT_EQ(t.rollback.size(), 1u);
    EXPECT_EQ(t.rollback[0].body, "true");
}

TEST_F(RolloutConfigTest, MissingRolloutKeysTakeTheDefaults) {
    Task t = task(std::string("[rollout]\naffinity = \"cluster\"\n") + k_one_step);
    ASSERT_TRUE(t.rollout.has_value());
    const Rollout defaults;
    EXPECT_EQ(t.rollout->batches, defaults.batches);
    EXPECT_EQ(t.rollout->batches,
              (std::vector<Amount>{{true, 1}, {true, 5}, {true, 50}, {true, 100}}));
    EXPECT_TRUE(t.rollout->spread.empty());
    EXPECT_EQ(t.rollout->max_failed, (Amount{false, 0}));
    EXPECT_FALSE(t.rollout->max_failed_total.has_value());
    EXPECT_EQ(t.rollout->on_failure, OnFailure::stop);
    EXPECT_EQ(t.rollout->pause, Pause::none);
    EXPECT_FALSE(t.rollout->concurrency.has_value());
    EXPECT_EQ(t.rollout->pos.line, 1);

    Task empty = task(std::string("[rollout]\n") + k_one_step);
    ASSERT_TRUE(empty.rollout.has_value());
    EXPECT_EQ(empty.rollout->affinity, "cluster");
    EXPECT_EQ(empty.rollout->pos.line, 1);
    EXPECT_EQ(empty.rollout->pos.column, 1);

    Task none = task(k_one_step);
    EXPECT_FALSE(none.rollout.has_value());
    EXPECT_TRUE(none.verify.empty());
    EXPECT_TRUE(none.rollback.empty());
}

// Whether affinity was written decides whether app::prepare checks it against the hosts; both
// keys keep where each value stands, for that check's diagnostics.
TEST_F(RolloutConfigTest, AffinityAndSpreadKeepWhereTheyAreWritten) {
    Task t = task(std::string("[rollout]\naffinity = \"rack\"\nspread = [\"az\",  \"vpc\"]\n") +
                  k_one_step);
    ASSERT_TRUE(t.rollout.has_value());
    EXPECT_TRUE(t.rollout->affinity_set);
    EXPECT_EQ(t.rollout->affinity_pos.line, 2);
    EXPECT_EQ(t.rollout->affinity_pos.column, 12);
    EXPECT_EQ(t.rollout->affinity_pos.file, (m_dir / "task.toml").string());
    ASSERT_EQ(t.rollout->spread_pos.size(), 2u);
    EXPECT_EQ(t.rollout->spread_pos[0].line, 3);
    EXPECT_EQ(t.rollout->spread_pos[0].column, 11);
    EXPECT_EQ(t.rollout->spread_pos[1].column, 18);

    Task defaulted = task(std::string("[rollout]\nconcurrency = 3\n") + k_one_step);
    EXPECT_EQ(defaulted.rollout->affinity, "cluster");
    EXPECT_FALSE(defaulted.rollout->affinity_set);
    EXPECT_TRUE(defaulted.rollout->spread_pos.empty());

    Task none = task(std::string("[rollout]\naffinity = \"none\"\n") + k_one_step);
    EXPECT_EQ(none.rollout->affinity, "none");
    EXPECT_TRUE(none.rollout->affinity_set);
}

TEST_F(RolloutConfigTest, BatchesMixCountsAndStrings) {
    Task t = task(std::string("[rollout]\nbatches = [1, 10, \"2.5%\", \"20\", \"100%\"]\n"
                              "max_failed = 3\nmax_failed_total = 0\non_failure = \"continue\"\n"
                              "pause = \"confirm\"\n") +
                  k_one_step);
    ASSERT_TRUE(t.rollout.has_value());
    EXPECT_EQ(
        t.rollout->batches,
        (std::vector<Amount>{{false, 1}, {false, 10}, {true, 2.5}, {false, 20}, {true, 100}}));
    EXPECT_EQ(t.rollout->max_failed, (Amount{false, 3}));
    EXPECT_EQ(t.rollout->max_failed_total, (Amount{false, 0}));
    EXPECT_EQ(t.rollout->on_failure, OnFailure::continue_);
    EXPECT_EQ(t.rollout->pause, Pause::confirm);
}

TEST_F(RolloutConfigTest, PauseAcceptsDurationsAndInlineTablesWork) {
    Task t = task(std::string("rollout = { pause = 90, on_failure = \"stop\" }\n") + k_one_step);
    ASSERT_TRUE(t.rollout.has_value());
    EXPECT_EQ(t.rollout->pause, Pause::duration);
    EXPECT_EQ(t.rollout->pause_for, milliseconds(90'000));
    EXPECT_EQ(t.rollout->on_failure, OnFailure::stop);

    Task none = task(std::string("[rollout]\npause = \"none\"\n") + k_one_step);
    EXPECT_EQ(none.rollout->pause, Pause::none);
}

TEST_F(RolloutConfigTest, EveryBadRolloutValueIsReportedWhereItStands) {
    auto errors = task_errors(R"([rollout]
batches = ["1%", "x", 0, "0%", -3, 2.5]
affinity = ""
max_failed = "-1"
max_failed_total = "101%"
on_failure = "rolback"
pause = "sometimes"
concurrency = 0
spred = ["az"]
[[steps]]
command = "ls"
)");
    ASSERT_EQ(errors.size(), 12u);
    const std::string amount = "a host count or a percentage such as \"5%\"";
    expect_at(errors[0], 2, 18, "every entry of 'batches' must be " + amount);
    expect_at(errors[1], 2, 23, "every entry of 'batches' must be greater than zero");
    expect_at(errors[2], 2, 26, "every entry of 'batches' must be greater than zero");
    expect_at(errors[3], 2, 32, "every entry of 'batches' must be " + amount);
    expect_at(errors[4], 2, 36, "every entry of 'batches' must be " + amount);
    expect_at(errors[5], 3, 12, "'affinity' must not be empty");
    expect_at(errors[6], 4, 14, "'max_failed' must be " + amount);
    expect_at(errors[7], 5, 20, "'max_failed_total' must be " + amount);
    expect_at(errors[8], 6, 14,
              "'on_failure' must be \"stop\", \"rollback\" or \"continue\"; did you mean "
              "\"rollback\"?");
    expect_at(errors[9], 7, 9,
              "'pause' must be \"none\", \"confirm\" or a duration such as \"5m\"");
    expect_at(errors[10], 8, 15, "'concurrency' must be an integer of 1 or more");
    expect_at(errors[11], 9, 1, "unknown key 'spred' in [rollout]; did you mean 'spread'?");
    EXPECT_EQ(errors[8].source_line, "on_failure = \"rolback\"");
}

TEST_F(RolloutConfigTest, MoreBadRolloutShapes) {
    auto errors = task_errors(R"(rollout = "fast"
[[steps]]
command = "ls"
)");
    ASSERT_EQ(errors.size(), 1u);
    expect_at(errors[0], 1, 11, "'rollout' must be a table, as written with [rollout]");

    errors = task_errors(R"([rollout]
batches = []
spread = ["az", ""]
on_failure = 1
pause = "confrim"
concurrency = "10"
max_failed = 1.5
[[steps]]
command = "ls"
)");
    ASSERT_EQ(errors.size(), 6u);
    expect_at(errors[0], 2, 11, "'batches' needs at least one batch");
    expect_at(errors[1], 3, 17, "every entry of 'spread' must be an attribute name, not empty");
    expect_at(errors[2], 4, 14, "'on_failure' must be \"stop\", \"rollback\" or \"continue\"");
    expect_at(errors[3], 5, 9,
              "'pause' must be \"none\", \"confirm\" or a duration such as \"5m\"; did you mean "
              "\"confirm\"?");
    expect_at(errors[4], 6, 15, "'concurrency' must be an integer of 1 or more");
    expect_at(errors[5], 7, 14, "'max_failed' must be a host count or a percentage such as \"5%\"");

    errors = task_errors(R"([rollout]
batches = "1%,100%"
pause = "0s"
spread = "az"
[[steps]]
command = "ls"
)");
    ASSERT_EQ(errors.size(), 3u);
    expect_at(errors[0], 2, 11,
              "'batches' must be an array of host counts and percentages, such as [\"1%\", "
              "\"5%\", \"50%\", \"100%\"]");
    expect_at(errors[1], 3, 9, "'pause' must be greater than zero");
    expect_at(errors[2], 4, 10, "'spread' must be an array of strings");
}

TEST_F(RolloutConfigTest, RollbackOnFailureNeedsRollbackSteps) {
    auto errors = task_errors(std::string("[rollout]\non_failure = \"rollback\"\n") + k_one_step);
    ASSERT_EQ(errors.size(), 1u);
    expect_at(errors[0], 2, 14, "on_failure = \"rollback\" needs [[rollback]] steps");

    // An empty array is no steps either, wherever it is written.
    errors = task_errors(std::string("rollback = []\n[rollout]\non_failure = \"rollback\"\n") +
                         k_one_step);
    ASSERT_EQ(errors.size(), 1u);
    expect_at(errors[0], 3, 14, "on_failure = \"rollback\" needs [[rollback]] steps");

    // A broken [[rollback]] is reported on its own, not as missing.
    errors = task_errors(std::string("[rollout]\non_failure = \"rollback\"\n") + k_one_step +
                         "[[rollback]]\nname = \"undo\"\n");
    ASSERT_EQ(errors.size(), 1u);
    expect_at(errors[0], 5, 1,
              "rollback 1 needs one of 'command', 'script', 'script_file', 'local', 'custom', "
              "'upload' or 'download'");
}

// ---- [[verify]], [[rollback]], retries and interval ----

TEST_F(RolloutConfigTest, VerifyAndRollbackStepsParseLikeSteps) {
    Task t = task(R"([[steps]]
command = "ls"
retries = 2
interval = "250ms"

[[verify]]
command = "curl -fsS http://127.0.0.1/healthz"
retries = 10
interval = "3s"

[[verify]]
name = "port open"
script = "nc -z localhost 80"
env = { PORT = 80 }

[[rollback]]
command = "apt-get install -y nginx=$previous"
timeout = 60
interval = 2
ignore_errors = true
)");
    ASSERT_EQ(t.steps.size(), 1u);
    EXPECT_EQ(t.steps[0].retries, 2);
    EXPECT_EQ(t.steps[0].interval, milliseconds(250));

    ASSERT_EQ(t.verify.size(), 2u);
    EXPECT_EQ(t.verify[0].name, "verify 1");
    EXPECT_EQ(t.verify[0].kind, StepKind::command);
    EXPECT_EQ(t.verify[0].body, "curl -fsS http://127.0.0.1/healthz");
    EXPECT_EQ(t.verify[0].retries, 10);
    EXPECT_EQ(t.verify[0].interval, milliseconds(3000));
    EXPECT_EQ(t.verify[0].pos.line, 6);
    EXPECT_EQ(t.verify[0].pos.column, 1);
    EXPECT_EQ(t.verify[1].name, "port open");
    EXPECT_EQ(t.verify[1].kind, StepKind::script);
    EXPECT_EQ(t.verify[1].retries, 0);
    EXPECT_EQ(t.verify[1].interval, milliseconds(1000));
    EXPECT_EQ(t.verify[1].env, (KeyValues{{"PORT", "80"}}));
    EXPECT_EQ(t.verify[1].pos.line, 11);

    ASSERT_EQ(t.rollback.size(), 1u);
    EXPECT_EQ(t.rollback[0].name, "rollback 1");
    EXPECT_EQ(t.rollback[0].body, "apt-get install -y nginx=$previous");
    EXPECT_EQ(t.rollback[0].timeout, milliseconds(60'000));
    EXPECT_EQ(t.rollback[0].interval, milliseconds(2000));
    EXPECT_TRUE(t.rollback[0].ignore_errors);
    EXPECT_EQ(t.rollback[0].pos.line, 16);
    EXPECT_FALSE(t.rollout.has_value());
}

TEST_F(RolloutConfigTest, VerifyAndRollbackProblemsNameTheirEntry) {
    auto errors = task_errors(R"([[steps]]
command = "ls"
[[verify]]
comand = "x"
retries = -1
interval = "0s"
[[verify]]
command = "a"
script = "b"
[[rollback]]
retries = "3"
interval = 5.5
command = "x"
idempotent = 1
[[rollback]]
retries = 2147483648
interval = "soon"
)");
    ASSERT_EQ(errors.size(), 11u);
    expect_at(errors[0], 4, 1, "unknown key 'comand' in verify 1; did you mean 'command'?");
    expect_at(errors[1], 5, 11, "'retries' must be an integer of 0 or more");
    expect_at(errors[2], 6, 12, "'interval' must be greater than zero");
    expect_at(errors[3], 3, 1,
              "verify 1 needs one of 'command', 'script', 'script_file', 'local' or 'custom'");
    expect_at(errors[4], 9, 1,
              "'script' cannot be combined with 'command' in verify 2; a step runs exactly one "
              "of them");
    expect_at(errors[5], 11, 11, "'retries' must be an integer of 0 or more");
    expect_at(errors[6], 12, 12,
              "'interval' must be a duration such as \"90s\" or \"5m\", at most 365d");
    expect_at(errors[7], 14, 14, "'idempotent' must be true or false");
    expect_at(errors[8], 16, 11, "'retries' is too large");
    expect_at(errors[9], 17, 12,
              "'interval' must be a duration such as \"90s\" or \"5m\", at most 365d");
    expect_at(errors[10], 15, 1,
              "rollback 2 needs one of 'command', 'script', 'script_file', 'local', 'custom', "
              "'upload' or 'download'");
}

TEST_F(RolloutConfigTest, VerifyAndRollbackShapes) {
    Task t = task(std::string("verify = []\nrollback = []\n") + k_one_step);
    EXPECT_TRUE(t.verify.empty());
    EXPECT_TRUE(t.rollback.empty());

    auto errors = task_errors(std::string("verify = 3\nrollback = [1]\n") + k_one_step);
    ASSERT_EQ(errors.size(), 2u);
    expect_at(errors[0], 1, 10, "'verify' must be an array of tables, as written with [[verify]]");
    expect_at(errors[1], 2, 13, "rollback 1 must be a table, as written with [[rollback]]");

    // [[steps]] is still required when the others are there.
    errors = task_errors("[[verify]]\ncommand = \"true\"\n");
    ASSERT_EQ(errors.size(), 1u);
    expect_at(errors[0], 0, 0, "the task has no steps; add at least one [[steps]] table");
}

} // namespace
} // namespace leura::config
