// SPDX-License-Identifier: Apache-2.0
#include "util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <numeric>

namespace leura::util {

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), size_t{0});
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
    // Allow about one edit per three characters (at least two), as ninja's spellcheck does.
    size_t best = std::max<size_t>(2, word.size() / 3) + 1;
    std::string match;
    for (const auto& c : candidates) {
        size_t d = edit_distance(word, c);
        if (d < best) {
            best = d;
            match = c;
        }
    }
    return match;
}

std::string shell_quote(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    out += '\'';
    return out;
}

bool is_shell_identifier(std::string_view s) {
    if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9');
    });
}

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
        size_t at = s.find(sep, start);
        parts.emplace_back(s.substr(start, at == std::string_view::npos ? s.npos : at - start));
        if (at == std::string_view::npos) break;
        start = at + 1;
    }
    return parts;
}

std::string to_lower(std::string s) {
    for (char& c : s)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string_view trim(std::string_view s) {
    const char* ws = " \t\r\n";
    size_t b = s.find_first_not_of(ws);
    if (b == s.npos) return {};
    size_t e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

bool glob_match(std::string_view p, std::string_view t) {
    // Iterative matcher with single-star backtracking: linear in practice, no recursion.
    size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
    while (ti < t.size()) {
        if (pi < p.size() && (p[pi] == '?' || p[pi] == t[ti])) {
            ++pi;
            ++ti;
        } else if (pi < p.size() && p[pi] == '*') {
            star = pi++;
            mark = ti;
        } else if (star != std::string_view::npos) {
            pi = star + 1;
            ti = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '*')
        ++pi;
    return pi == p.size();
}

std::string human_duration_ms(long long ms) {
    char buf[64];
    if (ms < 1000) {
        std::snprintf(buf, sizeof buf, "%lldms", ms);
    } else if (ms < 60'000) {
        std::snprintf(buf, sizeof buf, "%.1fs", double(ms) / 1000.0);
    } else if (ms < 3'600'000) {
        std::snprintf(buf, sizeof buf, "%lldm%02llds", ms / 60'000, (ms / 1000) % 60);
    } else {
        std::snprintf(buf, sizeof buf, "%lldh%02lldm", ms / 3'600'000, (ms / 60'000) % 60);
    }
    return buf;
}

std::string human_bytes(unsigned long long n) {
    char buf[64];
    if (n < 1024)
        std::snprintf(buf, sizeof buf, "%llu B", n);
    else if (n < 1024ull * 1024)
        std::snprintf(buf, sizeof buf, "%.1f KiB", double(n) / 1024.0);
    else if (n < 1024ull * 1024 * 1024)
        std::snprintf(buf, sizeof buf, "%.1f MiB", double(n) / (1024.0 * 1024));
    else
        std::snprintf(buf, sizeof buf, "%.1f GiB", double(n) / (1024.0 * 1024 * 1024));
    return buf;
}

std::string grouped(long long n) {
    std::string digits = std::to_string(n < 0 ? -(unsigned long long)n : (unsigned long long)n);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return (n < 0 ? "-" : "") + out;
}

std::optional<unsigned long long> parse_size(std::string_view text) {
    size_t i = 0;
    unsigned long long n = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        if (n > (~0ull - 9) / 10) return std::nullopt;
        n = n * 10 + (unsigned long long)(text[i] - '0');
    }
    if (i == 0) return std::nullopt;
    std::string unit;
    for (char c : trim(text.substr(i)))
        unit += char(std::tolower(static_cast<unsigned char>(c)));
    static const std::pair<const char*, int> k_units[] = {
        {"", 0},     {"b", 0},  {"kib", 10}, {"mib", 20}, {"gib", 30},
        {"tib", 40}, {"k", 10}, {"m", 20},   {"g", 30},   {"t", 40}};
    for (const auto& [name, shift] : k_units) {
        if (unit != name) continue;
        if (shift && n > (~0ull >> shift)) return std::nullopt;
        return n << shift;
    }
    return std::nullopt;
}

std::string terminal_safe(std::string_view s, bool one_line) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        bool keep = c >= 0x20 && c != 0x7f;
        if (!one_line && (c == '\n' || c == '\t')) keep = true;
        // UTF-8 C1 controls (U+0080..U+009F, encoded C2 80..C2 9F) act as CSI and OSC on
        // some terminals.
        if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
            static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
            auto d = static_cast<unsigned char>(s[++i]);
            out += "\\u00";
            out += hex[d >> 4];
            out += hex[d & 15];
            continue;
        }
        if (keep) {
            out += char(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

} // namespace leura::util
