// SPDX-License-Identifier: Apache-2.0
#pragma once

// A monitored host's state machine, pure: one check result in, the new state and a decision
// out. The round (app/monitor_round.cpp) persists the state between rounds, so a restart
// changes no decision, and records every decision, so `leura monitor why` can answer.
//
//   ok --(a failure)--> soft_fail --(failures of the last window failed)--> failing
//   failing --(react)--> reacting --(reaction run ok)--> verifying --(check OK)--> ok
//   verifying --(check FAIL)--> failing (a failed reaction); reacting --(run failed)--> failing
//   failing --(escalate: `after` failed reactions, or the breaker tripped)--> escalated
//   failing, escalated --(`recoveries` OKs in a row)--> ok
// A recovery starts the trigger's window afresh: failures a reaction settled do not count again.
// Flapping (too many OK/FAIL changes in the flap window) and muting (a [[mute]] window or
// `monitor ack`) only stop reactions; the state still follows the checks.
#include "config/monitor_file.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace leura::app {

enum class CheckResult { ok, warn, fail, unreachable };
const char* to_string(CheckResult r);

struct MonitorHostState {
    std::string state = "ok"; // ok, soft_fail, failing, reacting, verifying, escalated
    std::string results;      // recent results, oldest first: O, W, F, and | at a recovery
    int ok_streak = 0;
    int failed_reactions = 0;       // in a row, since the last recovery
    std::vector<int64_t> reactions; // when reactions started, the last 24 hours
    std::optional<std::string> reaction_run;
    int64_t last_escalation = 0;
    int64_t ack_until = 0;
    bool flapping = false;
    int64_t changed_at = 0;
};

// Across the monitor's hosts, before this host is decided.
struct FleetState {
    int reacting = 0;            // hosts with a reaction running or being verified
    int reactions_last_hour = 0; // reactions started in the last hour
};

struct Decision {
    enum class Act { none, react, escalate } act = Act::none;
    std::string decision; // ok, soft_fail, failing, recovered, react, escalate, skip
    std::string reason;   // for `skip`: cooldown, flapping, muted, cap, breaker, fleet limit,
                          // unreachable, denied, reaction running...; otherwise why
};

struct DecideInputs {
    CheckResult result = CheckResult::ok;
    int64_t now = 0;
    FleetState fleet;
    bool muted = false;
    // For a host in `reacting`: its reaction run's status ("" while not yet recorded).
    std::string reaction_status;
    bool reaction_allowed = true; // the policy lets monitor:NAME run the reaction task
    std::string denied_why;
};

Decision decide(const config::MonitorDef& m, MonitorHostState& s, const DecideInputs& in);

} // namespace leura::app
