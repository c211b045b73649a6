// SPDX-License-Identifier: Apache-2.0
#include "util/redact.hpp"

#include <gtest/gtest.h>

#include <random>

using leura::Status;
using leura::util::RedactingStream;
using leura::util::Redactor;

TEST(UtilRedact, ReplacesEveryValueLongestFirst) {
    Redactor r({{"pw", "hunter2"}, {"short", "hunter"}, {"empty", ""}});
    EXPECT_EQ(r.apply("a hunter2 b hunter c hunter2hunter2"),
              "a [secret:pw] b [secret:short] c [secret:pw][secret:pw]");
    EXPECT_EQ(r.apply("nothing here"), "nothing here");
    EXPECT_EQ(Redactor().apply("hunter2"), "hunter2");
}

// Random chunkings of a stream full of secrets give the same text as redacting it whole.
TEST(UtilRedact, StreamCatchesValuesSplitAcrossWrites) {
    Redactor r({{"a", "s3cr3t-value"}, {"b", "xyz"}});
    std::string text;
    std::mt19937 rng(7);
    for (int i = 0; i < 2000; ++i) {
        int pick = int(rng() % 4);
        text += pick == 0 ? "s3cr3t-value" : pick == 1 ? "xyz" : pick == 2 ? "s3cr3t-" : "x\n";
    }
    std::string expected = r.apply(text);
    for (int trial = 0; trial < 50; ++trial) {
        std::string got;
        RedactingStream s(r, [&](std::string_view d) -> Status {
            got.append(d);
            return {};
        });
        for (size_t i = 0; i < text.size();) {
            size_t n = 1 + rng() % 40;
            ASSERT_TRUE(s.write(std::string_view(text).substr(i, n)));
            i += n;
        }
        ASSERT_TRUE(s.finish());
        ASSERT_EQ(got, expected);
        EXPECT_EQ(got.find("s3cr3t-value"), std::string::npos);
    }
}
