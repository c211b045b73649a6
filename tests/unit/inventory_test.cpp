// SPDX-License-Identifier: Apache-2.0
#include "inventory/inventory.hpp"
#include "inventory/range.hpp"
#include "inventory/selector.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>

namespace leura::inventory {
namespace {

using Names = std::vector<std::string>;

Names expand(const std::string& pattern) {
    auto names = expand_range(pattern);
    EXPECT_TRUE(names.has_value()) << pattern << ": " << names.error().message;
    return names ? *names : Names{};
}

Error expand_error(const std::string& pattern, size_t max_hosts = 1'000'000) {
    auto names = expand_range(pattern, max_hosts);
    EXPECT_FALSE(names.has_value()) << pattern;
    return names ? Error{} : names.error();
}

// The fold output lists groups separated by ','; commas inside brackets belong to a range.
Names expand_folded(const std::string& folded) {
    Names out;
    std::string part;
    int depth = 0;
    for (char c : folded + ",") {
        if (c == ',' && depth == 0) {
            for (auto& n : expand(part))
                out.push_back(n);
            part.clear();
            continue;
        }
        depth += c == '[' ? 1 : c == ']' ? -1 : 0;
        part += c;
    }
    return out;
}

// --- expand_range --------------------------------------------------------------------------

TEST(ExpandRange, PlainNameIsReturnedAsIs) {
    EXPECT_EQ(expand("db1.phx01.example.com"), Names{"db1.phx01.example.com"});
}

TEST(ExpandRange, LeadingZeroFixesWidth) {
    Names names = expand("web[01-20].dc1");
    ASSERT_EQ(names.size(), 20u);
    EXPECT_EQ(names.front(), "web01.dc1");
    EXPECT_EQ(names[8], "web09.dc1");
    EXPECT_EQ(names.back(), "web20.dc1");
    EXPECT_EQ(expand("n[008-010]"), (Names{"n008", "n009", "n010"}));
}

TEST(ExpandRange, UnpaddedRangeGrowsDigits) {
    EXPECT_EQ(expand("w[8-10]"), (Names{"w8", "w9", "w10"}));
    EXPECT_EQ(expand("w[0-1]"), (Names{"w0", "w1"}));
}

TEST(ExpandRange, ListsAndRangesMix) {
    EXPECT_EQ(expand("h[01-03,07,10-11]"), (Names{"h01", "h02", "h03", "h07", "h10", "h11"}));
}

TEST(ExpandRange, SingleItemInBrackets) {
    EXPECT_EQ(expand("web[07].x"), Names{"web07.x"});
}

TEST(ExpandRange, SeveralGroupsMultiplyFirstSlowest) {
    EXPECT_EQ(expand("r[1-2]-h[1-2]"), (Names{"r1-h1", "r1-h2", "r2-h1", "r2-h2"}));
}

TEST(ExpandRange, BracketsAtBothEnds) {
    EXPECT_EQ(expand("[1-2].[3-4]"), (Names{"1.3", "1.4", "2.3", "2.4"}));
}

TEST(ExpandRange, UnbalancedOpenBracket) {
    Error e = expand_error("web[01-03");
    EXPECT_EQ(e.kind, ErrorKind::config);
    EXPECT_EQ(e.message, "bad host range in 'web[01-03': unbalanced '['");
    EXPECT_EQ(expand_error("web[1-[2]").message, "bad host range in 'web[1-[2]': unbalanced '['");
}

TEST(ExpandRange, UnbalancedCloseBracket) {
    EXPECT_EQ(expand_error("web01]").message, "bad host range in 'web01]': unbalanced ']'");
}

TEST(ExpandRange, EmptyBrackets) {
    EXPECT_EQ(expand_error("web[]").message, "bad host range in 'web[]': empty brackets");
    EXPECT_EQ(expand_error("web[1,,2]").message,
              "bad host range in 'web[1,,2]': empty item in brackets");
}

TEST(ExpandRange, ReversedRange) {
    Error e = expand_error("web[5-1]");
    EXPECT_EQ(e.kind, ErrorKind::config);
    EXPECT_EQ(e.message, "bad host range in 'web[5-1]': range 5-1 is reversed");
}

TEST(ExpandRange, LettersAreNotSupported) {
    EXPECT_EQ(expand_error("web[a-c]").message,
              "bad host range in 'web[a-c]': non-numeric bound 'a'");
    EXPECT_EQ(expand_error("web[1-]").message, "bad host range in 'web[1-]': non-numeric bound ''");
    EXPECT_EQ(expand_error("web[1-2-3]").message,
              "bad host range in 'web[1-2-3]': non-numeric bound '2-3'");
}

TEST(ExpandRange, HugeBoundIsRejected) {
    EXPECT_EQ(expand_error("w[1-1234567890123456789]").message,
              "bad host range in 'w[1-1234567890123456789]': bound '1234567890123456789' is too "
              "large");
}

TEST(ExpandRange, TooManyNames) {
    Error e = expand_error("w[1-11]", 10);
    EXPECT_EQ(e.kind, ErrorKind::config);
    EXPECT_EQ(e.message, "host range 'w[1-11]' expands to more than 10 names");
    EXPECT_EQ(expand_error("w[1-4]-[1-3]", 10).message,
              "host range 'w[1-4]-[1-3]' expands to more than 10 names");
    EXPECT_TRUE(expand_range("w[1-10]", 10).has_value());
    // Counted before anything is built, so a typo does not exhaust memory.
    EXPECT_EQ(expand_error("w[1-999999999999]").message,
              "host range 'w[1-999999999999]' expands to more than 1000000 names");
}

// --- fold_hosts ----------------------------------------------------------------------------

TEST(FoldHosts, FoldsRunsAndSingles) {
    EXPECT_EQ(fold_hosts({"web01", "web02", "web03", "web07"}), "web[01-03,07]");
}

TEST(FoldHosts, Ipv4LastOctet) {
    EXPECT_EQ(fold_hosts({"127.0.1.1", "127.0.1.2", "127.0.1.3", "127.0.1.4", "127.0.1.5"}),
              "127.0.1.[1-5]");
}

TEST(FoldHosts, GroupsInNaturalOrder) {
    EXPECT_EQ(fold_hosts({"b1", "a2", "a1"}), "a[1-2],b1");
    EXPECT_EQ(fold_hosts({"web10", "web9", "db2", "db1"}), "db[1-2],web[9-10]");
}

TEST(FoldHosts, SingleNamesPrintPlainly) {
    EXPECT_EQ(fold_hosts({"x"}), "x");
    EXPECT_EQ(fold_hosts({"web07"}), "web07");
    EXPECT_EQ(fold_hosts({}), "");
}

TEST(FoldHosts, UnpaddedAcrossDigitCounts) {
    EXPECT_EQ(fold_hosts({"web9", "web10", "web11"}), "web[9-11]");
}

TEST(FoldHosts, PaddedJoinsSameWidthUnpadded) {
    EXPECT_EQ(fold_hosts({"web09", "web10"}), "web[09-10]");
}

TEST(FoldHosts, DifferentPaddingDoesNotFold) {
    EXPECT_EQ(fold_hosts({"web1", "web01"}), "web01,web1");
    EXPECT_EQ(fold_hosts({"web001", "web01", "web02"}), "web001,web[01-02]");
}

TEST(FoldHosts, FoldsOnTheLastNumberThatDiffers) {
    Names names = expand("web[01-08,11].phx01.example.com");
    EXPECT_EQ(fold_hosts(names), "web[01-08,11].phx01.example.com");
    EXPECT_EQ(fold_hosts({"web1.dc1", "web2.dc1", "web3.dc1", "web1.dc2"}),
              "web1.dc[1-2],web[2-3].dc1");
    EXPECT_EQ(fold_hosts(expand("r[1-2]-h[1-3]")), "r[1-2]-h[1-3]");
}

TEST(FoldHosts, HashInNamesDoesNotConfuseShapes) {
    EXPECT_EQ(fold_hosts({"a#", "a1", "a#1", "a1#", "a2"}), "a#,a#1,a[1-2],a1#");
}

TEST(FoldHosts, NamesWithoutDigitsAndDuplicates) {
    EXPECT_EQ(fold_hosts({"gamma", "alpha", "alpha", "web1", "web1"}), "alpha,gamma,web1");
}

TEST(FoldHosts, RoundTripsRandomSets) {
    std::mt19937 rng(12345);
    for (int round = 0; round < 300; ++round) {
        size_t width = rng() % 2 ? 0 : 1 + rng() % 4;
        uint64_t limit = width ? 1 : 150;
        for (size_t i = 0; i < width; ++i)
            limit *= 10;
        std::set<uint64_t> values;
        size_t count = 1 + rng() % 40;
        while (values.size() < std::min<uint64_t>(count, limit))
            values.insert(rng() % limit);
        Names names;
        for (uint64_t v : values) {
            std::string digits = std::to_string(v);
            if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
            names.push_back("node" + digits + ".rack");
        }
        Names shuffled = names;
        std::shuffle(shuffled.begin(), shuffled.end(), rng);
        std::string folded = fold_hosts(shuffled);
        EXPECT_EQ(expand_folded(folded), names) << folded;
    }
}

TEST(FoldHosts, RoundTripsMixedPaddingAsSets) {
    std::mt19937 rng(777);
    for (int round = 0; round < 200; ++round) {
        std::set<std::string> names;
        for (int i = 0; i < 30; ++i) {
            std::string digits = std::to_string(rng() % 120);
            if (rng() % 2 && digits.size() < 3) digits.insert(0, 3 - digits.size(), '0');
            names.insert((rng() % 3 ? "a" : "b") + digits);
        }
        Names input(names.begin(), names.end());
        std::shuffle(input.begin(), input.end(), rng);
        std::string folded = fold_hosts(input);
        Names back = expand_folded(folded);
        EXPECT_EQ(std::set<std::string>(back.begin(), back.end()), names) << folded;
        EXPECT_EQ(back.size(), names.size()) << folded;
    }
}

TEST(FoldHosts, HundredThousandNamesFoldToOneRange) {
    Names names = expand("h[000001-100000].example.com");
    std::shuffle(names.begin(), names.end(), std::mt19937(1));
    std::string folded = fold_hosts(names);
    EXPECT_EQ(folded, "h[000001-100000].example.com");
}

// --- select --------------------------------------------------------------------------------

Host make_host(std::string name, std::vector<std::string> groups, config::KeyValues attrs) {
    Host h;
    h.name = std::move(name);
    h.groups = std::move(groups);
    h.attrs = std::move(attrs);
    return h;
}

class Select : public ::testing::Test {
protected:
    void SetUp() override {
        for (int i = 1; i <= 4; ++i) {
            std::string n = "web0" + std::to_string(i) + ".phx";
            std::string az = "phx0" + std::to_string(i % 2 ? 1 : 3);
            m_inv.hosts.push_back(make_host(n, {"web"}, {{"az", az}, {"cluster", "web-a"}}));
        }
        m_inv.hosts.push_back(
            make_host("db1.phx", {"db"}, {{"az", "phx01"}, {"cluster", "db-main"}}));
        m_inv.hosts.push_back(make_host("db2.phx", {"db", "backup"}, {{"az", "phx03"}}));
        m_inv.hosts.push_back(make_host("bastion", {}, {}));
        m_inv.groups = {"backup", "db", "web"};
    }

