// SPDX-License-Identifier: Apache-2.0
#include "util/time.hpp"
#include "util/random.hpp"

#include <cstdio>
#include <ctime>

#include <mutex>
#include <set>

namespace leura::util {

std::string rfc3339(SystemTime t) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    std::time_t secs = std::time_t(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms % 1000));
    return buf;
}

int64_t unix_seconds(SystemTime t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

SystemTime from_unix(int64_t seconds) {
    return SystemTime(std::chrono::seconds(seconds));
}

std::string now_rfc3339() {
    return rfc3339(std::chrono::system_clock::now());
}

std::optional<SystemTime> parse_rfc3339(const std::string& text) {
    std::tm tm{};
    int millis = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon,
                    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis) < 6)
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    std::time_t secs = timegm(&tm);
    return SystemTime(std::chrono::seconds(secs)) + std::chrono::milliseconds(millis);
}

std::string display_time(const std::string& rfc3339_text, bool local) {
    auto t = parse_rfc3339(rfc3339_text);
    if (!t) return rfc3339_text;
    std::time_t secs = std::chrono::system_clock::to_time_t(*t);
    std::tm tm{};
    if (local)
        localtime_r(&secs, &tm);
    else
        gmtime_r(&secs, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, local ? "%Y-%m-%d %H:%M:%S %Z" : "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

std::string new_run_id(SystemTime t) {
    std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d-%02d%02d%02d-", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    // Never the same id twice from this process in one second: a tick, a monitor round or a
    // burst of API requests starts many runs at once, and 16 random bits alone would collide
    // (about 1 in 150 for 30 ids). Another process's ids are checked where a run takes its id.
    static std::mutex mutex;
    static std::string second;
    static std::set<std::string> used;
    std::lock_guard lock(mutex);
    if (second != buf) {
        second = buf;
        used.clear();
    }
    for (int tries = 0; tries < 1000; ++tries)
        if (std::string id = buf + random_hex(2); used.insert(id).second) return id;
    return buf + random_hex(4); // 65,536 in one second: a longer id, still unique
}

} // namespace leura::util
