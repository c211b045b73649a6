// SPDX-License-Identifier: Apache-2.0
#include "app/exit_code.hpp"
#include "exec/script.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/paths.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <gtest/gtest.h>

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace leura::util {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;
using namespace std::chrono;

// Runs `command` with /bin/sh -c (popen) and returns its stdout; the exit status must be 0.
std::string sh(const std::string& command) {
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) return "popen failed";
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
        out.append(buf, n);
    EXPECT_EQ(::pclose(p), 0) << command;
    return out;
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80                 ? 1
                   : c >= 0xc2 && c <= 0xdf ? 2
                   : (c & 0xf0) == 0xe0     ? 3
                   : c >= 0xf0 && c <= 0xf4 ? 4
                                            : 0;
        if (n == 0 || i + n > s.size()) return false;
        uint32_t cp = n == 1 ? c : c & (0x7f >> n);
        for (size_t k = 1; k < n; ++k) {
            unsigned char d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3f);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n;
    }
    return true;
}

TEST(UtilJson, StringEscapesQuotesBackslashesAndControls) {
    EXPECT_EQ(json_string(""), R"("")");
    EXPECT_EQ(json_string("plain"), R"("plain")");
    EXPECT_EQ(json_string(R"(say "hi" \ bye)"), R"("say \"hi\" \\ bye")");
    EXPECT_EQ(json_string("a\nb\rc\td"), R"("a\nb\rc\td")");
    EXPECT_EQ(json_string("\x01\x1f"), R"("\u0001\u001f")");
    EXPECT_EQ(json_string("nul\0!"s), R"("nul\u0000!")");
    EXPECT_EQ(json_string("\x1b[31m"), R"("\u001b[31m")");
}

TEST(UtilJson, InvalidUtf8BecomesReplacementAndValidUtf8IsKept) {
    // U+FFFD, written as UTF-8; a truncated sequence is one replacement (its maximal part).
    const std::string r = "\xef\xbf\xbd";
    EXPECT_EQ(json_string("\xff"), "\"" + r + "\"");
    EXPECT_EQ(json_string("a\x80z"), "\"a" + r + "z\"");
    EXPECT_EQ(json_string("cut\xc3"), "\"cut" + r + "\"");
    EXPECT_EQ(json_string("\xe2\x82x"), "\"" + r + "x\"");
    const std::string text = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9d\x84\x9e"; // é € 𝄞
    EXPECT_EQ(json_string(text), "\"" + text + "\"");
}

TEST(UtilJson, OutputIsAlwaysValidUtf8) {
    // Overlong forms, UTF-16 surrogates and code points above U+10FFFF are not UTF-8: a strict
    // parser would reject the whole line, so they become U+FFFD.
    for (const std::string bad : {"\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80",
                                  "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf0\x80\x80\x80"}) {
        std::string out = json_string(bad);
        EXPECT_TRUE(valid_utf8(out)) << "output for input of " << bad.size() << " bytes";
        EXPECT_NE(out.find("\xef\xbf\xbd"), std::string::npos);
    }
}

TEST(UtilJson, ObjectKeepsFieldOrderAndWritesNulls) {
    EXPECT_EQ(JsonObject().str(), "{}");
    JsonObject o;
    o.add("z", "last-first")
        .add("n", 42)
        .add("neg", int64_t(-7))
        .add("count", size_t(3))
        .add("yes", true)
        .add("no", false)
        .add("none", std::optional<std::string>())
        .add("some", std::optional<std::string>("x"))
        .add("code", std::optional<int64_t>())
        .add("exit", std::optional<int64_t>(2))
        .add("list", std::vector<std::string>{"a", "b\"c"})
        .add("empty", std::vector<std::string>{})
        .add_null("gone")
        .add_raw("nested", JsonObject().add("k", "v").str())
        .add("we\"ird", std::string("v"));
    EXPECT_EQ(o.str(), R"({"z":"last-first","n":42,"neg":-7,"count":3,"yes":true,"no":false,)"
                       R"("none":null,"some":"x","code":null,"exit":2,"list":["a","b\"c"],)"
                       R"("empty":[],"gone":null,"nested":{"k":"v"},"we\"ird":"v"})");
    EXPECT_EQ(json_array({"1", R"("two")", "{}"}), R"([1,"two",{}])");
}

