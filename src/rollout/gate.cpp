// SPDX-License-Identifier: Apache-2.0
#include "rollout/gate.hpp"

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
