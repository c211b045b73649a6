// SPDX-License-Identifier: Apache-2.0
#include "sshconfig/items.hpp"
#include "util/strings.hpp"

#include <cctype>

namespace leura::sshconfig {

bool match_pattern_list(std::string_view text, std::string_view patterns, bool lower) {
    std::string subject(text);
    if (lower)
        for (auto& c : subject)
            c = char(std::tolower(static_cast<unsigned char>(c)));
    bool positive = false;
    for (auto& pattern : util::split(patterns, ',')) {
        bool negated = !pattern.empty() && pattern[0] == '!';
        if (negated) pattern.erase(0, 1);
        if (lower)
            for (auto& c : pattern)
                c = char(std::tolower(static_cast<unsigned char>(c)));
        if (util::glob_match(pattern, subject)) {
            if (negated) return false;
            positive = true;
        }
    }
    return positive;
}

} // namespace leura::sshconfig
