// SPDX-License-Identifier: Apache-2.0
// The calendar's parsers on any bytes. First byte even: the rest is a cron expression; when it
// parses, its next fires in UTC increase strictly and each one matches it. Odd: the rest is a
// TZif file (the zone database's format); when it loads, offsets stay within ±26 h and a
// wall-clock time that maps exactly maps back to itself.
#include "schedule/civil.hpp"
#include "schedule/cron.hpp"
#include "schedule/fires.hpp"
#include "schedule/zone.hpp"

#include <cstdlib>
#include <string>

using namespace leura::schedule;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] % 2 == 0) {
        auto cron = CronExpr::parse(rest);
        if (!cron) return 0;
        Spec s;
        s.cron = *cron;
        int64_t after = int64_t(data[0]) * 86400 * 97 + 1'700'000'000;
        for (const Fire& f : next_fires(s, after, 8)) {
            if (f.utc <= after || !cron->matches(civil_from_seconds(f.utc)) || f.shift != 0)
                std::abort();
            after = f.utc;
        }
        return 0;
    }
    auto zone = Zone::from_tzif("fuzz", rest);
    if (!zone) return 0;
    for (int64_t t : {int64_t(-2'000'000'000), int64_t(0), int64_t(1'700'000'000),
                      int64_t(4'000'000'000), int64_t(1) << 40}) {
        const int off = zone->offset_at(t);
        if (off < -26 * 3600 || off > 26 * 3600) std::abort();
        const LocalMapping m = zone->to_utc(t);
        if (m.kind != LocalMapping::Kind::skipped && m.utc + zone->offset_at(m.utc) != t)
            std::abort();
        (void)zone->abbreviation_at(t);
    }
    return 0;
}
