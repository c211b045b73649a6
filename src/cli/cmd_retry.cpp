// SPDX-License-Identifier: Apache-2.0
// `leura retry RUN`: the run's task again, on the hosts that ended a given way in it (default:
// failed and unreachable), with the run's inventory and overrides unless new ones are given.
#include "app/records.hpp"
#include "app/resume.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "cli/run_flags.hpp"

#include <cstdio>
#include <memory>

namespace leura::cli {

namespace {

int retry(app::Context& ctx, RunFlags& f, const std::string& prefix, const std::string& which) {
    auto view = app::load_run(ctx, prefix, false);
    if (!view) return report(view.error());
    const auto& run = view->run;
    if (auto st = reuse_recorded(ctx, f, run, true); !st) return report(st.error());
    std::vector<std::string> hosts = app::hosts_to_retry(*view, which);
    const char* what = which.empty() ? "failed or unreachable" : which.c_str();
    if (hosts.empty()) {
        std::fprintf(stderr, "leura: run %s has no %s hosts\n", run.id.c_str(),
                     which == "all" ? "recorded" : what);
        return 0;
    }
    if (auto same = app::task_unchanged(run); same && !*same)
        std::fprintf(stderr, "leura: warning: %s changed since run %s; running it as it is now\n",
                     run.task.c_str(), run.id.c_str());
    if (auto st = app::rerun_source(run, f.prepare); !st) return report(st.error());
    if (f.prepare.inventory.empty()) f.prepare.inventory = run.inventory;
    f.prepare.only_hosts = hosts;
    // -t narrows the hosts to run again; it never adds any.
    f.prepare.narrow = f.prepare.targets;
    f.prepare.targets.clear();
    std::string kind = which.empty() ? "" : which + " ";
    if (f.prepare.narrow.empty())
        std::fprintf(stderr, "leura: retrying %zu %shost%s of run %s\n", hosts.size(), kind.c_str(),
                     hosts.size() == 1 ? "" : "s", run.id.c_str());
    else
        std::fprintf(stderr, "leura: retrying the %shosts of run %s that -t %s selects\n",
                     kind.c_str(), run.id.c_str(), f.prepare.narrow.c_str());
    return execute_run(ctx, f);
}

} // namespace

Action add_retry(CLI::App& sub) {
    auto f = std::make_shared<RunFlags>();
    auto run = std::make_shared<std::string>();
    auto which = std::make_shared<std::string>();
    sub.add_option("run", *run, "Run id or a unique prefix of one")->required();
    sub.add_option("--hosts", *which,
                   "Which hosts to run again: failed, unreachable, skipped, interrupted, "
                   "rolled_back or all (default: failed and unreachable)")
        ->check(CLI::IsMember(
            {"failed", "unreachable", "skipped", "interrupted", "rolled_back", "all"}));
    sub.add_option("-i,--inventory", f->prepare.inventory,
                   "Inventory (default: the one the run used)");
    sub.add_option("-t,--targets", f->prepare.targets,
                   "Only those of the hosts this selector selects (it never adds any)");
    sub.add_option("--batches", f->batches,
                   "Cumulative waves (default: the run's, over the task's)");
    sub.add_option("--shuffle", f->shuffle, "Seed that varies how ties between units are broken");
    add_run_flags(sub, *f);
    return [f, run, which](app::Context& ctx) { return retry(ctx, *f, *run, *which); };
}

} // namespace leura::cli
