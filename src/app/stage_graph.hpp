// SPDX-License-Identifier: Apache-2.0
#pragma once

// When a workflow's stage runs, from how the stages it follows ended (a pure function,
// unit-tested rule by rule; app/workflow.cpp runs what it decides):
// - A stage runs once every stage it follows passed: ended ok, or with failed hosts while its
//   gate said `continue` (on_failure = "continue").
// - A stage following one that failed or halted is skipped with that stage named ("stage db
//   halted"); a stage following a skipped one is skipped for the same reason, so the cause
//   is named however far down the graph.
// - when = "failed": runs only when a stage it follows failed or halted, or passed with
//   failed hosts (a rollback or notify stage); when none did it is not needed, and counts as passed
//   for the stages after it. Once it ran, the stages after it see the failure that set it off: a
//   handler after it runs too, an ordinary stage does not.
// - A stage following one that was interrupted, or has not ended, waits (a stop leaves it for
//   `resume`).
#include "config/task.hpp"

#include <optional>
#include <string>
#include <vector>

namespace leura::app {

enum class StageState { pending, ok, passed, failed, halted, interrupted, skipped, not_needed };

struct StageOutcome {
    StageState state = StageState::pending;
    std::string reason;   // skipped: why ("stage db halted")
    bool handled = false; // a when = "failed" stage that ran: those after it see `cause`
    std::string cause;    // what set it off ("stage db failed")
};

enum class StageVerdict { run, skip, not_needed, wait };
struct StageDecision {
    StageVerdict verdict = StageVerdict::wait;
    std::string reason;
};

// Stage `i` of `stages` (whose `after` names are known), given every stage's outcome so far.
StageDecision decide_stage(const std::vector<config::Stage>& stages, size_t i,
                           const std::vector<StageOutcome>& outcomes);

// The stages to roll back once one halted with rollback_stages = "completed": those that
// ended ok or passed, newest first (`completed` is their order of completion).
std::vector<size_t> stages_to_roll_back(const std::vector<size_t>& completed,
                                        const std::vector<StageOutcome>& outcomes);

const char* to_string(StageState s);

} // namespace leura::app
