// SPDX-License-Identifier: Apache-2.0
#include "access/policy_file.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace leura::access {

PolicyLocation policy_location() {
    if (const char* env = std::getenv("LEURA_ACCESS_FILE"); env && *env) return {env, true};
    return {"/etc/leura/access.toml", false};
}

PolicyState load_policy(const PolicyLocation& location) {
    PolicyState s;
    s.location = location;
    const std::string path = location.path.string();
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) {
            s.mode = PolicyState::Mode::off;
            s.why = path + " does not exist: access control is off (one user owns everything)";
            return s;
        }
        s.mode = PolicyState::Mode::broken;
        s.why = "cannot inspect " + path + ": " + std::strerror(errno);
        return s;
    }
    s.mode = PolicyState::Mode::broken;
    if (!S_ISREG(st.st_mode)) {
        s.why = path + " is not a regular file: it is unsafe, so everyone but root is denied";
        return s;
    }
    bool owner_ok = st.st_uid == 0 || (location.from_env && st.st_uid == ::getuid());
    if (!owner_ok) {
        s.why = path + " is owned by uid " + std::to_string(st.st_uid) +
                ", not root: it is unsafe, so everyone but root is denied";
        return s;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        s.why = path + " is writable by its group or others: it is unsafe, so everyone but " +
                "root is denied (chmod 644 it)";
        return s;
    }
    auto policy = config::load_access_file(location.path, s.problems);
    if (!policy) {
        // The first problem says where (file:line:col); `leura access status` lists them all.
        const size_t n = s.problems.size();
        std::string first = path + " is invalid";
        if (n > 0) {
            const auto& d = s.problems.items()[0];
            first = d.pos.file + ":" + std::to_string(d.pos.line) + ":" +
                    std::to_string(d.pos.column) + ": " + d.message;
        }
        s.why = first +
                (n > 1 ? " (and " + std::to_string(n - 1) + " more problem" + (n > 2 ? "s" : "") +
                             ": leura access status lists them)"
                       : std::string()) +
                "; everyone but root is denied until it is fixed";
        return s;
    }
    s.mode = PolicyState::Mode::on;
    s.policy = std::move(*policy);
    s.why =
        path + " is safe and valid: " + std::to_string(s.policy->grants.size()) + " rules decide";
    return s;
}

Decision authorize(const PolicyState& state, uid_t uid, const Principal& who,
                   const Request& request) {
    Decision d;
    if (state.mode == PolicyState::Mode::off) {
        d.allowed = true;
        d.why = "allowed: access control is off (no " + state.location.path.string() + ")";
        return d;
    }
    if (uid == 0) {
        d.allowed = true;
        d.why = "allowed: root may do everything";
        return d;
    }
    if (state.mode == PolicyState::Mode::broken || !state.policy) {
        d.why = "denied: " + state.why;
        return d;
    }
    return decide(*state.policy, who, request);
}

Status require(const PolicyState& state, uid_t uid, const Principal& who, const Request& request) {
    Decision d = authorize(state, uid, who, request);
    if (d.allowed) return {};
    return std::unexpected(Error(ErrorKind::denied, d.why));
}

} // namespace leura::access
