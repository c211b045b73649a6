// SPDX-License-Identifier: Apache-2.0
#pragma once

// The states a run, a host and a step are recorded in: one vocabulary, parsed and printed here,
// compared as enums everywhere else. The strings are interface (the database, JSON, `runs`).
#include <optional>
#include <string_view>

namespace leura::store {

// skipped: a workflow's stage that did not run (runs.note says why).
enum class RunStatus { running, ok, failed, halted, declined, interrupted, skipped };
// skipped: never started (a stop, a gate, a declined confirmation, an earlier halt);
// interrupted: a stop cut it off mid-way; rolled_back: it failed, then its rollback succeeded.
enum class HostState { running, ok, failed, unreachable, skipped, interrupted, rolled_back };
enum class StepState { running, ok, failed, unchanged, skipped };

const char* to_string(RunStatus s);
const char* to_string(HostState s);
const char* to_string(StepState s);
std::optional<RunStatus> parse_run_status(std::string_view s);
std::optional<HostState> parse_host_state(std::string_view s);
std::optional<StepState> parse_step_state(std::string_view s);

} // namespace leura::store
