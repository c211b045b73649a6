// SPDX-License-Identifier: Apache-2.0
#pragma once

// Each subcommand lives in its own file: it declares its options on a CLI11 subcommand, fills
// a plain options struct and calls one core function. add_* returns the action to run when
// that subcommand was chosen; the action returns the exit status.

#include "app/context.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace leura::cli {

// Runs the chosen subcommand in the process's context (app/context.hpp).
using Action = std::function<int(app::Context&)>;

// On a shared controller, what runs in the person's own process instead of becoming the
// service account (app/service.hpp): set while the command line is parsed by the subcommands
// with a part that must run as the person (task edit's editor, show's pager), which then
// reach the service side themselves (app::run_as_service). Empty for all others.
Action& front_end();

// What the access policy must allow before a command acts (docs/access.md), declared with the
// command so that a new one cannot forget: nothing; `admin`, checked before the command runs;
// or what the command touches (a task, an inventory, runs), which the command checks itself
// through app/access_gate.hpp once it knows them.
enum class Needs { nothing, admin, what_it_touches };

struct Command {
    const char* name;
    const char* summary;
    Action (*add)(CLI::App& sub);
    Needs needs;
    // False for the commands that read no records or keys (version, completion, and access,
    // whose edits are root's): on a shared controller they run as the caller; every other one
    // runs as the service account.
    bool as_service = true;
    // Runs a task whose `{ env = "VAR" }` secrets are the person's: on a shared controller the
    // service side asks the person's process for them (app/caller_env.hpp).
    bool caller_env = false;
};

Action add_run(CLI::App& sub);
Action add_check(CLI::App& sub);
Action add_plan(CLI::App& sub);
Action add_exec(CLI::App& sub);
Action add_retry(CLI::App& sub);
Action add_resume(CLI::App& sub);
Action add_runs(CLI::App& sub);
Action add_show(CLI::App& sub);
Action add_logs(CLI::App& sub);
Action add_search(CLI::App& sub);
Action add_version(CLI::App& sub);
Action add_config(CLI::App& sub);
Action add_task(CLI::App& sub);
Action add_inventory(CLI::App& sub);
Action add_ssh_config(CLI::App& sub);
Action add_gc(CLI::App& sub);
Action add_audit(CLI::App& sub);
Action add_completion(CLI::App& sub);
Action add_access(CLI::App& sub);
Action add_schedule(CLI::App& sub);
Action add_monitor(CLI::App& sub);
Action add_serve(CLI::App& sub);
Action add_token(CLI::App& sub);

// The command line as given, recorded with each run.
std::vector<std::string>& invocation();

// The table of subcommands: help, completions and the man page are checked against it.
const std::vector<Command>& commands();

} // namespace leura::cli
