// SPDX-License-Identifier: Apache-2.0
// The calendar: cron parsing, zones from the system's tz database, and the DST policy of
// src/schedule/fires.hpp as golden tables (tests/schedule/oracle.py compares the rest against
// croniter and systemd-analyze).
#include "schedule/civil.hpp"
#include "schedule/cron.hpp"
#include "schedule/fires.hpp"
#include "schedule/zone.hpp"
#include "util/read_file.hpp"

#include <gtest/gtest.h>

using namespace leura::schedule;

namespace {

int64_t utc(const char* text) {
    auto m = parse_local_time(text, Zone::utc());
    EXPECT_TRUE(m.has_value()) << text;
    return m ? m->utc : 0;
}

std::string iso(int64_t t) {
    Civil c = civil_from_seconds(t);
    c.second = 0;
    return format_civil(c) + "Z";
}

Spec cron_in(const std::string& expr, const std::string& zone) {
    Spec s;
    auto c = CronExpr::parse(expr);
    EXPECT_TRUE(c.has_value()) << expr << ": " << (c ? "" : c.error().message);
    s.cron = *c;
    auto z = Zone::load(zone);
    EXPECT_TRUE(z.has_value()) << zone;
    s.zone = *z;
    return s;
}

// The next `n` fires as "instant[+shift]" strings.
std::vector<std::string> fires(const Spec& s, const char* after, size_t n) {
    std::vector<std::string> out;
    for (const Fire& f : next_fires(s, utc(after), n))
        out.push_back(iso(f.utc) +
                      (f.shift ? " shifted " + std::to_string(f.shift / 60) + "m" : ""));
    return out;
}

} // namespace

TEST(Civil, RoundTripsAndWeekdays) {
    for (int64_t t : {int64_t(0), int64_t(951782400), int64_t(-86400), int64_t(4102444800)})
        EXPECT_EQ(seconds_from_civil(civil_from_seconds(t)), t);
    EXPECT_EQ(weekday_of_days(days_from_civil(2026, 12, 6)), 0); // a Sunday
    EXPECT_EQ(days_in_month(2028, 2), 29);
    EXPECT_EQ(days_in_month(2100, 2), 28);
}

TEST(Cron, ParsesFieldsNamesAndMacros) {
    auto e = CronExpr::parse("*/15 9-17 * jan,JUL mon-fri");
    ASSERT_TRUE(e.has_value());
    EXPECT_TRUE(e->matches(Civil{2026, 7, 6, 9, 45}));  // a Monday
    EXPECT_FALSE(e->matches(Civil{2026, 7, 5, 9, 45})); // a Sunday
    EXPECT_FALSE(e->matches(Civil{2026, 8, 3, 9, 45})); // August
    EXPECT_FALSE(e->matches(Civil{2026, 7, 6, 18, 0}));
    auto d = CronExpr::parse("@daily");
    ASSERT_TRUE(d.has_value());
    EXPECT_TRUE(d->matches(Civil{2026, 1, 2, 0, 0}));
    auto sunday7 = CronExpr::parse("0 0 * * 7");
    ASSERT_TRUE(sunday7.has_value());
    EXPECT_TRUE(sunday7->matches(Civil{2026, 12, 6, 0, 0}));
    auto from5 = CronExpr::parse("5/20 * * * *");
    ASSERT_TRUE(from5.has_value());
    EXPECT_TRUE(from5->matches(Civil{2026, 1, 1, 3, 45}));
    EXPECT_FALSE(from5->matches(Civil{2026, 1, 1, 3, 40}));
}

TEST(Cron, DayFieldsOrOnlyWhenBothRestricted) {
    auto both = CronExpr::parse("0 0 13 * fri");
    ASSERT_TRUE(both.has_value());
    EXPECT_TRUE(both->days_or());
    EXPECT_TRUE(both->matches(Civil{2026, 12, 4, 0, 0}));  // a Friday, not the 13th
    EXPECT_TRUE(both->matches(Civil{2026, 12, 13, 0, 0})); // the 13th, a Sunday
    auto star = CronExpr::parse("0 0 */2 * fri");
    ASSERT_TRUE(star.has_value());
    EXPECT_FALSE(star->days_or()); // a field starting with '*' is unrestricted, as in cronie
    EXPECT_FALSE(star->matches(Civil{2026, 12, 13, 0, 0}));
}

