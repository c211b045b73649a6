// SPDX-License-Identifier: Apache-2.0
#include "http/message.hpp"

namespace leura::http {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// %XX escapes (and '+' as a space in a query). False on a bad escape or a NUL.
bool decode(std::string_view in, bool query, std::string& out) {
    out.clear();
    for (size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return false;
            const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) return false;
            c = char(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && query) {
            c = ' ';
        }
        if (c == '\0') return false;
        out += c;
    }
    return true;
}

} // namespace

const std::string* Request::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (k == name) return &v;
    return nullptr;
}

std::optional<std::string> Request::param(std::string_view name) const {
    for (const auto& [k, v] : query)
        if (k == name) return v;
    return std::nullopt;
}

bool parse_target(std::string_view target, std::string& path,
                  std::vector<std::pair<std::string, std::string>>& query) {
    if (target.empty() || target[0] != '/') return false;
    const size_t q = target.find('?');
    if (!decode(target.substr(0, q), false, path)) return false;
    query.clear();
    if (q == target.npos) return true;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const size_t amp = rest.find('&');
        std::string_view part = rest.substr(0, amp);
        rest = amp == rest.npos ? std::string_view() : rest.substr(amp + 1);
        if (part.empty()) continue;
        const size_t eq = part.find('=');
        std::string k, v;
        if (!decode(part.substr(0, eq), true, k)) return false;
        if (eq != part.npos && !decode(part.substr(eq + 1), true, v)) return false;
        query.emplace_back(std::move(k), std::move(v));
    }
    return true;
}

} // namespace leura::http
