// SPDX-License-Identifier: Apache-2.0
// TZif as RFC 8536 describes it: version 1 data (32-bit times) then, for version 2 and later, the
// same with 64-bit times and a footer holding a POSIX TZ rule for times after the last
// transition. Only the 64-bit data is used when present.
#include "schedule/zone.hpp"
#include "schedule/civil.hpp"
#include "util/read_file.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace leura::schedule {

namespace {

uint32_t be32(const std::string& b, size_t at) {
    return uint32_t(uint8_t(b[at])) << 24 | uint32_t(uint8_t(b[at + 1])) << 16 |
           uint32_t(uint8_t(b[at + 2])) << 8 | uint32_t(uint8_t(b[at + 3]));
}

int64_t be64(const std::string& b, size_t at) {
    return int64_t(uint64_t(be32(b, at)) << 32 | be32(b, at + 4));
}

bool valid_zone_name(const std::string& name) {
    if (name.empty() || name.size() > 255 || name.front() == '/' || name.back() == '/')
        return false;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '+' &&
            c != '/')
            return false;
    for (size_t at = 0; at <= name.size();) {
        size_t slash = name.find('/', at);
        if (slash == name.npos) slash = name.size();
        std::string part = name.substr(at, slash - at);
        if (part.empty() || part == "." || part == "..") return false;
        at = slash + 1;
    }
    return true;
}

// A small reader of POSIX TZ strings ("EST5EDT,M3.2.0,M11.1.0").
class RuleReader {
public:
    explicit RuleReader(const std::string& s) : m_s(s) {}

    std::optional<Zone::Rule> read() {
        Zone::Rule r;
        auto std_name = name();
        auto std_off = offset();
        if (!std_name || !std_off) return std::nullopt;
        if (!within_a_day(-*std_off)) return std::nullopt;
        r.standard = {int32_t(-*std_off), false, *std_name};
        if (m_at == m_s.size()) return r;
        auto dst_name = name();
        if (!dst_name) return std::nullopt;
        Zone::Type dst{r.standard.offset + 3600, true, *dst_name};
        if (m_at < m_s.size() && m_s[m_at] != ',') {
            auto off = offset();
            if (!off) return std::nullopt;
            dst.offset = int32_t(-*off);
        }
        r.daylight = dst;
        if (!within_a_day(r.standard.offset) || !within_a_day(dst.offset)) return std::nullopt;
        if (m_at == m_s.size()) { // the US rules, as POSIX leaves the default to the system
            r.start = {'M', 0, 2, 3, 7200};
            r.end = {'M', 0, 1, 11, 7200};
            return r;
        }
        if (m_s[m_at++] != ',') return std::nullopt;
        auto a = when();
        if (!a || m_at >= m_s.size() || m_s[m_at++] != ',') return std::nullopt;
        auto b = when();
        if (!b || m_at != m_s.size()) return std::nullopt;
        r.start = *a;
        r.end = *b;
        return r;
    }

private:
    // The same bound the TZif types are held to: the zone code relies on it.
    static bool within_a_day(int64_t offset) { return offset >= -26 * 3600 && offset <= 26 * 3600; }

    std::optional<std::string> name() {
        size_t start = m_at;
        if (m_at < m_s.size() && m_s[m_at] == '<') {
            size_t close = m_s.find('>', m_at);
            if (close == m_s.npos) return std::nullopt;
            m_at = close + 1;
            return m_s.substr(start + 1, close - start - 1);
        }
        while (m_at < m_s.size() && std::isalpha(static_cast<unsigned char>(m_s[m_at])))
            ++m_at;
        if (m_at - start < 3) return std::nullopt;
        return m_s.substr(start, m_at - start);
    }

    std::optional<int> number() {
        size_t start = m_at;
        int v = 0;
        while (m_at < m_s.size() && std::isdigit(static_cast<unsigned char>(m_s[m_at])) &&
               m_at - start < 3)
            v = v * 10 + (m_s[m_at++] - '0');
        if (m_at == start) return std::nullopt;
        return v;
    }

    // [+-]hh[:mm[:ss]] in seconds.
    std::optional<int64_t> offset() {
        int sign = 1;
        if (m_at < m_s.size() && (m_s[m_at] == '+' || m_s[m_at] == '-'))
            sign = m_s[m_at++] == '-' ? -1 : 1;
        auto h = number();
        if (!h) return std::nullopt;
        int64_t secs = int64_t(*h) * 3600;
        for (int mult : {60, 1}) {
            if (m_at >= m_s.size() || m_s[m_at] != ':') break;
            ++m_at;
            auto part = number();
            if (!part) return std::nullopt;
            secs += int64_t(*part) * mult;
        }
        return sign * secs;
    }

