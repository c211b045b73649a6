// SPDX-License-Identifier: Apache-2.0
#pragma once

// leura's exit statuses: one list, documented in docs/usage.md ("Exit status"), each tested.
namespace leura {

enum class ExitCode : int {
    ok = 0,           // every selected host succeeded
    hosts_failed = 1, // the run finished; some hosts failed or were unreachable
    usage = 2,        // usage, configuration or validation error: nothing ran
    halted = 3,       // a rollout gate halted the run
    refused = 4,      // refused by the access policy
    locked = 5,       // another run holds this task's lock
    internal = 70,    // internal error (EX_SOFTWARE)
    sigint = 130,     // interrupted by SIGINT
    sigterm = 143,    // interrupted by SIGTERM
};

constexpr int to_int(ExitCode c) {
    return static_cast<int>(c);
}

} // namespace leura
