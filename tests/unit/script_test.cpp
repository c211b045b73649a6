// SPDX-License-Identifier: Apache-2.0
// Steps run by another interpreter than the runner's /bin/sh (exec::step_interpreter and
// exec::interpreted_body): who runs a body, and the rendered body run for real under the same
// /bin/sh reader a host uses, with and without the timeout prologue. (In the runner and through
// sudo: tests/integration/t_shell.sh.)
#include "exec/script.hpp"
#include "util/strings.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace leura::exec {
namespace {

namespace fs = std::filesystem;
using util::shell_quote;

struct Ran {
    std::string out;
    int status = -1;
};

// Runs `command` under /bin/sh with `input` on its stdin; stdout and exit status back.
Ran run_sh(const std::string& command, const std::string& input) {
    static int counter = 0;
    auto file = fs::temp_directory_path() /
                ("leura-script-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    std::ofstream(file, std::ios::binary) << input;
    Ran ran;
    FILE* p = ::popen(("(" + command + ") < " + shell_quote(file.string()) + " 2>&1").c_str(), "r");
    if (!p) return ran;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
        ran.out.append(buf, n);
    int status = ::pclose(p);
    ran.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    fs::remove(file);
    return ran;
}

bool have_bash() {
    return ::access("/bin/bash", X_OK) == 0;
}

const Interpreter k_bash{"bash", {}};

TEST(Shebang, ReadsThePathAndOneArgumentAsTheKernelDoes) {
    EXPECT_EQ(shebang("#!/bin/bash\necho"), (Interpreter{"/bin/bash", ""}));
    EXPECT_EQ(shebang("#! /usr/bin/env bash \necho"), (Interpreter{"/usr/bin/env", "bash"}));
    EXPECT_EQ(shebang("#!/usr/bin/env -S bash -e\r\n"),
              (Interpreter{"/usr/bin/env", "-S bash -e"}));
    EXPECT_EQ(shebang("#!/bin/bash"), (Interpreter{"/bin/bash", ""}));
    EXPECT_FALSE(shebang("echo\n#!/bin/bash\n"));
    EXPECT_FALSE(shebang(" #!/bin/bash\n"));
    EXPECT_FALSE(shebang("#!\n"));
    EXPECT_FALSE(shebang("#!   \nls"));
    EXPECT_FALSE(shebang(""));
}

// step shell > task shell > the script's #! line > the runner's sh.
TEST(StepInterpreter, StepOverTaskOverShebangOverSh) {
    const std::string script = "#!/usr/bin/env zsh\necho";
    EXPECT_EQ(step_interpreter(script, "ksh", "bash", true), (Interpreter{"ksh", ""}));
    EXPECT_EQ(step_interpreter(script, "", "bash", true), (Interpreter{"bash", ""}));
    EXPECT_EQ(step_interpreter(script, "", "", true), (Interpreter{"/usr/bin/env", "zsh"}));
    EXPECT_FALSE(step_interpreter("echo", "", "", true));
    // A command is not a script: its first line is not a #! line.
    EXPECT_FALSE(step_interpreter(script, "", "", false));
    EXPECT_EQ(step_interpreter("echo", "/bin/bash", "", false), (Interpreter{"/bin/bash", ""}));
    // The runner's own shell needs no second one; a step's sh also overrides the task's bash.
    EXPECT_FALSE(step_interpreter("#!/bin/sh\necho", "", "", true));
    EXPECT_FALSE(step_interpreter("#!/usr/bin/env sh\necho", "", "", true));
    EXPECT_FALSE(step_interpreter(script, "sh", "bash", true));
    EXPECT_FALSE(step_interpreter(script, "", "/bin/sh", true));
    EXPECT_EQ(step_interpreter("#!/bin/sh -e\nfalse", "", "", true),
              (Interpreter{"/bin/sh", "-e"}));
    EXPECT_EQ(interpreter_name({"/usr/bin/env", "bash"}), "/usr/bin/env bash");
    EXPECT_EQ(interpreter_name(k_bash), "bash");
}

// The body reaches no command line: it is a quoted here-document, and its end marker cannot be
// one of its lines.
TEST(InterpretedBody, QuotesTheInterpreterAndKeepsTheBodyOffTheCommandLine) {
    const std::string body = "echo '$(x)' `y`\nLEURA_BODY_\n";
    std::string r = interpreted_body(body, {"/opt/my shell", "it's"});
    EXPECT_NE(r.find("command -v '/opt/my shell' "), std::string::npos) << r;
    EXPECT_NE(r.find("\nexec '/opt/my shell' 'it'\\''s' /dev/fd/5 5<<'LEURA_BODY_"),
              std::string::npos)
        << r;
    EXPECT_NE(r.find("\n" + body + "LEURA_BODY_"), std::string::npos) << r;
    EXPECT_EQ(r.back(), '\n');
    EXPECT_EQ(interpreted_body(body, k_bash), interpreted_body(body, k_bash)) << "deterministic";
}

TEST(InterpretedBody, RunsUnderTheRemoteCommandWithExportsAndStdinAtEof) {
    if (!have_bash()) GTEST_SKIP() << "no bash here";
    const std::string nasty = "it's $(not run) `nor this` \"q\"\\n";
    const std::string body = "[[ $GREETING == *run* ]] && printf '%s|' \"$GREETING\"\n"
                             "(( RANDOM >= 0 )) && printf 'random|'\n"
                             "read -r x || printf 'stdin at EOF|'\n"
                             "printf '%s' \"${BASH_VERSION:+bash}\"\n";
    std::string script = render_script({{"GREETING", nasty}}, interpreted_body(body, k_bash));
    Ran ran = run_sh(k_remote_command, script);
    EXPECT_EQ(ran.out, nasty + "|random|stdin at EOF|bash");
    EXPECT_EQ(ran.status, 0);
}

TEST(InterpretedBody, AShebangScriptKeepsItsExitStatus) {
    if (!have_bash()) GTEST_SKIP() << "no bash here";
    const std::string body = "#!/bin/bash\nset -e\n[[ -n $RANDOM ]]\necho ran\nexit 7\n";
    auto shell = step_interpreter(body, "", "", true);
    ASSERT_TRUE(shell);
    Ran ran = run_sh(k_remote_command, render_script({}, interpreted_body(body, *shell)));
    EXPECT_EQ(ran.out, "ran\n");
    EXPECT_EQ(ran.status, 7);
}

TEST(InterpretedBody, AMissingInterpreterFailsWithItsOwnStatusAndMessage) {
    Ran ran = run_sh(k_remote_command,
                     render_script({}, interpreted_body("echo never", {"leura-no-such-sh", {}})));
    EXPECT_EQ(ran.out, "leura: leura-no-such-sh not found on the host\n");
    EXPECT_EQ(ran.status, k_shell_missing);
    ran = run_sh(k_remote_command,
                 render_script({}, interpreted_body("echo never", {"/usr/bin/env", "leura-nope"})));
    EXPECT_EQ(ran.out, "leura: leura-nope not found on the host\n");
    EXPECT_EQ(ran.status, k_shell_missing);
    ran = run_sh(k_remote_command,
                 render_script({}, interpreted_body("echo never", {"/no/such/bash", {}}, true)));
    EXPECT_EQ(ran.out, "leura: /no/such/bash not found on the controller\n");
}

// Under a timeout the script is run again by `timeout /bin/sh`, from the environment or, when
// big, from a here-document of its own: the body's here-document survives both.
TEST(InterpretedBody, RunsUnderTheTimeoutPrologueSmallAndBig) {
    if (!have_bash() || ::access("/usr/bin/timeout", X_OK) != 0) GTEST_SKIP() << "no bash/timeout";
    for (size_t filler : {size_t(0), size_t(200'000)}) {
        std::string body = "[[ 1 == 1 ]] && echo start\n";
        body += ": '" + std::string(filler, 'x') + "'\n";
        body += "echo \"end $LEURA_X\"\n";
        std::string script = render_script({{"LEURA_X", "x'y"}}, interpreted_body(body, k_bash),
                                           std::chrono::milliseconds(20'000));
        Ran ran = run_sh(k_remote_command, script);
        EXPECT_EQ(ran.out, "start\nend x'y\n") << filler;
        EXPECT_EQ(ran.status, 0);
    }
}

} // namespace
} // namespace leura::exec
