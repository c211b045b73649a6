// SPDX-License-Identifier: Apache-2.0
// app::prepare: how -t and the task's targets choose hosts.
#include "app/prepare.hpp"
#include "config_fixture.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace leura::app {
namespace {

using Names = std::vector<std::string>;

class PrepareTest : public config::TempDirTest {
protected:
    void SetUp() override {
        TempDirTest::SetUp();
        write("inv.toml", R"([[hosts]]
names = "web[1-3]"
groups = ["web"]
attrs = { cluster = "w", az = "a1" }

[[hosts]]
names = "db[1-2]"
groups = ["db"]
attrs = { cluster = "d", zone = "z1" }

[[hosts]]
names = "bare1"
groups = ["bare"]
)");
    }

    // Prepares a task with `head` above one step; `diags` keeps what went wrong.
    std::optional<Prepared> prep(const std::string& head, const std::string& targets = "",
                                 bool replace = false) {
        PrepareOptions o;
        o.task_file = write("task.toml", "inventory = \"inv.toml\"\n" + head +
                                             "\n[[steps]]\ncommand = \"true\"\n")
                          .string();
        o.targets = targets;
        o.replace_targets = replace;
        diags = config::Diagnostics();
        return prepare(o, diags);
    }

    static Names names(const Prepared& p) {
        Names out;
        for (const auto* h : p.hosts)
            out.push_back(h->name);
        return out;
    }

    std::string messages() const {
        std::string out;
        for (const auto& d : diags.items())
            out += config::format(d) + "\n";
        return out;
    }

    config::Diagnostics diags;
};

TEST_F(PrepareTest, FlagNarrowsTheTasksTargets) {
    auto p = prep("targets = \"web\"", "web2, db1");
    ASSERT_TRUE(p) << messages();
    EXPECT_EQ(names(*p), (Names{"web2"}));
    EXPECT_EQ(p->targets, "(web) & (web2, db1)");
    EXPECT_EQ(p->flag_targets, "web2, db1");
    EXPECT_FALSE(p->targets_replaced);
}

TEST_F(PrepareTest, FlagSelectingNoneOfTheTasksTargetsIsAnError) {
    EXPECT_FALSE(prep("targets = \"web\"", "db"));
    ASSERT_EQ(diags.size(), 1u);
    EXPECT_EQ(diags.items()[0].pos.file, "-t");
    EXPECT_NE(diags.items()[0].message.find("'db' selects none of the task's targets ('web')"),
              std::string::npos)
        << messages();
    EXPECT_NE(diags.items()[0].message.find("--replace-targets"), std::string::npos);
}

TEST_F(PrepareTest, ReplaceTargetsTakesTheFlagAlone) {
    auto p = prep("targets = \"web\"", "db", true);
    ASSERT_TRUE(p) << messages();
    EXPECT_EQ(names(*p), (Names{"db1", "db2"}));
    EXPECT_EQ(p->targets, "db");
    EXPECT_TRUE(p->targets_replaced);

    EXPECT_FALSE(prep("targets = \"web\"", "", true));
    ASSERT_EQ(diags.size(), 1u);
    EXPECT_EQ(diags.items()[0].pos.file, "--replace-targets");
}

TEST_F(PrepareTest, WithoutTaskTargetsTheFlagAloneSelects) {
    auto p = prep("", "db");
    ASSERT_TRUE(p) << messages();
    EXPECT_EQ(names(*p), (Names{"db1", "db2"}));
    EXPECT_EQ(p->targets, "db");
    EXPECT_FALSE(p->targets_replaced);

    auto all = prep("");
    ASSERT_TRUE(all) << messages();
    EXPECT_EQ(all->hosts.size(), 6u);
    EXPECT_EQ(all->targets, "");

    auto task_only = prep("targets = \"db\"");
    ASSERT_TRUE(task_only) << messages();
    EXPECT_EQ(task_only->targets, "db");
}

// Each selector is checked on its own, so an error points at the one that has it.
TEST_F(PrepareTest, SelectorErrorsNameTheirSource) {
    EXPECT_FALSE(prep("targets = \"web\"", "dbb"));
    ASSERT_EQ(diags.size(), 1u);
    EXPECT_EQ(diags.items()[0].pos.file, "-t");
    EXPECT_EQ(diags.items()[0].message, "unknown group or host 'dbb'; did you mean 'db'?");

    EXPECT_FALSE(prep("targets = \"webb\"", "db"));
    ASSERT_EQ(diags.size(), 1u);
    EXPECT_EQ(diags.items()[0].pos.line, 2);
    EXPECT_EQ(diags.items()[0].message,
              "targets: unknown group or host 'webb'; did you mean 'web'?");

    EXPECT_FALSE(prep("targets = \"web & db\"", "web1"));
    ASSERT_EQ(diags.size(), 1u);
    EXPECT_EQ(diags.items()[0].pos.line, 2);
    EXPECT_EQ(diags.items()[0].message, "targets: 'web & db' selects no host");
}

// retry and resume name their hosts: -t does not apply to them.
TEST_F(PrepareTest, NamedHostsSkipSelectors) {
    PrepareOptions o;
    o.task_file =
        write("task.toml", "inventory = \"inv.toml\"\ntargets = \"web\"\n[rollout]\nspread = "
                           "[\"az\"]\n[[steps]]\ncommand = \"true\"\n")
            .string();
    o.only_hosts = {"web1", "bare1"};
    auto p = prepare(o, diags);
    ASSERT_TRUE(p) << messages();
    EXPECT_EQ(names(*p), (Names{"web1", "bare1"}));
}

} // namespace
} // namespace leura::app
