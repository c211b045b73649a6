// SPDX-License-Identifier: Apache-2.0
#include "app/completion.hpp"
#include "config_fixture.hpp"

#include <gtest/gtest.h>

namespace leura::app {
namespace {

std::vector<std::string> values(const std::vector<Candidate>& c) {
    std::vector<std::string> out;
    for (const auto& x : c)
        out.push_back(x.value);
    return out;
}

std::vector<Candidate> names(const std::string& prefix, int n) {
    std::vector<Candidate> out;
    for (int i = 0; i < n; ++i) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%s%04d", prefix.c_str(), i);
        out.push_back({buf, "host"});
    }
    return out;
}

TEST(FoldNames, FewNamesStayAsTheyAre) {
    auto n = names("web", 10);
    EXPECT_FALSE(fold_names(n, "", 10));
    EXPECT_EQ(n.size(), 10u);
}

TEST(FoldNames, ManyNamesBecomeTheLongestStartsUnderTheLimit) {
    auto n = names("web", 1000); // web0000 .. web0999
    EXPECT_TRUE(fold_names(n, "web", 100));
    // web0, web00 .. web09 (10): web000 .. web099 would be 100, web0000.. 1000.
    EXPECT_EQ(values(n).size(), 100u);
    EXPECT_EQ(n.front().value, "web000");
    EXPECT_EQ(n.front().description, "10 hosts");
    EXPECT_EQ(n.back().value, "web099");
}

TEST(FoldNames, TooManyEvenAtOneMoreCharacterKeepsTheFirstNames) {
    std::vector<Candidate> n;
    for (char c = 'a'; c <= 'z'; ++c)
        n.push_back({std::string(1, c) + "x", "host"});
    EXPECT_TRUE(fold_names(n, "", 5));
    EXPECT_EQ(n.size(), 5u);
}

class CompletionTest : public config::TempDirTest {};

TEST_F(CompletionTest, SelectorCompletesTheLastAtom) {
    auto inv = write("inv.toml", R"([[hosts]]
names = "web[01-03]"
groups = ["web"]
attrs = { az = "phx01" }

[[hosts]]
names = "db1"
groups = ["db"]
attrs = { az = "phx02" }
)");
    EXPECT_EQ(values(complete_selector(inv, "").candidates),
              (std::vector<std::string>{"all", "db", "web", "az=phx01", "az=phx02", "web01",
                                        "web02", "web03", "db1"}));
    EXPECT_EQ(values(complete_selector(inv, "web,d").candidates),
              (std::vector<std::string>{"web,db", "web,db1"}));
    EXPECT_EQ(values(complete_selector(inv, "web&az=phx0").candidates),
              (std::vector<std::string>{"web&az=phx01", "web&az=phx02"}));
    EXPECT_EQ(values(complete_selector(inv, "(web,!we").candidates),
              (std::vector<std::string>{"(web,!web", "(web,!web01", "(web,!web02", "(web,!web03"}));
    auto folded = complete_selector(inv, "web0", 2);
    EXPECT_TRUE(folded.no_space);
    EXPECT_EQ(values(folded.candidates), (std::vector<std::string>{"web01", "web02"}));
}

TEST_F(CompletionTest, AMissingInventoryOrDatabaseGivesNothing) {
    EXPECT_TRUE(complete_selector(m_dir / "none.toml", "").candidates.empty());
    EXPECT_TRUE(complete_runs(m_dir / "data", "", std::chrono::system_clock::now()).empty());
    EXPECT_FALSE(std::filesystem::exists(m_dir / "data"));
    EXPECT_TRUE(complete_run_part(m_dir / "data", "last", RunPart::hosts, "").empty());
}

TEST_F(CompletionTest, SlowInventoriesAreCachedUntilTheyChange) {
    auto inv = write("inv.toml", "[[hosts]]\nnames = \"web[1-2]\"\ngroups = [\"web\"]\n");
    auto cache = m_dir / "cache";
    // Fast enough: nothing kept.
    auto w = inventory_words(inv, cache, std::chrono::hours(1));
    ASSERT_TRUE(w);
    EXPECT_FALSE(std::filesystem::exists(cache));
    // "Slow": kept, and read back as it was.
    w = inventory_words(inv, cache, std::chrono::milliseconds(0));
    ASSERT_TRUE(w);
    ASSERT_TRUE(std::filesystem::exists(cache));
    auto again = inventory_words(inv, cache, std::chrono::hours(1));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->patterns, std::vector<std::string>{"web[1-2]"});
    EXPECT_EQ(again->groups, std::set<std::string>{"web"});
    // Changed (another size): read again, not from the cache.
    write("inv.toml", "[[hosts]]\nnames = \"db[1-3]\"\ngroups = [\"db\"]\n");
    again = inventory_words(inv, cache, std::chrono::hours(1));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->patterns, std::vector<std::string>{"db[1-3]"});
    // A bad inventory gives nothing.
    write("inv.toml", "[[hosts]\n");
    EXPECT_FALSE(inventory_words(inv, cache, std::chrono::milliseconds(0)));
}

TEST(CompleteSettings, KeysWithWhatTheySet) {
    auto keys = complete_settings("concurrency");
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_EQ(keys[0].value, "concurrency");
    EXPECT_FALSE(keys[0].description.empty());
}

} // namespace
} // namespace leura::app