TEST(Cron, ErrorsNameTheColumn) {
    struct Case {
        const char* text;
        int column;
        const char* says;
    } cases[] = {
        {"61 * * * *", 1, "out of range"},        {"* 24 * * *", 3, "out of range"},
        {"* * * foo *", 7, "not a month"},        {"* * * * * *", 1, "5 fields"},
        {"5-1 * * * *", 1, "backwards"},          {"*/0 * * * *", 3, "step"},
        {"0 0 31 2 *", 1, "never matches"},       {"@reboot", 1, "@reboot"},
        {"1,,2 * * * *", 3, "expected a number"},
    };
    for (const auto& c : cases) {
        auto e = CronExpr::parse(c.text);
        ASSERT_FALSE(e.has_value()) << c.text;
        EXPECT_EQ(e.error().pos.column, c.column) << c.text << ": " << e.error().message;
        EXPECT_NE(e.error().message.find(c.says), std::string::npos) << e.error().message;
    }
    EXPECT_TRUE(CronExpr::parse("0 0 29 2 *").has_value());   // leap days exist
    EXPECT_TRUE(CronExpr::parse("0 0 31 2 mon").has_value()); // ORs with Mondays
}

TEST(Cron, LeapDayIsFoundYearsAhead) {
    Spec s = cron_in("0 12 29 2 *", "UTC");
    EXPECT_EQ(fires(s, "2026-12-06 00:00Z", 2),
              (std::vector<std::string>{"2028-02-29 12:00Z", "2032-02-29 12:00Z"}));
}

TEST(Zone, UnknownZonesAreErrorsNeverUtc) {
    auto z = Zone::load("Mars/Olympus_Mons");
    ASSERT_FALSE(z.has_value());
    EXPECT_EQ(z.error().kind, leura::ErrorKind::not_found);
    EXPECT_FALSE(Zone::load("../../etc/passwd").has_value());
    EXPECT_EQ(Zone::load("../../etc/passwd").error().kind, leura::ErrorKind::usage);
    EXPECT_FALSE(Zone::from_tzif("x", "TZif2 but short").has_value());
}

// A footer rule is held to the same ±26 h as the table's types (fuzz_calendar found one at
// 999 h, which the zone's lookups then trusted).
TEST(Zone, AFooterRuleOffsetBeyondADayIsRefused) {
    auto bytes = leura::util::read_file("/usr/share/zoneinfo/America/New_York");
    ASSERT_TRUE(bytes.has_value());
    const size_t last = bytes->rfind('\n', bytes->size() - 2);
    ASSERT_NE(last, std::string::npos);
    const std::string head = bytes->substr(0, last + 1);
    ASSERT_TRUE(Zone::from_tzif("ok", head + "EST5EDT,M3.2.0,M11.1.0\n").has_value());
    for (const char* rule : {"ABC999", "ABC-27", "EST5EDT999,M3.2.0,M11.1.0", "ABC5XYZ-27"}) {
        auto z = Zone::from_tzif("far", head + rule + "\n");
        ASSERT_FALSE(z.has_value()) << rule;
        EXPECT_NE(z.error().message.find("cannot be read"), std::string::npos) << rule;
    }
}

TEST(Zone, OffsetsFromTableAndFooterRule) {
    auto ny = Zone::load("America/New_York");
    ASSERT_TRUE(ny.has_value());
    EXPECT_EQ(ny->offset_at(utc("2026-07-01 12:00Z")), -4 * 3600);
    EXPECT_EQ(ny->offset_at(utc("2026-12-01 12:00Z")), -5 * 3600);
    EXPECT_EQ(ny->abbreviation_at(utc("2026-07-01 12:00Z")), "EDT");
    // Far past any table: the POSIX rule decides (second Sunday in March 2091 is the 11th).
    EXPECT_EQ(ny->offset_at(utc("2091-03-11 06:59Z")), -5 * 3600);
    EXPECT_EQ(ny->offset_at(utc("2091-03-11 07:00Z")), -4 * 3600);
    auto lh = Zone::load("Australia/Lord_Howe");
    ASSERT_TRUE(lh.has_value());
    EXPECT_EQ(lh->offset_at(utc("2026-07-01 00:00Z")), 10 * 3600 + 1800);
    EXPECT_EQ(lh->offset_at(utc("2026-12-01 00:00Z")), 11 * 3600);
}

