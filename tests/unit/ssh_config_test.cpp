// SPDX-License-Identifier: Apache-2.0
// ssh_config resolution over real files in a temporary folder. The wide comparison with
// OpenSSH itself is tests/sshconfig/differential.py; these pin the rules one by one.
#include "sshconfig/items.hpp"
#include "sshconfig/ssh_config.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace leura::sshconfig {
namespace {

namespace fs = std::filesystem;

Query host(std::string name) {
    Query q;
    q.host = std::move(name);
    return q;
}

class SshConfigTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        dir = fs::temp_directory_path() /
              ("leura-sshcfg-" + std::to_string(getpid()) + "-" + std::to_string(n++));
        fs::create_directories(dir / ".ssh");
    }
    void TearDown() override { fs::remove_all(dir); }
    fs::path write(const std::string& name, const std::string& text) {
        fs::path p = dir / name;
        std::ofstream(p) << text;
        ::chmod(p.c_str(), 0600);
        return p;
    }
    Result<Resolved> resolve_in(const std::string& text, Query q) {
        auto file = write(".ssh/config", text);
        auto config = Config::load({{file, true, true}}, dir.string());
        if (!config) return std::unexpected(config.error());
        if (q.local_user.empty()) q.local_user = "me";
        q.home = dir.string();
        return resolve(*config, q);
    }
    fs::path dir;
};

TEST_F(SshConfigTest, SplitsLikeOpenSsh) {
    auto l = split_line("  HostName = \"a b\" # comment");
    ASSERT_TRUE(l);
    EXPECT_EQ(l->keyword, "hostname");
    ASSERT_EQ(l->args.size(), 1u);
    EXPECT_EQ(l->args[0], "a b");
    EXPECT_EQ(split_line("# only a comment")->keyword, "");
    EXPECT_EQ(split_line("Port=22")->args[0], "22");
    EXPECT_EQ(split_line("User a\\ b")->args[0], "a b");
    EXPECT_FALSE(split_line("User \"open"));
    EXPECT_EQ(split_line("\"User\" bob")->keyword, "user");
    EXPECT_EQ(split_line("Ho\"st\" foo")->keyword, "host"); // as ssh's strdelim() reads it
    EXPECT_EQ(split_line("Ho\"st foo")->keyword, "");       // no closing quote: skipped
    EXPECT_FALSE(split_line("User"));
}

TEST_F(SshConfigTest, FirstValueWinsAndIdentitiesAccumulate) {
    auto r = resolve_in("Host web*\n  User deploy\n  IdentityFile ~/a\nHost *\n  User other\n"
                        "  IdentityFile ~/b\n  IdentityFile ~/a\n  Port 2222\n",
                        host("web01"));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->user.text, "deploy");
    EXPECT_EQ(r->user.origin.line, 2);
    EXPECT_EQ(r->port.text, "2222");
    ASSERT_EQ(r->identity_files.size(), 2u);
    EXPECT_EQ(r->identity_files[1].text, "~/b");
}

TEST_F(SshConfigTest, NegationExcludesAndHostIsCaseSensitive) {
    auto r = resolve_in("Host *.dc1 !db*.dc1\n  Port 1\nHost WEB\n  Port 2\n", host("db1.dc1"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->port.text, "22");
    EXPECT_EQ(resolve_in("Host WEB\n  Port 2\n", host("web"))->port.text, "22");
    EXPECT_EQ(resolve_in("Host *.dc1 !db*.dc1\n  Port 1\n", host("x.dc1"))->port.text, "1");
}

TEST_F(SshConfigTest, MatchHostSeesTheHostName) {
    auto r = resolve_in("Host alias\n  HostName Real.%h.example\nMatch host *.example !user root\n"
                        "  Port 7\n",
                        host("alias"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->hostname.text, "real.alias.example");
    EXPECT_EQ(r->port.text, "7");
}

TEST_F(SshConfigTest, QueryValuesAreNeverOverridden) {
    auto r = resolve_in("Host *\n  User cfg\n  Port 2\n  HostName cfg.example\n", [] {
        Query q = host("h");
        q.hostname = "10.0.0.1";
        q.user = "inv";
        q.port = 2200;
        return q;
    }());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->hostname.text, "10.0.0.1");
    EXPECT_EQ(r->user.text, "inv");
    EXPECT_EQ(r->port.text, "2200");
}

TEST_F(SshConfigTest, IncludeInsideAnInactiveBlockDoesNotApply) {
    write(".ssh/extra", "Port 9\nHost *\n  User inc\n");
    ::chmod((dir / ".ssh/extra").c_str(), 0600);
    auto r = resolve_in("Host other\n  Include extra\nHost *\n  User top\n", host("h"));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->port.text, "22");
    EXPECT_EQ(r->user.text, "top");
    auto on = resolve_in("Host h\n  Include extra\n", host("h"));
    ASSERT_TRUE(on);
    EXPECT_EQ(on->port.text, "9");
    EXPECT_EQ(on->user.text, "inc");
}

