// SPDX-License-Identifier: Apache-2.0
// app::LiveOutput (`logs --follow`) over a real spool folder and a real archive: a retry sets a
// step's file aside and starts it over, between two polls or between the last poll and the
// packing, and neither the followed file's rest nor the new attempt's start is lost or repeated.
#include "app/live_output.hpp"
#include "archive/tarball.hpp"
#include "config_fixture.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace leura::app {
namespace {

namespace fs = std::filesystem;

class LiveOutputTest : public config::TempDirTest {
protected:
    fs::path spool() const { return m_dir / "spool"; }
    fs::path step_file() const { return spool() / "hosts/h1/01-build.stdout"; }
    fs::path attempt(int k) const {
        return spool() / ("hosts/h1/01-build.attempt" + std::to_string(k) + ".stdout");
    }
    void append(const fs::path& p, const std::string& text) {
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary | std::ios::app) << text;
    }
    // What one poll (or the drain) passes on, each chunk as "<step>:<bytes>".
    std::string poll() {
        std::string out;
        m_live->poll([&](const OutputChunk& c) { out += c.step + ":" + std::string(c.data); });
        return out;
    }
    std::string drain() {
        std::string out;
        auto s =
            m_live->drain([&](const OutputChunk& c) { out += c.step + ":" + std::string(c.data); });
        EXPECT_TRUE(s) << s.error().message;
        return out;
    }
    void pack() {
        auto s = archive::write_archive(m_dir / "run.tar.gz", "{}", spool());
        ASSERT_TRUE(s) << s.error().message;
        fs::remove_all(spool());
    }

    void SetUp() override {
        TempDirTest::SetUp();
        m_live.emplace(m_dir / "spool", m_dir / "run.tar.gz");
    }

    std::optional<LiveOutput> m_live; // made once the test has its folder
};

TEST_F(LiveOutputTest, ARetryBetweenTwoPollsKeepsTheRestOfTheFollowedAttempt) {
    append(step_file(), "one\n");
    EXPECT_EQ(poll(), "build:one\n");
    append(step_file(), "two\n");
    fs::rename(step_file(), attempt(1));
    append(step_file(), "one\nthree\n"); // the same first line as the attempt before
    EXPECT_EQ(poll(), "build:two\nbuild:one\nthree\n");
    EXPECT_EQ(poll(), "");
    append(step_file(), "four\n");
    EXPECT_EQ(poll(), "build:four\n");
}

TEST_F(LiveOutputTest, SeveralAttemptsSetAsideAtOncePassOnInOrder) {
    append(step_file(), "a1\n");
    EXPECT_EQ(poll(), "build:a1\n");
    append(step_file(), "a1-end\n");
    fs::rename(step_file(), attempt(1));
    append(attempt(2), "a2\n");
    append(spool() / "hosts/h1/01-build.attempt10.stdout", "a10\n");
    append(step_file(), "a11\n");
    EXPECT_EQ(poll(), "build:a1-end\nbuild:a2\nbuild:a10\nbuild:a11\n");
}

TEST_F(LiveOutputTest, ARetryBetweenTheLastPollAndThePackingIsDrainedInFull) {
    append(step_file(), "one\n");
    EXPECT_EQ(poll(), "build:one\n");
    append(step_file(), "two\n");
    fs::rename(step_file(), attempt(1));
    append(step_file(), "one\nthree\n");
    pack();
    EXPECT_EQ(drain(), "build:two\nbuild:one\nthree\n");
}

TEST_F(LiveOutputTest, WithoutARetryTheDrainPassesOnOnlyWhatWasNotPolled) {
    append(step_file(), "one\n");
    EXPECT_EQ(poll(), "build:one\n");
    append(step_file(), "two\n");
    pack();
    EXPECT_EQ(drain(), "build:two\n");
}

TEST_F(LiveOutputTest, AFileReplacedBeforeItsAttemptIsListedWaitsOnePoll) {
    append(step_file(), "one\n");
    EXPECT_EQ(poll(), "build:one\n");
    // As if the listing ran before the rename: the old file is nowhere this poll can see.
    fs::rename(step_file(), m_dir / "elsewhere");
    append(step_file(), "new\n");
    EXPECT_EQ(poll(), "") << "the old file's rest may still appear as an attempt";
    EXPECT_EQ(poll(), "build:new\n") << "it did not: the new file is read, not waited for";
}

TEST_F(LiveOutputTest, AnEmptyAttemptRemovedInsteadOfSetAsideIsNoReasonToWait) {
    append(step_file(), "");
    EXPECT_EQ(poll(), "");
    fs::remove(step_file());
    append(step_file(), "second try\n");
    EXPECT_EQ(poll(), "build:second try\n");
}

TEST(AttemptMember, NamesItsStepMemberAndNumber) {
    std::string of;
    EXPECT_EQ(parse_attempt_member("hosts/h1/01-build.attempt3.stderr", of), 3);
    EXPECT_EQ(of, "hosts/h1/01-build.stderr");
    EXPECT_EQ(parse_attempt_member("hosts/h1/01-build.stderr", of), 0);
    EXPECT_EQ(parse_attempt_member("hosts/h1/01-build.attempt.stdout", of), 0);
    EXPECT_EQ(parse_attempt_member("hosts/h1/01-build.attemptx.stdout", of), 0);
    EXPECT_EQ(parse_attempt_member("run.json", of), 0);
}

} // namespace
} // namespace leura::app
