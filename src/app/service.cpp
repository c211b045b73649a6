// SPDX-License-Identifier: Apache-2.0
#include "app/service.hpp"

#include <cerrno>
#include <climits>
#include <cstring>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace leura::app {

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

Error become(const ServiceAccount& account, const std::vector<std::string>& args) {
    char exe[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return Error(ErrorKind::io,
                     std::string("cannot find leura's own binary: ") + std::strerror(errno));
    exe[n] = '\0';
    std::vector<std::string> words = {"sudo", "-n", "-u", account.name, "--", exe};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& w : words)
        argv.push_back(w.data());
    argv.push_back(nullptr);
    ::execv("/usr/bin/sudo", argv.data());
    return Error(ErrorKind::io, std::string("cannot run /usr/bin/sudo to act as ") + account.name +
                                    ": " + std::strerror(errno));
}

} // namespace leura::app
