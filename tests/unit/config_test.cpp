// SPDX-License-Identifier: Apache-2.0
#include "config/diagnostic.hpp"
#include "config/inventory_file.hpp"
#include "config/login.hpp"
#include "config/task.hpp"
#include "config_fixture.hpp"
#include "inventory/inventory.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace leura::config {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

class ConfigTest : public TempDirTest {
protected:
    // Loads `text` as a task file that must be invalid, and returns its diagnostics.
    std::vector<Diagnostic> task_errors(const std::string& text) {
        Diagnostics diags;
        auto task = load_task(write("task.toml", text), diags);
        EXPECT_FALSE(task.has_value());
        return diags.items();
    }

    std::vector<Diagnostic> inventory_errors(const std::string& name, const std::string& text) {
        Diagnostics diags;
        auto inventory = load_inventory_file(write(name, text), diags);
        EXPECT_FALSE(inventory.has_value());
        return diags.items();
    }
};

// ---- Diagnostics ----

TEST(DiagnosticFormat, ShowsPositionSourceLineAndCaret) {
    Diagnostic d{{"path/to/file.toml", 3, 1},
                 "unknown key 'stpes' in the task; did you mean 'steps'?",
                 "stpes = \"x\""};
    EXPECT_EQ(format(d), "path/to/file.toml:3:1: error: unknown key 'stpes' in the task; did you "
                         "mean 'steps'?\n"
                         "  stpes = \"x\"\n"
                         "  ^");
}

TEST(DiagnosticFormat, CaretCopiesTabsAndCountsCodePoints) {
    Diagnostic tabbed{{"f.toml", 2, 8}, "bad", "\t\tx = [1"};
    EXPECT_EQ(format(tabbed), "f.toml:2:8: error: bad\n  \t\tx = [1\n  \t\t     ^");
    // "é" is two bytes but one column, as toml++ counts it.
    Diagnostic accented{{"f.toml", 1, 11}, "bad", "name = \"é\" x"};
    EXPECT_EQ(format(accented), "f.toml:1:11: error: bad\n  name = \"é\" x\n            ^");
}

TEST(DiagnosticFormat, OmitsWhatIsUnknown) {
    EXPECT_EQ(format({{"f.toml", 0, 0}, "cannot read the file: No such file or directory", ""}),
              "f.toml: error: cannot read the file: No such file or directory");
    EXPECT_EQ(format({{"f.toml", 4, 2}, "bad", ""}), "f.toml:4:2: error: bad");
}

TEST(DiagnosticFormat, CaretPastTheEndOfTheLine) {
    EXPECT_EQ(format({{"f", 1, 5}, "eof", "a ="}), "f:1:5: error: eof\n  a =\n      ^");
}

TEST(Diagnostics, AddKeepsOrder) {
    Diagnostics diags;
    EXPECT_TRUE(diags.empty());
    diags.add({"a", 1, 1}, "first");
    diags.add({"a", 2, 1}, "second", "x");
    ASSERT_EQ(diags.size(), 2u);
    EXPECT_EQ(diags.items()[0].message, "first");
    EXPECT_EQ(diags.items()[1].source_line, "x");
}

TEST(LineOf, FindsLinesWithoutTheirEndings) {
    std::string text = "one\r\ntwo\n\nfour";
    EXPECT_EQ(line_of(text, 1), "one");
    EXPECT_EQ(line_of(text, 2), "two");
    EXPECT_EQ(line_of(text, 3), "");
    EXPECT_EQ(line_of(text, 4), "four");
    EXPECT_EQ(line_of(text, 5), "");
    EXPECT_EQ(line_of(text, 0), "");
    EXPECT_EQ(line_of("a\n", 2), "");
}

// ---- parse_duration ----

