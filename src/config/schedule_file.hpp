// SPDX-License-Identifier: Apache-2.0
#pragma once

// schedules.toml: one [schedules.NAME] table per schedule, written by `leura schedule` and
// reviewable by hand. This reader checks the file's shape; whether an expression or a zone is
// valid is src/schedule's to say (app/schedules.cpp reports it at the value's position).
#include "config/diagnostic.hpp"
#include "config/task.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace leura::config {

struct ScheduleDef {
    std::string name;
    SourcePos pos;
    std::string task;
    // Exactly one of cron, every and at.
    std::string cron;
    std::chrono::milliseconds every{0};
    std::string at;
    SourcePos when_pos; // of cron, every or at
    std::string tz = "UTC";
    SourcePos tz_pos;
    std::chrono::milliseconds jitter{0};
    enum class Overlap { skip, queue, replace } overlap = Overlap::skip;
    enum class Catchup { none, latest, all } catchup = Catchup::latest;
    std::chrono::milliseconds catchup_window{3'600'000};
    // As `run` takes them.
    std::string inventory;
    std::string targets;
    bool replace_targets = false;
    KeyValues vars;
    bool paused = false;
    // RFC 3339: fires count from here (when it was added, or last resumed), so a new schedule
    // does not fire for the past and a paused one does not catch up its pause.
    std::string since;
};

const std::vector<std::string>& overlap_names();
const std::vector<std::string>& catchup_names();

// Every schedule, in file order; a missing file is none. nullopt when anything is wrong (the
// problems are in `diags`, each at its file:line:col).
std::optional<std::vector<ScheduleDef>> load_schedules(const std::filesystem::path& file,
                                                       Diagnostics& diags);
std::optional<std::vector<ScheduleDef>>
parse_schedules_text(const std::string& text, const std::string& name, Diagnostics& diags);
// The file's text for `defs`, which load_schedules reads back as they are.
std::string schedules_text(const std::vector<ScheduleDef>& defs);

// Letters, digits, '-', '_' and '.', 1 to 64 of them, not starting with '.' or '-'.
bool is_schedule_name(const std::string& name);

} // namespace leura::config
