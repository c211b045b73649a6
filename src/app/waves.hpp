// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/prepare.hpp"
#include "rollout/plan.hpp"

#include <optional>
#include <string>
#include <vector>

namespace leura::app {

struct WaveOptions {
    std::optional<std::vector<config::Amount>> batches; // --batches, over the task's
    std::optional<uint64_t> shuffle_seed;               // --shuffle
};

// The rollout a run follows: the task's [rollout], with --batches over its batches. A task
// without [rollout] run without --batches is one wave with no gate (failures give exit 1).
std::optional<config::Rollout> effective_rollout(const Prepared& p, const WaveOptions& o);

// affinity = "none": every host is a unit of its own.
inline constexpr const char* k_no_affinity = "none";

// The attributes [rollout] names must be ones the selected hosts have: an affinity or a spread
// attribute that none of them has is a typo that would split clusters or spread nothing, and is
// reported where it is written, with a "did you mean" among the hosts' attribute names. The
// default affinity (cluster, not written) is not checked: hosts without it plan one by one.
void check_rollout_attributes(const Prepared& p, config::Diagnostics& diags);

rollout::Plan plan_waves(const Prepared& p, const std::optional<config::Rollout>& rollout,
                         const WaveOptions& o);

// How the hosts were chosen, as one JSON object: the task's targets, -t (null without one),
// whether -t replaced the task's targets, and the selector that resulted.
std::string targets_json(const Prepared& p);

// The plan as `leura plan --json` prints it and the run records store it.
std::string plan_json(const Prepared& p, const rollout::Plan& plan,
                      const std::optional<config::Rollout>& rollout);

} // namespace leura::app
