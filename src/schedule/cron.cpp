// SPDX-License-Identifier: Apache-2.0
#include "schedule/cron.hpp"
#include "util/strings.hpp"

#include <array>
#include <cctype>
#include <vector>

namespace leura::schedule {

namespace {

struct Field {
    const char* name;
    int min;
    int max;
    std::vector<std::string> names; // names[i] is the value min + i (empty: none)
};

const std::array<Field, 5> k_fields{{
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day of month", 1, 31, {}},
    {"month",
     1,
     12,
     {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
    // 7 is Sunday too, as in every cron.
    {"day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}};

std::unexpected<Error> field_error(const std::string& what, size_t column) {
    Error e(ErrorKind::usage, what);
    e.pos.column = int(column);
    return std::unexpected(std::move(e));
}

// One number or name of `f` at `pos` in `text`; advances `pos`.
Result<int> read_value(const Field& f, const std::string& text, size_t& pos) {
    const size_t start = pos;
    if (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        int v = 0;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
            v = v * 10 + (text[pos] - '0');
            if (v > 1000) break;
            ++pos;
        }
        if (v < f.min || v > f.max)
            return field_error(std::string(f.name) + " " + text.substr(start, pos - start) +
                                   " is out of range (" + std::to_string(f.min) + "-" +
                                   std::to_string(f.max) + ")",
                               start + 1);
        return v;
    }
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos])))
        ++pos;
    const std::string word = util::to_lower(text.substr(start, pos - start));
    for (size_t i = 0; i < f.names.size(); ++i)
        if (word == f.names[i]) return f.min + int(i);
    if (word.empty())
        return field_error(std::string("expected a number in the ") + f.name + " field" +
                               (start < text.size() ? ", found '" + text.substr(start, 1) + "'"
                                                    : ", found the end"),
                           start + 1);
    return field_error(
        "'" + word + "' is not a " + f.name +
            (f.names.empty() ? "" : " name (" + f.names.front() + ", " + f.names[1] + ", ...)"),
        start + 1);
}

// The set of `f`'s values `text` names; `offset` is where `text` starts in the expression.
Result<uint64_t> read_field(const Field& f, const std::string& text, size_t offset) {
    uint64_t bits = 0;
    size_t pos = 0;
    while (true) {
        const size_t item = pos;
        int lo = f.min, hi = f.max;
        bool range = false;
        if (pos < text.size() && text[pos] == '*') {
            ++pos;
            range = true;
        } else {
            auto a = read_value(f, text, pos);
            if (!a) {
                a.error().pos.column += int(offset);
                return std::unexpected(a.error());
            }
            lo = hi = *a;
            if (pos < text.size() && text[pos] == '-') {
                ++pos;
                auto b = read_value(f, text, pos);
                if (!b) {
                    b.error().pos.column += int(offset);
                    return std::unexpected(b.error());
                }
                hi = *b;
                range = true;
                if (hi < lo)
                    return field_error(std::string(f.name) + " range " +
                                           text.substr(item, pos - item) + " runs backwards",
                                       offset + item + 1);
            }
        }
        int step = 1;
        if (pos < text.size() && text[pos] == '/') {
            ++pos;
            const size_t s = pos;
            step = 0;
            while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) &&
                   step <= 1000)
                step = step * 10 + (text[pos++] - '0');
            if (pos == s || step == 0 || step > f.max)
                return field_error(std::string("the step in the ") + f.name +
                                       " field must be a number from 1 to " + std::to_string(f.max),
                                   offset + s + 1);
            if (!range) hi = f.max; // "5/15": from 5 to the end, as cronie reads it
        }
        for (int v = lo; v <= hi; v += step)
            bits |= uint64_t(1) << v;
        if (pos == text.size()) break;
        if (text[pos] != ',')
            return field_error(std::string("unexpected '") + text[pos] + "' in the " + f.name +
                                   " field",
                               offset + pos + 1);
        ++pos;
    }
    return bits;
}

std::string expand_macro(const std::string& text, bool& ok) {
    ok = true;
    const std::string t = util::to_lower(text);
    if (t == "@yearly" || t == "@annually") return "0 0 1 1 *";
    if (t == "@monthly") return "0 0 1 * *";
    if (t == "@weekly") return "0 0 * * 0";
    if (t == "@daily" || t == "@midnight") return "0 0 * * *";
    if (t == "@hourly") return "0 * * * *";
    ok = false;
    return text;
}

int lowest_bit_from(uint64_t bits, int from) {
    for (int v = from; v < 64; ++v)
        if (bits >> v & 1) return v;
    return -1;
}

} // namespace

