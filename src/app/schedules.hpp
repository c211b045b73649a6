// SPDX-License-Identifier: Apache-2.0
#pragma once

// The schedules file as the tick and `leura schedule` use it: where it lives, each schedule
// checked and compiled (expression, zone, task), saved back atomically.
#include "app/context.hpp"
#include "config/diagnostic.hpp"
#include "config/schedule_file.hpp"
#include "util/error.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace leura::schedule {
struct Spec;
}

namespace leura::app {

struct Schedule {
    config::ScheduleDef def;
    std::shared_ptr<const schedule::Spec> spec;
    std::optional<int64_t> since; // Unix seconds of def.since
    bool days_or = false;         // a cron expression whose two day fields OR (worth a warning)
};

// $XDG_CONFIG_HOME/leura/schedules.toml; on a shared controller, the data dir's.
std::filesystem::path schedules_path(const Context& ctx);

// Every schedule in the file, each checked: its expression or time, its zone, and that its
// task exists. nullopt with the problems in `diags`, each at the file:line:col of the value.
std::optional<std::vector<Schedule>> load_schedules(const Context& ctx, config::Diagnostics& diags);
// When something fires: `cron`, else `every`, else `at`, in zone `tz`. Errors (usage, not_found
// for a zone) at `when_pos` or `tz_pos`, a cron error at its column within the value. Schedules
// and monitors both come here.
Result<std::shared_ptr<const schedule::Spec>>
fire_spec(const std::string& cron, std::chrono::milliseconds every, const std::string& at,
          const std::string& tz, const SourcePos& when_pos, const SourcePos& tz_pos);

// One definition compiled; errors (usage, not_found for a zone) at the value's position.
// `check_task`: also that its task exists (not for `schedule next --cron`).
Result<Schedule> compile_schedule(const Context& ctx, const config::ScheduleDef& def,
                                  bool check_task = true);

// A fire as people read it: in the schedule's zone with its abbreviation, and in UTC.
struct FireView {
    int64_t utc = 0;
    int64_t shift = 0;    // > 0: moved on by this many seconds (its wall-clock time did not exist)
    std::string local;    // "2026-12-07 02:30 CET"
    std::string utc_text; // "2026-12-07 01:30 UTC"
    std::string rfc3339;  // "2026-12-07T01:30:00Z"
    std::string shifted_from; // "02:30" when shifted
};
FireView view_fire(const Schedule& s, int64_t utc, int64_t shift);
// The next `count` fires strictly after `after`.
std::vector<FireView> upcoming_fires(const Schedule& s, int64_t after, size_t count);
// A time given on the command line: RFC 3339 with Z or an offset, "YYYY-MM-DD HH:MM[:SS]" in
// `s`'s zone (UTC when no schedule), or "@SECONDS" since the epoch. Errors: usage.
Result<int64_t> parse_command_time(const std::string& text, const Schedule* s);

// Reads, changes and writes the file under a lock, so two `schedule add`s never lose one.
// `change` gets the definitions as they are and edits them; its error aborts the edit.
Status edit_schedules(const Context& ctx,
                      const std::function<Status(std::vector<config::ScheduleDef>&)>& change);

// The delay a fire gets: the same for the same (schedule, instant), below `jitter_seconds`.
int64_t jitter_for(const std::string& name, int64_t scheduled_at, int64_t jitter_seconds);

// "cron 30 2 * * *", "every 5m", "at 2026-12-24T18:00:00Z": how lists show when it fires.
std::string schedule_when_text(const config::ScheduleDef& def);
// A started fire whose run is not in the records: "starting" while its process lives;
// otherwise it ended before recording anything (its stderr went to schedule.log).
std::string unrecorded_fire(const store::FireRecord& fire);
// The latest fire's outcome ("started ok RUN", "skipped_overlap"), "-" when none or no store.
std::string last_fire_result(store::Store* store, const std::string& schedule);
// One schedule as `schedule list --json` and GET /v1/schedules show it: `compiled` null when it
// has a problem (said in `problem`); `next` from `now`.
std::string schedule_json(const config::ScheduleDef& def, const Schedule* compiled,
                          const std::string& problem, store::Store* store, int64_t now);

} // namespace leura::app
