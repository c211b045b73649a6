// SPDX-License-Identifier: Apache-2.0
// `leura exec -i INVENTORY [-t TARGETS] -- COMMAND`: the ad-hoc command pdsh and clush are used
// for, run and recorded like a one-step task; afterwards the hosts' outputs, grouped by content.
#include "app/records.hpp"
#include "cli/commands.hpp"
#include "cli/output_groups.hpp"
#include "cli/report.hpp"
#include "cli/run_flags.hpp"

#include <cstdio>
#include <memory>

namespace leura::cli {

namespace {

struct ExecFlags {
    RunFlags run;
    std::vector<std::string> words;
};

int exec(app::Context& ctx, ExecFlags& f) {
    std::string command;
    for (const auto& w : f.words)
        command += (command.empty() ? "" : " ") + w;
    f.run.prepare.command = command;
    // The grouped outputs are what a person reads; per-host lines only for failures.
    if (!f.run.json) {
        f.run.host_lines = false;
        f.run.report_on_stderr = true;
    }
    if (auto st = service_side_inputs(ctx, f.run); !st) return report(st.error());
    app::RunResult result;
    int exit = execute_run(ctx, f.run, &result);
    if (result.run_id.empty()) return exit;
    auto view = app::load_run(ctx, result.run_id);
    if (!view) return report(view.error());
    std::vector<const store::StepRecord*> steps;
    for (const auto& s : view->steps)
        steps.push_back(&s);
    auto groups = group_outputs(steps);
    if (f.run.json) {
        print_groups_json(stdout, view->run.id, groups);
        return exit;
    }
    if (print_groups(stdout, groups))
        std::fprintf(stderr,
                     "leura: long outputs are shown shortened; all of it: leura logs %s --full\n",
                     view->run.id.c_str());
    return exit;
}

} // namespace

Action add_exec(CLI::App& sub) {
    auto f = std::make_shared<ExecFlags>();
    auto claim_fd = std::make_shared<int>(-1);
    sub.add_option("-i,--inventory", f->run.prepare.inventory, "Inventory name or file")
        ->required();
    sub.add_option("-t,--targets", f->run.prepare.targets, "Selector (default: every host)");
    sub.add_option("--batches", f->run.batches,
                   "Cumulative waves, e.g. 1,10,100% (default: all hosts at once)");
    sub.add_option("--shell", f->run.prepare.shell,
                   "The shell that runs the command on each host, such as bash (default: sh)");
    add_run_flags(sub, f->run);
    add_claim_flag(sub, *claim_fd);
    sub.add_option(
           "command", f->words,
           "The command, run by /bin/sh or --shell; leura's options go before it, or -- does")
        ->required();
    return [f, claim_fd](app::Context& ctx) {
        if (auto st = take_claim(ctx, *claim_fd, f->run.run); !st) return report(st.error());
        return exec(ctx, *f);
    };
}

} // namespace leura::cli
