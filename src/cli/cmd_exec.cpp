// SPDX-License-Identifier: Apache-2.0
// `leura exec -i INVENTORY [-t TARGETS] -- COMMAND`: the ad-hoc command pdsh and clush are used
// for, run and recorded like a one-step task; afterwards the hosts' outputs, grouped by content.
#include "app/records.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "cli/run_flags.hpp"
#include "inventory/range.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

namespace leura::cli {

namespace {

struct OutputGroup {
    const store::StepRecord* sample;
    std::vector<std::string> hosts;
};

// Hosts whose step printed the same and ended the same, largest group first (as clush -b).
std::vector<OutputGroup> group_outputs(const std::vector<store::StepRecord>& steps) {
    std::map<std::string, size_t> index;
    std::vector<OutputGroup> groups;
    for (const auto& s : steps) {
        // The digest of the whole output: previews of long outputs that differ only in the
        // middle are alike. Runs recorded before the digest existed fall back to previews.
        std::string key =
            s.status + '\0' + std::to_string(s.exit_code.value_or(-1)) + '\0' +
            (s.output_sha256 ? *s.output_sha256 : s.preview_out + '\0' + s.preview_err);
        auto [it, fresh] = index.try_emplace(std::move(key), groups.size());
        if (fresh) groups.push_back({&s, {}});
        groups[it->second].hosts.push_back(s.host);
    }
    std::stable_sort(groups.begin(), groups.end(),
                     [](const auto& a, const auto& b) { return a.hosts.size() > b.hosts.size(); });
    return groups;
}

void print_groups(const app::RunView& view) {
    auto groups = group_outputs(view.steps);
    bool truncated = false;
    for (const auto& g : groups) {
        const store::StepRecord& s = *g.sample;
        std::string ending;
        if (s.status != "ok") {
            ending = s.exit_code ? " exit " + std::to_string(*s.exit_code)
                                 : " " + s.status + (s.error ? ": " + *s.error : "");
        }
        std::printf("---------------- %s (%zu)%s\n", inventory::fold_hosts(g.hosts).c_str(),
                    g.hosts.size(), ending.c_str());
        write_host_output(stdout, s.preview_out);
        std::fflush(stdout);
        write_host_output(stderr, s.preview_err);
        truncated = truncated || s.preview_out.size() < size_t(s.bytes_out) ||
                    s.preview_err.size() < size_t(s.bytes_err);
    }
    if (truncated)
        std::fprintf(stderr,
                     "leura: long outputs are shown shortened; all of it: leura logs %s "
                     "--full\n",
                     view.run.id.c_str());
}

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
    app::RunResult result;
    int exit = execute_run(ctx, f.run, &result);
    if (f.run.json || result.run_id.empty()) return exit;
    auto view = app::load_run(ctx, result.run_id);
    if (!view) return report(view.error());
    print_groups(*view);
    return exit;
}

} // namespace

Action add_exec(CLI::App& sub) {
    auto f = std::make_shared<ExecFlags>();
    sub.add_option("-i,--inventory", f->run.prepare.inventory, "Inventory name or file")
        ->required();
    sub.add_option("-t,--targets", f->run.prepare.targets, "Selector (default: every host)");
    sub.add_option("--batches", f->run.batches,
                   "Cumulative waves, e.g. 1,10,100% (default: all hosts at once)");
    sub.add_option("--shell", f->run.prepare.shell,
                   "The shell that runs the command on each host, such as bash (default: sh)");
    add_run_flags(sub, f->run);
    sub.add_option("command", f->words, "The command (after --), run by /bin/sh or --shell")
        ->required();
    return [f](app::Context& ctx) { return exec(ctx, *f); };
}

} // namespace leura::cli
