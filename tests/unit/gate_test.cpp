// SPDX-License-Identifier: Apache-2.0
#include "rollout/gate.hpp"

#include <gtest/gtest.h>

using leura::config::Amount;
using leura::config::Rollout;
using leura::rollout::exceeds;
using leura::rollout::judge;

TEST(RolloutGate, PercentBoundaryIsExceedNotReach) {
    Amount half{true, 50};
    EXPECT_FALSE(exceeds(half, 2, 4)); // 2 of 4 with 50%: continue
    EXPECT_TRUE(exceeds(half, 3, 4));  // 3 of 4: halt
    EXPECT_FALSE(exceeds(half, 2, 5)); // 50% of 5 allows 2.5
    EXPECT_TRUE(exceeds(half, 3, 5));
    EXPECT_FALSE(exceeds(Amount{true, 0}, 0, 10));
    EXPECT_TRUE(exceeds(Amount{true, 0}, 1, 10));
    EXPECT_FALSE(exceeds(Amount{true, 100}, 10, 10));
    // 1% of 200 is exactly 2: floating point must not turn 2 > 2.0000001 into a halt.
    EXPECT_FALSE(exceeds(Amount{true, 1}, 2, 200));
    EXPECT_TRUE(exceeds(Amount{true, 1}, 3, 200));
}

TEST(RolloutGate, CountBoundary) {
    EXPECT_FALSE(exceeds(Amount{false, 0}, 0, 3));
    EXPECT_TRUE(exceeds(Amount{false, 0}, 1, 3));
    EXPECT_FALSE(exceeds(Amount{false, 2}, 2, 3));
    EXPECT_TRUE(exceeds(Amount{false, 2}, 3, 3));
}

TEST(RolloutGate, JudgesTheWaveThenTheRun) {
    Rollout r;
    r.max_failed = {false, 1};
    r.max_failed_total = Amount{true, 2};
    EXPECT_FALSE(judge(r, 1, 10, 4, 200).halt);
    auto wave = judge(r, 2, 10, 2, 200);
    EXPECT_TRUE(wave.halt);
    EXPECT_EQ(wave.reason, "2 of 10 hosts failed in this wave, over max_failed = 1");
    auto run = judge(r, 1, 10, 5, 200);
    EXPECT_TRUE(run.halt);
    EXPECT_EQ(run.reason, "5 of 200 hosts failed so far, over max_failed_total = 2%");
    r.max_failed_total.reset();
    EXPECT_FALSE(judge(r, 1, 10, 150, 200).halt);
}
