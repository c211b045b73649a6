// SPDX-License-Identifier: Apache-2.0
#include "rollout/gate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace leura::rollout {

namespace {

std::string describe(const config::Amount& a) {
    char buf[32];
    if (a.percent)
        std::snprintf(buf, sizeof buf, "%g%%", a.value);
    else
        std::snprintf(buf, sizeof buf, "%g", a.value);
    return buf;
}

} // namespace

bool exceeds(const config::Amount& limit, size_t failed, size_t hosts) {
    if (!limit.percent) return double(failed) > limit.value;
    // failed > value% of hosts, compared without dividing: 100 * failed > value * hosts.
    return 100.0 * double(failed) > limit.value * double(hosts) + 1e-9;
}

size_t allowed(const config::Amount& limit, size_t hosts) {
    double most = limit.percent ? limit.value * double(hosts) / 100.0 : limit.value;
    auto n = size_t(std::floor(std::max(0.0, most) + 1e-9));
    while (n > 0 && exceeds(limit, n, hosts))
        --n; // the division's rounding, checked against the comparison the gate makes
    return n;
}

size_t failures_allowed(const config::Rollout& r, size_t wave_hosts, size_t run_failed,
                        size_t run_hosts) {
    size_t n = allowed(r.max_failed, wave_hosts);
    if (r.max_failed_total) {
        size_t total = allowed(*r.max_failed_total, run_hosts);
        n = std::min(n, total > run_failed ? total - run_failed : 0);
    }
    return n;
}

Verdict judge(const config::Rollout& r, size_t wave_failed, size_t wave_hosts, size_t run_failed,
              size_t run_hosts) {
    if (exceeds(r.max_failed, wave_failed, wave_hosts))
        return {true,
                std::to_string(wave_failed) + " of " + std::to_string(wave_hosts) +
                    " hosts failed in this wave, over max_failed = " + describe(r.max_failed)};
    if (r.max_failed_total && exceeds(*r.max_failed_total, run_failed, run_hosts))
        return {true, std::to_string(run_failed) + " of " + std::to_string(run_hosts) +
                          " hosts failed so far, over max_failed_total = " +
                          describe(*r.max_failed_total)};
    return {};
}

} // namespace leura::rollout
