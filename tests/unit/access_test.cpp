// SPDX-License-Identifier: Apache-2.0
#include "access/policy.hpp"
#include "access/policy_edit.hpp"
#include "config/access_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

using namespace leura;
using namespace leura::access;

namespace {

const char* k_policy = R"(# top comment
[groups.sre]
members = ["alice"]
unix = "ops"

[groups.devs]
members = ["dave"]

[[grant]]
id = "g-sre-run"
who = ["group:sre"]
allow = ["run"]
tasks = ["deploy/*"]
inventories = ["staging", "prod"]
runs = "all"

# databases are the DBAs'
[[grant]]
id = "g-sre-no-db"
who = ["group:sre"]
deny = ["run"]
tasks = ["*"]
inventories = ["prod"]
hosts = "db*"
reason = "DBA team"

[[grant]]
id = "g-devs-web"
who = ["group:devs"]
allow = ["run"]
tasks = ["web/*"]
hosts = "web*"

[[grant]]
id = "g-dave-edit"
who = ["user:dave"]
allow = ["edit"]
tasks = ["web/notes"]

[[grant]]
id = "g-dave-no-logs"
who = ["user:dave"]
deny = ["logs"]
tasks = ["web/secret"]

[[grant]]
id = "g-eve-admin"
who = ["user:eve"]
allow = ["admin"]
tasks = ["lab/*"]
)";

Policy parse(const std::string& text) {
    config::Diagnostics diags;
    auto p = config::parse_access_text(text, "/etc/leura/access.toml", diags);
    EXPECT_TRUE(p.has_value()) << (diags.empty() ? "" : config::format(diags.items()[0]));
    return p ? *p : Policy{};
}

// bob is in Unix group "ops" only.
bool fake_unix(const std::string& user, const std::string& group) {
    return user == "bob" && group == "ops";
}

struct Case {
    const char* who;
    const char* action;
    const char* task;
    const char* inventory;
    std::vector<std::string> hosts;
    bool allowed;
    const char* rule; // the deciding rule ("" for the default deny)
};

const std::vector<Case> k_cases = {
    // allow, and the actions run contains
    {"alice", "run", "deploy/app", "staging", {}, true, "g-sre-run"},
    {"alice", "logs", "deploy/app", "staging", {}, true, "g-sre-run"},
    {"alice", "view", "deploy/app", "prod", {}, true, "g-sre-run"},
    {"alice", "edit", "deploy/app", "staging", {}, false, ""},
    {"alice", "exec", "", "staging", {}, false, ""},
    // unix group membership through the injected lookup
    {"bob", "run", "deploy/app", "staging", {}, true, "g-sre-run"},
    {"carol", "run", "deploy/app", "staging", {}, false, ""},
    // deny wins when any host matches its selector; a deny of run leaves view
    {"alice", "run", "deploy/app", "prod", {"web1", "db1"}, false, "g-sre-no-db"},
    {"alice", "run", "deploy/app", "prod", {"web1", "web2"}, true, "g-sre-run"},
    {"alice", "view", "deploy/app", "prod", {"db1"}, true, "g-sre-run"},
    // an allow with hosts needs every host to match, and known hosts
    {"dave", "run", "web/restart", "any", {"web1", "web2"}, true, "g-devs-web"},
    {"dave", "run", "web/restart", "any", {"web1", "db1"}, false, ""},
    {"dave", "run", "web/restart", "any", {}, false, ""},
    // edit contains run; a deny of logs denies logs, run, edit but not view
    {"dave", "run", "web/notes", "any", {}, true, "g-dave-edit"},
    {"dave", "view", "web/secret", "any", {"web1"}, true, "g-devs-web"},
    {"dave", "logs", "web/secret", "any", {"web1"}, false, "g-dave-no-logs"},
    {"dave", "run", "web/secret", "any", {"web1"}, false, "g-dave-no-logs"},
    // admin contains every action, exec and schedule too
    {"eve", "schedule", "lab/x", "any", {}, true, "g-eve-admin"},
    {"eve", "exec", "lab/x", "", {}, true, "g-eve-admin"},
    {"eve", "run", "prod/x", "", {}, false, ""},
    {"user:eve", "edit", "lab/y", "", {}, true, "g-eve-admin"},
    {"schedule:nightly", "view", "lab/y", "", {}, false, ""},
    {"group:devs", "run", "web/a", "x", {"web9"}, true, "g-devs-web"},
};

void run_cases(const Policy& p) {
    for (const auto& c : k_cases) {
        auto who = principal(p, c.who, fake_unix);
        ASSERT_TRUE(who) << c.who;
        Request r{c.action, c.task, c.inventory, c.hosts, nullptr};
        auto d = decide(p, *who, r);
        SCOPED_TRACE(std::string(c.who) + " " + c.action + " " + c.task + ": " + d.why);
        EXPECT_EQ(d.allowed, c.allowed);
        EXPECT_EQ(d.rule_id, c.rule);
    }
}

} // namespace