TEST_F(SshConfigTest, RefusesWhatSshRefuses) {
    EXPECT_FALSE(resolve_in("Port 0\n", host("h")));
    EXPECT_FALSE(resolve_in("Match bogus x\n", host("h")));
    EXPECT_FALSE(resolve_in("IdentityFile a b\n", host("h")));
    EXPECT_FALSE(resolve_in("ProxyJump a,,b\n", host("h")));
    EXPECT_FALSE(resolve_in("Host h\n  ProxyJump h\n", host("h"))); // a loop
    write(".ssh/loop", "Include loop\n");
    auto deep = resolve_in("Include loop\n", host("h"));
    ASSERT_FALSE(deep);
    EXPECT_NE(deep.error().message.find("nested"), std::string::npos);
    write(".ssh/open", "Port 3\n");
    ::chmod((dir / ".ssh/open").c_str(), 0666);
    EXPECT_FALSE(resolve_in("Include open\n", host("h")));
}

TEST_F(SshConfigTest, ProxyJumpAndProxyCommandShareOneSlot) {
    auto r = resolve_in("Host h\n  ProxyJump u@j1:2200,j2\n  ProxyCommand nc %h %p\n", host("h"));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->jump.size(), 2u);
    EXPECT_EQ(r->jump[0].user, "u");
    EXPECT_EQ(*r->jump[0].port, 2200);
    EXPECT_FALSE(r->proxy_command);
    auto none = resolve_in("ProxyJump none\nProxyJump j\n", host("h"));
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->jump.empty());
}

TEST_F(SshConfigTest, FinalPassMatchesTheResolvedName) {
    auto r = resolve_in("Host a\n  HostName b.example\nMatch final\n  User fin\nHost b.example\n"
                        "  Port 5\n",
                        host("a"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->user.text, "fin");
    EXPECT_EQ(r->port.text, "5");
}

TEST_F(SshConfigTest, ExpandsTokensInPaths) {
    Query q = host("alias");
    q.local_user = "me";
    q.home = "/home/me";
    q.local_host = "ctl.example";
    q.uid = 1000;
    Resolved r;
    r.hostname = {"real", {}};
    r.user = {"deploy", {}};
    r.port = {"2222", {}};
    EXPECT_EQ(*expand_path("~/.ssh/%h_%r_%p_%n_%u_%L_%i_%%", q, r),
              "/home/me/.ssh/real_deploy_2222_alias_me_ctl_1000_%");
    EXPECT_FALSE(expand_path("%C", q, r));
    EXPECT_FALSE(expand_path("${LEURA_SURELY_UNSET_VARIABLE}", q, r));
    EXPECT_EQ(parse_ssh_time("1m30s"), 90);
    EXPECT_FALSE(parse_ssh_time("5x"));
}

TEST_F(SshConfigTest, UnknownKeywordsWarnWithASuggestion) {
    auto file = write(".ssh/config", "HostNmae x\nIgnoreUnknown Fancy*\nFancyThing 1\n");
    auto config = Config::load({{file, true, true}}, dir.string());
    ASSERT_TRUE(config);
    ASSERT_EQ(config->warnings().size(), 1u);
    EXPECT_NE(config->warnings()[0].find("did you mean 'hostname'"), std::string::npos);
}

} // namespace
} // namespace leura::sshconfig
