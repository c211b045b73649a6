// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/task.hpp"
#include "inventory/inventory.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace leura::rollout {

struct PlanInput {
    std::vector<const inventory::Host*> hosts; // the selection, in inventory order
    std::vector<config::Amount> batches;       // cumulative targets; the last is forced to 100%
    std::string affinity = "cluster";          // hosts sharing its value form one unit;
                                               // empty: every host is a unit of its own
    std::vector<std::string> spread;           // attributes early waves cover widely
    std::optional<uint64_t> shuffle_seed;      // permutes tie-breaking, still deterministic
};

struct Wave {
    std::vector<size_t> hosts;         // indices into PlanInput::hosts, in inventory order
    size_t target = 0;                 // cumulative host count this wave aimed for
    size_t cumulative = 0;             // hosts done after this wave
    std::vector<std::string> clusters; // affinity values in the wave (sorted; units of one omitted)
    std::vector<size_t> spread_values; // distinct values of each spread attribute in the wave
    bool oversized = false; // a unit larger than the remaining target made the wave bigger
};

struct Plan {
    std::vector<Wave> waves;
    std::vector<std::string> warnings; // one per oversized wave, for `plan` to show
};

// Splits the selection into waves. Rules, also in docs/rollouts.md:
// - the target of batch k is ceil(share * N) for a percentage, min(count, N) for a count,
//   and at least 1 for the first batch; the last batch always targets N;
// - hosts with the same affinity value are one unit, never split; hosts without it are units
//   of one;
// - each wave first takes units that add values of the spread attributes not yet covered in
//   this wave (first attribute first), then fills with the largest units that fit, then, if
//   still short, the smallest unit left even if it overshoots (by less than one unit);
// - a wave that would add nobody is dropped.
// Deterministic: the same input gives the same plan.
Plan make_plan(const PlanInput& input);

} // namespace leura::rollout
