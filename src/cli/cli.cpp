// SPDX-License-Identifier: Apache-2.0
#include "cli/cli.hpp"
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
    static const std::vector<Command> table = {
        {"run", "Run a task on the hosts it selects", add_run},
        {"plan", "Show the waves a run would use; touches no host", add_plan},
        {"exec", "Run one ad-hoc command on hosts; identical outputs grouped", add_exec},
        {"check", "Validate task and inventory files, reporting every problem", add_check},
        {"runs", "List recorded runs, newest first", add_runs},
        {"show", "Show one run: hosts, steps, timings", add_show},
        {"logs", "Print the output of a run's steps", add_logs},
        {"search", "Find lines in the recorded output of every run, newest first", add_search},
        {"retry", "Run a run's task again on the hosts that failed in it", add_retry},
        {"resume", "Continue an interrupted run from where each host stopped", add_resume},
        {"task", "The task library: list, show, new, edit, rm, history, diff, search", add_task},
        {"inventory", "Inventories: list, show groups and attributes, hosts", add_inventory},
        {"access", "The access policy: status, users, groups, grants, check, explain, test",
         add_access},
        {"gc", "Delete old runs: their records, archives, spool and downloads", add_gc},
        {"audit", "The audit log: who did what, allowed or denied; verify its chain", add_audit},
        {"config", "Show every setting, its value and where it came from", add_config},
        {"ssh-config", "How leura reaches a host: address, user, port, keys, jumps, origins",
         add_ssh_config},
        {"version", "Print leura's version and its libraries'", add_version, false},
        {"completion", "Print the shell completion script for bash, zsh or fish", add_completion,
         false},
    };
    return table;
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
    invocation().assign(argv, argv + argc);
    CLI::App app{"leura: run operational tasks on fleets of servers over SSH", "leura"};
    set_help_format(app);
    app.require_subcommand(1);
    app.fallthrough(false);
    app.set_version_flag("--version", std::string("leura ") + LEURA_VERSION);
    Action chosen;
    bool as_service = true;
    for (const auto& c : commands()) {
        CLI::App* sub = app.add_subcommand(c.name, c.summary);
        Action action = c.add(*sub);
        sub->callback([&chosen, &as_service, action, &c] {
            chosen = action;
            as_service = c.as_service;
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
    if (context->service && as_service && ::getuid() != context->service->uid)
        return report(app::become(*context->service, {argv + 1, argv + argc}));
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
