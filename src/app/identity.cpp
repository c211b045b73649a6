// SPDX-License-Identifier: Apache-2.0
#include "app/identity.hpp"

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <pwd.h>
#include <unistd.h>
#include <vector>

namespace leura::app {

std::string principal_key(const Principal& p) {
    if (p.via == "schedule" || p.via == "monitor" || p.via == "token") return p.name;
    return "user:" + p.name;
}

Principal identify(const IdentityInputs& in,
                   const std::function<std::optional<std::string>(uid_t)>& name_of) {
    uid_t uid = in.real_uid;
    const char* via = "cli";
    if (in.peer_uid) {
        uid = *in.peer_uid;
        via = "socket";
    } else if (in.sudo_uid && in.service_uid && in.real_uid == *in.service_uid) {
        uid = *in.sudo_uid;
        via = "sudo";
    }
    auto name = name_of ? name_of(uid) : std::nullopt;
    return {uid, name ? *name : "uid-" + std::to_string(uid), via};
}

IdentityInputs process_identity_inputs() {
    IdentityInputs in;
    in.real_uid = ::getuid();
    if (const char* s = std::getenv("SUDO_UID")) {
        uid_t v = 0;
        auto [end, ec] = std::from_chars(s, s + std::strlen(s), v);
        if (ec == std::errc() && *end == '\0') in.sudo_uid = v;
    }
    return in;
}

// main() pins the passwd lookup to the "files" module, so this never loads a shared NSS
// module into the static binary.
std::optional<std::string> passwd_name(uid_t uid) {
    passwd pw{};
    passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found) return found->pw_name;
    return std::nullopt;
}

} // namespace leura::app
