// SPDX-License-Identifier: Apache-2.0
// Archive member names from any host and step names: one safe component each, and a member
// that can never leave hosts/ (no "." or ".." component, three components, only
// [A-Za-z0-9._-/]).
#include "archive/names.hpp"

#include <algorithm>
#include <cctype>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    size_t cut = text.find('\0');
    std::string_view host = text.substr(0, cut);
    std::string_view step = cut == text.npos ? std::string_view() : text.substr(cut + 1);
    std::string dir = leura::archive::sanitize_component(host);
    if (dir.empty() || dir == "." || dir == ".." || dir[0] == '.' || dir.size() > 100)
        __builtin_trap();
    std::string member = leura::archive::step_member(dir, size % 200, step, size & 1);
    if (!member.starts_with("hosts/")) __builtin_trap();
    for (size_t start = 0, slash; start <= member.size(); start = slash + 1) {
        slash = member.find('/', start);
        if (slash == std::string::npos) slash = member.size();
        std::string_view part(member.data() + start, slash - start);
        if (part.empty() || part == "." || part == "..") __builtin_trap();
    }
    for (char c : member)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
              c == '/'))
            __builtin_trap();
    if (std::count(member.begin(), member.end(), '/') != 2) __builtin_trap();
    return 0;
}
