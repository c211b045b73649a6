// SPDX-License-Identifier: Apache-2.0
#pragma once

// Proleptic Gregorian calendar arithmetic on plain integers: no time zone, no libc (mktime and
// localtime read TZ and reuse tm_isdst, the classic source of cron's DST bugs). A "local
// second" is a count of seconds since 1970-01-01 00:00 on a wall clock, zone not applied.
#include <cstdint>
#include <string>

namespace leura::schedule {

struct Civil {
    int year = 1970;
    int month = 1; // 1..12
    int day = 1;   // 1..31
    int hour = 0;
    int minute = 0;
    int second = 0;
};

int64_t days_from_civil(int year, int month, int day);
Civil civil_from_seconds(int64_t seconds);
int64_t seconds_from_civil(const Civil& c);
// 0 = Sunday .. 6 = Saturday, of a day count since 1970-01-01 (a Thursday).
int weekday_of_days(int64_t days);
bool is_leap(int year);
int days_in_month(int year, int month);

// "2026-12-06 22:30" (seconds shown only when not zero).
std::string format_civil(const Civil& c);

} // namespace leura::schedule
