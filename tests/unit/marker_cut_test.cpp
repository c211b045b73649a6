// SPDX-License-Identifier: Apache-2.0
// The runner's output split at its marker, whatever the packet boundaries.
#include "exec/marker_cut.hpp"

#include <gtest/gtest.h>

#include <string>

using leura::Status;
using leura::exec::MarkerCut;

namespace {

const std::string k_marker = "\n0123456789abcdef0123456789abcdef ";

struct Split {
    std::string step, status, left;
    bool done = false;
};

// Feeds `stream` in pieces of at most `piece` bytes.
Split feed(const std::string& stream, size_t piece) {
    MarkerCut cut;
    Split out;
    for (size_t at = 0; at < stream.size(); at += piece) {
        auto st = cut.take(std::string_view(stream).substr(at, piece), k_marker, out.left,
                           [&out](std::string_view part) -> Status {
                               out.step.append(part);
                               return {};
                           });
        EXPECT_TRUE(st.has_value());
    }
    out.done = cut.done();
    out.status = cut.status();
    return out;
}

} // namespace

TEST(MarkerCut, SplitsAtTheMarkerInPiecesOfEverySize) {
    // Output with a partial marker, a newline right before the real one and no final newline.
    std::string output = "line\n0123456789abcdef01 not the marker\nlast without newline\n\n";
    std::string stream = output + k_marker.substr(0) + "137\nleft behind";
    for (size_t piece = 1; piece <= stream.size(); ++piece) {
        Split s = feed(stream, piece);
        ASSERT_TRUE(s.done) << "piece " << piece;
        EXPECT_EQ(s.step, output) << "piece " << piece;
        EXPECT_EQ(s.status, "137") << "piece " << piece;
        EXPECT_EQ(s.left, "left behind") << "piece " << piece;
    }
}

TEST(MarkerCut, HoldsBackOnlyWhatCouldBeAMarker) {
    MarkerCut cut;
    std::string step, left;
    auto emit = [&step](std::string_view part) -> Status {
        step.append(part);
        return {};
    };
    ASSERT_TRUE(cut.take("abc\n0123", k_marker, left, emit).has_value());
    EXPECT_EQ(step, "abc");
    EXPECT_EQ(cut.held(), "\n0123");
    ASSERT_TRUE(cut.take("x", k_marker, left, emit).has_value());
    EXPECT_EQ(step, "abc\n0123x"); // no longer a marker's start: passed on
    EXPECT_FALSE(cut.done());
    EXPECT_EQ(cut.held(), "");
}

TEST(MarkerCut, BinaryOutputPassesWhole) {
    std::string output("\0\xff\n\n\x01", 5);
    Split s = feed(output + k_marker + "0\n", 3);
    ASSERT_TRUE(s.done);
    EXPECT_EQ(s.step, output);
    EXPECT_EQ(s.status, "0");
}
