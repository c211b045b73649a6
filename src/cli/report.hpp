// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/exit_code.hpp"
#include "config/diagnostic.hpp"
#include "util/error.hpp"

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace leura::cli {

// "leura: error: <message>" on stderr, one line, and the exit status for its kind.
int report(const Error& e);
// Every diagnostic, then a count; returns the usage exit status.
int report(const config::Diagnostics& diags);
// From now on each error report() prints is also one JSON object on `out` (a command given
// --json: scripts reading its stdout learn why nothing ran), as docs/events.schema.json says:
// {"event":"error","ts":...,"kind":...,"exit":N,"message":...,"problems":[...]}.
void errors_as_json(std::FILE* out);
// "leura: warning: <line>" on stderr for each.
void warn(const std::vector<std::string>& lines);
// Recorded text as one table cell: "-" when empty, else made safe for a terminal on one line.
std::string cell(const std::string& text);
// Rows as columns on stdout, each as wide as its widest cell, two spaces apart; the first row
// is the header. Cells must already be safe for a terminal.
void print_columns(const std::vector<std::vector<std::string>>& rows);
// A host's bytes: exact into a file or a pipe; on a terminal with control bytes escaped
// (util::terminal_safe), so no host can drive the user's terminal.
void write_host_output(std::FILE* to, std::string_view data);

} // namespace leura::cli
