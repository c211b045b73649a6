// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leura::util {

// Levenshtein distance, for "did you mean".
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a plausible typo, else "".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// "'it'\''s'": safe to paste into a POSIX shell as one word.
std::string shell_quote(std::string_view s);

// A valid POSIX shell variable name.
bool is_shell_identifier(std::string_view s);

std::vector<std::string> split(std::string_view s, char sep);
std::string_view trim(std::string_view s);
// ASCII letters lowered; other bytes as they are.
std::string to_lower(std::string s);
bool starts_with(std::string_view s, std::string_view prefix);

// Shell-style glob with `*` and `?` over the whole string.
bool glob_match(std::string_view pattern, std::string_view text);

// "1.2s", "340ms", "2m05s": for human output.
std::string human_duration_ms(long long ms);
// "512 B", "1.0 KiB", "3.4 MiB".
std::string human_bytes(unsigned long long n);
// "3,400": a count with its thousands grouped, for human output.
std::string grouped(long long n);
// "10GiB", "500MiB", "64KiB", "1TiB", "512B" or a bare number of bytes; K, M, G, T are the
// same powers of 1024 (a space before the unit and lower case are fine). nullopt for anything
// else ("10GB": decimal or binary is not guessed) or an overflow.
std::optional<unsigned long long> parse_size(std::string_view text);

// For a terminal: control bytes (ESC, CR, BEL, DEL, C1 controls...) shown as "\x1b" and the
// like, so no byte from a host can move the cursor, retitle the window or clear the screen.
// Newlines and tabs stay, unless `one_line` (then "\n" and "\t" too); other bytes pass.
std::string terminal_safe(std::string_view s, bool one_line = false);

} // namespace leura::util
