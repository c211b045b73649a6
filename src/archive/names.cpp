// SPDX-License-Identifier: Apache-2.0
#include "archive/names.hpp"

#include <cstdio>

namespace leura::archive {

namespace {
constexpr size_t k_max_component = 100;
}

std::string sanitize_component(std::string_view name) {
    std::string out;
    out.reserve(std::min(name.size(), k_max_component));
    for (char c : name) {
        if (out.size() == k_max_component) break;
        bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
        out += safe ? c : '_';
    }
    if (out.empty()) return "_";
    if (out[0] == '.') out[0] = '_'; // also rules out "." and ".."
    return out;
}

const std::string& HostDirs::get(const std::string& host) {
    auto it = m_dirs.find(host);
    if (it != m_dirs.end()) return it->second;
    std::string base = sanitize_component(host);
    std::string name = base;
    for (int n = 2; m_used.count(name); ++n)
        name = base + "~" + std::to_string(n);
    m_used.insert(name);
    return m_dirs.emplace(host, name).first->second;
}

std::string step_member(std::string_view host_dir, size_t step_index, std::string_view step_name,
                        bool is_stderr, int attempt) {
    char number[24];
    std::snprintf(number, sizeof number, "%02zu-", step_index + 1);
    return "hosts/" + std::string(host_dir) + "/" + number + sanitize_component(step_name) +
           (attempt > 0 ? ".attempt" + std::to_string(attempt) : std::string()) +
           (is_stderr ? ".stderr" : ".stdout");
}

} // namespace leura::archive
