// SPDX-License-Identifier: Apache-2.0
#include "cli/cli.hpp"
#include "app/access_gate.hpp"
#include "app/caller_env.hpp"
#include "cli/commands.hpp"
#include "cli/complete.hpp"
#include "cli/report.hpp"
#include "cli/usage.hpp"

#include <cstdio>
#include <exception>
#include <string_view>
#include <unistd.h>

namespace leura::cli {

const std::vector<Command>& commands() {
    using enum Needs;
    static const std::vector<Command> table = {
        {"run", "Run a task on the hosts it selects", add_run, what_it_touches, true, true},
        {"plan", "Show the waves a run would use; touches no host", add_plan, what_it_touches, true,
         true},
        {"exec", "Run one ad-hoc command on hosts; identical outputs grouped", add_exec,
         what_it_touches},
        {"check", "Validate task and inventory files, reporting every problem", add_check,
         what_it_touches, true, true},
        {"runs", "List recorded runs, newest first", add_runs, what_it_touches},
        {"show", "Show one run: hosts, steps, timings", add_show, what_it_touches},
        {"logs", "Print the output of a run's steps", add_logs, what_it_touches},
        {"search", "Find lines in the recorded output of every run, newest first", add_search,
         what_it_touches},
        {"retry", "Run a run's task again on the hosts that failed in it", add_retry,
         what_it_touches, true, true},
        {"resume", "Continue an interrupted run from where each host stopped", add_resume,
         what_it_touches, true, true},
        {"task", "The task library: list, show, new, edit, rm, history, diff, search", add_task,
         what_it_touches},
        {"inventory", "Inventories: list, show groups and attributes, hosts", add_inventory,
         what_it_touches},
        // The policy file is world-readable; its edits are root's, checked by the command.
        {"access", "The access policy: status, users, groups, grants, check, explain, test",
         add_access, nothing, false},
        {"gc", "Delete old runs: their records, archives, spool and downloads", add_gc, admin},
        {"audit", "The audit log: who did what, allowed or denied; verify its chain", add_audit,
         admin},
        // Each subcommand checks the `schedule` right on the schedule's task; tick --now is
        // an admin's.
        {"schedule", "Timed and cron tasks: add, list, next, history, pause, resume, tick",
         add_schedule, what_it_touches},
        // A round acts as monitor:NAME (its checks need `exec`, its reactions `run`); ack
        // needs `run` on the reaction task.
        {"monitor", "Self-healing checks: status, why, ack, round", add_monitor, what_it_touches},
        // The server acts for everyone who reaches its socket: starting it is an admin's.
        {"serve", "The REST API and the schedules' tick, in one process", add_serve, admin},
        // Anyone may make tokens for themselves: a token never has more than its creator.
        {"token", "API tokens for leura serve: create, list, revoke", add_token, nothing},
        {"config", "Show every setting, its value and where it came from", add_config, nothing},
        {"ssh-config", "How leura reaches a host: address, user, port, keys, jumps, origins",
         add_ssh_config, what_it_touches},
        {"version", "Print leura's version and its libraries'", add_version, nothing, false},
        {"completion", "Print the shell completion script for bash, zsh or fish", add_completion,
         nothing, false},
    };
    return table;
}

Action& front_end() {
    static Action action;
    return action;
}

std::vector<std::string>& invocation() {
    static std::vector<std::string> args;
    return args;
}

namespace {

// A subcommand (at any depth) given --json reports its errors as JSON on stdout too.
void json_errors_if_asked(const CLI::App& app) {
    for (const CLI::App* sub : app.get_subcommands()) {
        const CLI::Option* json = sub->get_option_no_throw("--json");
        if (json && json->count() > 0) errors_as_json(stdout);
        json_errors_if_asked(*sub);
    }
}

int dispatch(int argc, char** argv) {
    // Hidden, first: the person's process that started this one through sudo answers for
    // their variables at this socket (app/caller_env.hpp); believed on the service side only.
    std::string caller_env;
    if (argc > 2 && std::string_view(argv[1]) == "__env") {
        caller_env = argv[2];
        argv[2] = argv[0];
        argv += 2;
        argc -= 2;
    }
    invocation().assign(argv, argv + argc);
    CLI::App app{"leura: run operational tasks on fleets of servers over SSH", "leura"};
    set_help_format(app);
    app.require_subcommand(1);
    app.fallthrough(false);
    app.set_version_flag("--version", std::string("leura ") + LEURA_VERSION);
    Action chosen;
    const Command* command = nullptr;
    for (const auto& c : commands()) {
        CLI::App* sub = app.add_subcommand(c.name, c.summary);
        Action action = c.add(*sub);
        sub->callback([&chosen, &command, action, &c] {
            chosen = action;
            command = &c;
        });
    }
    app.add_subcommand("help", "Print leura's help, or a command's: leura help task new");
    // Hidden: what the completion scripts ask (cli/complete.hpp); CLI11 never sees it.
    if (argc > 1 && std::string_view(argv[1]) == "__complete")
        return complete_command(app, {argv + 2, argv + argc});
    if (argc == 1) {
        std::fputs(app.help().c_str(), stderr);
        return to_int(ExitCode::usage);
    }
    if (std::string_view(argv[1]) == "help") return help_command(app, argc, argv);
    if (auto refused = misplaced_option(app, argc, argv)) return *refused;
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        return usage_error(app, e, argc, argv);
    }
    if (!chosen) return to_int(ExitCode::usage);
    json_errors_if_asked(app);
    config::Diagnostics diags;
    auto context = app::process_context(diags);
    if (!context) return report(diags);
    // A shared controller: the command runs as the account that owns the records and keys.
    if (context->service && command->as_service && ::getuid() != context->service->uid) {
        if (front_end()) return front_end()(*context);
        if (command->caller_env) {
            auto rc = app::run_as_service(*context->service, {argv + 1, argv + argc},
                                          {.caller_env = true});
            return rc ? *rc : report(rc.error());
        }
        return report(app::become(*context->service, {argv + 1, argv + argc}));
    }
    // The service side never looks in the caller's folder: a name there could be a link to
    // anything the service account may read.
    if (context->service && ::getuid() == context->service->uid && ::chdir("/") != 0)
        return report(Error(ErrorKind::io, "cannot leave the caller's folder"));
    if (!caller_env.empty() && app::acting_for_another(context->service, context->identity.uid))
        if (auto st = app::use_caller_env(caller_env, context->identity.uid); !st)
            return report(st.error());
    if (command->needs == Needs::admin) {
        app::AccessRequest admin;
        admin.action = "admin";
        admin.resource = std::string("command:") + command->name;
        if (auto st = app::authorize(*context, admin); !st) return report(st.error());
    }
    return chosen(*context);
}

} // namespace

int run(int argc, char** argv) {
    try {
        return dispatch(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "leura: internal error: %s\n", e.what());
    } catch (...) {
        std::fprintf(stderr, "leura: internal error\n");
    }
    return to_int(ExitCode::internal);
}

} // namespace leura::cli
