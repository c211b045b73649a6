// SPDX-License-Identifier: Apache-2.0
#include "cli/pager.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace leura::cli {

namespace {

std::string pager_command() {
    for (const char* name : {"LEURA_PAGER", "PAGER"})
        if (const char* v = std::getenv(name)) return v;
    return "less";
}

} // namespace

Pager::Pager(bool off) {
    if (off || !::isatty(STDOUT_FILENO)) return;
    std::string command = pager_command();
    if (command.empty() || command == "cat") return;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    std::fflush(stdout);
    pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return;
    }
    if (pid == 0) {
        ::dup2(fds[0], STDIN_FILENO);
        ::setenv("LESS", std::getenv("LESS") ? std::getenv("LESS") : "FRX", 1);
        // The pager's command line is the user's own setting ($PAGER may carry flags), run by
        // the shell as git and man run it; nothing from a host or a task file reaches it.
        ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(fds[0]);
    m_saved_stdout = ::dup(STDOUT_FILENO);
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[1]);
    m_pid = pid;
    // A user who quits the pager early must not kill leura with SIGPIPE mid-write.
    std::signal(SIGPIPE, SIG_IGN);
}

Pager::~Pager() {
    if (m_pid < 0) return;
    std::fflush(stdout);
    ::dup2(m_saved_stdout, STDOUT_FILENO);
    ::close(m_saved_stdout);
    int status = 0;
    while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
    }
}

} // namespace leura::cli