    std::string names(const std::string& selector) {
        auto hosts = select(m_inv, selector);
        EXPECT_TRUE(hosts.has_value()) << selector << ": " << hosts.error().message;
        if (!hosts) return "<error>";
        std::string out;
        for (const Host* h : *hosts)
            out += (out.empty() ? "" : " ") + h->name;
        return out;
    }

    Error error(const std::string& selector) {
        auto hosts = select(m_inv, selector);
        EXPECT_FALSE(hosts.has_value()) << selector;
        return hosts ? Error{} : hosts.error();
    }

    Inventory m_inv;
};

TEST_F(Select, Group) {
    EXPECT_EQ(names("db"), "db1.phx db2.phx");
}

TEST_F(Select, UnionKeepsInventoryOrderAndDeduplicates) {
    EXPECT_EQ(names("db, web01.phx, db1.phx"), "web01.phx db1.phx db2.phx");
}

TEST_F(Select, Intersection) {
    EXPECT_EQ(names("web&az=phx01"), "web01.phx web03.phx");
}

TEST_F(Select, ExclusionOfAttribute) {
    EXPECT_EQ(names("web & !az=phx03"), "web01.phx web03.phx");
}

TEST_F(Select, LeadingNotMeansEveryHostExcept) {
    EXPECT_EQ(names("!web"), "db1.phx db2.phx bastion");
    EXPECT_EQ(names("!!db"), "db1.phx db2.phx");
}

TEST_F(Select, PrecedenceAndParentheses) {
    EXPECT_EQ(names("db, web & az=phx03"), "web02.phx web04.phx db1.phx db2.phx");
    EXPECT_EQ(names("(db, web) & az=phx03"), "web02.phx web04.phx db2.phx");
    EXPECT_EQ(names("!(db, web)"), "bastion");
}

TEST_F(Select, AttributeGlob) {
    EXPECT_EQ(names("cluster=web-*"), "web01.phx web02.phx web03.phx web04.phx");
    EXPECT_EQ(names("cluster = db-?ain"), "db1.phx");
    EXPECT_EQ(names("az=*"), "web01.phx web02.phx web03.phx web04.phx db1.phx db2.phx");
    EXPECT_EQ(names("az=nowhere"), "");
}

TEST_F(Select, HostPatternWithRangeAndGlob) {
    EXPECT_EQ(names("web[01-02,04].*"), "web01.phx web02.phx web04.phx");
    EXPECT_EQ(names("db?.phx"), "db1.phx db2.phx");
    EXPECT_EQ(names("web[01-02].phx,bastion"), "web01.phx web02.phx bastion");
}

TEST_F(Select, AllAndStar) {
    EXPECT_EQ(names("all").size(), names("*").size());
    EXPECT_EQ(names("all"), "web01.phx web02.phx web03.phx web04.phx db1.phx db2.phx bastion");
}

TEST_F(Select, EmptySelectorMeansEveryHost) {
    EXPECT_EQ(names(""), names("all"));
    EXPECT_EQ(names("  \t"), names("all"));
}

TEST_F(Select, UnknownNameSuggestsGroup) {
    Error e = error("wev");
    EXPECT_EQ(e.kind, ErrorKind::usage);
    EXPECT_EQ(e.message, "unknown group or host 'wev'; did you mean 'web'?");
    EXPECT_EQ(e.pos.column, 1);
}

TEST_F(Select, UnknownNameSuggestsHost) {
    Error e = error("db & bastoin");
    EXPECT_EQ(e.message, "unknown group or host 'bastoin'; did you mean 'bastion'?");
    EXPECT_EQ(e.pos.column, 6);
}

TEST_F(Select, UnknownNameWithoutSuggestion) {
    EXPECT_EQ(error("zzzzzzzzzz").message, "unknown group or host 'zzzzzzzzzz'");
    EXPECT_EQ(error("qqq9*").message, "unknown group or host 'qqq9*'");
}

TEST_F(Select, UnknownAttributeSuggestsKey) {
    Error e = error("web & clustr=web-a");
    EXPECT_EQ(e.kind, ErrorKind::usage);
    EXPECT_EQ(e.message, "unknown attribute 'clustr'; did you mean 'cluster'?");
    EXPECT_EQ(e.pos.column, 7);
}

TEST_F(Select, BadRangeInPatternIsUsageError) {
    Error e = error("db, web[3-1]");
    EXPECT_EQ(e.kind, ErrorKind::usage);
    EXPECT_EQ(e.message, "bad host range in 'web[3-1]': range 3-1 is reversed");
    EXPECT_EQ(e.pos.column, 5);
}

struct SyntaxCase {
    const char* selector;
    const char* message;
    int column;
};

TEST_F(Select, SyntaxErrorsGiveTheColumn) {
    const SyntaxCase cases[] = {
        {"web &", "expected a group, host or attribute test at column 6", 6},
        {"(web", "expected ')' at column 5", 5},
        {"web,,db", "expected a group, host or attribute test at column 5", 5},
        {"web)", "unexpected ')' at column 4", 4},
        {"web db", "expected ',' or '&' at column 5", 5},
        {"az=", "expected an attribute value at column 4", 4},
        {"=web", "expected a group, host or attribute test at column 1", 1},
        {"!", "expected a group, host or attribute test at column 2", 2},
        {"()", "expected a group, host or attribute test at column 2", 2},
        {",web", "expected a group, host or attribute test at column 1", 1},
    };
    for (const auto& c : cases) {
        Error e = error(c.selector);
        EXPECT_EQ(e.kind, ErrorKind::usage) << c.selector;
        EXPECT_EQ(e.message, c.message) << c.selector;
        EXPECT_EQ(e.pos.column, c.column) << c.selector;
    }
}

TEST_F(Select, SyntaxErrorWinsOverUnknownName) {
    EXPECT_EQ(error("nosuch &").message, "expected a group, host or attribute test at column 9");
}

TEST(SelectLarge, HundredThousandHosts) {
    Inventory inv;
    auto names = expand_range("h[000001-100000].example.com");
    ASSERT_TRUE(names.has_value());
    inv.hosts.reserve(names->size());
    for (size_t i = 0; i < names->size(); ++i) {
        inv.hosts.push_back(make_host((*names)[i], {i % 2 ? "odd" : "even"},
                                      {{"az", "az" + std::to_string(i % 3)}}));
    }
    inv.groups = {"even", "odd"};
    auto even = select(inv, "even & !az=az1");
    auto range = select(inv, "h[000001-050000].example.com");
    auto glob = select(inv, "h0000*");
    auto few = select(inv, "h000007.example.com,h[000010-000011].example.com");
    ASSERT_TRUE(even && range && glob && few);
    EXPECT_EQ(even->size(), 33'334u);
    EXPECT_EQ(range->size(), 50'000u);
    EXPECT_EQ(glob->size(), 99u);
    ASSERT_EQ(few->size(), 3u);
    EXPECT_EQ((*few)[2]->name, "h000011.example.com");
}

// --- build ---------------------------------------------------------------------------------

SourcePos at(int line, int column = 1) {
    return {"inv.toml", line, column};
}

config::HostEntry entry(std::vector<std::string> names, std::vector<std::string> groups, int line) {
    config::HostEntry e;
    for (size_t i = 0; i < names.size(); ++i)
        e.name_pos.push_back(at(line, 10 + int(i) * 12));
    e.names = std::move(names);
    e.groups = std::move(groups);
    e.pos = at(line - 1);
    return e;
}

config::GroupEntry group_entry(std::string name, config::HostSettings settings, int line) {
    return {std::move(name), std::move(settings), at(line)};
}

TEST(Build, ExpandsNamesInFileOrderWithSortedGroups) {
    config::InventoryFile file;
    file.hosts.push_back(entry({"web[01-02]", "web05"}, {"web", "front"}, 2));
    file.hosts.push_back(entry({"db1"}, {"db"}, 6));
    config::Diagnostics diags;
    auto inv = build(file, diags);
    ASSERT_TRUE(inv.has_value());
    EXPECT_TRUE(diags.empty());
    std::vector<std::string> names;
    for (const auto& h : inv->hosts)
        names.push_back(h.name);
    EXPECT_EQ(names, (Names{"web01", "web02", "web05", "db1"}));
    EXPECT_EQ(inv->groups, (Names{"db", "front", "web"}));
    EXPECT_EQ(inv->hosts[0].groups, (Names{"web", "front"}));
    EXPECT_EQ(inv->hosts[0].port, 22);
    EXPECT_EQ(inv->hosts[0].user, "");
}

TEST(Build, LayersDefaultsThenGroupsInListedOrderThenHost) {
    config::InventoryFile file;
    file.defaults.user = "deploy";
    file.defaults.port = 2200;
    file.defaults.identity = "~/.ssh/id_ed25519";
    file.defaults.vars = {{"pool", "none"}, {"env", "prod"}, {"tier", "0"}};

    config::HostSettings web;
    web.user = "webuser";
    web.jump = "bastion-web";
    web.vars = {{"pool", "web"}, {"cache", "on"}};
    config::HostSettings edge;
    edge.jump = "bastion-edge";
    edge.vars = {{"pool", "edge"}};
    file.groups.push_back(group_entry("web", web, 20));
    file.groups.push_back(group_entry("edge", edge, 24));

    auto e = entry({"w1"}, {"web", "edge"}, 2);
    e.settings.port = 2222;
    e.settings.vars = {{"tier", "1"}, {"own", "yes"}};
    e.attrs = {{"az", "phx01"}};
    file.hosts.push_back(e);
    auto plain = entry({"w2"}, {"edge", "web"}, 6);
    file.hosts.push_back(plain);
    file.hosts.push_back(entry({"x1"}, {}, 9));

    config::Diagnostics diags;
    auto inv = build(file, diags);
    ASSERT_TRUE(inv.has_value());
    const Host& w1 = inv->hosts[0];
    EXPECT_EQ(w1.user, "webuser");
    EXPECT_EQ(w1.port, 2222);
    EXPECT_EQ(w1.identity, "~/.ssh/id_ed25519");
    EXPECT_EQ(w1.jump, "bastion-edge"); // edge is listed after web
    EXPECT_EQ(
        w1.vars,
        (config::KeyValues{
            {"pool", "edge"}, {"env", "prod"}, {"tier", "1"}, {"cache", "on"}, {"own", "yes"}}));
    EXPECT_EQ(w1.attrs, (config::KeyValues{{"az", "phx01"}}));

    const Host& w2 = inv->hosts[1];
    EXPECT_EQ(w2.jump, "bastion-web"); // web is listed after edge
    EXPECT_EQ(w2.port, 2200);
    EXPECT_EQ(w2.vars, (config::KeyValues{
                           {"pool", "web"}, {"env", "prod"}, {"tier", "0"}, {"cache", "on"}}));

    const Host& x1 = inv->hosts[2];
    EXPECT_EQ(x1.user, "deploy");
    EXPECT_EQ(x1.jump, "");
    EXPECT_EQ(x1.vars, file.defaults.vars);
}

TEST(Build, DuplicateHostIsReportedAtItsName) {
    config::InventoryFile file;
    file.text = "line1\nline2\nline3\nline4\nline5\n";
    file.hosts.push_back(entry({"web[1-3]"}, {"web"}, 2));
    file.hosts.push_back(entry({"db1", "web2"}, {"db"}, 5));
    config::Diagnostics diags;
    EXPECT_FALSE(build(file, diags).has_value());
    ASSERT_EQ(diags.size(), 1u);
    const auto& d = diags.items()[0];
    EXPECT_EQ(d.message, "host 'web2' is defined twice; first at inv.toml:2");
    EXPECT_EQ(d.pos.line, 5);
    EXPECT_EQ(d.pos.column, 22);
    EXPECT_EQ(d.source_line, "line5");
}

TEST(Build, DuplicateRangeGivesOneDiagnostic) {
    config::InventoryFile file;
    file.hosts.push_back(entry({"web[1-3]"}, {}, 2));
    file.hosts.push_back(entry({"web[1-3]"}, {}, 4));
    config::Diagnostics diags;
    EXPECT_FALSE(build(file, diags).has_value());
    ASSERT_EQ(diags.size(), 1u);
    EXPECT_EQ(diags.items()[0].message,
              "host 'web1' is defined twice; first at inv.toml:2 (and 2 more names of 'web[1-3]')");
}

TEST(Build, GroupSettingsWithoutHosts) {
    config::InventoryFile file;
    file.hosts.push_back(entry({"web1"}, {"web"}, 2));
    file.groups.push_back(group_entry("web", {}, 8));
    file.groups.push_back(group_entry("dbs", {}, 11));
    config::Diagnostics diags;
    EXPECT_FALSE(build(file, diags).has_value());
    ASSERT_EQ(diags.size(), 1u);
    EXPECT_EQ(diags.items()[0].message, "group 'dbs' has settings but no hosts");
    EXPECT_EQ(diags.items()[0].pos.line, 11);
}

TEST(Build, BadRangeIsReportedAtItsName) {
    config::InventoryFile file;
    file.hosts.push_back(entry({"ok1", "web[5-1]"}, {}, 3));
    file.hosts.push_back(entry({"db[1-"}, {}, 7));
    config::Diagnostics diags;
    EXPECT_FALSE(build(file, diags).has_value());
    ASSERT_EQ(diags.size(), 2u);
    EXPECT_EQ(diags.items()[0].message, "bad host range in 'web[5-1]': range 5-1 is reversed");
    EXPECT_EQ(diags.items()[0].pos.line, 3);
    EXPECT_EQ(diags.items()[0].pos.column, 22);
    EXPECT_EQ(diags.items()[1].message, "bad host range in 'db[1-': unbalanced '['");
    EXPECT_EQ(diags.items()[1].pos.line, 7);
}

TEST(Build, MissingNamePositionFallsBackToEntry) {
    config::InventoryFile file;
    auto e = entry({"web[]"}, {}, 4);
    e.name_pos.clear();
    file.hosts.push_back(e);
    config::Diagnostics diags;
    EXPECT_FALSE(build(file, diags).has_value());
    ASSERT_EQ(diags.size(), 1u);
    EXPECT_EQ(diags.items()[0].pos.line, 3);
}

TEST(Build, ReportsEveryProblem) {
    config::InventoryFile file;
    file.hosts.push_back(entry({"a[2-1]"}, {}, 2));
    file.hosts.push_back(entry({"b1", "b1"}, {}, 4));
    file.groups.push_back(group_entry("lonely", {}, 9));
    config::Diagnostics diags;
    EXPECT_FALSE(build(file, diags).has_value());
    EXPECT_EQ(diags.size(), 3u);
}

TEST(Build, SelectWorksOnBuiltInventory) {
    config::InventoryFile file;
    auto web = entry({"web[01-04].phx01"}, {"web"}, 2);
    web.attrs = {{"az", "phx01"}};
    file.hosts.push_back(web);
    auto db = entry({"db1.phx03"}, {"db"}, 5);
    db.attrs = {{"az", "phx03"}};
    file.hosts.push_back(db);
    config::Diagnostics diags;
    auto inv = build(file, diags);
    ASSERT_TRUE(inv.has_value());
    auto hosts = select(*inv, "web[02-03].* , az=phx03");
    ASSERT_TRUE(hosts.has_value());
    std::vector<std::string> names;
    for (const Host* h : *hosts)
        names.push_back(h->name);
    EXPECT_EQ(names, (Names{"web02.phx01", "web03.phx01", "db1.phx03"}));
}

} // namespace
} // namespace leura::inventory
