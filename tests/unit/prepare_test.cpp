// SPDX-License-Identifier: Apache-2.0
// app::prepare: how -t and the task's targets choose hosts, and the [rollout] attributes checked
// against the hosts chosen.
#include "app/prepare.hpp"
#include "app/waves.hpp"
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

TEST_F(PrepareTest, AffinityNoSelectedHostHasIsAnErrorWithDidYouMean) {
    EXPECT_FALSE(prep("[rollout]\naffinity = \"clustr\""));
    ASSERT_EQ(diags.size(), 1u) << messages();
    const auto& d = diags.items()[0];
    EXPECT_EQ(d.pos.file, (m_dir / "task.toml").string());
    EXPECT_EQ(d.pos.line, 3);
    EXPECT_EQ(d.pos.column, 12);
    EXPECT_EQ(d.message, "affinity 'clustr': no selected host has this attribute, so it would "
                         "keep no hosts together; did you mean \"cluster\"?");
    EXPECT_EQ(d.source_line, "affinity = \"clustr\"");
}

TEST_F(PrepareTest, SpreadAttributesAreCheckedAgainstTheSelectedHostsOnly) {
    // zone is a db attribute: among the web hosts nobody has it.
    EXPECT_FALSE(prep("targets = \"web\"\n[rollout]\nspread = [\"az\", \"zone\", \"azz\"]"));
    ASSERT_EQ(diags.size(), 2u) << messages();
    EXPECT_EQ(diags.items()[0].pos.line, 4);
    EXPECT_EQ(diags.items()[0].pos.column, 17);
    EXPECT_EQ(diags.items()[0].message,
              "spread 'zone': no selected host has this attribute (the selected hosts have: az, "
              "cluster)");
    EXPECT_EQ(diags.items()[1].message,
              "spread 'azz': no selected host has this attribute; did you mean \"az\"?");

    EXPECT_TRUE(prep("[rollout]\nspread = [\"az\", \"zone\"]")) << messages();
    EXPECT_TRUE(prep("targets = \"web\"\n[rollout]\naffinity = \"az\"\nspread = [\"cluster\"]"))
        << messages();
}

// The default affinity is not written, so hosts without clusters plan one by one; "none" is
// always allowed, and plans every host as a unit of its own.
TEST_F(PrepareTest, DefaultAndNoneAffinityNeedNoAttribute) {
    auto bare = prep("targets = \"bare\"\n[rollout]\nbatches = [1, \"100%\"]");
    ASSERT_TRUE(bare) << messages();
    EXPECT_EQ(bare->task.rollout->affinity, "cluster");

    EXPECT_FALSE(prep("targets = \"bare\"\n[rollout]\naffinity = \"cluster\""));
    ASSERT_EQ(diags.size(), 1u);
    EXPECT_EQ(diags.items()[0].message,
              "affinity 'cluster': no selected host has this attribute, so it would keep no hosts "
              "together (the selected hosts have no attributes)");

    auto none = prep("targets = \"web\"\n[rollout]\naffinity = \"none\"\nbatches = [1, \"100%\"]");
    ASSERT_TRUE(none) << messages();
    auto rollout = effective_rollout(*none, WaveOptions{});
    auto plan = plan_waves(*none, rollout, WaveOptions{});
    ASSERT_EQ(plan.waves.size(), 2u);
    EXPECT_EQ(plan.waves[0].hosts.size(), 1u) << "the web cluster was kept together";
    EXPECT_TRUE(plan.waves[1].clusters.empty());

    auto grouped = prep("targets = \"web\"\n[rollout]\nbatches = [1, \"100%\"]");
    ASSERT_TRUE(grouped) << messages();
    plan = plan_waves(*grouped, effective_rollout(*grouped, WaveOptions{}), WaveOptions{});
    ASSERT_EQ(plan.waves.size(), 1u);
    EXPECT_EQ(plan.waves[0].clusters, (Names{"w"}));
}

// retry and resume name their hosts: neither -t nor the attribute check applies to them.
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

// `exec --shell`: the step's shell, recorded in the task text so that retry and resume run
// the command by the same shell.
TEST_F(PrepareTest, AdhocShellIsRecordedAndReadBack) {
    config::Task t = adhoc_task("[[ 1 == 1 ]] && echo \"yes\"", "bash");
    ASSERT_EQ(t.steps.size(), 1u);
    EXPECT_EQ(t.steps[0].shell, "bash");
    EXPECT_EQ(adhoc_command(t.text), "[[ 1 == 1 ]] && echo \"yes\"");
    EXPECT_EQ(adhoc_shell(t.text), "bash");
    config::Task plain = adhoc_task("uptime");
    EXPECT_EQ(plain.steps[0].shell, "");
    EXPECT_EQ(adhoc_shell(plain.text), "");
    EXPECT_EQ(adhoc_command(plain.text), "uptime");
    EXPECT_EQ(adhoc_shell("shell = \"bash\"\n"), "") << "not an exec's text";

    PrepareOptions o;
    o.command = "true";
    o.inventory = (m_dir / "inv.toml").string();
    o.shell = "bash; rm -rf /";
    EXPECT_FALSE(prepare(o, diags));
    ASSERT_EQ(diags.size(), 1u);
    EXPECT_EQ(diags.items()[0].pos.file, "--shell");
    o.shell = "/bin/bash";
    diags = config::Diagnostics();
    auto p = prepare(o, diags);
    ASSERT_TRUE(p) << messages();
    EXPECT_EQ(p->task.steps[0].shell, "/bin/bash");
}

} // namespace
} // namespace leura::app
