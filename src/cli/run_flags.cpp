// SPDX-License-Identifier: Apache-2.0
#include "cli/run_flags.hpp"
#include "app/access_gate.hpp"
#include "app/launch.hpp"
#include "app/library.hpp"
#include "app/pending_run.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "inventory/range.hpp"
#include "util/strings.hpp"

#include <cstdio>
#include <unistd.h>

namespace leura::cli {

void add_selection_flags(CLI::App& sub, RunFlags& f) {
    sub.add_option("-i,--inventory", f.prepare.inventory,
                   "Inventory name or file (default: the task's)");
    sub.add_option("-t,--targets", f.prepare.targets,
                   "Selector narrowing the task's targets (or replacing them: --replace-targets)");
    sub.add_flag("--replace-targets", f.prepare.replace_targets, "-t replaces the task's targets");
    sub.add_option("--batches", f.batches,
                   "Cumulative waves, e.g. 1%,5%,50%,100% or 1,10,100% (over the task's)");
    sub.add_option("--shuffle", f.shuffle, "Seed that varies how ties between units are broken");
}

void add_ssh_flags(CLI::App& sub, RunFlags& f) {
    auto* file = sub.add_option("--ssh-config", f.ssh_config,
                                "Honour this OpenSSH client config only (as ssh -F)");
    sub.add_flag("--no-ssh-config", f.no_ssh_config,
                 "Read no ssh config (default: ~/.ssh/config, /etc/ssh/ssh_config)")
        ->excludes(file);
}

Status load_ssh_flags(RunFlags& f, const config::Settings& settings) {
    if (f.prepare.ssh) return {};
    config::Settings chosen = settings;
    if (f.no_ssh_config) chosen.set("ssh_config", "none", "--no-ssh-config");
    if (!f.ssh_config.empty()) chosen.set("ssh_config", f.ssh_config, "--ssh-config");
    if (!f.connect_timeout.empty() && chosen.is_default("connect_timeout"))
        chosen.set("connect_timeout", f.connect_timeout, "--connect-timeout");
    auto sources = app::load_ssh_sources(chosen, f.known_hosts_flag);
    if (!sources)
        return fail(sources.error().kind,
                    sources.error().message + " (--no-ssh-config reads no ssh config)");
    warn(sources->config.warnings()); // once per command, before anything runs
    f.prepare.ssh = std::make_shared<const app::SshSources>(std::move(*sources));
    return {};
}

void add_run_flags(CLI::App& sub, RunFlags& f) {
    add_ssh_flags(sub, f);
    sub.add_option("--concurrency", f.run.concurrency,
                   "Hosts at once (default: the concurrency setting, 100)")
        ->check(CLI::Range(1, 100000))
        ->each([&f](const std::string&) { f.run.concurrency_set = true; });
    sub.add_option("--var", f.vars, "Set a variable, NAME=VALUE (repeatable)");
    sub.add_option("--known-hosts", f.run.known_hosts,
                   "known_hosts file (default: the known_hosts setting, ~/.ssh/known_hosts)");
    sub.add_flag("--accept-new-host-keys", f.run.accept_new_host_keys,
                 "Record keys of hosts not yet in known_hosts (a changed key is never accepted)");
    sub.add_option("--connect-timeout", f.connect_timeout,
                   "Per connection attempt (default: the connect_timeout setting, 10s)");
    sub.add_option("--connect-attempts", f.run.connect_attempts,
                   "Attempts per host for connection errors (default: the setting, 3)")
        ->check(CLI::Range(1, 20))
        ->each([&f](const std::string&) { f.connect_attempts_set = true; });
    sub.add_flag("-y,--yes", f.run.yes, "Go on between waves without asking (pause = confirm)");
    sub.add_flag("--json", f.json, "JSON Lines events on stdout; human text on stderr");
    sub.add_flag("-q,--quiet", f.quiet,
                 "Print nothing when every host succeeds; else the failed hosts' lines and the "
                 "summary (for cron: mail only on failure). Warnings still go to stderr");
    sub.add_flag("--dry-run", f.dry_run, "Validate and list the selected hosts; touch none");
    sub.add_option("--grace", f.grace,
                   "After Ctrl-C or SIGTERM, how long started hosts may finish their steps "
                   "(default: the grace setting, 10s)");
    sub.add_option("--keepalive", f.keepalive,
                   "Probe a host silent this long; fail it when the probe goes unanswered as long "
                   "(default: the keepalive setting, 15s)");
    sub.add_option("--wait", f.wait,
                   "When another run holds the task's lock, wait for it (up to DURATION)")
        ->expected(0, 1)
        ->default_str("");
}

Result<app::WaveOptions> wave_options(const RunFlags& f) {
    app::WaveOptions w;
    w.shuffle_seed = f.shuffle;
    if (!f.batches.empty()) {
        auto b = config::parse_amounts(f.batches);
        bool positive = b && std::all_of(b->begin(), b->end(),
                                         [](const config::Amount& a) { return a.value > 0; });
        if (!positive)
            return fail(ErrorKind::usage, "--batches wants cumulative counts or percentages "
                                          "such as 1%,5%,50%,100%, got '" +
                                              f.batches + "'");
        w.batches = std::move(*b);
    }
    return w;
}

Status parse_flags(RunFlags& f, const config::Settings& settings) {
    if (f.known_hosts_flag.empty()) f.known_hosts_flag = f.run.known_hosts;
    LEURA_TRY(load_ssh_flags(f, settings));
    // What the command line leaves unset, the settings say.
    auto or_setting = [&settings](std::string& flag, const char* key) {
        if (flag.empty()) flag = settings.text(key);
    };
    or_setting(f.connect_timeout, "connect_timeout");
    or_setting(f.keepalive, "keepalive");
    or_setting(f.grace, "grace");
    if (!f.run.concurrency_set) f.run.concurrency = size_t(settings.count("concurrency"));
    if (!f.connect_attempts_set) f.run.connect_attempts = int(settings.count("connect_attempts"));
    if (f.run.known_hosts.empty()) f.run.known_hosts = settings.text("known_hosts");
    if (settings.flag("accept_new_host_keys")) f.run.accept_new_host_keys = true;
    if (f.prepare.default_inventory.empty())
        f.prepare.default_inventory = settings.text("inventory");
    f.color = settings.text("color");
    f.run.vars.clear();
    for (const auto& kv : f.vars) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || !util::is_shell_identifier(kv.substr(0, eq)))
            return fail(ErrorKind::usage,
                        "--var wants NAME=VALUE with NAME a shell variable name, got '" + kv + "'");
        std::string name = kv.substr(0, eq);
        // leura's own variables say where a step runs: a --var must not quietly change them.
        if (name.starts_with("LEURA_"))
            return fail(ErrorKind::usage,
                        "--var " + name + ": names starting with LEURA_ are leura's own");
        f.run.vars.emplace_back(std::move(name), kv.substr(eq + 1));
    }
    // A duration flag: at most a year; > 0 unless `zero_ok` (a grace of 0 ends steps at once).
    auto duration = [](const char* flag, const std::string& text, const char* example,
                       bool zero_ok) -> Result<std::chrono::milliseconds> {
        auto d = config::parse_duration(text);
        if (!d || (!zero_ok && d->count() == 0))
            return fail(ErrorKind::usage, std::string(flag) + " wants a duration such as " +
                                              example + (zero_ok ? "" : ", more than 0") +
                                              " and at most 365d, got '" + text + "'");
        return *d;
    };
    LEURA_TRY_ASSIGN(timeout, duration("--connect-timeout", f.connect_timeout, "10s", false));
    f.run.connect_timeout = timeout;
    LEURA_TRY_ASSIGN(keepalive, duration("--keepalive", f.keepalive, "15s", false));
    f.run.keepalive = keepalive;
    LEURA_TRY_ASSIGN(grace, duration("--grace", f.grace, "10s", true));
    f.run.stop_grace = grace;
    if (f.wait) {
        // Without a duration: as long as it takes (a day is as long as cron would care).
        auto wait = f.wait->empty() ? std::optional(std::chrono::milliseconds(86'400'000))
                                    : config::parse_duration(*f.wait);
        if (!wait)
            return fail(ErrorKind::usage,
                        "--wait wants a duration such as 10m, got '" + *f.wait + "'");
        f.run.lock_wait = *wait;
        f.run.on_lock_wait = [](const std::string& what) {
            std::fprintf(stderr, "leura: %s\n", util::terminal_safe(what, true).c_str());
        };
    }
    return {};
}

