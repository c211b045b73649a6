// SPDX-License-Identifier: Apache-2.0
#pragma once

// Line diffs, as `diff -u` prints them (`leura task diff`).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace leura::util {

enum class DiffOp { equal, remove, insert };

// A shortest edit script turning `a` into `b`: each op consumes the next line of `a`
// (equal, remove), of `b` (insert), or of both (equal). Removals come before insertions
// where they touch.
std::vector<DiffOp> diff_lines(const std::vector<std::string_view>& a,
                               const std::vector<std::string_view>& b);

// The lines of `text`, each with its '\n' (the last one may have none).
std::vector<std::string_view> split_lines(std::string_view text);

// The unified diff of `a` to `b` with `context` lines around each change, headed by
// "--- a_label" and "+++ b_label"; "" when they are the same. A last line without a newline
// is followed by "\ No newline at end of file", as GNU diff does.
std::string unified_diff(std::string_view a, std::string_view b, std::string_view a_label,
                         std::string_view b_label, size_t context = 3);

} // namespace leura::util
