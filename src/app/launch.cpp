// SPDX-License-Identifier: Apache-2.0
#include "app/launch.hpp"
#include "inventory/range.hpp"
#include "ui/reporter.hpp"
#include "util/fd_limit.hpp"
#include "util/signals.hpp"

#include <cstdio>
#include <unistd.h>

namespace leura::app {

namespace {

void print_dry_run(const Prepared& prepared, const rollout::Plan& plan) {
    std::printf("%s", describe_targets(prepared).c_str());
    for (size_t k = 0; k < plan.waves.size(); ++k) {
        std::vector<std::string> names;
        for (size_t i : plan.waves[k].hosts)
            names.push_back(prepared.hosts[i]->name);
        std::printf("wave %zu: %zu host%s: %s\n", k + 1, names.size(), names.size() == 1 ? "" : "s",
                    inventory::fold_hosts(names).c_str());
    }
    for (size_t i = 0; i < prepared.task.steps.size(); ++i)
        std::printf("step %zu: %s\n", i + 1, prepared.task.steps[i].name.c_str());
}

} // namespace

size_t effective_concurrency(const RunOptions& o, const std::optional<config::Rollout>& rollout) {
    if (!o.concurrency_set && rollout && rollout->concurrency) return *rollout->concurrency;
    return o.concurrency;
}

Result<RunResult> launch(Context& ctx, const Prepared& prepared, RunOptions run,
                         const std::optional<config::Rollout>& rollout, const rollout::Plan& plan,
                         const LaunchOptions& options) {
    if (options.dry_run) {
        print_dry_run(prepared, plan);
        return RunResult{};
    }
    // Asking needs a person at a terminal; decide before any host is touched.
    if (rollout && rollout->pause == config::Pause::confirm && !run.yes && plan.waves.size() > 1 &&
        !::isatty(STDIN_FILENO))
        return fail(ErrorKind::usage, "the task pauses for confirmation between waves "
                                      "(pause = \"confirm\") and stdin is not a terminal: pass "
                                      "--yes to go on without asking");
    // A thousand hosts at once need a few thousand descriptors: take the hard limit, and run
    // no more hosts at once than it allows rather than fail them with EMFILE.
    size_t wanted = effective_concurrency(run, rollout);
    size_t limit = util::raise_fd_limit();
    size_t most = util::hosts_within_fd_limit(limit);
    if (wanted > most) {
        std::fprintf(stderr,
                     "leura: note: %zu hosts at once need more than the %zu open files allowed "
                     "(ulimit -n); running %zu at once\n",
                     wanted, limit, most);
        wanted = most;
    }
    run.concurrency = wanted;
    run.concurrency_set = true;

    ui::ReporterOptions ro;
    ro.json = options.json;
    ro.quiet = options.quiet;
    ro.color =
        !options.json &&
        (options.color == "always" ||
         (options.color == "auto" && ui::wants_color(options.report_on_stderr ? stderr : stdout)));
    ro.progress = !options.quiet && ::isatty(STDERR_FILENO);
    auto reporter = ui::make_reporter(ro, options.report_on_stderr ? stderr : stdout, stderr);
    util::install_stop_signals();
    ctx.stop.wake_fd = util::stop_wake_fd(); // the signal pipe exists from here on
    return run_task(ctx, prepared, run, rollout, plan, *reporter);
}

} // namespace leura::app