    std::optional<Zone::Rule::When> when() {
        Zone::Rule::When w;
        if (m_at >= m_s.size()) return std::nullopt;
        if (m_s[m_at] == 'M') {
            ++m_at;
            auto m = number();
            if (!m || m_at >= m_s.size() || m_s[m_at++] != '.') return std::nullopt;
            auto wk = number();
            if (!wk || m_at >= m_s.size() || m_s[m_at++] != '.') return std::nullopt;
            auto d = number();
            if (!d || *m < 1 || *m > 12 || *wk < 1 || *wk > 5 || *d > 6) return std::nullopt;
            w = {'M', *d, *wk, *m, 7200};
        } else {
            char kind = 'D';
            if (m_s[m_at] == 'J') {
                kind = 'J';
                ++m_at;
            }
            auto n = number();
            if (!n || *n > 365 || (kind == 'J' && *n < 1)) return std::nullopt;
            w = {kind, *n, 0, 0, 7200};
        }
        if (m_at < m_s.size() && m_s[m_at] == '/') {
            ++m_at;
            auto t = offset(); // a time of day; version 3 allows -167..167 hours
            if (!t) return std::nullopt;
            w.time = int32_t(*t);
        }
        return w;
    }

    const std::string& m_s;
    size_t m_at = 0;
};

// Local seconds (in the clock that applies before it) at which `w` happens in `year`.
int64_t rule_local_time(const Zone::Rule::When& w, int year) {
    int64_t day = 0;
    if (w.kind == 'J') {
        day = days_from_civil(year, 1, 1) + w.day - 1 + (is_leap(year) && w.day >= 60 ? 1 : 0);
    } else if (w.kind == 'D') {
        day = days_from_civil(year, 1, 1) + w.day;
    } else {
        const int64_t first = days_from_civil(year, w.month, 1);
        day = first + (w.day - weekday_of_days(first) + 7) % 7 + (w.week - 1) * 7;
        const int64_t last = first + days_in_month(year, w.month) - 1;
        while (day > last)
            day -= 7;
    }
    return day * 86400 + w.time;
}

} // namespace

Zone Zone::utc() {
    Zone z;
    z.m_name = "UTC";
    z.m_types.push_back({0, false, "UTC"});
    return z;
}

Result<Zone> Zone::load(const std::string& name) {
    if (name == "UTC" || name == "Etc/UTC" || name == "Z") return utc();
    if (!valid_zone_name(name))
        return fail(ErrorKind::usage, "'" + name + "' is not a time zone name (an IANA name such " +
                                          "as Europe/Berlin or America/New_York)");
    const char* env = std::getenv("TZDIR");
    const std::string dir = env && *env ? env : "/usr/share/zoneinfo";
    auto bytes = util::read_file(dir + "/" + name);
    if (!bytes)
        return fail(ErrorKind::not_found, "unknown time zone '" + name + "' (no " + dir + "/" +
                                              name + "; names are IANA's, such as Europe/Berlin)");
    return from_tzif(name, *bytes);
}

