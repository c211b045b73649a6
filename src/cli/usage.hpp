// SPDX-License-Identifier: Apache-2.0
#pragma once

// Help and usage errors around CLI11: how help prints options, `leura help [COMMAND...]`, and
// the one-line errors for a bad command line, each pointing at the help of the command it is
// about.

#include "util/error.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace leura::cli {

// Before any subcommand is added: help shows options with plain placeholders (`N`,
// `DURATION`, `FILE`, `a|b|c`) instead of CLI11's types and validators, and a footer.
void set_help_format(CLI::App& app);

// `leura help [COMMAND [SUBCOMMAND]]`: that command's help on stdout, 0; an unknown command
// gets a "did you mean" and 2.
int help_command(CLI::App& app, int argc, char** argv);

// Before parsing: `exec -i inv grep -i x f` would give `-i` to leura, not to grep. One of the
// command's own options after the first word of its remote command is refused, with the
// command line again with `--` where it belongs. nullopt: nothing misplaced.
std::optional<int> misplaced_option(CLI::App& app, int argc, char** argv);

// A command line CLI11 rejected: one line on stderr (unknown option or command with a "did
// you mean", `--` advice for a command's own options, else CLI11's reason) naming the
// command's help; a command missing its subcommand prints that command's help instead.
// Returns the usage exit status.
int usage_error(CLI::App& app, const CLI::ParseError& error, int argc, char** argv);

// `--since VALUE` (runs, search, audit) as a duration. Errors: usage, naming what it wants.
Result<std::chrono::milliseconds> since_flag(const std::string& value);

} // namespace leura::cli
