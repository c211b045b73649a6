// SPDX-License-Identifier: Apache-2.0
#pragma once

// The command-line overrides a run was given, recorded with it (store::RunRecord::overrides)
// so that `retry` and `resume` run with the same ones unless given new ones.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace leura::app {

struct Overrides {
    std::optional<size_t> concurrency;
    std::vector<std::pair<std::string, std::string>> vars; // --var, in order
    std::optional<std::string> batches;                    // --batches, as typed
    std::optional<std::string> targets;                    // -t
    bool replace_targets = false;                          // --replace-targets
};

std::string to_json(const Overrides& o);
// Unreadable or absent: none.
Overrides parse_overrides(const std::optional<std::string>& json);

// Fills what `given` leaves unset from `recorded`, and says which it took, as flags a user
// would type ("--concurrency 5", "--var A=...", "-t web"); values of --var are not printed.
std::vector<std::string> reuse_overrides(Overrides& given, const Overrides& recorded);

} // namespace leura::app
