// SPDX-License-Identifier: Apache-2.0
#include "util/line_diff.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace leura::util {
namespace {

// The length of a longest common subsequence, by the textbook table (small inputs only).
size_t lcs_length(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
    std::vector<std::vector<size_t>> t(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
    for (size_t i = 1; i <= a.size(); ++i)
        for (size_t j = 1; j <= b.size(); ++j)
            t[i][j] =
                a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
    return t[a.size()][b.size()];
}

// Applies the script to `a`, checking each equal op matches; what it makes of `a`.
std::vector<std::string_view> apply(const std::vector<DiffOp>& ops,
                                    const std::vector<std::string_view>& a,
                                    const std::vector<std::string_view>& b) {
    std::vector<std::string_view> out;
    size_t i = 0, j = 0;
    for (DiffOp op : ops) {
        if (op == DiffOp::equal) {
            EXPECT_LT(i, a.size());
            EXPECT_LT(j, b.size());
            if (i >= a.size() || j >= b.size()) return out;
            EXPECT_EQ(a[i], b[j]);
            out.push_back(a[i]);
            ++i;
            ++j;
        } else if (op == DiffOp::remove) {
            ++i;
        } else {
            if (j >= b.size()) {
                ADD_FAILURE() << "insert past the end of b";
                return out;
            }
            out.push_back(b[j++]);
        }
    }
    EXPECT_EQ(i, a.size());
    return out;
}

TEST(LineDiff, SplitKeepsNewlinesAndAnUnterminatedLastLine) {
    auto lines = split_lines("a\nb\n\nc");
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0], "a\n");
    EXPECT_EQ(lines[2], "\n");
    EXPECT_EQ(lines[3], "c");
    EXPECT_TRUE(split_lines("").empty());
}

TEST(LineDiff, SameTextsHaveNoDiff) {
    EXPECT_EQ(unified_diff("a\nb\n", "a\nb\n", "x", "y"), "");
    EXPECT_EQ(unified_diff("", "", "x", "y"), "");
}

TEST(LineDiff, OneChangedLineWithContext) {
    std::string a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
    std::string b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
    EXPECT_EQ(unified_diff(a, b, "old", "new"), "--- old\n"
                                                "+++ new\n"
                                                "@@ -2,7 +2,7 @@\n"
                                                " 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST(LineDiff, InsertAtTheStartAndDeleteAtTheEnd) {
    EXPECT_EQ(unified_diff("a\nb\n", "new\na\nb\n", "x", "y"),
              "--- x\n+++ y\n@@ -1,2 +1,3 @@\n+new\n a\n b\n");
    EXPECT_EQ(unified_diff("a\nb\n", "a\n", "x", "y"), "--- x\n+++ y\n@@ -1,2 +1 @@\n a\n-b\n");
}

TEST(LineDiff, FromAndToNothing) {
    EXPECT_EQ(unified_diff("", "a\nb\n", "x", "y"), "--- x\n+++ y\n@@ -0,0 +1,2 @@\n+a\n+b\n");
    EXPECT_EQ(unified_diff("a\n", "", "x", "y"), "--- x\n+++ y\n@@ -1 +0,0 @@\n-a\n");
}

TEST(LineDiff, FarApartChangesMakeTwoHunksNearOnesOne) {
    std::string a, b, c;
    for (int i = 1; i <= 20; ++i) {
        a += std::to_string(i) + "\n";
        b += (i == 2 || i == 18 ? "x" : std::to_string(i)) + "\n";
        c += (i == 2 || i == 8 ? "x" : std::to_string(i)) + "\n"; // 5 equal lines apart
    }
    EXPECT_EQ(unified_diff(a, b, "a", "b"),
              "--- a\n+++ b\n"
              "@@ -1,5 +1,5 @@\n 1\n-2\n+x\n 3\n 4\n 5\n"
              "@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+x\n 19\n 20\n");
    EXPECT_EQ(unified_diff(a, c, "a", "c"),
              "--- a\n+++ c\n"
              "@@ -1,11 +1,11 @@\n 1\n-2\n+x\n 3\n 4\n 5\n 6\n 7\n-8\n+x\n 9\n 10\n 11\n");
}

TEST(LineDiff, AMissingFinalNewlineIsAChangeAndSaidSo) {
    EXPECT_EQ(unified_diff("a\nb\n", "a\nb", "x", "y"),
              "--- x\n+++ y\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n");
}

TEST(LineDiff, RemovalsComeBeforeInsertions) {
    auto ops = diff_lines({"a", "b", "c"}, {"x", "y", "c"});
    std::vector<DiffOp> want = {DiffOp::remove, DiffOp::remove, DiffOp::insert, DiffOp::insert,
                                DiffOp::equal};
    EXPECT_EQ(ops, want);
}

// Against the textbook: for random small inputs over a small alphabet (many repeats), the
// script turns a into b and is as short as a longest common subsequence allows.
TEST(LineDiff, ShortestScriptOnRandomInputs) {
    std::mt19937 rng(14);
    const std::vector<std::string> alphabet = {"a", "b", "c", "d"};
    for (int round = 0; round < 2000; ++round) {
        std::vector<std::string_view> a, b;
        size_t na = rng() % 14, nb = rng() % 14;
        for (size_t i = 0; i < na; ++i)
            a.push_back(alphabet[rng() % alphabet.size()]);
        for (size_t i = 0; i < nb; ++i)
            b.push_back(alphabet[rng() % alphabet.size()]);
        auto ops = diff_lines(a, b);
        ASSERT_EQ(apply(ops, a, b), b) << "round " << round;
        size_t changes = 0;
        for (DiffOp op : ops)
            changes += op != DiffOp::equal;
        ASSERT_EQ(changes, a.size() + b.size() - 2 * lcs_length(a, b)) << "round " << round;
    }
}

TEST(LineDiff, LargeInputsStayFast) {
    std::string a, b;
    for (int i = 0; i < 20000; ++i) {
        a += "line " + std::to_string(i) + "\n";
        b += (i % 1000 == 0 ? "changed " : "line ") + std::to_string(i) + "\n";
    }
    auto d = unified_diff(a, b, "a", "b");
    EXPECT_NE(d.find("-line 1000\n+changed 1000\n"), std::string::npos);
}

} // namespace
} // namespace leura::util
