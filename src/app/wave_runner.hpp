// SPDX-License-Identifier: Apache-2.0
#pragma once

// The rollout policy of a run: waves one after another, the gate judging each while it runs
// and after it, pauses and confirmations between waves, a wave's rollback, a host's own
// rollback, and what a stop does. It drives the engine over any ssh::Transport and
// exec::Reactor (the clock), so unit tests run whole rollouts in memory
// (tests/unit/fake_transport.hpp) against real records.
//
// The rules (for users: docs/rollouts.md):
// - A wave starts only after the one before it ended and passed its gate.
// - Once a wave's failures exceed max_failed (or the run's exceed max_failed_total), no
//   further host of that wave starts; hosts running go on; then on_failure acts. Those never
//   started are skipped ("halted"). With on_failure = "continue" hosts keep starting.
// - After a stop (Ctrl-C, SIGTERM) no new host starts; started hosts run their remaining
//   steps and checks within --grace; whatever the grace cuts off is interrupted. A wave a
//   stop cut short is recorded gate = interrupted and not finished, so `resume` runs it.
// - A host that fails runs its `always` steps, then (on_host_failure = "rollback") its
//   rollback steps; a wave's rollback skips hosts already rolled back that way.
#include "app/job.hpp"
#include "app/recorder.hpp"
#include "app/step_values.hpp"
#include "app/stop_source.hpp"
#include "archive/spool.hpp"
#include "config/task.hpp"
#include "exec/engine.hpp"
#include "exec/reactor.hpp"
#include "rollout/plan.hpp"
#include "ssh/transport.hpp"
#include "store/store.hpp"
#include "ui/reporter.hpp"
#include "util/redact.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace leura::app {

// One job of a wave: the engine's job, and where each of its steps lands in the records.
struct WaveJob {
    exec::Job job;
    std::vector<StepMeta> steps;
};
// host_rollback: the wave job carries the rollback steps for hosts that fail.
using JobFactory = std::function<WaveJob(const std::vector<size_t>& hosts, JobPhase phase, int wave,
                                         bool host_rollback)>;

struct WaveSettings {
    std::string run_id;
    std::vector<std::string> host_names; // by the plan's host index
    std::optional<config::Rollout> rollout;
    size_t concurrency = 100;
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds stop_grace{10'000};
    int connect_attempts = 3;
    bool yes = false;               // no confirmation between waves
    bool digest_outputs = false;    // `exec` groups hosts by output
    std::filesystem::path data_dir; // downloads without a dest land in <data_dir>/downloads
    // Asked before wave `next` (1-based) of `waves` with `hosts` hosts, when the rollout
    // pauses for confirmation: true goes on.
    std::function<bool(int next, size_t waves, size_t hosts)> confirm;
};

struct WaveDeps {
    ssh::Transport& transport;
    exec::Reactor& reactor;
    store::Store& store;
    archive::Spool& spool;
    ui::Reporter& reporter;
    const util::Redactor& redactor;
    JobFactory make_job;
    StopSource stop;
    RunValues* values = nullptr; // where steps' $LEURA_OUTPUT values go; null: not taken
};

struct WaveOutcome {
    exec::RunSummary totals; // hosts by how they ended, over every wave
    bool halted = false;     // a gate halted the rollout
    bool declined = false;   // "no" at a confirmation between waves
    bool stopped = false;    // a stop request ended the run early
    std::optional<Error> record_error;
};

WaveOutcome run_waves(const WaveSettings& settings, const rollout::Plan& plan, WaveDeps& deps);

} // namespace leura::app
