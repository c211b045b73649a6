// SPDX-License-Identifier: Apache-2.0
#include "app/task_search.hpp"

#include <gtest/gtest.h>

namespace leura::app {
namespace {

config::Task task_with(const std::string& description, std::vector<std::string> tags,
                       const std::string& step_name, const std::string& body) {
    config::Task t;
    t.description = description;
    t.tags = std::move(tags);
    config::Step s;
    s.name = step_name;
    s.body = body;
    s.pos.line = 7;
    t.steps.push_back(s);
    return t;
}

std::optional<SearchHit> score(const std::string& name, const std::string& text,
                               const config::Task* task, const std::vector<std::string>& words) {
    return score_task(name, "/lib/" + name + ".toml", text, task, words);
}

TEST(TaskSearch, EveryWordMustMatchSomewhere) {
    auto t = task_with("restart nginx", {"web"}, "reload", "systemctl reload nginx");
    EXPECT_TRUE(score("web/nginx", "", &t, {"nginx", "reload"}));
    EXPECT_FALSE(score("web/nginx", "", &t, {"nginx", "postgres"}));
}

TEST(TaskSearch, OneMatchInAFieldOutranksAnyInTheFieldsAfterIt) {
    auto plain = task_with("", {}, "", "");
    auto body = task_with("", {}, "", "vacuum vacuum vacuum vacuum vacuum");
    body.steps.push_back(body.steps[0]); // more steps do not add up past the cap
    auto step = task_with("", {}, "vacuum", "");
    auto desc = task_with("vacuum", {}, "", "");
    auto tag = task_with("", {"vacuum"}, "", "");
    int64_t in_name = score("db/vacuum", "", &plain, {"vacuum"})->score;
    int64_t in_tag = score("db/a", "", &tag, {"vacuum"})->score;
    int64_t in_desc = score("db/a", "", &desc, {"vacuum"})->score;
    int64_t in_step = score("db/a", "", &step, {"vacuum"})->score;
    int64_t in_body = score("db/a", "", &body, {"vacuum"})->score;
    EXPECT_GT(in_name, in_tag);
    EXPECT_GT(in_tag, in_desc);
    EXPECT_GT(in_desc, in_step);
    EXPECT_GT(in_step, in_body);
    EXPECT_EQ(in_body, 3) << "occurrences count up to three";
}

TEST(TaskSearch, WordsAreLowerCaseAndTheTaskAnyCase) {
    auto t = task_with("Restart NGINX", {"Web"}, "", "");
    auto hit = score("x", "", &t, {"nginx", "web"});
    ASSERT_TRUE(hit);
    std::vector<SearchField> want = {SearchField::tag, SearchField::description};
    EXPECT_EQ(hit->fields, want);
}

TEST(TaskSearch, TheFirstMatchingLineSkipsComments) {
    auto t = task_with("reload the web tier", {}, "", "");
    std::string text = "# reload: a comment\n\ndescription = \"reload the web tier\"\n";
    auto hit = score("x", text, &t, {"reload"});
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->line, 3);
    EXPECT_EQ(hit->text, "description = \"reload the web tier\"");
}

TEST(TaskSearch, AMatchOnlyInAScriptFileIsToldByItsStep) {
    auto t = task_with("", {}, "migrate", "#!/bin/sh\n  psql -c 'VACUUM'\n");
    auto hit =
        score("db/m", "[[steps]]\nname = \"migrate\"\nscript_file = \"m.sh\"\n", &t, {"vacuum"});
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->line, 7);
    EXPECT_EQ(hit->text, "step \"migrate\": psql -c 'VACUUM'");
}

TEST(TaskSearch, AFileThatDoesNotLoadIsSearchedAsText) {
    auto hit = score("db/broken", "[[steps]]\ncomand = \"vacuumdb\"\n", nullptr, {"vacuumdb"});
    ASSERT_TRUE(hit);
    EXPECT_FALSE(hit->valid);
    EXPECT_EQ(hit->line, 2);
    EXPECT_EQ(hit->fields, std::vector<SearchField>{SearchField::body});
}

} // namespace
} // namespace leura::app
