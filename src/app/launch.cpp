// SPDX-License-Identifier: Apache-2.0
#include "app/launch.hpp"
#include "app/access_gate.hpp"
#include "inventory/range.hpp"
#include "ui/reporter.hpp"
#include "util/fd_limit.hpp"
#include "util/signals.hpp"

#include <cstdio>
#include <unistd.h>

namespace leura::app {

std::unique_ptr<ui::Reporter> make_run_reporter(const LaunchOptions& options);

namespace {

constexpr size_t k_reserved_fds = 64;
constexpr size_t k_fds_per_host = 3;

// How many hosts may be in flight within `limit` descriptors: each holds its socket and the
// two spool files of its running step; a reserve stays for the database, the archive, the
// terminal and jump hosts.
size_t hosts_within_fd_limit(size_t limit) {
    return limit > k_reserved_fds + k_fds_per_host ? (limit - k_reserved_fds) / k_fds_per_host : 1;
}

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

namespace {

// What running `p` asks of the access policy: `run` of its task (`exec` for an ad-hoc
// command) on its inventory's selected hosts.
AccessRequest run_request(const Prepared& p, const RunOptions& run) {
    AccessRequest r;
    r.action = p.task.adhoc ? "exec" : "run";
    if (!p.task.adhoc) r.task = !p.task_name.empty() ? p.task_name : p.task.file.string();
    r.inventory = inventory_name_of(p.inventory_file);
    for (const auto* h : p.hosts)
        r.hosts.push_back(h->name);
    r.hosts_from = &p.inventory;
    r.run_id = run.run_id;
    return r;
}

} // namespace

Result<RunResult> launch(Context& ctx, const Prepared& prepared, RunOptions run,
                         const std::optional<config::Rollout>& rollout, const rollout::Plan& plan,
                         const LaunchOptions& options) {
    // A dry run touches no host: it is checked, and audited only when refused.
    LEURA_TRY(authorize(ctx, run_request(prepared, run), !options.dry_run));
    LEURA_TRY(controller_steps_allowed(ctx, prepared.task, prepared.task_name));
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
    size_t most = hosts_within_fd_limit(limit);
    if (wanted > most) {
        std::fprintf(stderr,
                     "leura: note: %zu hosts at once need more than the %zu open files allowed "
                     "(ulimit -n); running %zu at once\n",
                     wanted, limit, most);
        wanted = most;
    }
    run.concurrency = wanted;
    run.concurrency_set = true;
    auto reporter = make_run_reporter(options);
    util::install_stop_signals();
    ctx.stop.wake_fd = util::stop_wake_fd(); // the signal pipe exists from here on
    return run_task(ctx, prepared, run, rollout, plan, *reporter);
}

Result<RunResult> launch_workflow(Context& ctx, const Prepared& wf, RunOptions run,
                                  const WaveOptions& waves, const LaunchOptions& options,
                                  const WorkflowResume* resume) {
    // The workflow's task, and each stage's task on its own hosts.
    LEURA_TRY(authorize(ctx, run_request(wf, run), !options.dry_run));
    for (const auto& s : wf.stages) {
        LEURA_TRY(authorize(ctx, run_request(s, run), !options.dry_run));
        LEURA_TRY(controller_steps_allowed(ctx, s.task, s.task_name));
    }
    if (options.dry_run) {
        std::printf("%s", describe_targets(wf).c_str());
        for (size_t i : config::stage_order(wf.task.stages))
            for (const auto& s : wf.stages)
                if (s.stage == wf.task.stages[i].name) {
                    std::printf("\nstage %s:\n", s.stage.c_str());
                    auto rollout = effective_rollout(s, waves);
                    print_dry_run(s, plan_waves(s, rollout, waves));
                }
        return RunResult{};
    }
    for (const auto& s : wf.stages)
        if (s.task.rollout && s.task.rollout->pause == config::Pause::confirm && !run.yes &&
            !::isatty(STDIN_FILENO))
            return fail(ErrorKind::usage, "stage " + s.stage +
                                              " pauses for confirmation between waves and stdin "
                                              "is not a terminal: pass --yes to go on without "
                                              "asking");
    // Each stage takes its own [rollout] concurrency unless --concurrency was given; the fd
    // limit bounds them all.
    size_t most = hosts_within_fd_limit(util::raise_fd_limit());
    if (run.concurrency_set && run.concurrency > most) run.concurrency = most;
    if (!run.concurrency_set && run.concurrency > most) run.concurrency = most;
    auto reporter = make_run_reporter(options);
    util::install_stop_signals();
    ctx.stop.wake_fd = util::stop_wake_fd();
    return run_workflow(ctx, wf, run, waves, *reporter, resume);
}

std::unique_ptr<ui::Reporter> make_run_reporter(const LaunchOptions& options) {
    ui::ReporterOptions ro;
    ro.json = options.json;
    ro.quiet = options.quiet;
    ro.color =
        !options.json &&
        (options.color == "always" ||
         (options.color == "auto" && ui::wants_color(options.report_on_stderr ? stderr : stdout)));
    ro.host_lines = options.host_lines;
    bool term = ::isatty(STDERR_FILENO);
    ro.live = !options.quiet && term;
    // A frame of several lines only where leura writes every line on the terminal: a pipe's
    // reader (tee) writes its lines where the frame is, and the frame would erase them.
    ro.live_multiline = ::isatty(STDOUT_FILENO);
    ro.plain_every_ms = !options.quiet && !term ? 15'000 : 0;
    return ui::make_reporter(ro, options.report_on_stderr ? stderr : stdout, stderr);
}

} // namespace leura::app
