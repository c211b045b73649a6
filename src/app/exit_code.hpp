// SPDX-License-Identifier: Apache-2.0
#pragma once

// leura's exit statuses: one list, documented in docs/usage.md ("Exit status"), each tested.
#include "util/error.hpp"

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

// The status a command exits with when it fails with an error of this kind (and the `exit`
// of `leura serve`'s problem for the same failure).
constexpr ExitCode exit_code_for(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::usage:
    case ErrorKind::config:
    case ErrorKind::not_found:
        return ExitCode::usage;
    case ErrorKind::permission:
    case ErrorKind::denied:
        return ExitCode::refused;
    case ErrorKind::locked:
        return ExitCode::locked;
    default:
        return ExitCode::internal;
    }
}

} // namespace leura
