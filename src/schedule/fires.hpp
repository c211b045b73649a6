// SPDX-License-Identifier: Apache-2.0
#pragma once

// When a schedule fires. The policy, the same for `next`, `tick` and `history`:
// - a fire is a UTC instant whose wall-clock time in the schedule's zone matches;
// - a wall-clock time that happens twice (clocks go back) fires once, the first time;
// - a wall-clock time that never happens (clocks go forward) fires shifted on by the gap (a
//   02:30 job runs at 03:30 that day), and the fire says it was shifted; when the shifted
//   instant is also a matching time, it fires once;
// - `every D` fires at the multiples of D since the Unix epoch, in UTC: no zone applies;
// - `at` fires once.
#include "schedule/cron.hpp"
#include "schedule/zone.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace leura::schedule {

struct Spec {
    enum class Kind { cron, every, at } kind = Kind::cron;
    std::optional<CronExpr> cron;
    int64_t every = 0; // seconds, at least 60
    int64_t at = 0;    // a UTC instant
    Zone zone = Zone::utc();
};

struct Fire {
    int64_t utc = 0;
    int64_t shift = 0; // > 0: the matching wall-clock time did not exist; moved on by this
};

// The first fire strictly after `after`.
std::optional<Fire> next_fire(const Spec& spec, int64_t after);
// Up to `count` fires strictly after `after`.
std::vector<Fire> next_fires(const Spec& spec, int64_t after, size_t count);

// "2026-12-24 18:00" or "2026-12-24T18:00[:SS]" as a wall-clock time in `zone`, mapped by the
// policy above; an RFC 3339 time with Z or an offset is that instant.
Result<LocalMapping> parse_local_time(const std::string& text, const Zone& zone);

} // namespace leura::schedule
