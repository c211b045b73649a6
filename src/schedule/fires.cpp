// SPDX-License-Identifier: Apache-2.0
#include "schedule/fires.hpp"
#include "schedule/civil.hpp"

#include <algorithm>
#include <cstdio>

namespace leura::schedule {

namespace {

int64_t floor_minute(int64_t t) {
    return t - (((t % 60) + 60) % 60);
}

std::optional<Fire> next_cron_fire(const CronExpr& cron, const Zone& zone, int64_t after) {
    // A wall-clock time in a gap maps to an instant up to the gap later than it, so the
    // search starts at the earlier of the two clocks around `after`.
    const int64_t from = after + std::min(zone.offset_at(after), zone.offset_at(after - 172800));
    int64_t local = floor_minute(from);
    for (int guard = 0; guard < 1'000'000; ++guard) {
        auto l = cron.next_match(local);
        if (!l) return std::nullopt;
        const LocalMapping m = zone.to_utc(*l);
        if (m.utc <= after) {
            local = *l + 60;
            continue;
        }
        Fire best{m.utc, m.kind == LocalMapping::Kind::skipped ? m.shift : 0};
        // A shifted fire can be later than a real time just after the gap: keep the earliest,
        // and call it shifted only when no real matching time is that instant.
        if (const int64_t gap = best.shift; gap > 0)
            for (int64_t next = *l + 60;;) {
                auto l2 = cron.next_match(next);
                if (!l2 || *l2 > *l + gap) break;
                const LocalMapping m2 = zone.to_utc(*l2);
                const int64_t shift2 = m2.kind == LocalMapping::Kind::skipped ? m2.shift : 0;
                if (m2.utc > after && (m2.utc < best.utc || (m2.utc == best.utc && !shift2)))
                    best = {m2.utc, shift2};
                next = *l2 + 60;
            }
        return best;
    }
    return std::nullopt;
}

} // namespace

std::optional<Fire> next_fire(const Spec& spec, int64_t after) {
    switch (spec.kind) {
    case Spec::Kind::every: {
        if (spec.every <= 0) return std::nullopt;
        const int64_t k =
            after >= 0 ? after / spec.every : -((-after + spec.every - 1) / spec.every);
        return Fire{(k + 1) * spec.every, 0};
    }
    case Spec::Kind::at:
        if (spec.at > after) return Fire{spec.at, 0};
        return std::nullopt;
    case Spec::Kind::cron:
        if (!spec.cron) return std::nullopt;
        return next_cron_fire(*spec.cron, spec.zone, after);
    }
    return std::nullopt;
}

std::vector<Fire> next_fires(const Spec& spec, int64_t after, size_t count) {
    std::vector<Fire> out;
    while (out.size() < count) {
        auto f = next_fire(spec, after);
        if (!f) break;
        out.push_back(*f);
        after = f->utc;
    }
    return out;
}

Result<LocalMapping> parse_local_time(const std::string& text, const Zone& zone) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, used = 0;
    char sep = 0;
    const int n =
        std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &used);
    if (n < 6 || (sep != ' ' && sep != 'T' && sep != 't'))
        return fail(ErrorKind::usage, "'" + text + "' is not a time (YYYY-MM-DD HH:MM, in the " +
                                          "schedule's zone, or RFC 3339 with Z or an offset)");
    std::string rest = text.substr(size_t(used));
    if (rest.size() >= 3 && rest[0] == ':') {
        int more = 0;
        if (std::sscanf(rest.c_str(), ":%2d%n", &s, &more) == 1) rest = rest.substr(size_t(more));
    }
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59 ||
        y < 1970)
        return fail(ErrorKind::usage, "'" + text + "' is not a valid date and time");
    const int64_t local = seconds_from_civil(Civil{y, mo, d, h, mi, s});
    if (rest.empty()) return zone.to_utc(local);
    if (rest == "Z" || rest == "z") return LocalMapping{local, LocalMapping::Kind::exact, 0};
    int oh = 0, om = 0;
    char sign = 0;
    if (std::sscanf(rest.c_str(), "%c%2d:%2d", &sign, &oh, &om) == 3 &&
        (sign == '+' || sign == '-') && rest.size() == 6 && oh <= 23 && om <= 59) {
        const int64_t off = (oh * 3600 + om * 60) * (sign == '-' ? -1 : 1);
        return LocalMapping{local - off, LocalMapping::Kind::exact, 0};
    }
    return fail(ErrorKind::usage, "'" + text + "' is not a time: unexpected '" + rest + "'");
}

} // namespace leura::schedule
