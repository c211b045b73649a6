// SPDX-License-Identifier: Apache-2.0
#include "app/records.hpp"
#include "app/step_values.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "inventory/range.hpp"
#include "util/strings.hpp"

#include <cstdio>
#include <map>
#include <memory>

namespace leura::cli {

namespace {

void print_header(const store::RunRecord& r) {
    std::printf("run        %s\n", r.id.c_str());
    std::printf("task       %s%s%s (sha256 %.12s)\n", r.task_name ? r.task_name->c_str() : "",
                r.task_name ? " " : "", r.task_name ? ("(" + r.task + ")").c_str() : r.task.c_str(),
                r.task_hash.c_str());
    std::printf("inventory  %s\n", r.inventory.c_str());
    std::printf("targets    %s\n", r.targets.empty() ? "(all)" : r.targets.c_str());
    std::printf("user       %s\n", r.user.c_str());
    std::printf("started    %s\n", r.started_at.c_str());
    std::printf("finished   %s\n", r.finished_at.value_or("-").c_str());
    std::printf("status     %s", r.status.c_str());
    if (r.exit_code) std::printf(" (exit %lld)", (long long)*r.exit_code);
    std::printf("\nhosts      %lld: %lld ok, %lld failed, %lld unreachable, %lld skipped, "
                "%lld interrupted, %lld rolled back\n",
                (long long)r.hosts, (long long)r.ok, (long long)r.failed, (long long)r.unreachable,
                (long long)r.skipped, (long long)r.interrupted, (long long)r.rolled_back);
    std::printf("archive    %s\n", r.archive.value_or("-").c_str());
    if (r.resumes) std::printf("resumes    %s\n", r.resumes->c_str());
}

void print_step(const store::StepRecord& s) {
    std::string result = s.exit_code    ? "exit " + std::to_string(*s.exit_code)
                         : s.signal     ? "signal " + *s.signal
                         : s.error_kind ? *s.error_kind
                         : s.status == "skipped" || s.status == "running" ? s.status
                                                                          : "-";
    std::string name = s.phase == "steps" ? s.name : s.phase + ": " + s.name;
    std::printf("      %2lld %-24s %-10s %7s  out %s, err %s%s%s\n", (long long)s.idx + 1,
                name.c_str(), result.c_str(), util::human_duration_ms(s.duration_ms).c_str(),
                util::human_bytes(uint64_t(s.bytes_out)).c_str(),
                util::human_bytes(uint64_t(s.bytes_err)).c_str(), s.error ? "  " : "",
                util::terminal_safe(s.error.value_or(""), true).c_str());
    if (!s.outputs) return;
    std::string values;
    for (const auto& [key, value] : app::parse_values_json(*s.outputs))
        values += (values.empty() ? "" : ", ") + key + "=" + value;
    std::printf("         values: %s\n", util::terminal_safe(values, true).c_str());
}

// `--hosts STATUS`: one host per line, for scripts. "failed" includes unreachable hosts, as
// `retry` does.
int list_hosts(const app::RunView& view, const std::string& status) {
    for (const auto& h : view.hosts) {
        bool match = status == "all" || h.status == status ||
                     (status == "failed" && h.status == "unreachable");
        if (match) std::printf("%s\n", h.host.c_str());
    }
    return 0;
}

void print_wave_header(int64_t wave, const app::RunView& view, const std::string& folded) {
    std::printf("\nwave %lld/%lld: %s\n", (long long)wave, (long long)view.run.waves,
                folded.c_str());
    for (const auto& b : view.batches) {
        if (b.wave != wave) continue;
        std::printf("  gate %s: %lld ok, %lld failed, %lld unreachable",
                    b.gate.value_or("running").c_str(), (long long)b.ok, (long long)b.failed,
                    (long long)b.unreachable);
        if (b.skipped) std::printf(", %lld skipped", (long long)b.skipped);
        if (b.interrupted) std::printf(", %lld interrupted", (long long)b.interrupted);
        if (b.rolled_back) std::printf(", %lld rolled back", (long long)b.rolled_back);
        std::printf(" (%lld failed in the run)", (long long)b.failed_total);
        if (b.reason) std::printf("; %s", b.reason->c_str());
        if (b.rollback != "none") std::printf("; rollback %s", b.rollback.c_str());
        std::printf("\n");
    }
}

// The waves of one run (a task's, or a workflow stage's), each with its hosts and steps.
void print_waves(const app::RunView* view) {
    const auto& hosts = view->hosts;
    const auto& steps = view->steps;
    std::multimap<std::string, const store::StepRecord*> steps_of;
    for (const auto& s : steps)
        steps_of.emplace(s.host, &s);
    std::map<int64_t, std::vector<const store::HostRecord*>> waves;
    for (const auto& h : hosts)
        waves[h.wave].push_back(&h);
    for (const auto& [wave, members] : waves) {
        std::vector<std::string> names;
        for (const auto* h : members)
            names.push_back(h->host);
        print_wave_header(wave, *view, inventory::fold_hosts(names));
        for (const auto* h : members) {
            std::printf("  %-11s %-24s %7s  %s\n", h->status.c_str(), h->host.c_str(),
                        util::human_duration_ms(h->duration_ms).c_str(),
                        util::terminal_safe(h->error.value_or(""), true).c_str());
            auto [from, to] = steps_of.equal_range(h->host);
            for (auto it = from; it != to; ++it)
                print_step(*it->second);
        }
    }
}

// A workflow: each stage run in the order it started, then its waves.
int show_stages(app::Context& ctx, const store::RunRecord& run, const std::string& host_status) {
    auto records = ctx.records();
    if (!records) return report(records.error());
    auto stages = (*records)->stage_runs(run.id);
    if (!stages) return report(stages.error());
    for (const auto& s : *stages) {
        auto view = app::load_run(ctx, s.id, false);
        if (!view) return report(view.error());
        if (!host_status.empty()) {
            list_hosts(*view, host_status);
            continue;
        }
        std::string name = s.stage.value_or("?");
        if (s.note == "rollback") name += " rollback";
        std::printf("\nstage %s: %s", name.c_str(), s.status.c_str());
        if (s.status == "skipped")
            std::printf(": %s\n", s.note ? util::terminal_safe(*s.note, true).c_str()
                                         : "(no reason recorded)");
        else
            std::printf(" (run %s; %lld ok, %lld failed, %lld unreachable)\n", s.id.c_str(),
                        (long long)s.ok, (long long)s.failed, (long long)s.unreachable);
        if (s.resumes) std::printf("  resumes %s\n", s.resumes->c_str());
        if (s.status != "skipped") print_waves(&*view);
    }
    return 0;
}

int show(app::Context& ctx, const std::string& prefix, const std::string& host_status) {
    auto view = app::load_run(ctx, prefix, false);
    if (!view) return report(view.error());
    if (view->run.note == "workflow") {
        if (host_status.empty()) print_header(view->run);
        return show_stages(ctx, view->run, host_status);
    }
    if (!host_status.empty()) return list_hosts(*view, host_status);
    print_header(view->run);
    print_waves(&*view);
    return 0;
}

} // namespace

Action add_show(CLI::App& sub) {
    auto run = std::make_shared<std::string>();
    auto hosts = std::make_shared<std::string>();
    sub.add_option("run", *run,
                   "Run id, a unique prefix of one, last, or last~N (N runs before the last)")
        ->required();
    sub.add_option("--hosts", *hosts,
                   "Only list the hosts with this result, one per line (failed includes "
                   "unreachable)")
        ->check(CLI::IsMember(
            {"ok", "failed", "unreachable", "skipped", "interrupted", "rolled_back", "all"}));
    return [run, hosts](app::Context& ctx) { return show(ctx, *run, *hosts); };
}

} // namespace leura::cli
