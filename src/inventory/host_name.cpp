// SPDX-License-Identifier: Apache-2.0
#include "inventory/host_name.hpp"
#include "util/strings.hpp"

#include <cctype>

namespace leura::inventory {

std::string host_name_problem(std::string_view name) {
    if (name.empty()) return "a host name must not be empty";
    if (name.size() > 253) return "a host name has at most 253 characters";
    bool ipv6 = name.find(':') != std::string_view::npos;
    for (char c : name) {
        auto u = static_cast<unsigned char>(c);
        bool ok = ipv6 ? std::isxdigit(u) || c == ':' || c == '.'
                       : std::isalnum(u) || c == '-' || c == '.' || c == '_';
        if (ok && (u < 0x80)) continue;
        std::string shown = util::terminal_safe(std::string_view(&c, 1), true);
        if (c == ' ') shown = "a space";
        return "host name '" + util::terminal_safe(name, true) + "' has " +
               (c == ' ' ? shown : "'" + shown + "'") +
               (ipv6 ? ", which an IPv6 address has not" : ", which a host name may not have") +
               " (letters, digits, '-', '.' and '_' only)";
    }
    if (name[0] == '-' || name[0] == '.')
        return "host name '" + std::string(name) + "' must not start with '" + name[0] + "'";
    return {};
}

} // namespace leura::inventory
