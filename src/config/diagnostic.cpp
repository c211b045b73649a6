// SPDX-License-Identifier: Apache-2.0
#include "config/diagnostic.hpp"

#include <string_view>

namespace leura::config {

void Diagnostics::add(SourcePos pos, std::string message, std::string source_line) {
    m_items.push_back({std::move(pos), std::move(message), std::move(source_line)});
}

namespace {

bool is_utf8_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Columns count code points (as toml++ does), so the caret lines up under multi-byte
// characters; tabs are copied so it also lines up whatever the terminal's tab width.
std::string caret_line(std::string_view source, int column) {
    std::string out = "  ";
    int seen = 0;
    for (size_t i = 0; i < source.size() && seen < column - 1; ++i) {
        if (is_utf8_continuation(source[i])) continue;
        out += source[i] == '\t' ? '\t' : ' ';
        ++seen;
    }
    // A column past the end of the line (an error at end of line) still gets its caret.
    for (; seen < column - 1; ++seen)
        out += ' ';
    out += '^';
    return out;
}

} // namespace

std::string format(const Diagnostic& d) {
    std::string out = d.pos.file;
    if (d.pos.line > 0) {
        out += ':' + std::to_string(d.pos.line);
        if (d.pos.column > 0) out += ':' + std::to_string(d.pos.column);
    }
    out += ": error: " + d.message;
    if (d.source_line.empty()) return out;
    out += "\n  " + d.source_line + '\n' + caret_line(d.source_line, d.pos.column);
    return out;
}

std::string line_of(const std::string& text, int line) {
    if (line < 1) return {};
    size_t start = 0;
    for (int n = 1; n < line; ++n) {
        start = text.find('\n', start);
        if (start == std::string::npos) return {};
        ++start;
    }
    if (start >= text.size()) return {};
    size_t end = text.find('\n', start);
    std::string_view found(text.data() + start,
                           (end == std::string::npos ? text.size() : end) - start);
    if (!found.empty() && found.back() == '\r') found.remove_suffix(1);
    return std::string(found);
}

} // namespace leura::config