Status resolve_task_arg(app::Context& ctx, app::PrepareOptions& o) {
    o.library = app::library_root(ctx.settings); // a stage's task = "name" is found there
    if (o.command || o.task_file.empty()) return {};
    LEURA_TRY_ASSIGN(file,
                     app::resolve_task(app::library_root(ctx.settings), o.task_file, o.task_name));
    o.task_file = file.string();
    return {};
}

Status service_side_inputs(app::Context& ctx, const RunFlags& f) {
    if (!ctx.service) return {};
    LEURA_TRY(app::require_named(ctx, f.prepare.task_file));
    LEURA_TRY(app::require_named(ctx, f.prepare.inventory));
    std::string given;
    auto note = [&given](bool set, const char* flag) {
        if (set) given += (given.empty() ? "" : " ") + std::string(flag);
    };
    note(!f.ssh_config.empty(), "--ssh-config");
    note(f.no_ssh_config, "--no-ssh-config");
    note(!f.known_hosts_flag.empty() || (!f.flags_parsed && !f.run.known_hosts.empty()),
         "--known-hosts");
    note(f.run.accept_new_host_keys && !ctx.settings.flag("accept_new_host_keys"),
         "--accept-new-host-keys");
    if (given.empty()) return {};
    app::AccessRequest admin;
    admin.action = "admin";
    admin.resource = "flags:" + given;
    return app::authorize(ctx, admin, false);
}

