// SPDX-License-Identifier: Apache-2.0
#include "app/output_search.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace leura::app {
namespace {

using namespace std::string_literals;
using Lines = std::vector<std::string_view>;

TEST(OutputSearchTest, TheIndexQueryHoldsThePatternsWords) {
    EXPECT_EQ(index_query("disk full"), R"("disk" AND "full"*)");
    EXPECT_EQ(index_query("disk full "), R"("disk" AND "full")") << "a whole word at the end";
    EXPECT_EQ(index_query("127.0.1.5:2222"), R"("127" AND "0" AND "1" AND "5" AND "2222"*)");
    EXPECT_EQ(index_query("--x"), R"("x"*)");
    EXPECT_EQ(index_query("\"AND\" OR (NEAR"), R"("AND" AND "OR" AND "NEAR"*)")
        << "FTS5's syntax in the pattern is only words";
    EXPECT_EQ(index_query("na\xc3\xafve-ok"), "\"na\xc3\xafve\" AND \"ok\"*")
        << "non-ASCII bytes are word bytes, as in the ascii tokenizer";
    EXPECT_EQ(index_query(":: ->"), "") << "no words: read every step";
}

TEST(OutputSearchTest, ALineMatchesAtAWordStart) {
    std::string text = "error: disk full\nterror\nno errors here\nERROR upper\nlast error";
    EXPECT_EQ(matching_lines(text, "error", false),
              (Lines{"error: disk full", "no errors here", "last error"}))
        << "'terror' does not start a word there";
    EXPECT_EQ(matching_lines(text, "error", true),
              (Lines{"error: disk full", "no errors here", "ERROR upper", "last error"}));
    EXPECT_EQ(matching_lines(text, "rror", false), Lines{});
    EXPECT_EQ(matching_lines(text, ": disk", false), (Lines{"error: disk full"}))
        << "a pattern that starts with punctuation matches anywhere";
    EXPECT_EQ(matching_lines("a\0b needle\r\n\x1b[2J needle\n\x1b[31mneedle"s, "needle", false),
              (Lines{"a\0b needle\r"s, "\x1b[2J needle"}))
        << "bytes as they are; a word glued to an escape sequence's final letter is not at "
           "a word start (a known limit)";
}

// Lines come out whole however the stream is cut, long ones in pieces of k_max_line.
TEST(OutputSearchTest, LinesAreCutFromAStreamInPieces) {
    std::string stream =
        "one\n\ntwo words\n" + std::string(LineCutter::k_max_line + 5, 'x') + "\nlast";
    for (size_t chunk : {size_t(1), size_t(3), size_t(4096), stream.size()}) {
        std::vector<std::string> lines;
        LineCutter cut([&](std::string_view l) { lines.emplace_back(l); });
        for (size_t at = 0; at < stream.size(); at += chunk)
            cut.feed(std::string_view(stream).substr(at, chunk));
        cut.end();
        ASSERT_EQ(lines.size(), 6u) << chunk;
        EXPECT_EQ(lines[0], "one");
        EXPECT_EQ(lines[1], "");
        EXPECT_EQ(lines[2], "two words");
        EXPECT_EQ(lines[3], std::string(LineCutter::k_max_line, 'x'));
        EXPECT_EQ(lines[4], "xxxxx");
        EXPECT_EQ(lines[5], "last");
    }
}

} // namespace
} // namespace leura::app
