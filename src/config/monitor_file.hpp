// SPDX-License-Identifier: Apache-2.0
#pragma once

// monitors/NAME.toml: a check run on a set of hosts every so often, and what happens on the
// failing host when it keeps failing (leura-monitor(1)).
#include "config/diagnostic.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace leura::config {

struct MonitorDef {
    std::string name; // the file's stem
    std::filesystem::path file;
    std::string inventory;
    std::string targets;
    // When rounds run: every (default 1m) or a cron expression in tz.
    std::string cron;
    std::chrono::milliseconds every{60'000};
    std::string tz = "UTC";
    SourcePos when_pos, tz_pos;
    // [check]: a command or a (multi-line) script, run by the host's sh: exit 0 OK, 1 WARN,
    // 2 or more (or the timeout) FAIL; unreachable its own result.
    std::string check_command;
    std::chrono::milliseconds check_timeout{10'000};
    // [trigger]: failing when `failures` of the last `window` results failed (k of N);
    // recovered after `recoveries` OKs in a row. Unreachable results are left out unless
    // `unreachable = "fail"`.
    int failures = 3;
    int window = 5;
    int recoveries = 2;
    bool unreachable_fails = false;
    // [flap]: a host whose result changed between OK and FAIL `changes` times within its last
    // `window` results is flapping: no reaction while it is.
    int flap_changes = 6;
    int flap_window = 10;
    // [reaction]: a task run on the failing host only.
    std::string reaction_task;
    SourcePos reaction_pos;
    std::chrono::milliseconds cooldown{600'000};
    int daily_cap = 3; // reactions per host in 24 hours
    int max_hosts = 1; // hosts under reaction at once, fleet-wide
    int breaker = 10;  // reactions per hour, fleet-wide, before the breaker trips
    // [escalation]: a task (a notify step) after `after` failed reactions in a row, or when the
    // breaker trips; again every `every` while the host stays failing.
    std::string escalation_task;
    int escalate_after = 2;
    std::chrono::milliseconds escalate_every{3'600'000};
    // [[mute]]: maintenance windows, RFC 3339 or YYYY-MM-DD HH:MM in tz; no reaction inside.
    struct Mute {
        std::string from, to;
        SourcePos pos;
    };
    std::vector<Mute> mutes;
};

std::optional<MonitorDef> load_monitor(const std::filesystem::path& file, Diagnostics& diags);

} // namespace leura::config