Result<Zone> Zone::from_tzif(const std::string& name, const std::string& b) {
    auto bad = [&name](const std::string& why) {
        return fail(ErrorKind::config, "time zone '" + name + "': not a TZif file (" + why + ")");
    };
    if (b.size() < 44 || b.compare(0, 4, "TZif") != 0) return bad("no TZif header");
    auto counts = [&b](size_t from, uint32_t n[6]) {
        for (int i = 0; i < 6; ++i)
            n[i] = be32(b, from + 20 + 4 * size_t(i));
    };
    uint32_t c[6]; // isutcnt isstdcnt leapcnt timecnt typecnt charcnt
    counts(0, c);
    auto block_size = [](const uint32_t n[6], size_t time_size) {
        return size_t(n[3]) * time_size + n[3] + size_t(n[4]) * 6 + n[5] +
               size_t(n[2]) * (time_size + 4) + n[1] + n[0];
    };
    size_t at = 44;
    size_t time_size = 4;
    if (b[4] >= '2') {
        at += block_size(c, 4);
        if (b.size() < at + 44 || b.compare(at, 4, "TZif") != 0) return bad("no second header");
        counts(at, c);
        at += 44;
        time_size = 8;
    }
    if (c[3] > 100000 || c[4] == 0 || c[4] > 256 || c[5] > 10000 || c[2] > 100000 ||
        b.size() < at + block_size(c, time_size))
        return bad("truncated");
    Zone z;
    z.m_name = name;
    for (uint32_t i = 0; i < c[3]; ++i)
        z.m_transitions.push_back(time_size == 8 ? be64(b, at + i * 8)
                                                 : int64_t(int32_t(be32(b, at + i * 4))));
    at += size_t(c[3]) * time_size;
    for (uint32_t i = 0; i < c[3]; ++i) {
        uint8_t idx = uint8_t(b[at + i]);
        if (idx >= c[4]) return bad("a transition names a missing type");
        z.m_type_index.push_back(idx);
    }
    at += c[3];
    const size_t chars = at + size_t(c[4]) * 6;
    for (uint32_t i = 0; i < c[4]; ++i) {
        Type t;
        t.offset = int32_t(be32(b, at + i * 6));
        t.dst = b[at + i * 6 + 4] != 0;
        const size_t abbr = uint8_t(b[at + i * 6 + 5]);
        if (abbr < c[5]) {
            const size_t from = chars + abbr;
            const size_t nul = b.find('\0', from);
            t.abbreviation = b.substr(from, std::min(nul, chars + c[5]) - from);
        }
        if (t.offset < -26 * 3600 || t.offset > 26 * 3600) return bad("an offset out of range");
        z.m_types.push_back(std::move(t));
    }
    at += block_size(c, time_size) - size_t(c[3]) * (time_size + 1);
    if (!std::is_sorted(z.m_transitions.begin(), z.m_transitions.end()))
        return bad("transitions out of order");
    if (time_size == 8 && at < b.size() && b[at] == '\n') {
        const size_t end = b.find('\n', at + 1);
        if (end != b.npos && end > at + 1) {
            const std::string footer = b.substr(at + 1, end - at - 1);
            z.m_rule = RuleReader(footer).read();
            if (!z.m_rule) return bad("its rule '" + footer + "' cannot be read");
        }
    }
    return z;
}

const Zone::Type& Zone::type_at(int64_t utc) const {
    if (m_rule && (m_transitions.empty() || utc >= m_transitions.back())) {
        const Rule& r = *m_rule;
        if (!r.daylight) return r.standard;
        const int year = civil_from_seconds(utc + r.standard.offset).year;
        const int64_t start = rule_local_time(r.start, year) - r.standard.offset;
        const int64_t end = rule_local_time(r.end, year) - r.daylight->offset;
        const bool dst = start < end ? (utc >= start && utc < end) : !(utc >= end && utc < start);
        return dst ? *r.daylight : r.standard;
    }
    auto it = std::upper_bound(m_transitions.begin(), m_transitions.end(), utc);
    if (it == m_transitions.begin()) return m_types.front();
    return m_types[m_type_index[size_t(it - m_transitions.begin()) - 1]];
}

int Zone::offset_at(int64_t utc) const {
    return type_at(utc).offset;
}

std::string Zone::abbreviation_at(int64_t utc) const {
    return type_at(utc).abbreviation;
}

LocalMapping Zone::to_utc(int64_t local) const {
    // Every offset is within ±26 h, so the instants that could show `local` lie within a day
    // and a bit of it: the offsets in force at either end, and where they lead, are the
    // candidates (zones never change their offset twice within two days).
    const int64_t span = 26 * 3600;
    const int before = offset_at(local - span);
    const int after = offset_at(local + span);
    int candidates[4] = {before, after, offset_at(local - before), offset_at(local - after)};
    std::optional<int64_t> first, second;
    for (int off : candidates) {
        const int64_t t = local - off;
        if (offset_at(t) != off) continue;
        if (!first || t < *first) {
            if (first && *first != t) second = first;
            first = t;
        } else if (t != *first) {
            second = t;
        }
    }
    if (first) return {*first, second ? LocalMapping::Kind::repeated : LocalMapping::Kind::exact};
    // In a gap: the instant the clock before the change would have shown, which the new clock
    // shows as `local` plus the gap.
    return {local - before, LocalMapping::Kind::skipped, int64_t(after) - before};
}

} // namespace leura::schedule
