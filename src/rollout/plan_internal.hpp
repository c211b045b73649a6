// SPDX-License-Identifier: Apache-2.0
// Pieces of the planner exposed for unit tests only; callers use rollout/plan.hpp.
#pragma once

#include "config/task.hpp"

#include <cstddef>
#include <vector>

namespace leura::rollout::detail {

// The cumulative host count each batch aims for, one per batch (one, N, when `batches` is
// empty): ceil(share * n) for a percentage, min(count, n) for a count, at least 1 for the
// first batch (when n > 0), never below the previous batch, and exactly n for the last.
std::vector<size_t> wave_targets(const std::vector<config::Amount>& batches, size_t n);

} // namespace leura::rollout::detail
