// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/context.hpp"

#include <string>

namespace leura::cli {

struct FollowOptions {
    std::string host, step, stage; // a selector over the run's hosts; a number or name glob
    bool only_stdout = false, only_stderr = false;
};

// Prints a run's output as it is written, until the run ends (a finished run's at once), in
// `logs`' format: a header per host and step, stderr lines marked. Returns the exit status.
int follow_logs(app::Context& ctx, const std::string& run_id, const FollowOptions& o);

} // namespace leura::cli
