// SPDX-License-Identifier: Apache-2.0
#include "app/run_task.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "config/task.hpp"
#include "inventory/range.hpp"
#include "util/signals.hpp"
#include "util/strings.hpp"

#include <cstdio>
#include <memory>
#include <unistd.h>

namespace leura::cli {

namespace {

struct RunFlags {
    app::PrepareOptions prepare;
    app::RunOptions run;
    std::vector<std::string> vars;
    std::string connect_timeout = "10s";
    bool json = false;
    bool quiet = false;
    bool dry_run = false;
};

int execute(RunFlags& f) {
    for (const auto& kv : f.vars) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || !util::is_shell_identifier(kv.substr(0, eq)))
            return report(Error(ErrorKind::usage, "--var wants NAME=VALUE with NAME a shell "
                                                  "variable name, got '" +
                                                      kv + "'"));
        f.run.vars.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
    auto timeout = config::parse_duration(f.connect_timeout);
    if (!timeout)
        return report(Error(ErrorKind::usage, "--connect-timeout wants a duration such as 10s, "
                                              "got '" +
                                                  f.connect_timeout + "'"));
    f.run.connect_timeout = *timeout;

    config::Diagnostics diags;
    auto prepared = app::prepare(f.prepare, diags);
    if (!prepared) return report(diags);
    if (f.dry_run) {
        std::vector<std::string> names;
        for (const auto* h : prepared->hosts)
            names.push_back(h->name);
        std::printf("%zu host%s: %s\n", names.size(), names.size() == 1 ? "" : "s",
                    inventory::fold_hosts(names).c_str());
        for (size_t i = 0; i < prepared->task.steps.size(); ++i)
            std::printf("step %zu: %s\n", i + 1, prepared->task.steps[i].name.c_str());
        return to_int(ExitCode::ok);
    }

    ui::ReporterOptions ro;
    ro.json = f.json;
    ro.quiet = f.quiet;
    ro.color = !f.json && ui::wants_color(stdout);
    ro.progress = !f.quiet && ::isatty(STDERR_FILENO);
    auto reporter = ui::make_reporter(ro, stdout, stderr);
    util::install_stop_signals();
    auto result = app::run_task(*prepared, f.run, *reporter);
    if (!result) return report(result.error());
    return to_int(result->exit);
}

} // namespace

Action add_run(CLI::App& sub) {
    auto f = std::make_shared<RunFlags>();
    sub.add_option("task", f->prepare.task_file, "Task file (TOML)")->required();
    sub.add_option("-i,--inventory", f->prepare.inventory,
                   "Inventory name or file (default: the task's)");
    sub.add_option("-t,--targets", f->prepare.targets, "Selector (default: the task's)");
    sub.add_option("--concurrency", f->run.concurrency, "Hosts at once")
        ->default_val(100)
        ->check(CLI::Range(1, 100000));
    sub.add_option("--var", f->vars, "Set a variable, NAME=VALUE (repeatable)");
    sub.add_option("--known-hosts", f->run.known_hosts,
                   "known_hosts file (default: ~/.ssh/known_hosts)");
    sub.add_flag("--accept-new-host-keys", f->run.accept_new_host_keys,
                 "Record keys of hosts not yet in known_hosts (a changed key is never accepted)");
    sub.add_option("--connect-timeout", f->connect_timeout, "Per connection attempt")
        ->default_val("10s");
    sub.add_option("--connect-attempts", f->run.connect_attempts,
                   "Attempts per host for connection errors")
        ->default_val(3)
        ->check(CLI::Range(1, 20));
    sub.add_flag("--json", f->json, "JSON Lines events on stdout; human text on stderr");
    sub.add_flag("-q,--quiet", f->quiet, "Print only failures and the summary");
    sub.add_flag("--dry-run", f->dry_run, "Validate and list the selected hosts; touch none");
    return [f] {
        f->run.argv = invocation();
        return execute(*f);
    };
}

} // namespace leura::cli
