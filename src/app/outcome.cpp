// SPDX-License-Identifier: Apache-2.0
#include "app/outcome.hpp"

#include <csignal>

namespace leura::app {

RunVerdict run_verdict(const WaveOutcome& w, int stop_signal) {
    using store::RunStatus;
    if (stop_signal != 0)
        return {RunStatus::interrupted,
                stop_signal == SIGTERM ? ExitCode::sigterm : ExitCode::sigint};
    if (w.record_error) return {RunStatus::failed, ExitCode::internal};
    // A declined confirmation stops the rollout as a gate would (exit 3, and `resume`
    // continues it), but is recorded as what it was: nothing failed, somebody said no.
    if (w.halted) return {RunStatus::halted, ExitCode::halted};
    if (w.declined) return {RunStatus::declined, ExitCode::halted};
    const auto& t = w.totals;
    if (t.failed + t.unreachable + t.rolled_back + t.interrupted > 0)
        return {RunStatus::failed, ExitCode::hosts_failed};
    return {RunStatus::ok, ExitCode::ok};
}

} // namespace leura::app
