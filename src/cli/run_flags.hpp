// SPDX-License-Identifier: Apache-2.0
#pragma once

// The options `run` and `retry` share, and the code both end in.

#include "app/context.hpp"
#include "app/overrides.hpp"
#include "app/run_task.hpp"
#include "app/waves.hpp"
#include "app/workflow.hpp"
#include "store/store.hpp"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace leura::cli {

struct RunFlags {
    app::PrepareOptions prepare;
    app::RunOptions run;
    std::vector<std::string> vars;
    // Empty unless given: then the setting of the same name (config::Settings) decides.
    std::string connect_timeout;
    std::string keepalive;
    std::string grace;
    bool connect_attempts_set = false;
    std::string batches;             // --batches, raw
    std::optional<uint64_t> shuffle; // --shuffle SEED
    bool json = false;
    bool quiet = false;
    bool dry_run = false;
    bool host_lines = true;          // `exec`: only the failed hosts' lines
    bool report_on_stderr = false;   // `exec`: stdout carries the hosts' outputs only
    std::optional<std::string> wait; // --wait [DURATION]: "" when given without one
    bool flags_parsed = false;       // parse_flags already ran (reuse_recorded)
    std::string color = "auto";      // the color setting: auto, always, never
    std::string ssh_config;          // --ssh-config FILE
    bool no_ssh_config = false;      // --no-ssh-config
    std::string known_hosts_flag;    // --known-hosts as given (f.run's gets the setting too)
};

// -i/-t, batches and shuffle: what choosing hosts and waves needs (`plan` uses these too).
void add_selection_flags(CLI::App& sub, RunFlags& f);
// --ssh-config and --no-ssh-config (add_run_flags adds them too).
void add_ssh_flags(CLI::App& sub, RunFlags& f);
// Everything else `run` takes.
void add_run_flags(CLI::App& sub, RunFlags& f);
// --claim-fd (hidden): for runs leura starts itself (schedules, monitors, `leura serve`), the
// descriptor the starter's one-time claim comes on (app/pending_run.hpp), which gives the run
// its id and principal.
void add_claim_flag(CLI::App& sub, int& fd);
// The claim on `fd`, when one was given (fd >= 0): the context acts as its principal and `run`
// gets its id and trigger. Errors: those of app::claim_pending_run.
Status take_claim(app::Context& ctx, int fd, app::RunOptions& run);
// --batches and --shuffle as WaveOptions; a usage error for a bad --batches.
Result<app::WaveOptions> wave_options(const RunFlags& f);
// --var, the durations and --wait into f.run, with `settings` for what the flags leave unset.
// Errors: usage.
Status parse_flags(RunFlags& f, const config::Settings& settings);
// The ssh config and known_hosts choices (flags over settings) into f.prepare.ssh.
// Errors: config (an ssh config file ssh would refuse).
Status load_ssh_flags(RunFlags& f, const config::Settings& settings);
// On a shared controller, what a person types that the service account would read for them is
// an admin's alone: a task or inventory given as a path, and the connection inputs
// (--ssh-config, --no-ssh-config, --known-hosts, --accept-new-host-keys); the service account's
// own ssh config and known_hosts are what leura reads. Errors: denied (audited).
Status service_side_inputs(app::Context& ctx, const RunFlags& f);
// A task argument that is a library name becomes its file (and o.task_name). Errors: usage,
// not_found with a did-you-mean.
Status resolve_task_arg(app::Context& ctx, app::PrepareOptions& o);
// The overrides given on this command line (recorded with the run).
app::Overrides given_overrides(const RunFlags& f);
// `retry` and `resume`: parses the flags, then takes the overrides `run` was given for those
// not given now (--concurrency, --var, and with `batches` --batches), saying which on stderr.
// Errors: usage.
Status reuse_recorded(const app::Context& ctx, RunFlags& f, const store::RunRecord& run,
                      bool batches);
// Validates, plans and runs; returns leura's exit status. `result`, when given, receives the
// run's id and status (left empty when nothing ran).
int execute_run(app::Context& ctx, RunFlags& f, app::RunResult* result = nullptr);
// Runs a workflow's stages (resume: continuing `resume`'s run).
int run_workflow(app::Context& ctx, RunFlags& f, const app::Prepared& workflow,
                 const app::WaveOptions& waves, app::RunResult* result = nullptr,
                 const app::WorkflowResume* resume = nullptr);
// Runs a plan made elsewhere (resume): --dry-run, the confirmation check, the reporter, the run.
int run_planned(app::Context& ctx, RunFlags& f, const app::Prepared& prepared,
                const std::optional<config::Rollout>& rollout, const rollout::Plan& plan,
                app::RunResult* result = nullptr);

} // namespace leura::cli
