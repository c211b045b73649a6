// SPDX-License-Identifier: Apache-2.0
// One ssh_config line into a keyword and arguments, with OpenSSH's quoting rules: the keyword
// ends at whitespace, a quote or one `=`; arguments split at blanks, quotes group, a backslash
// escapes a quote, a backslash or (outside quotes) a blank, and `#` starting an argument ends
// the line.
#include "sshconfig/items.hpp"

#include <cctype>

namespace leura::sshconfig {

namespace {

constexpr std::string_view k_space = " \t\r\n";

bool is_space(char c) {
    return k_space.find(c) != std::string_view::npos;
}

size_t skip_space(std::string_view s, size_t i) {
    while (i < s.size() && is_space(s[i]))
        ++i;
    return i;
}

Result<std::vector<std::string>> split_args(std::string_view s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        if (s[i] == ' ' || s[i] == '\t') {
            ++i;
            continue;
        }
        if (s[i] == '#') break;
        std::string arg;
        char quote = 0;
        for (; i < s.size(); ++i) {
            char c = s[i];
            if (c == '\\' && i + 1 < s.size()) {
                char n = s[i + 1];
                if (n == '\'' || n == '"' || n == '\\' || (quote == 0 && n == ' ')) ++i;
                arg += s[i];
            } else if (quote == 0 && (c == ' ' || c == '\t')) {
                break;
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (quote != 0 && c == quote) {
                quote = 0;
            } else {
                arg += c;
            }
        }
        if (quote != 0) return fail(ErrorKind::config, "invalid quotes");
        out.push_back(std::move(arg));
    }
    return out;
}

} // namespace

Result<Line> split_line(std::string_view text) {
    // Trailing blanks (and form feeds) never count.
    while (!text.empty() && (is_space(text.back()) || text.back() == '\f'))
        text.remove_suffix(1);
    size_t i = skip_space(text, 0);
    Line line;
    if (i >= text.size()) return line;
    // The keyword ends at a blank, a quote or one `=`. At a quote, strdelim() drops it and
    // takes up to the next quote too: `"User"` and `Ho"st"` are both keywords.
    size_t end = text.find_first_of(" \t\r\n\"=", i);
    if (end == std::string_view::npos) end = text.size();
    line.keyword = std::string(text.substr(i, end - i));
    size_t after = end;
    if (end < text.size() && text[end] == '"') {
        size_t close = text.find('"', end + 1);
        if (close == std::string_view::npos) return Line{}; // ssh skips such a line
        line.keyword += text.substr(end + 1, close - end - 1);
        after = skip_space(text, close + 1);
    } else if (after < text.size()) {
        bool equals = text[after] == '=';
        after = skip_space(text, after + 1);
        if (!equals && after < text.size() && text[after] == '=')
            after = skip_space(text, after + 1);
    }
    if (line.keyword.empty() || line.keyword[0] == '#') return Line{};
    for (auto& c : line.keyword)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    std::string_view rest = text.substr(std::min(after, text.size()));
    if (rest.empty())
        return fail(ErrorKind::config, "no argument after keyword \"" + line.keyword + "\"");
    line.rest = std::string(rest);
    LEURA_TRY_ASSIGN(args, split_args(rest));
    line.args = std::move(args);
    return line;
}

} // namespace leura::sshconfig
