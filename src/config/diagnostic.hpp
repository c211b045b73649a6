// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/error.hpp"

#include <string>
#include <vector>

namespace leura::config {

// One problem found in a file, located precisely enough to show a caret under it.
struct Diagnostic {
    SourcePos pos;
    std::string message;
    std::string source_line; // the text of pos.line, without its newline; may be empty
};

// Validation gathers every problem before anything runs; this is the collector.
class Diagnostics {
public:
    void add(SourcePos pos, std::string message, std::string source_line = {});
    bool empty() const { return m_items.empty(); }
    size_t size() const { return m_items.size(); }
    const std::vector<Diagnostic>& items() const { return m_items; }

private:
    std::vector<Diagnostic> m_items;
};

// "file:line:col: error: message", then the source line and a caret under the column.
std::string format(const Diagnostic& d);

// The 1-based line `line` of `text`, without its line ending ("" when out of range).
std::string line_of(const std::string& text, int line);

} // namespace leura::config
