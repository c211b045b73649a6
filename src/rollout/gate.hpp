// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/task.hpp"

#include <cstddef>
#include <string>

namespace leura::rollout {

struct Verdict {
    bool halt = false;
    std::string reason; // why it halts, for records and the terminal
};

// The number of failures an Amount allows out of `hosts`: a count as is; a percentage as an
// exact fraction, so "50%" of 4 allows 2 and of 5 allows 2.5 (i.e. 2 fail, 3 halt).
// The gate halts when failures EXCEED the allowance: 2 of 4 with "50%" passes, 3 of 4 halts.
bool exceeds(const config::Amount& limit, size_t failed, size_t hosts);

// The most failures `limit` lets pass out of `hosts` (the largest count exceeds() accepts).
size_t allowed(const config::Amount& limit, size_t hosts);

// How many more of a wave's `wave_hosts` may fail before the gate halts it, with `run_failed`
// of `run_hosts` failed in the waves before it.
size_t failures_allowed(const config::Rollout& rollout, size_t wave_hosts, size_t run_failed,
                        size_t run_hosts);

// After a wave: `wave_failed` of `wave_hosts` failed (a step, a verify check, or unreachable),
// `run_failed` of `run_hosts` (every selected host) so far.
Verdict judge(const config::Rollout& rollout, size_t wave_failed, size_t wave_hosts,
              size_t run_failed, size_t run_hosts);

} // namespace leura::rollout
