// SPDX-License-Identifier: Apache-2.0
#pragma once

// IANA time zones read from the compiled tz database ($TZDIR, else /usr/share/zoneinfo): the
// TZif transitions, and past the last one the POSIX rule in the file's footer. No process-wide
// TZ is set or read, so zones can be used side by side and from any thread.
#include "util/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace leura::schedule {

// How a wall-clock time maps to an instant in a zone.
struct LocalMapping {
    int64_t utc = 0;
    enum class Kind {
        exact,    // the local time happens once
        repeated, // it happens twice (clocks went back): `utc` is the first time
        skipped,  // it never happens (clocks went forward): `utc` is shifted on by the gap
    } kind = Kind::exact;
    int64_t shift = 0; // for skipped: by how many seconds the fire moves later
};

class Zone {
public:
    // "UTC" (and "Etc/UTC") is built in; any other name is read from the database. Errors:
    // usage for a name that cannot be a zone, not_found for one the database lacks (never a
    // silent fallback to UTC), config for a file that is not TZif.
    static Result<Zone> load(const std::string& name);
    static Zone utc();

    const std::string& name() const { return m_name; }
    int offset_at(int64_t utc) const; // seconds east of UTC
    std::string abbreviation_at(int64_t utc) const;
    LocalMapping to_utc(int64_t local_seconds) const;

    // Parses TZif bytes (exposed for the tests and the fuzz target).
    static Result<Zone> from_tzif(const std::string& name, const std::string& bytes);

    struct Type {
        int32_t offset = 0;
        bool dst = false;
        std::string abbreviation;
    };
    // The POSIX TZ rule of a footer ("CET-1CEST,M3.5.0,M10.5.0/3").
    struct Rule {
        Type standard;
        std::optional<Type> daylight;
        struct When {
            char kind = 'M'; // 'J' (1..365, no Feb 29), 'D' (0..365), 'M' (month.week.day)
            int day = 0, week = 0, month = 0;
            int32_t time = 7200; // seconds after local midnight
        } start, end;
    };

private:
    const Type& type_at(int64_t utc) const;

    std::string m_name;
    std::vector<int64_t> m_transitions;
    std::vector<uint8_t> m_type_index;
    std::vector<Type> m_types;
    std::optional<Rule> m_rule;
};

} // namespace leura::schedule