TEST(UtilStrings, ShellQuoteSurvivesARealShell) {
    const std::string marker =
        (fs::temp_directory_path() / ("leura-util-test-pwned-" + std::to_string(getpid())))
            .string();
    std::vector<std::string> values = {"",
                                       "plain",
                                       "it's",
                                       "''",
                                       "'",
                                       "$(touch " + marker + ")",
                                       "`touch " + marker + "`",
                                       "$HOME",
                                       "${PATH}",
                                       "a\nb\n",
                                       "\"double\"",
                                       "back\\slash\\",
                                       "*",
                                       "semi; rm x",
                                       "-n",
                                       "tab\there",
                                       "\xc3\xa9t\xc3\xa9",
                                       "a'b'c'",
                                       "!bang",
                                       "~"};
    for (const auto& v : values) {
        std::string quoted = shell_quote(v);
        EXPECT_EQ(sh("printf %s " + quoted), v) << quoted;
    }
    EXPECT_FALSE(fs::exists(marker)) << "a quoted value was executed";
    EXPECT_EQ(shell_quote("it's"), R"('it'\''s')");
}

TEST(UtilStrings, GlobMatch) {
    struct Case {
        const char* pattern;
        const char* text;
        bool match;
    };
    for (const auto& c : std::vector<Case>{{"*", "", true},
                                           {"*", "anything", true},
                                           {"", "", true},
                                           {"", "a", false},
                                           {"web-*", "web-01", true},
                                           {"web-*", "db-01", false},
                                           {"web-?", "web-1", true},
                                           {"web-?", "web-10", false},
                                           {"web-?", "web-", false},
                                           {"*-db-*", "eu-db-3", true},
                                           {"a*b*c", "aXbYc", true},
                                           {"a*b*c", "aXbY", false},
                                           {"*ab", "aab", true},
                                           {"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaa", false},
                                           {"**", "x", true},
                                           {"?*", "", false},
                                           {"Web", "web", false},
                                           {"exact", "exact", true},
                                           {"exact", "exactly", false}})
        EXPECT_EQ(glob_match(c.pattern, c.text), c.match) << c.pattern << " vs " << c.text;
}

TEST(UtilStrings, ClosestMatchSuggestsOnlyPlausibleTypos) {
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    EXPECT_EQ(edit_distance("", "abc"), 3u);
    EXPECT_EQ(edit_distance("same", "same"), 0u);
    std::vector<std::string> commands = {"run", "runs", "show", "logs", "check", "version"};
    EXPECT_EQ(closest_match("chek", commands), "check");
    EXPECT_EQ(closest_match("verison", commands), "version");
    EXPECT_EQ(closest_match("shwo", commands), "show");
    EXPECT_EQ(closest_match("runs", commands), "runs");
    EXPECT_EQ(closest_match("deploy-everything", commands), "");
    EXPECT_EQ(closest_match("check", {}), "");
    EXPECT_EQ(closest_match("restat", {"reset", "restart"}), "restart");
}

