// SPDX-License-Identifier: Apache-2.0
// The person's variables reach the service side over app/caller_env's socket, real processes
// on both ends: the test stands for the person's leura, a forked child for sudo, and the
// child's child for the service side (as sudo runs the command).
#include "app/caller_env.hpp"
#include "config/env_source.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace leura::app {
namespace {

std::string read_all(int fd) {
    std::string out;
    char buf[256];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0)
        out.append(buf, size_t(n));
    return out;
}

// In a forked process: asks the person's process at `name` for two variables and writes
// "VALUE|VALUE" (or "<unset>", "<refused>") to `out`; then ends.
[[noreturn]] void service_side(const std::string& name, uid_t person, int out) {
    ::unsetenv("LEURA_TEST_SECRET"); // only the person has it
    std::string said = "<refused>";
    if (use_caller_env(name, person))
        said = config::env_value("LEURA_TEST_SECRET").value_or("<unset>") + "|" +
               config::env_value("LEURA_TEST_NOT_SET").value_or("<unset>");
    (void)!::write(out, said.data(), said.size());
    ::_exit(0);
}

// A stand-in for sudo: it runs service_side() as its child, as sudo runs the command.
pid_t start_sudo(const std::string& name, uid_t person, int out) {
    pid_t sudo = ::fork();
    if (sudo == 0) {
        pid_t command = ::fork();
        if (command == 0) service_side(name, person, out);
        int status = 0;
        ::waitpid(command, &status, 0);
        ::_exit(0);
    }
    return sudo;
}

TEST(CallerEnv, TheServiceSideSudoStartedGetsWhatItAsksFor) {
    ::setenv("LEURA_TEST_SECRET", "v@lue with\nnewline", 1);
    auto server = CallerEnvServer::open();
    ASSERT_TRUE(server) << server.error().message;
    int pipefd[2];
    ASSERT_EQ(::pipe(pipefd), 0);
    pid_t sudo = start_sudo(server->name(), ::getuid(), pipefd[1]);
    ASSERT_GE(sudo, 0);
    ::close(pipefd[1]);
    int status = server->serve_until_exit(sudo, ::getuid());
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_EQ(read_all(pipefd[0]), "v@lue with\nnewline|<unset>");
    ::close(pipefd[0]);
    ::unsetenv("LEURA_TEST_SECRET");
}

TEST(CallerEnv, AProcessSudoDidNotStartIsToldNothing) {
    ::setenv("LEURA_TEST_SECRET", "not yours", 1);
    auto server = CallerEnvServer::open();
    ASSERT_TRUE(server) << server.error().message;
    int result[2], done[2];
    ASSERT_EQ(::pipe(result), 0);
    ASSERT_EQ(::pipe(done), 0);
    // Another process of the same account, which knows the socket's name (anyone can see an
    // abstract socket's): not a descendant of this run's sudo.
    pid_t other = ::fork();
    ASSERT_GE(other, 0);
    if (other == 0) {
        ::close(result[0]);
        ::close(done[0]);
        pid_t asker = ::fork();
        if (asker == 0) service_side(server->name(), ::getuid(), result[1]);
        int status = 0;
        ::waitpid(asker, &status, 0);
        (void)!::write(done[1], "x", 1);
        ::_exit(0);
    }
    ::close(result[1]);
    ::close(done[1]);
    // This run's sudo ends once the other process has asked.
    pid_t sudo = ::fork();
    ASSERT_GE(sudo, 0);
    if (sudo == 0) {
        char c;
        (void)!::read(done[0], &c, 1);
        ::_exit(0);
    }
    ::close(done[0]);
    server->serve_until_exit(sudo, ::getuid());
    EXPECT_EQ(read_all(result[0]), "<unset>|<unset>");
    ::close(result[0]);
    int status = 0;
    ::waitpid(other, &status, 0);
    ::unsetenv("LEURA_TEST_SECRET");
}

TEST(CallerEnv, TheServiceSideBelievesOnlyThePersonItActsFor) {
    auto server = CallerEnvServer::open();
    ASSERT_TRUE(server) << server.error().message;
    int pipefd[2];
    ASSERT_EQ(::pipe(pipefd), 0);
    pid_t sudo = start_sudo(server->name(), ::getuid() + 1, pipefd[1]);
    ASSERT_GE(sudo, 0);
    ::close(pipefd[1]);
    server->serve_until_exit(sudo, ::getuid());
    EXPECT_EQ(read_all(pipefd[0]), "<refused>");
    ::close(pipefd[0]);
}

} // namespace
} // namespace leura::app
