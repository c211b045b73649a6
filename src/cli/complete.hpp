// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shell completion. `leura __complete WORD...` (hidden) takes the words after `leura`, the
// last being the one to complete (possibly empty), and prints one candidate a line, a TAB
// and its description after it when it has one, then `:DIRECTIVE` — cobra's protocol, as
// kubectl, gh and helm use it. The scripts `leura completion bash|zsh|fish` prints call it.
// Subcommands and options come from the CLI11 app itself, values from app/completion.hpp.

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace leura::cli {

// The directive's bits, as cobra's ShellCompDirective.
enum Directive : int {
    k_default = 0,
    k_error = 1,
    k_no_space = 2,
    k_no_file = 4,
    k_filter_ext = 8, // the candidates are file extensions to complete files by
    k_filter_dirs = 16,
};

// `leura __complete ARGS...` over the command tree `app`; prints and returns 0.
int complete_command(CLI::App& app, const std::vector<std::string>& args);

// The completion script for `shell` (bash, zsh, fish); empty for another.
std::string_view completion_script(std::string_view shell);

} // namespace leura::cli