TEST(UtilStrings, SplitTrimAndIdentifiers) {
    EXPECT_EQ(split("a,b,,c", ','), (std::vector<std::string>{"a", "b", "", "c"}));
    EXPECT_EQ(split("", ','), std::vector<std::string>{""});
    EXPECT_EQ(trim(" \t x y \r\n"), "x y");
    EXPECT_EQ(trim("   "), "");
    EXPECT_TRUE(is_shell_identifier("_A1"));
    EXPECT_FALSE(is_shell_identifier("1A"));
    EXPECT_FALSE(is_shell_identifier("A-B"));
    EXPECT_FALSE(is_shell_identifier(""));
    EXPECT_EQ(human_duration_ms(340), "340ms");
    EXPECT_EQ(human_duration_ms(1200), "1.2s");
    EXPECT_EQ(human_duration_ms(125'000), "2m05s");
    EXPECT_EQ(human_bytes(512), "512 B");
    EXPECT_EQ(human_bytes(1024), "1.0 KiB");
    EXPECT_EQ(human_bytes(3'565'158), "3.4 MiB");
}

TEST(UtilStrings, SizesParseInPowersOf1024AndCountsGroupByThousands) {
    EXPECT_EQ(parse_size("10GiB"), 10ull << 30);
    EXPECT_EQ(parse_size("500 MiB"), 500ull << 20);
    EXPECT_EQ(parse_size("1kib"), 1024u);
    EXPECT_EQ(parse_size("2T"), 2ull << 40);
    EXPECT_EQ(parse_size("512B"), 512u);
    EXPECT_EQ(parse_size("0"), 0u);
    for (const char* bad : {"", "GiB", "10GB", "1.5GiB", "-1", "10 GiBs", "99999999999TiB"})
        EXPECT_FALSE(parse_size(bad)) << bad;
    EXPECT_EQ(grouped(0), "0");
    EXPECT_EQ(grouped(999), "999");
    EXPECT_EQ(grouped(3400), "3,400");
    EXPECT_EQ(grouped(1234567), "1,234,567");
    EXPECT_EQ(grouped(-17000), "-17,000");
}

TEST(UtilTime, Rfc3339FormatsUtcWithMilliseconds) {
    SystemTime t = sys_days{2026y / 11 / 22} + 3h + 15min + 2s + 123ms;
    EXPECT_EQ(rfc3339(t), "2026-11-22T03:15:02.123Z");
    EXPECT_EQ(rfc3339(SystemTime{}), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(rfc3339(t + 999us), "2026-11-22T03:15:02.123Z") << "truncated to milliseconds";
}

TEST(UtilTime, Rfc3339RoundTripsAndSortsAsText) {
    std::vector<SystemTime> times = {
        SystemTime{}, sys_days{2000y / 2 / 29} + 23h + 59min + 59s + 999ms,
        sys_days{2026y / 1 / 1} + 7ms, sys_days{2026y / 11 / 22} + 3h + 15min + 2s + 123ms,
        sys_days{2099y / 12 / 31} + 12h};
    for (size_t i = 0; i < times.size(); ++i) {
        auto text = rfc3339(times[i]);
        EXPECT_EQ(parse_rfc3339(text), times[i]) << text;
        if (i > 0) {
            EXPECT_LT(rfc3339(times[i - 1]), text);
        }
    }
    auto now = time_point_cast<milliseconds>(system_clock::now());
    EXPECT_EQ(parse_rfc3339(rfc3339(now)), SystemTime(now));
    EXPECT_EQ(parse_rfc3339("2026-11-22T03:15:02Z"), sys_days{2026y / 11 / 22} + 3h + 15min + 2s);
    EXPECT_FALSE(parse_rfc3339(""));
    EXPECT_FALSE(parse_rfc3339("yesterday"));
    EXPECT_FALSE(parse_rfc3339("2026-11-22"));
}

TEST(UtilTime, RunIdHasDateTimeAndRandomSuffix) {
    SystemTime t = sys_days{2026y / 11 / 22} + 3h + 15min + 2s + 500ms;
    const std::regex shape(R"(^\d{8}-\d{6}-[0-9a-f]{4}$)");
    std::set<std::string> suffixes;
    for (int i = 0; i < 20; ++i) {
        std::string id = new_run_id(t);
        EXPECT_TRUE(std::regex_match(id, shape)) << id;
        EXPECT_EQ(id.substr(0, 16), "20261122-031502-") << id;
        suffixes.insert(id.substr(16));
    }
    EXPECT_GT(suffixes.size(), 1u) << "the suffix is random";
    EXPECT_TRUE(std::regex_match(new_run_id(system_clock::now()), shape));
}

// A tick or a burst of API requests mints many ids in one second, on several threads: none
// twice (16 random bits alone give about 68 repeats among 3,000).
TEST(UtilTime, RunIdsOfOneSecondAreNeverRepeatedInAProcess) {
    SystemTime t = sys_days{2026y / 11 / 22} + 3h + 15min + 7s;
    std::vector<std::vector<std::string>> minted(4);
    std::vector<std::thread> threads;
    for (auto& ids : minted)
        threads.emplace_back([&ids, t] {
            for (int i = 0; i < 750; ++i)
                ids.push_back(new_run_id(t));
        });
    for (auto& th : threads)
        th.join();
    std::set<std::string> all;
    for (const auto& ids : minted)
        all.insert(ids.begin(), ids.end());
    EXPECT_EQ(all.size(), 3000u);
    EXPECT_EQ(all.begin()->substr(0, 16), "20261122-031507-");
}

TEST(UtilScript, RenderScriptExportsQuotedValuesThenTheBody) {
    using exec::render_script;
    EXPECT_EQ(render_script({}, ""), "");
    EXPECT_EQ(render_script({}, "echo hi"), "echo hi\n");
    EXPECT_EQ(render_script({}, "echo hi\n"), "echo hi\n");
    EXPECT_EQ(render_script({{"A", "1"}, {"B", "it's"}}, "run"),
              "export A='1'\nexport B='it'\\''s'\nrun\n");
}

TEST(UtilScript, RenderedScriptRunsUnderTheRemoteCommand) {
    const std::string nasty = "it's $(not run) `nor this` \"q\"\nline2";
    std::string script = exec::render_script(
        {{"GREETING", nasty}, {"EMPTY", ""}},
        "printf '%s|%s|' \"$GREETING\" \"$EMPTY\"\nread -r x || printf 'stdin at EOF'");
    auto file = fs::temp_directory_path() / ("leura-util-script-" + std::to_string(getpid()));
    std::ofstream(file, std::ios::binary) << script;
    std::string out = sh(std::string(exec::k_remote_command) + " < " + shell_quote(file.string()));
    fs::remove(file);
    EXPECT_EQ(out, nasty + "||stdin at EOF");
}

// The sized reader takes exactly the script, whatever its lines hold, and leaves what follows
// on stdin (an upload's file); a script cut short is never run.
TEST(UtilScript, SizedReaderTakesExactlyTheScript) {
    const std::string body = "  printf '%s|' \"lead\\\\ \" 'a\\tb'\n\nprintf '%s|' \"$(cat)\"";
    auto file = fs::temp_directory_path() / ("leura-util-sized-" + std::to_string(getpid()));
    auto run = [&](const std::string& stdin_text) {
        std::ofstream(file, std::ios::binary) << stdin_text;
        return sh("(" + exec::sized_command() + ") < " + shell_quote(file.string()) +
                  " || echo refused");
    };
    // The marker line comes first; the script's end is reported after it, with its status.
    EXPECT_EQ(run("mk\n" + exec::sized_stdin(body) + "the file\nafter"),
              "lead\\ |a\\tb|the file\nafter|\nmk 0\n");
    std::string whole =
        "mk\n" + exec::sized_stdin("touch " + shell_quote(file.string() + ".ran") + "\nfalse");
    EXPECT_EQ(run(whole.substr(0, whole.size() - 3)), "refused\n");
    EXPECT_FALSE(fs::exists(file.string() + ".ran")) << "a truncated script ran";
    fs::remove(file);
}

TEST(UtilExitCode, DocumentedValues) {
    EXPECT_EQ(to_int(ExitCode::ok), 0);
    EXPECT_EQ(to_int(ExitCode::hosts_failed), 1);
    EXPECT_EQ(to_int(ExitCode::usage), 2);
    EXPECT_EQ(to_int(ExitCode::halted), 3);
    EXPECT_EQ(to_int(ExitCode::refused), 4);
    EXPECT_EQ(to_int(ExitCode::locked), 5);
    EXPECT_EQ(to_int(ExitCode::internal), 70);
    EXPECT_EQ(to_int(ExitCode::sigint), 130);
    EXPECT_EQ(to_int(ExitCode::sigterm), 143);
}

TEST(UtilError, KindNamesAreInterface) {
    std::vector<std::pair<ErrorKind, std::string>> names = {
        {ErrorKind::usage, "usage"},           {ErrorKind::config, "config"},
        {ErrorKind::connect, "connect"},       {ErrorKind::auth, "auth"},
        {ErrorKind::host_key, "host_key"},     {ErrorKind::host_key_changed, "host_key_changed"},
        {ErrorKind::timeout, "timeout"},       {ErrorKind::remote_exit, "exit"},
        {ErrorKind::signal, "signal"},         {ErrorKind::io, "io"},
        {ErrorKind::permission, "permission"}, {ErrorKind::denied, "denied"},
        {ErrorKind::not_found, "not_found"},   {ErrorKind::interrupted, "interrupted"},
        {ErrorKind::internal, "internal"}};
    for (const auto& [kind, name] : names)
        EXPECT_EQ(to_string(kind), name);
    auto err = fail(ErrorKind::timeout, "too slow");
    EXPECT_EQ(err.error().kind, ErrorKind::timeout);
    EXPECT_EQ(err.error().message, "too slow");
}

TEST(PathsTest, AMissingHomeFallsBackToThePasswdEntry) {
    // cron and `env -i` run without HOME; "/" would put known_hosts and the data in the root.
    const char* saved = std::getenv("HOME");
    std::string keep = saved ? saved : "";
    ::unsetenv("HOME");
    std::string home = util::home_dir();
    if (saved) ::setenv("HOME", keep.c_str(), 1);
    passwd* pw = ::getpwuid(::getuid());
    ASSERT_TRUE(pw);
    EXPECT_EQ(home, pw->pw_dir);
    ::setenv("HOME", "/tmp/elsewhere", 1);
    EXPECT_EQ(util::home_dir(), "/tmp/elsewhere");
    if (saved)
        ::setenv("HOME", keep.c_str(), 1);
    else
        ::unsetenv("HOME");
}

} // namespace
} // namespace leura::util