// The overrides on this command line, as recorded with the run.
app::Overrides given_overrides(const RunFlags& f) {
    app::Overrides o;
    if (f.run.concurrency_set) o.concurrency = f.run.concurrency;
    o.vars = f.run.vars;
    if (!f.batches.empty()) o.batches = f.batches;
    if (!f.prepare.targets.empty()) o.targets = f.prepare.targets;
    o.replace_targets = f.prepare.replace_targets;
    return o;
}

Status reuse_recorded(const app::Context& ctx, RunFlags& f, const store::RunRecord& run,
                      bool batches) {
    LEURA_TRY(parse_flags(f, ctx.settings));
    app::Overrides given = given_overrides(f);
    app::Overrides recorded = app::parse_overrides(run.overrides);
    // The hosts come from the records (the run's selection is in them): a recorded -t has
    // nothing left to select; and a resume follows the recorded waves.
    recorded.targets.reset();
    if (!batches) recorded.batches.reset();
    auto reused = app::reuse_overrides(given, recorded);
    if (given.concurrency) {
        f.run.concurrency = *given.concurrency;
        f.run.concurrency_set = true;
    }
    f.run.vars = given.vars;
    f.batches = given.batches.value_or("");
    f.prepare.targets = given.targets.value_or("");
    f.vars.clear(); // parsed already
    f.flags_parsed = true;
    if (!reused.empty()) {
        std::string list;
        for (const auto& r : reused)
            list += (list.empty() ? "" : " ") + r;
        std::fprintf(stderr, "leura: reusing run %s's %s\n", run.id.c_str(), list.c_str());
    }
    return {};
}

int execute_run(app::Context& ctx, RunFlags& f, app::RunResult* result) {
    if (!f.flags_parsed)
        if (auto st = parse_flags(f, ctx.settings); !st) return report(st.error());
    auto waves = wave_options(f);
    if (!waves) return report(waves.error());
    if (auto st = resolve_task_arg(ctx, f.prepare); !st) return report(st.error());
    config::Diagnostics diags;
    auto prepared = app::prepare(f.prepare, diags);
    if (!prepared) return report(diags);
    warn(prepared->warnings);
    if (!prepared->task.stages.empty()) return run_workflow(ctx, f, *prepared, *waves, result);
    auto rollout = app::effective_rollout(*prepared, *waves);
    auto plan = app::plan_waves(*prepared, rollout, *waves);
    return run_planned(ctx, f, *prepared, rollout, plan, result);
}

// The launch options from the flags; records the command line and overrides in f.run.
app::LaunchOptions launch_options(RunFlags& f) {
    app::LaunchOptions lo;
    lo.json = f.json;
    lo.quiet = f.quiet;
    lo.dry_run = f.dry_run;
    lo.host_lines = f.host_lines;
    lo.report_on_stderr = f.report_on_stderr;
    lo.color = f.color;
    f.run.argv = invocation();
    f.run.overrides = app::to_json(given_overrides(f));
    return lo;
}

int run_workflow(app::Context& ctx, RunFlags& f, const app::Prepared& workflow,
                 const app::WaveOptions& waves, app::RunResult* result,
                 const app::WorkflowResume* resume) {
    auto ran = app::launch_workflow(ctx, workflow, f.run, waves, launch_options(f), resume);
    if (!ran) return report(ran.error());
    if (result) *result = *ran;
    return to_int(ran->exit);
}

int run_planned(app::Context& ctx, RunFlags& f, const app::Prepared& prepared,
                const std::optional<config::Rollout>& rollout, const rollout::Plan& plan,
                app::RunResult* result) {
    auto ran = app::launch(ctx, prepared, f.run, rollout, plan, launch_options(f));
    if (!ran) return report(ran.error());
    if (result) *result = *ran;
    return to_int(ran->exit);
}

void add_claim_flag(CLI::App& sub, int& fd) {
    sub.add_option("--claim-fd", fd)->group("")->check(CLI::Range(3, 1023));
}

Status take_claim(app::Context& ctx, int fd, app::RunOptions& run) {
    if (fd < 0) return {};
    LEURA_TRY_ASSIGN(claim, app::claim_pending_run(ctx, fd));
    run.run_id = claim.run_id;
    run.triggered_by = claim.triggered_by;
    return {};
}

} // namespace leura::cli