TEST(AccessPolicy, DecisionTable) {
    run_cases(parse(k_policy));
}

TEST(AccessPolicy, RuleOrderNeverMatters) {
    Policy p = parse(k_policy);
    std::mt19937 rng(42);
    for (int i = 0; i < 20; ++i) {
        std::shuffle(p.grants.begin(), p.grants.end(), rng);
        run_cases(p);
    }
}

TEST(AccessPolicy, DecisionNamesTheRuleAndItsLine) {
    Policy p = parse(k_policy);
    auto who = principal(p, "alice", fake_unix);
    auto d = decide(p, *who, {"run", "deploy/app", "prod", {"db1"}, nullptr});
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.where.line, 18);
    EXPECT_EQ(d.reason, "DBA team");
    EXPECT_NE(d.why.find("access.toml:18"), std::string::npos) << d.why;
}

TEST(AccessPolicy, ImpliedActions) {
    EXPECT_TRUE(contains("admin", "exec"));
    EXPECT_TRUE(contains("admin", "schedule"));
    EXPECT_TRUE(contains("edit", "view"));
    EXPECT_FALSE(contains("run", "edit"));
    EXPECT_FALSE(contains("run", "exec"));
    EXPECT_FALSE(contains("exec", "view"));
}

TEST(AccessPolicy, RunsVisible) {
    Policy p = parse(k_policy);
    auto alice = principal(p, "alice", fake_unix);
    auto dave = principal(p, "dave", fake_unix);
    auto carol = principal(p, "carol", fake_unix);
    EXPECT_EQ(runs_visible(p, *alice, "deploy/app", "prod"), RunsVisible::all);
    EXPECT_EQ(runs_visible(p, *dave, "web/x", "any"), RunsVisible::own);
    // a deny of logs leaves view
    EXPECT_EQ(runs_visible(p, *dave, "web/secret", "any"), RunsVisible::own);
    EXPECT_EQ(runs_visible(p, *carol, "deploy/app", "prod"), RunsVisible::none);
}

TEST(AccessPolicy, WhoCanAndExplain) {
    Policy p = parse(k_policy);
    auto list = who_can(p, "run", "web/secret", "x");
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].principal, "group:devs");
    EXPECT_EQ(list[0].grant_ids, std::vector<std::string>{"g-devs-web"});
    EXPECT_EQ(list[1].principal, "user:dave"); // a deny of logs denies run
    EXPECT_TRUE(list[1].grant_ids.empty());
    EXPECT_EQ(list[1].denied_by, std::vector<std::string>{"g-dave-no-logs"});
    EXPECT_EQ(who_can(p, "exec", "lab/x", "").size(), 1u);
    auto dave = principal(p, "dave", fake_unix);
    EXPECT_EQ(explain(p, *dave).size(), 3u);
}

TEST(AccessPolicy, FileProblemsAtTheirPlace) {
    config::Diagnostics diags;
    auto p = config::parse_access_text(
        "[[grant]]\nid = \"a\"\nwho = [\"usr:x\"]\nalow = [\"run\"]\n", "access.toml", diags);
    EXPECT_FALSE(p);
    ASSERT_GE(diags.size(), 2u);
    EXPECT_EQ(diags.items()[0].pos.line, 3);
    EXPECT_NE(diags.items()[1].message.find("did you mean 'allow'"), std::string::npos)
        << diags.items()[1].message;
    diags = {};
    EXPECT_FALSE(config::parse_access_text(
        "[[grant]]\nid = \"a\"\nwho = [\"user:x\"]\nallow = [\"rn\"]\n", "f", diags));
    EXPECT_NE(diags.items()[0].message.find("did you mean"), std::string::npos);
}

TEST(AccessPolicy, EditsKeepComments) {
    Policy p = parse(k_policy);
    config::AccessGrant g;
    g.who = {"user:zoe"};
    g.actions = {"view"};
    auto added = add_grant(p, g);
    ASSERT_TRUE(added) << added.error().message;
    EXPECT_NE(added->find("id = \"" + generated_id(g) + "\""), std::string::npos);
    EXPECT_EQ(added->substr(0, p.text.size()), p.text);
    auto revoked = revoke(p, "g-sre-no-db");
    ASSERT_TRUE(revoked);
    EXPECT_EQ(revoked->find("g-sre-no-db"), std::string::npos);
    EXPECT_NE(revoked->find("# top comment"), std::string::npos);
    // The comment above the next grant stays with it; the removed one's own lines go.
    EXPECT_EQ(revoked->find("DBA team"), std::string::npos);
    auto member = add_member(p, "sre", "zoe");
    ASSERT_TRUE(member);
    EXPECT_NE(member->find("members = [\"alice\", \"zoe\"]"), std::string::npos);
    EXPECT_FALSE(remove_user(p, "eve"));  // the only principal of g-eve-admin
    EXPECT_FALSE(remove_group(p, "sre")); // grants name it
    EXPECT_FALSE(revoke(p, "g-sre-nodb"));
}
