// SPDX-License-Identifier: Apache-2.0
#include "util/paths.hpp"

#include <cstdlib>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace leura::util {

namespace {
std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}
} // namespace

// Cron, `env -i` and some systemd units run without HOME: the passwd entry says where it is.
std::string home_dir() {
    std::string home = env("HOME");
    if (!home.empty()) return home;
    passwd pw{};
    passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (getpwuid_r(::getuid(), &pw, buf.data(), buf.size(), &found) == 0 && found &&
        found->pw_dir && found->pw_dir[0] == '/')
        return found->pw_dir;
    return "/";
}

std::filesystem::path user_config_dir() {
    std::string xdg = env("XDG_CONFIG_HOME");
    if (!xdg.empty() && xdg[0] == '/') return std::filesystem::path(xdg) / "leura";
    return std::filesystem::path(home_dir()) / ".config" / "leura";
}

std::string expand_tilde(const std::string& path) {
    if (path == "~") return home_dir();
    if (path.rfind("~/", 0) == 0) return home_dir() + path.substr(1);
    return path;
}

std::optional<std::filesystem::path> relative_inside(const std::filesystem::path& path,
                                                     const std::filesystem::path& folder) {
    std::error_code ec;
    auto real = std::filesystem::weakly_canonical(path, ec);
    if (ec) return std::nullopt;
    auto root = std::filesystem::weakly_canonical(folder, ec);
    if (ec || root.empty()) return std::nullopt;
    auto rel = real.lexically_relative(root);
    if (rel.empty() || *rel.begin() == "..") return std::nullopt;
    return rel;
}

std::string user_name() {
    for (const char* name : {"USER", "LOGNAME"}) {
        std::string v = env(name);
        if (!v.empty()) return v;
    }
    // Cron and CI often set neither. main() pins the passwd lookup to the "files" module, so
    // this never loads a shared NSS module into the static binary.
    passwd pw{};
    passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (getpwuid_r(::getuid(), &pw, buf.data(), buf.size(), &found) == 0 && found)
        return found->pw_name;
    return "uid-" + std::to_string(::getuid());
}

Status ensure_private_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return {};
    mode_t old = ::umask(077);
    std::filesystem::create_directories(dir, ec);
    ::umask(old);
    if (ec) return fail(ErrorKind::io, "cannot create " + dir.string() + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);
    return {};
}

} // namespace leura::util
