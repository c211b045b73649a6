// SPDX-License-Identifier: Apache-2.0
#pragma once

// Five-field cron expressions (minute hour day-of-month month day-of-week), as Vixie cron and
// cronie read them: lists, ranges, steps, month and weekday names, 7 = Sunday, and the macros
// @hourly @daily @midnight @weekly @monthly @yearly @annually. No seconds field. When both
// day fields are restricted (neither starts with '*') a day matches either, as cron does.
#include "schedule/civil.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace leura::schedule {

class CronExpr {
public:
    // The expression, or a usage error naming the field and the 1-based column in `text`
    // (Error::pos.column) of what is wrong. An expression no date can match ("0 0 31 2 *")
    // is an error too.
    static Result<CronExpr> parse(const std::string& text);

    const std::string& text() const { return m_text; }
    // Both day fields restricted: they OR, which surprises people; callers warn.
    bool days_or() const { return !m_dom_star && !m_dow_star; }

    bool matches(const Civil& c) const;
    // The first wall-clock minute at or after `local_seconds` (rounded up to a minute) that
    // matches, searching up to 30 years ahead.
    std::optional<int64_t> next_match(int64_t local_seconds) const;

private:
    bool day_matches(int year, int month, int day) const;

    std::string m_text;
    uint64_t m_minutes = 0; // bit n: minute n
    uint32_t m_hours = 0;
    uint32_t m_doms = 0;   // bit n: day n (1..31)
    uint16_t m_months = 0; // bit n: month n (1..12)
    uint8_t m_dows = 0;    // bit n: weekday n (0 = Sunday)
    bool m_dom_star = false;
    bool m_dow_star = false;
};

} // namespace leura::schedule