TEST(ParseDuration, AcceptsUnitsAndBareSeconds) {
    EXPECT_EQ(parse_duration("90s"), milliseconds(90'000));
    EXPECT_EQ(parse_duration("5m"), milliseconds(300'000));
    EXPECT_EQ(parse_duration("1h30m"), milliseconds(5'400'000));
    EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
    EXPECT_EQ(parse_duration("2h"), milliseconds(7'200'000));
    EXPECT_EQ(parse_duration("7d"), milliseconds(604'800'000));
    EXPECT_EQ(parse_duration("1d12h"), milliseconds(129'600'000));
    EXPECT_EQ(parse_duration("1m30s500ms"), milliseconds(90'500));
    EXPECT_EQ(parse_duration("30"), milliseconds(30'000));
    EXPECT_EQ(parse_duration("0s"), milliseconds(0));
}

TEST(ParseDuration, RejectsEmptyNegativeGarbageAndOverflow) {
    for (const char* bad :
         {"", "-5s", "abc", "5x", "1w", "1.5s", "5 m", " 5m", "5m ", "m", "1h30", "30m1h", "5m5m",
          "99999999999999999999", "9223372036854775807", "9223372036854775807h"}) {
        EXPECT_EQ(parse_duration(bad), std::nullopt) << "'" << bad << "'";
    }
}

// ---- Task files ----

TEST_F(ConfigTest, ValidTaskRoundTrips) {
    auto path = write("task.toml", R"(description = "Roll nginx out"
inventory = "prod"
targets = "web & !az=phx03"
tags = ["nginx", "upgrade"]

[vars]
version = "1.26.2"
count = 3
ratio = 0.5
dry = false

[[steps]]
name = "install"
timeout = "1h30m"
ignore_errors = true
run_once = true
env = { MODE = "fast", LEVEL = 2, ON = true }
script = '''
set -eu
echo hi
'''

[[steps]]
command = "systemctl reload nginx"
timeout = 30
)");
    Diagnostics diags;
    auto task = load_task(path, diags);
    ASSERT_TRUE(task.has_value()) << (diags.empty() ? "" : format(diags.items()[0]));
    EXPECT_TRUE(diags.empty());
    EXPECT_EQ(task->file, path);
    EXPECT_EQ(task->description, "Roll nginx out");
    EXPECT_EQ(task->inventory, "prod");
    EXPECT_EQ(task->targets, "web & !az=phx03");
    EXPECT_EQ(task->tags, (std::vector<std::string>{"nginx", "upgrade"}));
    EXPECT_EQ(
        task->vars,
        (KeyValues{{"version", "1.26.2"}, {"count", "3"}, {"ratio", "0.5"}, {"dry", "false"}}));
    ASSERT_EQ(task->steps.size(), 2u);

    const Step& install = task->steps[0];
    EXPECT_EQ(install.name, "install");
    EXPECT_EQ(install.kind, StepKind::script);
    EXPECT_EQ(install.body, "set -eu\necho hi\n");
    EXPECT_EQ(install.timeout, milliseconds(5'400'000));
    EXPECT_TRUE(install.ignore_errors);
    EXPECT_TRUE(install.run_once);
    EXPECT_EQ(install.env, (KeyValues{{"MODE", "fast"}, {"LEVEL", "2"}, {"ON", "true"}}));
    EXPECT_EQ(install.pos.file, path.string());
    EXPECT_EQ(install.pos.line, 12);
    EXPECT_EQ(install.pos.column, 1);

    const Step& reload = task->steps[1];
    EXPECT_EQ(reload.name, "step 2");
    EXPECT_EQ(reload.kind, StepKind::command);
    EXPECT_EQ(reload.body, "systemctl reload nginx");
    EXPECT_EQ(reload.timeout, milliseconds(30'000));
    EXPECT_FALSE(reload.ignore_errors);
    EXPECT_TRUE(reload.env.empty());
    EXPECT_EQ(reload.pos.line, 23);
    EXPECT_FALSE(reload.run_once);
}

TEST_F(ConfigTest, TaskTextIsTheFileAsRead) {
    std::string text = "# comment\n[[steps]]\ncommand = \"true\"\n";
    Diagnostics diags;
    auto task = load_task(write("task.toml", text), diags);
    ASSERT_TRUE(task.has_value());
    EXPECT_EQ(task->text, text);
    EXPECT_TRUE(task->description.empty());
    EXPECT_FALSE(task->steps[0].timeout.has_value());
}

TEST_F(ConfigTest, ScriptFileIsReadRelativeToTheTask) {
    write("runbooks/scripts/install.sh", "#!/bin/sh\necho installed\n");
    auto path = write("runbooks/deploy.toml", "[[steps]]\nscript_file = \"scripts/install.sh\"\n");
    Diagnostics diags;
    auto task = load_task(path, diags);
    ASSERT_TRUE(task.has_value()) << (diags.empty() ? "" : format(diags.items()[0]));
    EXPECT_EQ(task->steps[0].kind, StepKind::script);
    EXPECT_EQ(task->steps[0].body, "#!/bin/sh\necho installed\n");
}

TEST_F(ConfigTest, MissingTaskFileIsOneDiagnosticWithoutLine) {
    Diagnostics diags;
    auto path = m_dir / "absent.toml";
    EXPECT_FALSE(load_task(path, diags).has_value());
    ASSERT_EQ(diags.size(), 1u);
    EXPECT_EQ(format(diags.items()[0]),
              path.string() + ": error: cannot read the file: No such file or directory");
}

TEST_F(ConfigTest, DirectoryAsTaskFileIsReported) {
    Diagnostics diags;
    EXPECT_FALSE(load_task(m_dir, diags).has_value());
    ASSERT_EQ(diags.size(), 1u);
    EXPECT_EQ(diags.items()[0].pos.line, 0);
    EXPECT_EQ(diags.items()[0].message, "cannot read the file: Is a directory");
}

TEST_F(ConfigTest, SyntaxErrorHasPosition) {
    auto errors = task_errors("description = \"x\"\n[[steps]]\ncommand = \n");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].pos.line, 3);
    EXPECT_EQ(errors[0].pos.column, 11);
    EXPECT_EQ(errors[0].message.rfind("error while parsing", 0), 0u) << errors[0].message;
    EXPECT_EQ(errors[0].source_line, "command = ");
}

TEST_F(ConfigTest, UnknownKeysSuggestTheClosestOne) {
    auto errors = task_errors("descripion = \"x\"\n[[steps]]\n  comand = \"ls\"\n  zzz = 1\n");
    ASSERT_EQ(errors.size(), 4u);
    expect_at(errors[0], 1, 1, "unknown key 'descripion' in the task; did you mean 'description'?");
    expect_at(errors[1], 3, 3, "unknown key 'comand' in step 1; did you mean 'command'?");
    expect_at(errors[2], 4, 3, "unknown key 'zzz' in step 1");
    expect_at(errors[3], 2, 1,
              "step 1 needs one of 'command', 'script', 'script_file', 'local', 'custom', "
              "'upload' or 'download'");
}

TEST_F(ConfigTest, FormattedUnknownKey) {
    auto errors = task_errors("stpes = \"x\"\n");
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(format(errors[0]), (m_dir / "task.toml").string() +
                                     ":1:1: error: unknown key 'stpes' in the task; did you mean "
                                     "'steps'?\n  stpes = \"x\"\n  ^");
    EXPECT_EQ(format(errors[1]), (m_dir / "task.toml").string() +
                                     ": error: the task has no steps; add at least one [[steps]] "
                                     "table");
}

TEST_F(ConfigTest, StepFlagsMustBeBooleans) {
    auto errors = task_errors("[[steps]]\ncommand = \"ls\"\nrun_once = 1\n"
                              "[[rollback]]\ncommand = \"x\"\nidempotent = \"yes\"\n");
    ASSERT_EQ(errors.size(), 2u);
    expect_at(errors[0], 3, 12, "'run_once' must be true or false");
    expect_at(errors[1], 6, 14, "'idempotent' must be true or false");
    Diagnostics diags;
    auto t = load_task(write("ok.toml", "[[steps]]\ncommand = \"ls\"\nidempotent = true\n"), diags);
    ASSERT_TRUE(t.has_value());
    EXPECT_TRUE(t->steps[0].idempotent);
}

TEST_F(ConfigTest, CustomStepsAreFoundInTheTaskStepsFolderWithTheirWithTable) {
    auto exe = write("steps/leura-step-lb", "#!/bin/sh\n");
    std::filesystem::permissions(exe, std::filesystem::perms::owner_all);
    write("steps/leura-step-plain", "not executable\n");
    auto path = write("task.toml", "[[steps]]\ncustom = \"lb\"\n"
                                   "with = { pool = \"web\", weight = 3, on = true, "
                                   "hosts = [\"a\", 1.5], nested = { at = 1979-05-27 } }\n");
    Diagnostics diags;
    auto task = load_task(path, diags);
    ASSERT_TRUE(task.has_value()) << (diags.empty() ? "" : format(diags.items()[0]));
    const Step& s = task->steps[0];
    EXPECT_EQ(s.kind, StepKind::custom);
    EXPECT_EQ(s.body, "lb");
    EXPECT_EQ(s.custom_path, (m_dir / "steps/leura-step-lb").string());
    EXPECT_EQ(s.with_json, "{\"pool\":\"web\",\"weight\":3,\"on\":true,\"hosts\":[\"a\",1.5],"
                           "\"nested\":{\"at\":\"1979-05-27\"}}");

    auto errors = task_errors("[[steps]]\ncustom = \"plain\"\n[[steps]]\ncustom = \"a b\"\n"
                              "[[steps]]\ncommand = \"ls\"\nwith = { x = 1 }\n"
                              "[[steps]]\ncustom = \"lb\"\nwith = 3\n");
    ASSERT_EQ(errors.size(), 4u);
    expect_at(errors[0], 2, 10,
              "no executable leura-step-plain in " + (m_dir / "steps").string() + " or on PATH");
    expect_at(errors[1], 4, 10, "'custom' must name a step type: letters, digits, '-' and '_'");
    expect_at(errors[2], 7, 1, "'with' belongs to custom steps (custom = \"NAME\")");
    expect_at(errors[3], 10, 8, "'with' must be a table, as in with = { unit = \"nginx\" }");
}

TEST_F(ConfigTest, WrongTypesPointAtTheValue) {
    auto errors = task_errors("tags = \"web\"\ndescription = 3\n[[steps]]\ncommand = \"ls\"\n"
                              "ignore_errors = \"yes\"\nenv = [1]\n");
    ASSERT_EQ(errors.size(), 4u);
    expect_at(errors[0], 1, 8, "'tags' must be an array of strings");
    expect_at(errors[1], 2, 15, "'description' must be a string");
    expect_at(errors[2], 5, 17, "'ignore_errors' must be true or false");
    expect_at(errors[3], 6, 7, "'env' must be a table");
}

TEST_F(ConfigTest, BadDurations) {
    auto errors = task_errors("[[steps]]\ncommand = \"ls\"\ntimeout = \"5 minutes\"\n"
                              "[[steps]]\ncommand = \"ls\"\ntimeout = 0\n"
                              "[[steps]]\ncommand = \"ls\"\ntimeout = true\n"
                              "[[steps]]\ncommand = \"ls\"\ntimeout = -9223372036854775807\n"
                              "[[steps]]\ncommand = \"ls\"\ntimeout = 9223372036854775807\n"
                              "[[steps]]\ncommand = \"ls\"\ntimeout = \"106752d\"\n");
    ASSERT_EQ(errors.size(), 6u);
    expect_at(errors[0], 3, 11,
              "'timeout' must be a duration such as \"90s\" or \"5m\", at most 365d");
    expect_at(errors[1], 6, 11, "'timeout' must be greater than zero");
    expect_at(errors[2], 9, 11,
              "'timeout' must be a duration such as \"90s\" or \"5m\", at most 365d");
    expect_at(errors[3], 12, 11, "'timeout' must be greater than zero");
    expect_at(errors[4], 15, 11, "'timeout' is too large");
    // Past a year: a typo, and more than a clock deadline holds.
    expect_at(errors[5], 18, 11,
              "'timeout' must be a duration such as \"90s\" or \"5m\", at most 365d");
}

TEST_F(ConfigTest, CommandAndScriptTogetherAreRejectedInEachStep) {
    auto errors = task_errors("[[steps]]\ncommand = \"ls\"\nscript = \"echo\"\n"
                              "[[steps]]\nname = \"two\"\nscript = \"a\"\ncommand = \"b\"\n");
    ASSERT_EQ(errors.size(), 2u);
    expect_at(errors[0], 3, 1,
              "'script' cannot be combined with 'command' in step 1; a step runs exactly one "
              "of them");
    expect_at(errors[1], 7, 1,
              "'command' cannot be combined with 'script' in step 2; a step runs exactly one "
              "of them");
}

TEST_F(ConfigTest, MissingScriptFileIsReportedAtItsKey) {
    auto errors = task_errors("[[steps]]\n  script_file = \"nope.sh\"\n");
    ASSERT_EQ(errors.size(), 1u);
    expect_at(errors[0], 2, 3,
              "cannot read script_file '" + (m_dir / "nope.sh").string() +
                  "': No such file or directory");
}

TEST_F(ConfigTest, NoStepsAndEmptySteps) {
    auto none = task_errors("description = \"x\"\n");
    ASSERT_EQ(none.size(), 1u);
    expect_at(none[0], 0, 0, "the task has no steps; add at least one [[steps]] table");

    auto empty = task_errors("steps = []\n");
    ASSERT_EQ(empty.size(), 1u);
    expect_at(empty[0], 1, 9, "the task needs at least one step");

    auto scalar = task_errors("steps = \"ls\"\n");
    ASSERT_EQ(scalar.size(), 1u);
    expect_at(scalar[0], 1, 9, "'steps' must be an array of tables, as written with [[steps]]");
}

TEST_F(ConfigTest, VariableNamesMustBeShellIdentifiers) {
    auto errors = task_errors("[vars]\nok = 1\n\"my-var\" = 2\nlist = [1]\n"
                              "[[steps]]\ncommand = \"ls\"\nenv = { 1X = \"a\" }\n");
    ASSERT_EQ(errors.size(), 3u);
    expect_at(errors[0], 3, 1,
              "'my-var' in 'vars' is not a valid shell variable name (letters, digits and '_', "
              "not starting with a digit)");
    expect_at(errors[1], 4, 8, "'vars.list' must be a string, number or boolean");
    expect_at(errors[2], 7, 9,
              "'1X' in 'env' is not a valid shell variable name (letters, digits and '_', not "
              "starting with a digit)");
}

TEST_F(ConfigTest, EveryProblemInAFileIsReported) {
    auto errors = task_errors(R"(descriptoin = "typo"
tags = [1, "ok", 2]
[[steps]]
command = ""
timeout = "soon"
[[steps]]
name = "both"
command = "a"
script_file = "missing.sh"
ignore_errors = 1
[[steps]]
idempotent = 1
)");
    std::vector<std::pair<int, int>> where;
    for (const auto& e : errors)
        where.emplace_back(e.pos.line, e.pos.column);
    EXPECT_EQ(where, (std::vector<std::pair<int, int>>{
                         {1, 1},   // unknown key
                         {2, 9},   // tags[0]
                         {2, 18},  // tags[2]
                         {4, 11},  // empty command
                         {5, 11},  // bad duration
                         {9, 1},   // missing script file
                         {10, 17}, // ignore_errors type
                         {9, 1},   // script_file with command
                         {12, 14}, // idempotent type
                         {11, 1},  // step 3 has no body
                     }));
    ASSERT_EQ(errors.size(), 10u);
    EXPECT_EQ(errors[3].message, "'command' must not be empty");
    EXPECT_EQ(errors[9].source_line, "[[steps]]");
}

// ---- Inventories ----

TEST_F(ConfigTest, TomlInventoryWithDefaultsHostsAndGroups) {
    auto path = write("prod.toml", R"([defaults]
user = "deploy"
port = 22
identity = "~/.ssh/id_ed25519"
vars = { region = "us" }

[[hosts]]
names = "web[01-08].phx01.example.com"
groups = ["web"]
attrs = { cluster = "web-a", az = "phx01", weight = 3 }

[[hosts]]
names = ["db1.phx01.example.com", "db2.phx01.example.com"]
groups = ["db"]
port = 2222
user = "dba"
jump = "bastion"

[groups.db]
jump = "bastion.phx01.example.com"
vars = { pool = "primary" }

[groups.web]
user = "www"
)");
    Diagnostics diags;
    auto inventory = load_inventory_file(path, diags);
    ASSERT_TRUE(inventory.has_value()) << (diags.empty() ? "" : format(diags.items()[0]));
    EXPECT_EQ(inventory->file, path);
    EXPECT_EQ(inventory->defaults.user, "deploy");
    EXPECT_EQ(inventory->defaults.port, 22);
    EXPECT_EQ(inventory->defaults.identity, "~/.ssh/id_ed25519");
    EXPECT_FALSE(inventory->defaults.jump.has_value());
    EXPECT_EQ(inventory->defaults.vars, (KeyValues{{"region", "us"}}));

    ASSERT_EQ(inventory->hosts.size(), 2u);
    const HostEntry& web = inventory->hosts[0];
    EXPECT_EQ(web.names, (std::vector<std::string>{"web[01-08].phx01.example.com"}));
    ASSERT_EQ(web.name_pos.size(), 1u);
    EXPECT_EQ(web.name_pos[0].line, 8);
    EXPECT_EQ(web.name_pos[0].column, 9);
    EXPECT_EQ(web.groups, (std::vector<std::string>{"web"}));
    EXPECT_EQ(web.attrs, (KeyValues{{"cluster", "web-a"}, {"az", "phx01"}, {"weight", "3"}}));
    EXPECT_EQ(web.pos.line, 7);
    EXPECT_FALSE(web.settings.user.has_value());

    const HostEntry& db = inventory->hosts[1];
    EXPECT_EQ(db.names,
              (std::vector<std::string>{"db1.phx01.example.com", "db2.phx01.example.com"}));
    ASSERT_EQ(db.name_pos.size(), 2u);
    EXPECT_EQ(db.name_pos[0].line, 13);
    EXPECT_EQ(db.name_pos[0].column, 10);
    EXPECT_EQ(db.name_pos[1].column, 35);
    EXPECT_EQ(db.settings.port, 2222);
    EXPECT_EQ(db.settings.user, "dba");
    EXPECT_EQ(db.settings.jump, "bastion");

    ASSERT_EQ(inventory->groups.size(), 2u);
    EXPECT_EQ(inventory->groups[0].name, "db");
    EXPECT_EQ(inventory->groups[0].settings.jump, "bastion.phx01.example.com");
    EXPECT_EQ(inventory->groups[0].settings.vars, (KeyValues{{"pool", "primary"}}));
    EXPECT_EQ(inventory->groups[0].pos.line, 19);
    EXPECT_EQ(inventory->groups[1].name, "web");
    EXPECT_EQ(inventory->groups[1].settings.user, "www");
}

TEST_F(ConfigTest, TomlInventoryProblemsAreAllReported) {
    auto errors = inventory_errors("bad.toml", R"([defaults]
usr = "deploy"
port = 70000
[[hosts]]
groups = ["web"]
[[hosts]]
names = ["a", 2]
atrs = { x = 1 }
[groups.web]
port = "22"
[extra]
)");
    ASSERT_EQ(errors.size(), 7u);
    expect_at(errors[0], 2, 1, "unknown key 'usr' in [defaults]; did you mean 'user'?");
    expect_at(errors[1], 3, 8, "'port' must be an integer from 1 to 65535");
    expect_at(errors[2], 4, 1, "[[hosts]] entry 1 needs 'names'");
    expect_at(errors[3], 7, 15, "every entry of 'names' must be a string");
    expect_at(errors[4], 8, 1, "unknown key 'atrs' in [[hosts]] entry 2; did you mean 'attrs'?");
    expect_at(errors[5], 10, 8, "'port' must be an integer from 1 to 65535");
    expect_at(errors[6], 11, 2, "unknown key 'extra' in the inventory");
}

TEST(Login, ParsesUserHostAndPort) {
    auto plain = parse_login("bastion");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->host, "bastion");
    EXPECT_EQ(plain->user, "");
    EXPECT_FALSE(plain->port);
    auto full = parse_login("ops@[fe80::1]:2222");
    ASSERT_TRUE(full);
    EXPECT_EQ(full->user, "ops");
    EXPECT_EQ(full->host, "fe80::1");
    EXPECT_EQ(full->port, 2222);
    EXPECT_EQ(full->host_at, 5u);
    auto same = parse_login("web@web");
    ASSERT_TRUE(same);
    EXPECT_EQ(same->host_at, 4u); // the host, not the user of the same name
}

TEST(Login, ReportsWhereItIsWrong) {
    auto no_user = parse_login("@bastion");
    ASSERT_FALSE(no_user);
    EXPECT_EQ(no_user.error().offset, 0u);
    auto bad_port = parse_login("ops@b:http");
    ASSERT_FALSE(bad_port);
    EXPECT_EQ(bad_port.error().offset, 6u);
    EXPECT_EQ(bad_port.error().message, "port 'http' must be a number from 1 to 65535");
    EXPECT_FALSE(parse_login("ops@"));
    EXPECT_FALSE(parse_login("::1"));
}

TEST(Login, JumpChainsKeepTheirOrder) {
    auto chain = parse_jump_chain("a@outer:2200, inner");
    ASSERT_TRUE(chain);
    ASSERT_EQ(chain->size(), 2u);
    EXPECT_EQ((*chain)[0].host, "outer");
    EXPECT_EQ((*chain)[0].port, 2200);
    EXPECT_EQ((*chain)[1].host, "inner");
    auto empty = parse_jump_chain("outer,,inner");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().offset, 6u);
    auto bad = parse_jump_chain("outer, inner:0");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().offset, 13u);
}

TEST_F(ConfigTest, BadJumpIsReportedInsideTheString) {
    auto errors = inventory_errors("jump.toml", "[defaults]\njump = \"bastion, b2:99999\"\n");
    ASSERT_EQ(errors.size(), 1u);
    expect_at(errors[0], 2, 21, "jump: port '99999' must be a number from 1 to 65535");
}

TEST_F(ConfigTest, PlainTextInventory) {
    auto path = write("hosts.txt", "# fleet\n\nweb1.example.com\n  deploy@web2:2222  # spare\n"
                                   "[::1]:22\nroot@[fe80::1]\nweb[03-05]\r\n");
    Diagnostics diags;
    auto inventory = load_inventory_file(path, diags);
    ASSERT_TRUE(inventory.has_value()) << (diags.empty() ? "" : format(diags.items()[0]));
    ASSERT_EQ(inventory->hosts.size(), 5u);
    const auto& hosts = inventory->hosts;

    EXPECT_EQ(hosts[0].names, (std::vector<std::string>{"web1.example.com"}));
    EXPECT_EQ(hosts[0].name_pos[0].line, 3);
    EXPECT_EQ(hosts[0].name_pos[0].column, 1);
    EXPECT_FALSE(hosts[0].settings.user.has_value());
    EXPECT_FALSE(hosts[0].settings.port.has_value());

    EXPECT_EQ(hosts[1].names, (std::vector<std::string>{"web2"}));
    EXPECT_EQ(hosts[1].settings.user, "deploy");
    EXPECT_EQ(hosts[1].settings.port, 2222);
    EXPECT_EQ(hosts[1].pos.line, 4);
    EXPECT_EQ(hosts[1].pos.column, 3);
    EXPECT_EQ(hosts[1].name_pos[0].column, 10);

    EXPECT_EQ(hosts[2].names, (std::vector<std::string>{"::1"}));
    EXPECT_EQ(hosts[2].settings.port, 22);
    EXPECT_EQ(hosts[2].name_pos[0].column, 2);

    EXPECT_EQ(hosts[3].names, (std::vector<std::string>{"fe80::1"}));
    EXPECT_EQ(hosts[3].settings.user, "root");
    EXPECT_FALSE(hosts[3].settings.port.has_value());

    EXPECT_EQ(hosts[4].names, (std::vector<std::string>{"web[03-05]"}));
    EXPECT_EQ(inventory->file, path);
}

TEST_F(ConfigTest, PlainTextInventoryProblems) {
    auto errors = inventory_errors("hosts", "ok\nweb1:0\n  web2:http\nweb3 web4\n@web5\n"
                                            "fe80::1\nweb6:\n[::1]x\n:22\n");
    ASSERT_EQ(errors.size(), 8u);
    expect_at(errors[0], 2, 6, "port '0' must be a number from 1 to 65535");
    expect_at(errors[1], 3, 8, "port 'http' must be a number from 1 to 65535");
    expect_at(errors[2], 4, 6, "expected one [user@]host[:port] per line");
    expect_at(errors[3], 5, 1, "missing user name before '@'");
    expect_at(errors[4], 6, 1, "write IPv6 addresses in brackets, as in [::1]:22");
    expect_at(errors[5], 7, 6, "port '' must be a number from 1 to 65535");
    expect_at(errors[6], 8, 6, "expected ':port' after the IPv6 address");
    expect_at(errors[7], 9, 1, "missing host name");
    EXPECT_EQ(format(errors[0]), (m_dir / "hosts").string() +
                                     ":2:6: error: port '0' must be a number from 1 to 65535\n"
                                     "  web1:0\n       ^");
}

TEST_F(ConfigTest, MissingInventoryFile) {
    Diagnostics diags;
    EXPECT_FALSE(load_inventory_file(m_dir / "none.toml", diags).has_value());
    EXPECT_FALSE(load_inventory_file(m_dir / "none.txt", diags).has_value());
    ASSERT_EQ(diags.size(), 2u);
    EXPECT_EQ(diags.items()[0].pos.line, 0);
    EXPECT_EQ(diags.items()[1].message, "cannot read the file: No such file or directory");
}

TEST_F(ConfigTest, InventorySyntaxError) {
    auto errors = inventory_errors("x.toml", "[[hosts]]\nnames = [\"a\"\n");
    ASSERT_EQ(errors.size(), 1u);
    expect_at(errors[0], 2, 14, "error while parsing array: encountered end-of-file");
}

} // namespace
} // namespace leura::config

namespace leura::config {
namespace {

// `address` pairs with every name of an entry, across its patterns, or stands for one host.
class AddressTest : public TempDirTest {
protected:
    std::optional<inventory::Inventory> build_text(const std::string& text, Diagnostics& diags) {
        auto file = load_inventory_file(write("inv.toml", text), diags);
        if (!file) return std::nullopt;
        return inventory::build(*file, diags);
    }
};

TEST_F(AddressTest, PairsAcrossPatternsAndTemplates) {
    Diagnostics diags;
    auto inv = build_text("[[hosts]]\nnames = [\"web[1-2]\", \"db1\"]\n"
                          "address = \"10.0.0.[1-3]\"\n[[hosts]]\nnames = [\"a\", \"b\"]\n"
                          "address = \"{name}.mgmt\"\n[[hosts]]\nnames = \"solo\"\n",
                          diags);
    ASSERT_TRUE(inv) << (diags.empty() ? "" : format(diags.items()[0]));
    ASSERT_EQ(inv->hosts.size(), 6u);
    EXPECT_EQ(inv->hosts[2].name, "db1");
    EXPECT_EQ(inv->hosts[2].address, "10.0.0.3");
    EXPECT_EQ(inv->hosts[2].origins.address, "host entry");
    EXPECT_EQ(inv->hosts[4].address, "b.mgmt");
    EXPECT_EQ(inv->hosts[5].address, "solo");
    EXPECT_EQ(inv->hosts[5].origins.address, "");
}

TEST_F(AddressTest, OneAddressForSeveralNamesIsRefused) {
    Diagnostics diags;
    EXPECT_FALSE(build_text("[[hosts]]\nnames = [\"a\", \"b\"]\naddress = \"10.0.0.1\"\n", diags));
    ASSERT_EQ(diags.size(), 1u);
    EXPECT_NE(diags.items()[0].message.find("names one host but the entry has 2"),
              std::string::npos);
    EXPECT_EQ(diags.items()[0].pos.line, 3);
    Diagnostics in_defaults;
    EXPECT_FALSE(
        build_text("[defaults]\naddress = \"x\"\n[[hosts]]\nnames = \"a\"\n", in_defaults));
}

} // namespace
} // namespace leura::config
