// SPDX-License-Identifier: Apache-2.0
#pragma once

// A run's outcome as its recorded status and leura's exit status, in one place (the statuses:
// docs/usage.md, "Exit status").
#include "app/exit_code.hpp"
#include "app/wave_runner.hpp"
#include "store/status.hpp"

namespace leura::app {

struct RunVerdict {
    store::RunStatus status = store::RunStatus::ok;
    ExitCode exit = ExitCode::ok;
};

// `stop_signal`: the signal that stopped the run (SIGINT, SIGTERM), 0 for none.
RunVerdict run_verdict(const WaveOutcome& waves, int stop_signal);

} // namespace leura::app
