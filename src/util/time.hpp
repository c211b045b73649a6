// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace leura::util {

using SystemTime = std::chrono::system_clock::time_point;

// "2026-11-22T03:15:02.123Z": sorts as text in time order.
std::string rfc3339(SystemTime t);
std::optional<SystemTime> parse_rfc3339(const std::string& text);
// Whole seconds since the Unix epoch, and back (schedules and monitors keep instants so).
int64_t unix_seconds(SystemTime t);
SystemTime from_unix(int64_t seconds);

// rfc3339 of the current time, for records and events.
std::string now_rfc3339();

// A recorded time for people: "2026-11-22 03:15:02 UTC", or with `local` in the machine's zone
// (TZ, /etc/localtime) with its abbreviation: "2026-11-22 04:15:02 CET". The zone is always
// named. Text that is not rfc3339 comes back as it is.
std::string display_time(const std::string& rfc3339_text, bool local);

// "20261122-031502-7f3a": sortable, short, with 16 random bits against same-second collisions;
// never the same id twice from one process in one second.
std::string new_run_id(SystemTime t);

} // namespace leura::util
