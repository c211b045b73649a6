// SPDX-License-Identifier: Apache-2.0
// Task files: local steps, run_as and [secrets] (docs/tasks.md).
#include "config/diagnostic.hpp"
#include "config/task.hpp"
#include "config_fixture.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

namespace leura::config {
namespace {

namespace fs = std::filesystem;

// Sets (or, with nullopt, unsets) an environment variable for one test and puts back what was
// there before.
class EnvGuard {
public:
    EnvGuard(std::string name, const std::optional<std::string>& value) : m_name(std::move(name)) {
        if (const char* old = std::getenv(m_name.c_str())) m_old = old;
        if (value)
            ::setenv(m_name.c_str(), value->c_str(), 1);
        else
            ::unsetenv(m_name.c_str());
    }
    EnvGuard(const EnvGuard&) = delete;
    EnvGuard& operator=(const EnvGuard&) = delete;
    ~EnvGuard() {
        if (m_old)
            ::setenv(m_name.c_str(), m_old->c_str(), 1);
        else
            ::unsetenv(m_name.c_str());
    }

private:
    std::string m_name;
    std::optional<std::string> m_old;
};

class StepsConfigTest : public TaskFileTest {
protected:
    // A secret file with the given permissions (the default: owner read and write only).
    fs::path write_secret(const std::string& name, const std::string& text,
                          fs::perms perms = fs::perms::owner_read | fs::perms::owner_write) {
        fs::path path = write(name, text);
        fs::permissions(path, perms, fs::perm_options::replace);
        return path;
    }
};

const char* const k_one_step = "[[steps]]\ncommand = \"true\"\n";

// ---- local steps ----

TEST_F(StepsConfigTest, LocalStepsRoundTripInEveryList) {
    Task t = task(R"([[steps]]
name = "drain"
local = "lb drain \"$LEURA_HOST\""
timeout = "30s"

[[steps]]
command = "systemctl restart nginx"

[[verify]]
local = "curl -fsS http://$LEURA_HOST/healthz"
retries = 3

[[rollback]]
local = "lb undrain \"$LEURA_HOST\""
)");
    ASSERT_EQ(t.steps.size(), 2u);
    EXPECT_EQ(t.steps[0].name, "drain");
    EXPECT_EQ(t.steps[0].kind, StepKind::local);
    EXPECT_EQ(t.steps[0].body, "lb drain \"$LEURA_HOST\"");
    EXPECT_EQ(t.steps[0].timeout, std::chrono::milliseconds(30'000));
    EXPECT_TRUE(t.steps[0].run_as.empty());
    EXPECT_EQ(t.steps[1].kind, StepKind::command);

    ASSERT_EQ(t.verify.size(), 1u);
    EXPECT_EQ(t.verify[0].kind, StepKind::local);
    EXPECT_EQ(t.verify[0].body, "curl -fsS http://$LEURA_HOST/healthz");
    EXPECT_EQ(t.verify[0].retries, 3);

    ASSERT_EQ(t.rollback.size(), 1u);
    EXPECT_EQ(t.rollback[0].kind, StepKind::local);
    EXPECT_EQ(t.rollback[0].body, "lb undrain \"$LEURA_HOST\"");
    EXPECT_EQ(t.rollback[0].pos.line, 13);
}

TEST_F(StepsConfigTest, LocalIsOneOfTheBodies) {
    auto errors = task_errors("[[steps]]\nlocal = \"a\"\ncommand = \"b\"\n"
                              "[[steps]]\nscript = \"a\"\nlocal = \"b\"\n"
                              "[[verify]]\nlocal = \"\"\n"
                              "[[rollback]]\nlocal = 5\n");
    ASSERT_EQ(errors.size(), 4u);
    expect_at(errors[0], 3, 1,
              "'command' cannot be combined with 'local' in step 1; a step runs exactly one of "
              "them");
    expect_at(errors[1], 6, 1,
              "'local' cannot be combined with 'script' in step 2; a step runs exactly one of "
              "them");
    expect_at(errors[2], 8, 9, "'local' must not be empty");
    expect_at(errors[3], 10, 9, "'local' must be a string");
}

TEST_F(StepsConfigTest, RunAsCannotBeUsedWithALocalStep) {
    auto errors = task_errors("[[steps]]\nrun_as = \"root\"\nlocal = \"lb drain\"\n"
                              "[[rollback]]\nlocal = \"lb undrain\"\n  run_as = \"deploy\"\n"
                              "[[verify]]\nlocal = \"a\"\ncommand = \"b\"\nrun_as = \"root\"\n");
    ASSERT_EQ(errors.size(), 4u);
    expect_at(errors[0], 2, 1, "'run_as' cannot be used with a local step");
    // [[verify]] comes after [[rollback]] in the file, so its problems come later too.
    expect_at(errors[1], 6, 3, "'run_as' cannot be used with a local step");
    expect_at(errors[2], 9, 1,
              "'command' cannot be combined with 'local' in verify 1; a step runs exactly one of "
              "them");
    expect_at(errors[3], 10, 1, "'run_as' cannot be used with a local step");
}

TEST_F(StepsConfigTest, RunAsWithAStepThatIsNotLocalIsFine) {
    // With two bodies only the first counts for run_as: the second is reported on its own.
    auto errors = task_errors("[[steps]]\ncommand = \"a\"\nlocal = \"b\"\nrun_as = \"root\"\n");
    ASSERT_EQ(errors.size(), 1u);
    expect_at(errors[0], 3, 1,
              "'local' cannot be combined with 'command' in step 1; a step runs exactly one of "
              "them");
}

// ---- shell ----

TEST_F(StepsConfigTest, ShellOnTheTaskAndOnSteps) {
    Task t = task("shell = \"bash\"\n[[steps]]\ncommand = \"a\"\n[[steps]]\nshell = "
                  "\"/usr/local/bin/zsh\"\nscript = \"b\"\n[[steps]]\nlocal = \"c\"\nshell = "
                  "\"ksh\"\n");
    EXPECT_EQ(t.shell, "bash");
    ASSERT_EQ(t.steps.size(), 3u);
    EXPECT_EQ(t.steps[0].shell, "") << "the task's applies when the step runs";
    EXPECT_EQ(t.steps[1].shell, "/usr/local/bin/zsh");
    EXPECT_EQ(t.steps[2].shell, "ksh");
}

// leura writes the scripts of uploads and downloads for sh, and a custom step's are its own.
TEST_F(StepsConfigTest, ShellBelongsToStepsWithABody) {
    write("files/up.txt", "x");
    auto errors = task_errors(
        "[[steps]]\nupload = { src = \"files/up.txt\", dest = \"/tmp/up.txt\" }\nshell = "
        "\"bash\"\n[[steps]]\ndownload = { src = \"/etc/hostname\" }\n  shell = \"bash\"\n"
        "[[steps]]\nshell = \"bash sh\"\ncommand = \"a\"\n[[steps]]\nshell = \"../bash\"\n"
        "command = \"a\"\n");
    ASSERT_EQ(errors.size(), 4u);
    expect_at(errors[0], 3, 1,
              "'shell' belongs to command, script and local steps, not to 'upload' "
              "steps");
    expect_at(errors[1], 6, 3,
              "'shell' belongs to command, script and local steps, not to "
              "'download' steps");
    expect_at(errors[2], 8, 9, "'shell' must be a shell's name or absolute path, such as \"bash\"");
    expect_at(errors[3], 11, 9,
              "'shell' must be a shell's name or absolute path, such as \"bash\"");
    EXPECT_TRUE(is_shell_name("bash"));
    EXPECT_TRUE(is_shell_name("/opt/bin/bash-5.2"));
    EXPECT_FALSE(is_shell_name(""));
    EXPECT_FALSE(is_shell_name("bash;rm"));
    EXPECT_FALSE(is_shell_name("/opt/../bin/sh"));
}

// ---- run_as ----

TEST_F(StepsConfigTest, RunAsKeepsTheUserName) {
    const char* names[] = {"root", "deploy", "_svc", "www-data", "svc.web", "user_1", "host01$"};
    std::string text;
    for (const char* name : names)
        text += std::string("[[steps]]\ncommand = \"id\"\nrun_as = \"") + name + "\"\n";
    text += "[[steps]]\nscript = \"id\"\n";
    Task t = task(text);
    ASSERT_EQ(t.steps.size(), std::size(names) + 1);
    for (size_t i = 0; i < std::size(names); ++i)
        EXPECT_EQ(t.steps[i].run_as, names[i]);
    EXPECT_EQ(t.steps.back().run_as, "");
    EXPECT_EQ(t.steps.back().kind, StepKind::script);

    Task v = task(std::string(k_one_step) + "[[verify]]\nscript = \"x\"\nrun_as = \"postgres\"\n" +
                  "[[rollback]]\ncommand = \"y\"\nrun_as = \"root\"\n");
    EXPECT_EQ(v.verify[0].run_as, "postgres");
    EXPECT_EQ(v.rollback[0].run_as, "root");
}

TEST_F(StepsConfigTest, RunAsMustBeAUserName) {
    const char* bad[] = {"Root", "1abc",   "a b", "root;reboot", "-u",      "$",
                         "a$b",  "ro$ot$", "-",   ".hidden",     "root\\n", "mü"};
    std::string text;
    for (const char* name : bad)
        text += std::string("[[steps]]\ncommand = \"id\"\nrun_as = \"") + name + "\"\n";
    auto errors = task_errors(text);
    ASSERT_EQ(errors.size(), std::size(bad));
    for (size_t i = 0; i < std::size(bad); ++i) {
        SCOPED_TRACE(bad[i]);
        expect_at(errors[i], static_cast<int>(3 + 3 * i), 10, "'run_as' must be a user name");
    }

    errors = task_errors("[[steps]]\ncommand = \"id\"\nrun_as = \"\"\n"
                         "[[steps]]\ncommand = \"id\"\nrun_as = 0\n");
    ASSERT_EQ(errors.size(), 2u);
    expect_at(errors[0], 3, 10, "'run_as' must not be empty");
    expect_at(errors[1], 6, 10, "'run_as' must be a string");
}

// ---- [secrets] ----

TEST_F(StepsConfigTest, SecretsFromTheEnvironmentAndFromFiles) {
    EnvGuard db("LEURA_TEST_DB_PASS", "pa ss'word");
    write_secret("secrets/api", "tok-123\n");
    write_secret("secrets/two", "line1\nline2\n\n");
    write_secret("secrets/crlf", "win\r\n");
    write_secret("secrets/bare", "no-newline");
    Task t = task(std::string(R"([vars]
region = "us"

[secrets]
db_password = { env = "LEURA_TEST_DB_PASS" }
api_token = { file = "secrets/api" }
two = { file = "secrets/two" }
crlf = { file = "secrets/crlf" }

[secrets.bare]
file = "secrets/bare"
)") + k_one_step);
    EXPECT_EQ(t.vars, (KeyValues{{"region", "us"}}));
    EXPECT_EQ(t.secrets, (KeyValues{{"db_password", "pa ss'word"},
                                    {"api_token", "tok-123"},
                                    {"two", "line1\nline2\n"},
                                    {"crlf", "win"},
                                    {"bare", "no-newline"}}));
}

TEST_F(StepsConfigTest, SecretFilesAreFoundFromTheTaskFileOrHome) {
    write_secret("runbooks/keys/token", "from-task-dir\n");
    write_secret("home/.leura/token", "from-home\n");
    fs::path abs = write_secret("elsewhere/abs", "absolute\n");
    EnvGuard home("HOME", (m_dir / "home").string());
    auto path = write("runbooks/deploy.toml", "[secrets]\nrel = { file = \"keys/token\" }\n"
                                              "home = { file = \"~/.leura/token\" }\n"
                                              "abs = { file = \"" +
                                                  abs.string() + "\" }\n" + k_one_step);
    Diagnostics diags;
    auto t = load_task(path, diags);
    ASSERT_TRUE(t.has_value()) << (diags.empty() ? "" : format(diags.items()[0]));
    EXPECT_EQ(t->secrets,
              (KeyValues{{"rel", "from-task-dir"}, {"home", "from-home"}, {"abs", "absolute"}}));
}

TEST_F(StepsConfigTest, NoSecretsIsAnEmptyList) {
    EXPECT_TRUE(task(k_one_step).secrets.empty());
    EXPECT_TRUE(task(std::string("[secrets]\n") + k_one_step).secrets.empty());
}

TEST_F(StepsConfigTest, SecretSourcesThatCannotBeRead) {
    EnvGuard unset("LEURA_TEST_UNSET", std::nullopt);
    EnvGuard empty("LEURA_TEST_EMPTY", "");
    write_secret("open", "x\n",
                 fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                     fs::perms::others_read);
    write_secret("group", "x\n", fs::perms::owner_read | fs::perms::group_read);
    write_secret("blank", "\n");
    write_secret("nul", std::string("a\0b", 3));
    fs::create_directories(m_dir / "dir");
    fs::permissions(m_dir / "dir", fs::perms::owner_all, fs::perm_options::replace);
    const std::string dir = m_dir.string() + "/";
    auto errors = task_errors(std::string(R"([secrets]
a = { env = "LEURA_TEST_UNSET" }
b = { env = "LEURA_TEST_EMPTY" }
c = { file = "open" }
d = { file = "group" }
e = { file = "missing" }
f = { file = "blank" }
g = { file = "dir" }
h = { file = "nul" }
)") + k_one_step);
    ASSERT_EQ(errors.size(), 8u);
    expect_at(errors[0], 2, 13, "secret 'a': environment variable LEURA_TEST_UNSET is not set");
    expect_at(errors[1], 3, 13, "secret 'b': environment variable LEURA_TEST_EMPTY is empty");
    expect_at(errors[2], 4, 14,
              "secret 'c': " + dir + "open must be readable only by its owner (chmod 600)");
    expect_at(errors[3], 5, 14,
              "secret 'd': " + dir + "group must be readable only by its owner (chmod 600)");
    expect_at(errors[4], 6, 14,
              "secret 'e': cannot read " + dir + "missing: No such file or directory");
    expect_at(errors[5], 7, 14, "secret 'f': " + dir + "blank is empty");
    expect_at(errors[6], 8, 14, "secret 'g': " + dir + "dir is not a regular file");
    expect_at(errors[7], 9, 14, "secret 'h': " + dir + "nul contains a NUL byte");
}

TEST_F(StepsConfigTest, SecretTablesHaveExactlyOneSource) {
    EnvGuard set("LEURA_TEST_SET", "v");
    write_secret("s", "v\n");
    auto errors = task_errors(std::string(R"([secrets]
both = { env = "LEURA_TEST_SET", file = "s" }
none = {}
typo = { evn = "LEURA_TEST_SET" }
extra = { file = "s", mode = "0600" }
flat = "hunter2"
empty = { env = "" }
number = { file = 7 }
[secrets.table]
enviroment = "LEURA_TEST_SET"
)") + k_one_step);
    ASSERT_EQ(errors.size(), 10u);
    expect_at(errors[0], 2, 34,
              "'file' cannot be combined with 'env' in secret 'both'; a secret comes from exactly "
              "one of them");
    expect_at(errors[1], 3, 8, "secret 'none' needs one of 'env' or 'file'");
    expect_at(errors[2], 4, 10, "unknown key 'evn' in secret 'typo'; did you mean 'env'?");
    expect_at(errors[3], 4, 8, "secret 'typo' needs one of 'env' or 'file'");
    expect_at(errors[4], 5, 23, "unknown key 'mode' in secret 'extra'");
    expect_at(errors[5], 6, 8,
              "secret 'flat' must be a table such as { env = \"VAR\" } or { file = \"path\" }");
    expect_at(errors[6], 7, 17, "'secrets.empty.env' must not be empty");
    expect_at(errors[7], 8, 19, "'secrets.number.file' must be a string");
    expect_at(errors[8], 10, 1, "unknown key 'enviroment' in secret 'table'");
    expect_at(errors[9], 9, 1, "secret 'table' needs one of 'env' or 'file'");
}

TEST_F(StepsConfigTest, SecretNamesAreShellNamesApartFromVariables) {
    EnvGuard set("LEURA_TEST_SET", "v");
    auto errors = task_errors(std::string(R"([secrets]
region = { env = "LEURA_TEST_SET" }
"db-pass" = { env = "LEURA_TEST_SET" }
1st = { env = "LEURA_TEST_SET" }
ok = { env = "LEURA_TEST_SET" }
version = { env = "LEURA_TEST_SET" }

[vars]
region = "us"
version = 2
)") + k_one_step);
    ASSERT_EQ(errors.size(), 4u);
    // [vars] comes after [secrets]: the clash is still found, and reported at the secret.
    expect_at(errors[0], 2, 1, "secret 'region' has the same name as a variable");
    expect_at(errors[1], 3, 1,
              "'db-pass' in 'secrets' is not a valid shell variable name (letters, digits and "
              "'_', not starting with a digit)");
    expect_at(errors[2], 4, 1,
              "'1st' in 'secrets' is not a valid shell variable name (letters, digits and '_', "
              "not starting with a digit)");
    expect_at(errors[3], 6, 1, "secret 'version' has the same name as a variable");

    errors = task_errors(std::string("secrets = [1]\n") + k_one_step);
    ASSERT_EQ(errors.size(), 1u);
    expect_at(errors[0], 1, 11, "'secrets' must be a table");
}

TEST_F(StepsConfigTest, SecretUnderHomeNeedsHome) {
    EnvGuard home("HOME", std::nullopt);
    auto errors = task_errors(std::string("[secrets]\nk = { file = \"~/k\" }\n") + k_one_step);
    ASSERT_EQ(errors.size(), 1u);
    expect_at(errors[0], 2, 14, "secret 'k': cannot expand '~/' as HOME is not set");
}

TEST_F(StepsConfigTest, NoDiagnosticCarriesASecretValue) {
    const std::string value = "Zq9-very-secret-VALUE";
    EnvGuard env("LEURA_TEST_SECRET", value);
    EnvGuard empty("LEURA_TEST_EMPTY", "");
    write_secret("good", value + "\n");
    write_secret("open", value + "\n",
                 fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
    write_secret("dup", value);
    // Every secret here is next to a problem, or is one; several are readable and were read.
    auto errors = task_errors(std::string(R"([vars]
from_env = "not the secret"
[secrets]
from_env = { env = "LEURA_TEST_SECRET" }
from_file = { file = "good", extra = 1 }
open = { file = "open" }
both = { env = "LEURA_TEST_SECRET", file = "dup" }
"bad-name" = { env = "LEURA_TEST_SECRET" }
blank = { env = "LEURA_TEST_EMPTY" }
)") + "[[steps]]\ncommand = \"true\"\nrun_as = \"Not A User\"\n");
    ASSERT_EQ(errors.size(), 7u);
    for (const auto& d : errors) {
        EXPECT_EQ(format(d).find(value), std::string::npos) << format(d);
        EXPECT_EQ(format(d).find("Zq9"), std::string::npos) << format(d);
    }
}

} // namespace
} // namespace leura::config
