// SPDX-License-Identifier: Apache-2.0
#include "cli/run_flags.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "inventory/range.hpp"
#include "util/fd_limit.hpp"
#include "util/signals.hpp"
#include "util/strings.hpp"

#include <cstdio>
#include <unistd.h>

namespace leura::cli {

void add_selection_flags(CLI::App& sub, RunFlags& f) {
    sub.add_option("-i,--inventory", f.prepare.inventory,
                   "Inventory name or file (default: the task's)");
    sub.add_option("-t,--targets", f.prepare.targets, "Selector (default: the task's)");
    sub.add_option("--batches", f.batches,
                   "Cumulative waves, e.g. 1%,5%,50%,100% or 1,10,100% (over the task's)");
    sub.add_option("--shuffle", f.shuffle, "Seed that varies how ties between units are broken");
}

void add_run_flags(CLI::App& sub, RunFlags& f) {
    sub.add_option("--concurrency", f.run.concurrency, "Hosts at once (default 100)")
        ->check(CLI::Range(1, 100000))
        ->each([&f](const std::string&) { f.run.concurrency_set = true; });
    sub.add_option("--var", f.vars, "Set a variable, NAME=VALUE (repeatable)");
    sub.add_option("--known-hosts", f.run.known_hosts,
                   "known_hosts file (default: ~/.ssh/known_hosts)");
    sub.add_flag("--accept-new-host-keys", f.run.accept_new_host_keys,
                 "Record keys of hosts not yet in known_hosts (a changed key is never accepted)");
    sub.add_option("--connect-timeout", f.connect_timeout, "Per connection attempt")
        ->default_val("10s");
    sub.add_option("--connect-attempts", f.run.connect_attempts,
                   "Attempts per host for connection errors")
        ->default_val(3)
        ->check(CLI::Range(1, 20));
    sub.add_flag("-y,--yes", f.run.yes, "Go on between waves without asking (pause = confirm)");
    sub.add_flag("--json", f.json, "JSON Lines events on stdout; human text on stderr");
    sub.add_flag("-q,--quiet", f.quiet, "Print only failures and the summary");
    sub.add_flag("--dry-run", f.dry_run, "Validate and list the selected hosts; touch none");
    sub.add_option(
           "--grace", f.grace,
           "After Ctrl-C or SIGTERM, how long running steps may finish before they are ended")
        ->capture_default_str();
    sub.add_option("--keepalive", f.keepalive,
                   "Probe a host silent this long; fail it when the probe goes unanswered as long")
        ->capture_default_str();
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

Status parse_flags(RunFlags& f) {
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
    }
    return {};
}

namespace {

// A thousand hosts at once need a few thousand descriptors: take the hard limit, and run no
// more hosts at once than it allows rather than fail them with EMFILE.
void limit_concurrency_to_fds(RunFlags& f, const std::optional<config::Rollout>& rollout) {
    size_t wanted = f.run.concurrency;
    if (!f.run.concurrency_set && rollout && rollout->concurrency) wanted = *rollout->concurrency;
    size_t limit = util::raise_fd_limit();
    size_t most = util::hosts_within_fd_limit(limit);
    if (wanted <= most) return;
    std::fprintf(stderr,
                 "leura: note: %zu hosts at once need more than the %zu open files allowed "
                 "(ulimit -n); running %zu at once\n",
                 wanted, limit, most);
    f.run.concurrency = most;
    f.run.concurrency_set = true;
}

} // namespace

int execute_run(RunFlags& f, app::RunResult* result) {
    if (auto st = parse_flags(f); !st) return report(st.error());
    auto waves = wave_options(f);
    if (!waves) return report(waves.error());
    config::Diagnostics diags;
    auto prepared = app::prepare(f.prepare, diags);
    if (!prepared) return report(diags);
    auto rollout = app::effective_rollout(*prepared, *waves);
    auto plan = app::plan_waves(*prepared, rollout, *waves);
    return run_planned(f, *prepared, rollout, plan, result);
}

int run_planned(RunFlags& f, const app::Prepared& prepared,
                const std::optional<config::Rollout>& rollout, const rollout::Plan& plan,
                app::RunResult* result) {
    if (f.dry_run) {
        for (size_t k = 0; k < plan.waves.size(); ++k) {
            std::vector<std::string> names;
            for (size_t i : plan.waves[k].hosts)
                names.push_back(prepared.hosts[i]->name);
            std::printf("wave %zu: %zu host%s: %s\n", k + 1, names.size(),
                        names.size() == 1 ? "" : "s", inventory::fold_hosts(names).c_str());
        }
        for (size_t i = 0; i < prepared.task.steps.size(); ++i)
            std::printf("step %zu: %s\n", i + 1, prepared.task.steps[i].name.c_str());
        return to_int(ExitCode::ok);
    }
    // Asking needs a person at a terminal; decide before any host is touched.
    if (rollout && rollout->pause == config::Pause::confirm && !f.run.yes &&
        plan.waves.size() > 1 && !::isatty(STDIN_FILENO))
        return report(Error(ErrorKind::usage, "the task pauses for confirmation between waves "
                                              "(pause = \"confirm\") and stdin is not a "
                                              "terminal: pass --yes to go on without asking"));

    limit_concurrency_to_fds(f, rollout);
    ui::ReporterOptions ro;
    ro.json = f.json;
    ro.quiet = f.quiet;
    ro.color = !f.json && ui::wants_color(f.report_on_stderr ? stderr : stdout);
    ro.progress = !f.quiet && ::isatty(STDERR_FILENO);
    auto reporter = ui::make_reporter(ro, f.report_on_stderr ? stderr : stdout, stderr);
    util::install_stop_signals();
    f.run.argv = invocation();
    auto ran = app::run_task(prepared, f.run, rollout, plan, *reporter);
    if (!ran) return report(ran.error());
    if (result) *result = *ran;
    return to_int(ran->exit);
}

} // namespace leura::cli