// The documented policy, golden: spring-forward shifts by the gap, fall-back fires once.
TEST(Fires, NewYorkSpringForwardShiftsByTheGap) {
    Spec s = cron_in("30 2 * * *", "America/New_York");
    EXPECT_EQ(fires(s, "2026-03-07 12:00Z", 2),
              (std::vector<std::string>{"2026-03-08 07:30Z shifted 60m", "2026-03-09 06:30Z"}));
}

TEST(Fires, NewYorkFallBackFiresOnceAtTheFirstOccurrence) {
    Spec s = cron_in("30 1 * * *", "America/New_York");
    EXPECT_EQ(fires(s, "2026-10-31 12:00Z", 2),
              (std::vector<std::string>{"2026-11-01 05:30Z", "2026-11-02 06:30Z"}));
    // Asked during the second 01:30, the first has fired: the next is the next day's.
    EXPECT_EQ(fires(s, "2026-11-01 06:15Z", 1), (std::vector<std::string>{"2026-11-02 06:30Z"}));
}

TEST(Fires, GapTimesMergeWithTheRealTimesAfterIt) {
    Spec s = cron_in("*/15 2,3 * * *", "America/New_York");
    EXPECT_EQ(
        fires(s, "2026-03-08 06:00Z", 5),
        (std::vector<std::string>{"2026-03-08 07:00Z", "2026-03-08 07:15Z", "2026-03-08 07:30Z",
                                  "2026-03-08 07:45Z", "2026-03-09 06:00Z"}));
}

TEST(Fires, BerlinBothChanges) {
    Spec s = cron_in("30 2 * * *", "Europe/Berlin");
    EXPECT_EQ(fires(s, "2026-03-28 12:00Z", 2),
              (std::vector<std::string>{"2026-03-29 01:30Z shifted 60m", "2026-03-30 00:30Z"}));
    EXPECT_EQ(fires(s, "2026-10-24 12:00Z", 2),
              (std::vector<std::string>{"2026-10-25 00:30Z", "2026-10-26 01:30Z"}));
}

TEST(Fires, LordHoweHalfHourShift) {
    Spec spring = cron_in("15 2 * * *", "Australia/Lord_Howe");
    EXPECT_EQ(fires(spring, "2026-10-03 00:00Z", 2),
              (std::vector<std::string>{"2026-10-03 15:45Z shifted 30m", "2026-10-04 15:15Z"}));
    Spec autumn = cron_in("45 1 * * *", "Australia/Lord_Howe");
    EXPECT_EQ(fires(autumn, "2026-04-04 00:00Z", 2),
              (std::vector<std::string>{"2026-04-04 14:45Z", "2026-04-05 15:15Z"}));
}

TEST(Fires, EveryIsEpochAlignedAndAtFiresOnce) {
    Spec every;
    every.kind = Spec::Kind::every;
    every.every = 600;
    EXPECT_EQ(fires(every, "2026-12-06 22:31Z", 2),
              (std::vector<std::string>{"2026-12-06 22:40Z", "2026-12-06 22:50Z"}));
    Spec at;
    at.kind = Spec::Kind::at;
    at.at = utc("2026-12-24 18:00Z");
    EXPECT_EQ(fires(at, "2026-12-06 00:00Z", 3), (std::vector<std::string>{"2026-12-24 18:00Z"}));
    EXPECT_TRUE(fires(at, "2026-12-24 18:00Z", 1).empty());
}

TEST(Fires, LocalTimesFollowTheSamePolicy) {
    auto ny = Zone::load("America/New_York");
    ASSERT_TRUE(ny.has_value());
    auto gap = parse_local_time("2026-03-08 02:30", *ny);
    ASSERT_TRUE(gap.has_value());
    EXPECT_EQ(gap->kind, LocalMapping::Kind::skipped);
    EXPECT_EQ(iso(gap->utc), "2026-03-08 07:30Z");
    auto twice = parse_local_time("2026-11-01T01:30", *ny);
    ASSERT_TRUE(twice.has_value());
    EXPECT_EQ(twice->kind, LocalMapping::Kind::repeated);
    EXPECT_EQ(iso(twice->utc), "2026-11-01 05:30Z");
    EXPECT_EQ(iso(parse_local_time("2026-11-01T01:30-05:00", *ny)->utc), "2026-11-01 06:30Z");
    EXPECT_FALSE(parse_local_time("2026-02-30 10:00", *ny).has_value());
    EXPECT_FALSE(parse_local_time("tomorrow", *ny).has_value());
}
