// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/diagnostic.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace leura::config {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

enum class StepKind { command, script };

struct Step {
    std::string name;
    StepKind kind = StepKind::command;
    std::string body; // the command line, or the script text (script_file already read)
    std::optional<std::chrono::milliseconds> timeout;
    KeyValues env;
    bool ignore_errors = false;
    SourcePos pos; // where the [[steps]] table starts
};

struct Task {
    std::filesystem::path file;
    std::string text; // the file as read, for the archive and the task hash
    std::string description;
    std::string inventory; // a name under inventories/ or a path; may be empty
    std::string targets;   // a selector; empty means every host
    std::vector<std::string> tags;
    KeyValues vars;
    std::vector<Step> steps;
};

// Reads and validates a task file. Every problem goes to `diags` (syntax, unknown keys with a
// "did you mean", wrong types, bad durations, missing script files); the task is returned only
// when there were none.
std::optional<Task> load_task(const std::filesystem::path& file, Diagnostics& diags);

// "90s", "5m", "1h30m", "250ms", "2h", "7d"; a bare number is seconds.
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text);

} // namespace leura::config
