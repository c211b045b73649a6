// SPDX-License-Identifier: Apache-2.0
#include "app/task_versions.hpp"

#include <gtest/gtest.h>

namespace leura::app {
namespace {

TaskHistory history_of(std::vector<std::string> contents, std::optional<std::string> now) {
    TaskHistory h;
    h.name = "web/restart";
    h.file = "/lib/web/restart.toml";
    h.current = std::move(now);
    for (auto& c : contents) {
        store::TaskVersion v;
        v.number = int64_t(h.versions.size()) + 1;
        v.name = h.name;
        v.content = std::move(c);
        v.saved_at = "2026-01-01T00:00:00.000Z";
        v.saved_by = "alice";
        v.source = "edit";
        h.versions.push_back(std::move(v));
    }
    return h;
}

TEST(TaskVersions, TheNewestVersionAgainstTheFileByDefault) {
    auto sides = diff_sides(history_of({"a", "b"}, "c"), std::nullopt, std::nullopt);
    ASSERT_TRUE(sides) << sides.error().message;
    EXPECT_EQ(sides->from.text, "b");
    EXPECT_EQ(sides->from.label, "web/restart version 2 (2026-01-01T00:00:00.000Z, alice, edit)");
    EXPECT_EQ(sides->to.text, "c");
    EXPECT_EQ(sides->to.label, "/lib/web/restart.toml (now)");
}

TEST(TaskVersions, OneVersionAgainstTheFileOrTwoAgainstEachOther) {
    auto h = history_of({"a", "b", "c"}, "d");
    auto one = diff_sides(h, "1", std::nullopt);
    ASSERT_TRUE(one);
    EXPECT_EQ(one->from.text, "a");
    EXPECT_EQ(one->to.text, "d");
    auto two = diff_sides(h, "3", "2");
    ASSERT_TRUE(two);
    EXPECT_EQ(two->from.text, "c");
    EXPECT_EQ(two->to.text, "b");
}

TEST(TaskVersions, UnknownVersionsAreErrorsThatSayWhatThereIs) {
    auto h = history_of({"a", "b"}, "c");
    for (const char* bad : {"0", "3", "99", "-1"}) {
        auto r = diff_sides(h, bad, std::nullopt);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().kind, ErrorKind::not_found);
        EXPECT_EQ(r.error().message, "task 'web/restart' has no version " + std::string(bad) +
                                         " (it has versions 1 to 2)");
    }
    for (const char* bad : {"x", "1x", ""}) {
        auto r = diff_sides(h, bad, std::nullopt);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().kind, ErrorKind::usage);
    }
    auto none = diff_sides(history_of({}, "c"), std::nullopt, std::nullopt);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().kind, ErrorKind::not_found);
}

TEST(TaskVersions, ARemovedTaskNeedsTwoVersions) {
    auto h = history_of({"a", "b"}, std::nullopt);
    EXPECT_FALSE(diff_sides(h, std::nullopt, std::nullopt));
    EXPECT_TRUE(diff_sides(h, "1", "2"));
}

} // namespace
} // namespace leura::app
