// SPDX-License-Identifier: Apache-2.0
#include "app/service.hpp"
#include "app/caller_env.hpp"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <pwd.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace leura::app {

namespace {

// The null-terminated argv exec and posix_spawn take, pointing into `words`.
std::vector<char*> c_argv(std::vector<std::string>& words) {
    std::vector<char*> argv;
    for (auto& w : words)
        argv.push_back(w.data());
    argv.push_back(nullptr);
    return argv;
}

} // namespace

Result<std::optional<ServiceAccount>> service_account(const config::Settings& settings) {
    const std::string name = settings.text("service_user");
    if (name.empty()) return std::optional<ServiceAccount>();
    const char* file = config::k_system_settings_file;
    auto problem = [&](std::string why) {
        return std::unexpected(Error(ErrorKind::config, std::move(why), {file, 0, 0}));
    };
    struct stat st {};
    if (::stat(file, &st) != 0) return problem(std::strerror(errno));
    if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        return problem("it names service_user '" + name +
                       "' but is not owned by root or is writable by its group or others; leura "
                       "trusts it only as root's (chown root " +
                       file + "; chmod go-w " + file + ")");
    passwd pw{};
    passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
        return problem("service_user '" + name + "' is not an account in /etc/passwd");
    if (found->pw_uid == 0)
        return problem("service_user '" + name + "' is root; name an unprivileged account");
    return std::optional<ServiceAccount>(ServiceAccount{name, found->pw_uid, found->pw_gid});
}

namespace {

// `sudo -n -u NAME -- THIS_BINARY ARGS…`, once sudo was asked whether it lets the caller do
// that without a password. Errors: denied (no such rule), io.
Result<std::vector<std::string>> sudo_words(const ServiceAccount& account,
                                            const std::vector<std::string>& args) {
    char exe[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return fail(ErrorKind::io,
                    std::string("cannot find leura's own binary: ") + std::strerror(errno));
    exe[n] = '\0';
    // Asked first, so that a missing sudoers rule is a refusal that says so, not sudo's
    // "a password is required" and an exit status that reads as failed hosts.
    if (::getuid() != 0) {
        std::vector<std::string> ask = {"sudo", "-n", "-l", "-u", account.name, "--", exe};
        auto ask_argv = c_argv(ask);
        posix_spawn_file_actions_t quiet;
        posix_spawn_file_actions_init(&quiet);
        posix_spawn_file_actions_addopen(&quiet, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&quiet, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        pid_t pid = 0;
        int status = -1;
        int spawned = posix_spawn(&pid, "/usr/bin/sudo", &quiet, nullptr, ask_argv.data(), environ);
        posix_spawn_file_actions_destroy(&quiet);
        if (spawned != 0)
            return fail(ErrorKind::io, std::string("cannot run /usr/bin/sudo to act as ") +
                                           account.name + ": " + std::strerror(spawned));
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return fail(ErrorKind::denied,
                        "this is a shared controller, and sudo does not let you run " +
                            std::string(exe) + " as " + account.name +
                            " without a password; an admin adds a rule like "
                            "/usr/share/doc/leura/sudoers.example");
    }
    std::vector<std::string> words = {"sudo", "-n", "-u", account.name, "--", exe};
    words.insert(words.end(), args.begin(), args.end());
    return words;
}

Error cannot_run_sudo(const ServiceAccount& account, int err) {
    return Error(ErrorKind::io, std::string("cannot run /usr/bin/sudo to act as ") + account.name +
                                    ": " + std::strerror(err));
}

} // namespace

Error become(const ServiceAccount& account, const std::vector<std::string>& args) {
    auto words = sudo_words(account, args);
    if (!words) return words.error();
    auto argv = c_argv(*words);
    ::execv("/usr/bin/sudo", argv.data());
    return cannot_run_sudo(account, errno);
}

namespace {

volatile sig_atomic_t g_service_child = 0;

void hand_on(int sig) {
    if (g_service_child > 0) ::kill(pid_t(g_service_child), sig);
}

} // namespace

Result<int> run_as_service(const ServiceAccount& account, std::vector<std::string> args,
                           const ServiceCall& how) {
    std::optional<CallerEnvServer> env;
    if (how.caller_env) {
        LEURA_TRY_ASSIGN(server, CallerEnvServer::open());
        env.emplace(std::move(server));
        args.insert(args.begin(), {"__env", env->name()});
    }
    LEURA_TRY_ASSIGN(words, sudo_words(account, args));
    auto argv = c_argv(words);
    posix_spawn_file_actions_t fds;
    posix_spawn_file_actions_init(&fds);
    if (how.in_fd >= 0) posix_spawn_file_actions_adddup2(&fds, how.in_fd, STDIN_FILENO);
    if (how.out_fd >= 0) posix_spawn_file_actions_adddup2(&fds, how.out_fd, STDOUT_FILENO);
    // The terminal's ^C reaches sudo (which hands it on) and this process alike: this one
    // waits for the service side to stop, and reports how it ended. A TERM or HUP sent to
    // this process alone is handed on, as sudo would, had it been exec'd.
    struct sigaction ignore {
    }, forward{}, old_int{}, old_quit{}, old_term{}, old_hup{};
    ignore.sa_handler = SIG_IGN;
    forward.sa_handler = hand_on;
    ::sigaction(SIGINT, &ignore, &old_int);
    ::sigaction(SIGQUIT, &ignore, &old_quit);
    ::sigaction(SIGTERM, &forward, &old_term);
    ::sigaction(SIGHUP, &forward, &old_hup);
    pid_t pid = 0;
    int spawned = posix_spawn(&pid, "/usr/bin/sudo", &fds, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fds);
    int status = 0;
    if (spawned == 0) {
        g_service_child = pid;
        if (env)
            status = env->serve_until_exit(pid, account.uid);
        else
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
        g_service_child = 0;
    }
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGQUIT, &old_quit, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    ::sigaction(SIGHUP, &old_hup, nullptr);
    if (spawned != 0) return std::unexpected(cannot_run_sudo(account, spawned));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool acting_for_another(const std::optional<ServiceAccount>& service, uid_t identity) {
    return service && ::getuid() == service->uid && identity != service->uid;
}

} // namespace leura::app
