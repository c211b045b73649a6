// SPDX-License-Identifier: Apache-2.0
#include "cli/commands.hpp"
#include "cli/records.hpp"
#include "cli/report.hpp"
#include "cli/run_flags.hpp"

#include <cstdio>
#include <memory>

namespace leura::cli {

namespace {

int retry(RunFlags& f, const std::string& prefix) {
    auto view = load_run(prefix, false);
    if (!view) return report(view.error());
    const auto& run = view->run;
    std::vector<std::string> failed;
    for (const auto& h : view->hosts)
        if (h.status == "failed" || h.status == "unreachable") failed.push_back(h.host);
    if (failed.empty()) {
        std::fprintf(stderr, "leura: run %s has no failed or unreachable hosts\n", run.id.c_str());
        return 0;
    }
    if (auto same = task_unchanged(run); same && !*same)
        std::fprintf(stderr, "leura: warning: %s changed since run %s; running it as it is now\n",
                     run.task.c_str(), run.id.c_str());
    if (auto st = rerun_source(run, f.prepare); !st) return report(st.error());
    if (f.prepare.inventory.empty()) f.prepare.inventory = run.inventory;
    f.prepare.only_hosts = failed;
    std::fprintf(stderr, "leura: retrying %zu host%s of run %s\n", failed.size(),
                 failed.size() == 1 ? "" : "s", run.id.c_str());
    return execute_run(f);
}

} // namespace

Action add_retry(CLI::App& sub) {
    auto f = std::make_shared<RunFlags>();
    auto run = std::make_shared<std::string>();
    sub.add_option("run", *run, "Run id or a unique prefix of one")->required();
    sub.add_option("-i,--inventory", f->prepare.inventory,
                   "Inventory (default: the one the run used)");
    sub.add_option("--batches", f->batches, "Cumulative waves (over the task's)");
    add_run_flags(sub, *f);
    return [f, run] { return retry(*f, *run); };
}

} // namespace leura::cli
