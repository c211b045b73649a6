// SPDX-License-Identifier: Apache-2.0
#include "sshconfig/values.hpp"
#include "sshconfig/ssh_config.hpp"

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <netdb.h>
#include <strings.h>

namespace leura::sshconfig {

namespace {

bool same(std::string_view a, const char* b) {
    std::string s(a);
    return strcasecmp(s.c_str(), b) == 0;
}

} // namespace

std::optional<int> parse_port(std::string_view text) {
    std::string s(text);
    if (!s.empty()) {
        errno = 0;
        char* end = nullptr;
        long long v = std::strtoll(s.c_str(), &end, 10);
        if (end != s.c_str() && *end == '\0' && errno == 0)
            return v >= 1 && v <= 65535 ? std::optional<int>(int(v)) : std::nullopt;
    }
    // strtonum() failed: OpenSSH then asks for a service by that name.
    if (s.empty()) return std::nullopt;
    if (const servent* se = getservbyname(s.c_str(), "tcp")) {
        int port = ntohs(uint16_t(se->s_port));
        if (port > 0) return port;
    }
    return std::nullopt;
}

std::optional<std::string> parse_yes_no(std::string_view text) {
    if (same(text, "yes") || same(text, "true")) return "yes";
    if (same(text, "no") || same(text, "false")) return "no";
    return std::nullopt;
}

std::optional<std::string> parse_strict(std::string_view text) {
    if (same(text, "yes") || same(text, "true")) return "true";
    if (same(text, "no") || same(text, "false") || same(text, "off")) return "false";
    if (same(text, "ask")) return "ask";
    if (same(text, "accept-new")) return "accept-new";
    return std::nullopt;
}

std::optional<long long> parse_ssh_time(std::string_view text) {
    std::string s(text);
    if (s.empty()) return std::nullopt;
    long long total = 0;
    const char* p = s.c_str();
    while (*p) {
        errno = 0;
        char* end = nullptr;
        long long secs = std::strtol(p, &end, 10);
        if (end == p || errno == ERANGE || secs < 0 || secs > INT_MAX) return std::nullopt;
        long long unit = 1;
        switch (*end) {
        case '\0':
            break;
        case 's':
        case 'S':
            ++end;
            break;
        case 'm':
        case 'M':
            unit = 60, ++end;
            break;
        case 'h':
        case 'H':
            unit = 3600, ++end;
            break;
        case 'd':
        case 'D':
            unit = 86400, ++end;
            break;
        case 'w':
        case 'W':
            unit = 604800, ++end;
            break;
        default:
            return std::nullopt;
        }
        if (secs > INT_MAX / unit) return std::nullopt;
        total += secs * unit;
        if (total > INT_MAX) return std::nullopt;
        p = end;
    }
    return total;
}

bool valid_hostname(std::string_view host) {
    if (host.empty() || host[0] == '-') return false;
    for (char c : host) {
        if (c < ' ' || c > '~') return false;
        if (std::string_view("'`\"$\\;&<>|(){},").find(c) != std::string_view::npos) return false;
    }
    return true;
}

namespace {

// parse_user_host_port(): [user@]host[:port], host in brackets when it holds colons.
std::optional<Hop> parse_hop(std::string_view s) {
    Hop hop;
    if (auto at = s.rfind('@'); at != std::string_view::npos) {
        if (at == 0) return std::nullopt;
        hop.user = std::string(s.substr(0, at));
        s.remove_prefix(at + 1);
    }
    std::string_view host, port;
    if (!s.empty() && s[0] == '[') {
        auto close = s.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = s.substr(1, close - 1);
        std::string_view after = s.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') return std::nullopt;
            port = after.substr(1);
        }
    } else {
        auto delim = s.find(':');
        host = s.substr(0, delim);
        if (delim != std::string_view::npos) port = s.substr(delim + 1);
    }
    if (host.empty() || host.find('/') != std::string_view::npos) return std::nullopt;
    hop.host = std::string(host);
    if (!port.empty()) {
        auto p = parse_port(port);
        if (!p) return std::nullopt;
        hop.port = *p;
    }
    return hop;
}

// parse_ssh_uri(): ssh://[user@]host[:port] with nothing after but an optional "/".
std::optional<std::optional<Hop>> parse_uri(std::string_view s) {
    if (s.size() < 6 || !same(s.substr(0, 6), "ssh://")) return std::optional<Hop>{};
    s.remove_prefix(6);
    if (!s.empty() && s.back() == '/') s.remove_suffix(1);
    if (s.find('/') != std::string_view::npos) return std::nullopt;
    auto hop = parse_hop(s);
    if (!hop) return std::nullopt;
    return hop;
}

} // namespace

std::optional<std::vector<Hop>> parse_jump_hops(std::string_view text) {
    std::string s(text);
    if (auto hash = s.find('#'); hash != std::string::npos) s.erase(hash);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.pop_back();
    if (same(s, "none")) return std::vector<Hop>{};
    std::vector<Hop> hops;
    size_t start = 0;
    for (;;) {
        size_t comma = s.find(',', start);
        std::string_view part =
            std::string_view(s).substr(start, comma == std::string::npos ? s.npos : comma - start);
        auto uri = parse_uri(part);
        if (!uri) return std::nullopt;
        auto hop = *uri ? **uri : parse_hop(part);
        if (!hop) return std::nullopt;
        hops.push_back(std::move(*hop));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return hops;
}

} // namespace leura::sshconfig