Result<CronExpr> CronExpr::parse(const std::string& text) {
    CronExpr e;
    e.m_text = text;
    std::string body = std::string(util::trim(text));
    if (!body.empty() && body[0] == '@') {
        bool ok = false;
        body = expand_macro(body, ok);
        if (!ok)
            return field_error("unknown macro '" + body +
                                   "' (@hourly, @daily, @weekly, @monthly or @yearly; "
                                   "@reboot has no meaning for a schedule)",
                               1);
    }
    // The fields with the 0-based column each starts at in `text` (a macro's fields: 0).
    const bool macro = body != util::trim(text);
    const std::string& source = macro ? body : text;
    std::vector<std::pair<std::string, size_t>> fields;
    for (size_t pos = 0; pos < source.size();) {
        if (source[pos] == ' ' || source[pos] == '\t') {
            ++pos;
            continue;
        }
        size_t end = source.find_first_of(" \t", pos);
        if (end == source.npos) end = source.size();
        fields.emplace_back(source.substr(pos, end - pos), macro ? 0 : pos);
        pos = end;
    }
    if (fields.size() != 5)
        return field_error("a cron expression has 5 fields (minute hour day-of-month month "
                           "day-of-week), this one has " +
                               std::to_string(fields.size()),
                           1);
    uint64_t bits[5];
    for (size_t i = 0; i < 5; ++i) {
        auto b = read_field(k_fields[i], fields[i].first, fields[i].second);
        if (!b) return std::unexpected(b.error());
        bits[i] = *b;
    }
    e.m_minutes = bits[0];
    e.m_hours = uint32_t(bits[1]);
    e.m_doms = uint32_t(bits[2]);
    e.m_months = uint16_t(bits[3]);
    e.m_dows = uint8_t((bits[4] | (bits[4] >> 7)) & 0x7f); // 7 is Sunday
    e.m_dom_star = fields[2].first.starts_with("*");
    e.m_dow_star = fields[4].first.starts_with("*");
    // Never matching: only the day of month restricts the days, and no chosen month has one of
    // the chosen days (February has 29 in leap years).
    if (!e.days_or() && e.m_dow_star) {
        bool any = false;
        for (int m = 1; m <= 12 && !any; ++m)
            if (e.m_months >> m & 1)
                for (int d = 1; d <= (m == 2 ? 29 : days_in_month(2001, m)); ++d)
                    if (e.m_doms >> d & 1) any = true;
        if (!any)
            return field_error("'" + text + "' never matches: no chosen month has the chosen " +
                                   "day of month",
                               1);
    }
    return e;
}

bool CronExpr::day_matches(int year, int month, int day) const {
    const bool dom = m_doms >> day & 1;
    const bool dow = m_dows >> weekday_of_days(days_from_civil(year, month, day)) & 1;
    if (m_dom_star || m_dow_star) return dom && dow;
    return dom || dow;
}

bool CronExpr::matches(const Civil& c) const {
    return (m_months >> c.month & 1) && day_matches(c.year, c.month, c.day) &&
           (m_hours >> c.hour & 1) && (m_minutes >> c.minute & 1);
}

std::optional<int64_t> CronExpr::next_match(int64_t local_seconds) const {
    int64_t t = local_seconds;
    if (int64_t r = ((t % 60) + 60) % 60; r != 0) t += 60 - r;
    Civil c = civil_from_seconds(t);
    const int last_year = c.year + 30;
    while (c.year <= last_year) {
        if (!(m_months >> c.month & 1)) {
            c = Civil{c.month == 12 ? c.year + 1 : c.year, c.month == 12 ? 1 : c.month + 1, 1};
            continue;
        }
        if (!day_matches(c.year, c.month, c.day)) {
            c = civil_from_seconds((days_from_civil(c.year, c.month, c.day) + 1) * 86400);
            continue;
        }
        if (int h = lowest_bit_from(m_hours, c.hour); h != c.hour) {
            if (h < 0) {
                c = civil_from_seconds((days_from_civil(c.year, c.month, c.day) + 1) * 86400);
            } else {
                c.hour = h;
                c.minute = 0;
            }
            continue;
        }
        int m = lowest_bit_from(m_minutes, c.minute);
        if (m < 0) {
            c = civil_from_seconds(seconds_from_civil(Civil{c.year, c.month, c.day, c.hour}) +
                                   3600);
            continue;
        }
        c.minute = m;
        c.second = 0;
        return seconds_from_civil(c);
    }
    return std::nullopt;
}

} // namespace leura::schedule
