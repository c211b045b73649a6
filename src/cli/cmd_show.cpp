// SPDX-License-Identifier: Apache-2.0
#include "app/records.hpp"
#include "app/run_json.hpp"
#include "app/step_values.hpp"
#include "archive/names.hpp"
#include "cli/commands.hpp"
#include "cli/output_groups.hpp"
#include "cli/pager.hpp"
#include "cli/report.hpp"
#include "config/task.hpp"
#include "inventory/range.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <tuple>

namespace leura::cli {

namespace {

struct ShowFlags {
    std::string run, hosts, step;
    bool grouped = false, local = false, no_pager = false, json = false;
};

// Steps that ran and changed something (ok) against steps an idempotence check found done
// already (unchanged), over the given steps.
struct Changes {
    int64_t changed = 0, unchanged = 0;
    void add(const store::StepRecord& s) {
        if (s.phase != "steps") return;
        changed += s.status == "ok";
        unchanged += s.status == "unchanged";
    }
};

void print_header(const store::RunRecord& r, const std::vector<std::string>& resumed_by,
                  const std::vector<store::StepRecord>& steps, bool local) {
    std::printf("run        %s\n", r.id.c_str());
    std::printf("task       %s%s%s (sha256 %.12s)\n", r.task_name ? r.task_name->c_str() : "",
                r.task_name ? " " : "", r.task_name ? ("(" + r.task + ")").c_str() : r.task.c_str(),
                r.task_hash.c_str());
    if (r.task == config::k_adhoc_task)
        std::printf(
            "command    %s\n",
            util::terminal_safe(app::adhoc_command(r.task_text.value_or("")).value_or("?"), true)
                .c_str());
    std::printf("inventory  %s\n", r.inventory.c_str());
    std::printf("targets    %s\n", r.targets.empty() ? "(all)" : r.targets.c_str());
    std::printf("user       %s\n", r.user.c_str());
    std::printf("started    %s\n", util::display_time(r.started_at, local).c_str());
    if (r.finished_at)
        std::printf("finished   %s (took %s)\n", util::display_time(*r.finished_at, local).c_str(),
                    app::run_took(r).c_str());
    else
        std::printf("finished   - (%s)\n", r.status == "running" ? "still running" : "never");
    std::printf("status     %s", r.status.c_str());
    if (r.exit_code) std::printf(" (exit %lld)", (long long)*r.exit_code);
    std::printf("\nhosts      %lld: %lld ok, %lld failed, %lld unreachable, %lld skipped, "
                "%lld interrupted, %lld rolled back\n",
                (long long)r.hosts, (long long)r.ok, (long long)r.failed, (long long)r.unreachable,
                (long long)r.skipped, (long long)r.interrupted, (long long)r.rolled_back);
    Changes c;
    std::map<std::string, Changes> by_host;
    for (const auto& s : steps) {
        c.add(s);
        by_host[s.host].add(s);
    }
    int64_t hosts_changed = 0, hosts_unchanged = 0;
    for (const auto& [host, h] : by_host) {
        hosts_changed += h.changed > 0;
        hosts_unchanged += h.changed == 0 && h.unchanged > 0;
    }
    if (c.changed || c.unchanged)
        std::printf("changes    %lld host%s changed, %lld unchanged; %lld step%s changed, %lld "
                    "unchanged\n",
                    (long long)hosts_changed, hosts_changed == 1 ? "" : "s",
                    (long long)hosts_unchanged, (long long)c.changed, c.changed == 1 ? "" : "s",
                    (long long)c.unchanged);
    std::printf("archive    %s\n", r.archive.value_or("-").c_str());
    if (r.resumes) std::printf("resumes    %s\n", r.resumes->c_str());
    if (r.triggered_by)
        std::printf("started by %s\n", util::terminal_safe(*r.triggered_by, true).c_str());
    for (const auto& id : resumed_by)
        std::printf("resumed by %s\n", id.c_str());
}

// Nearest-rank percentile of sorted values.
int64_t percentile(const std::vector<int64_t>& sorted, int p) {
    if (sorted.empty()) return 0;
    size_t rank = (sorted.size() * size_t(p) + 99) / 100;
    return sorted[rank == 0 ? 0 : rank - 1];
}

// One line per step across the run's hosts: how many hosts ended it each way, and how long it
// took (median and 95th percentile).
void print_step_summary(const std::vector<store::StepRecord>& steps) {
    struct Row {
        std::string label;
        std::map<std::string, int64_t> by_status;
        std::vector<int64_t> durations;
    };
    std::map<std::tuple<int, int64_t, std::string>, Row> rows;
    for (const auto& s : steps) {
        int phase = s.phase == "steps" ? 0 : s.phase == "verify" ? 1 : 2;
        Row& row = rows[{phase, s.idx, s.name}];
        row.label = s.phase == "steps" ? s.name : s.phase + ": " + s.name;
        ++row.by_status[s.status];
        if (s.status != "skipped") row.durations.push_back(s.duration_ms);
    }
    if (rows.empty()) return;
    std::printf("\nsteps%30s %6s %9s %7s %7s %7s\n", "ok", "failed", "unchanged", "skipped", "p50",
                "p95");
    for (auto& [key, row] : rows) {
        std::sort(row.durations.begin(), row.durations.end());
        auto count = [&](const char* st) {
            auto it = row.by_status.find(st);
            return (long long)(it == row.by_status.end() ? 0 : it->second);
        };
        std::string label = util::terminal_safe(row.label, true);
        if (label.size() > 24) label = label.substr(0, 23) + "~";
        std::printf("  %2lld %-24s %5lld %6lld %9lld %7lld %7s %7s\n",
                    (long long)std::get<1>(key) + 1, label.c_str(), count("ok"), count("failed"),
                    count("unchanged"), count("skipped"),
                    util::human_duration_ms(percentile(row.durations, 50)).c_str(),
                    util::human_duration_ms(percentile(row.durations, 95)).c_str());
    }
}

void print_step(const store::StepRecord& s) {
    std::string result = s.status == "unchanged" ? std::string("unchanged")
                         : s.exit_code           ? "exit " + std::to_string(*s.exit_code)
                         : s.signal              ? "signal " + *s.signal
                         : s.error_kind          ? *s.error_kind
                         : s.status == "skipped" || s.status == "running" ? s.status
                                                                          : "-";
    std::string name = s.phase == "steps" ? s.name : s.phase + ": " + s.name;
    std::string attempts =
        s.attempts > 1 ? "  (" + std::to_string(s.attempts) + " attempts)" : std::string();
    std::printf("      %2lld %-24s %-10s %7s  out %s, err %s%s%s%s\n", (long long)s.idx + 1,
                name.c_str(), result.c_str(), util::human_duration_ms(s.duration_ms).c_str(),
                util::human_bytes(uint64_t(s.bytes_out)).c_str(),
                util::human_bytes(uint64_t(s.bytes_err)).c_str(), attempts.c_str(),
                s.error ? "  " : "", util::terminal_safe(s.error.value_or(""), true).c_str());
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

// The waves of one run (a task's, or a workflow stage's), each with its hosts and steps; the
// hosts a wave skipped are folded into one line per reason.
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
        std::map<std::string, std::vector<std::string>> skipped; // reason -> hosts
        for (const auto* h : members) {
            auto [from, to] = steps_of.equal_range(h->host);
            if (h->status == "skipped" && from == to) {
                skipped[h->error.value_or("")].push_back(h->host);
                continue;
            }
            Changes c;
            for (auto it = from; it != to; ++it)
                c.add(*it->second);
            std::string status = h->status == "rolled_back" ? "rolled back" : h->status;
            std::string note = util::terminal_safe(h->error.value_or(""), true);
            if (c.unchanged)
                note = std::to_string(c.changed) + " changed, " + std::to_string(c.unchanged) +
                       " unchanged" + (note.empty() ? "" : "; " + note);
            std::printf("  %-11s %-24s %7s  %s\n", status.c_str(),
                        util::terminal_safe(h->host, true).c_str(),
                        util::human_duration_ms(h->duration_ms).c_str(), note.c_str());
            for (auto it = from; it != to; ++it)
                print_step(*it->second);
        }
        for (const auto& [reason, skipped_names] : skipped)
            std::printf("  %-11s %s (%zu)%s%s\n", "skipped",
                        inventory::fold_hosts(skipped_names).c_str(), skipped_names.size(),
                        reason.empty() ? "" : ": ", util::terminal_safe(reason, true).c_str());
    }
}

// `--grouped`: each step's hosts grouped by what they printed and how the step ended, as
// `exec` prints them; `--step` picks the steps (a number or a name glob).
int print_grouped(const app::RunView& view, const std::string& step) {
    std::map<std::tuple<int, int64_t, std::string>, std::vector<const store::StepRecord*>> steps;
    for (const auto& s : view.steps) {
        if (!step.empty() && step != std::to_string(s.idx + 1) && !util::glob_match(step, s.name))
            continue;
        int phase = s.phase == "steps" ? 0 : s.phase == "verify" ? 1 : 2;
        steps[{phase, s.idx, s.name}].push_back(&s);
    }
    if (steps.empty())
        return report(Error(ErrorKind::not_found, "run " + view.run.id + " has no step" +
                                                      (step.empty() ? "" : " '" + step + "'") +
                                                      " recorded"));
    bool shortened = false;
    for (const auto& [key, members] : steps) {
        const auto* first = members.front();
        std::string label =
            first->phase == "steps" ? first->name : first->phase + ": " + first->name;
        std::printf("==> step %lld \"%s\" <==\n", (long long)std::get<1>(key) + 1,
                    util::terminal_safe(label, true).c_str());
        shortened = print_groups(stdout, group_outputs(members)) || shortened;
    }
    if (shortened)
        std::fprintf(stderr,
                     "leura: long outputs are shown shortened; all of it: leura logs %s --full\n",
                     view.run.id.c_str());
    return 0;
}

// A workflow: each stage run in the order it started, then its waves.
int show_stages(app::Context& ctx, const store::RunRecord& run, const ShowFlags& f) {
    auto records = ctx.records();
    if (!records) return report(records.error());
    auto stages = (*records)->stage_runs(run.id);
    if (!stages) return report(stages.error());
    for (const auto& s : *stages) {
        auto view = app::load_run(ctx, s.id, f.grouped);
        if (!view) return report(view.error());
        app::add_live_progress(ctx.data_dir, *view);
        if (!f.hosts.empty()) {
            list_hosts(*view, f.hosts);
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
        if (s.status == "skipped") continue;
        if (f.grouped) {
            if (!view->steps.empty()) print_grouped(*view, f.step);
            continue;
        }
        print_step_summary(view->steps);
        print_waves(&*view);
    }
    return 0;
}

// On a shared controller: the service side writes the report into a pager that runs as the
// person, here.
int show_in_front(app::Context& ctx, const ShowFlags& f) {
    Pager pager(f.no_pager || !f.hosts.empty() || f.json);
    const auto& args = invocation();
    auto rc = app::run_as_service(*ctx.service, {args.begin() + 1, args.end()});
    return rc ? *rc : report(rc.error());
}

int show(app::Context& ctx, const ShowFlags& f) {
    auto view = app::load_run(ctx, f.run, f.grouped);
    if (!view) return report(view.error());
    app::add_live_progress(ctx.data_dir, *view);
    if (f.json && (f.grouped || !f.hosts.empty()))
        return report(Error(ErrorKind::usage, "--json shows the whole run: not with --grouped "
                                              "or --hosts"));
    if (f.json) {
        std::printf("%s\n", app::run_view_document(ctx, *view).c_str());
        return 0;
    }
    if (!f.step.empty() && !f.grouped)
        return report(Error(ErrorKind::usage, "--step goes with --grouped"));
    if (!f.hosts.empty() && view->run.note != "workflow") return list_hosts(*view, f.hosts);
    auto records = ctx.records();
    if (!records) return report(records.error());
    auto resumed_by = (*records)->resumed_by(view->run.id);
    if (!resumed_by) return report(resumed_by.error());
    // The service side never starts a pager: it would run with the fleet's keys (a pager
    // opens files and shells); the person's own process pages for them (show_in_front).
    Pager pager(f.no_pager || !f.hosts.empty() ||
                app::acting_for_another(ctx.service, ctx.identity.uid));
    if (view->run.note == "workflow") {
        if (f.hosts.empty()) print_header(view->run, *resumed_by, view->steps, f.local);
        return show_stages(ctx, view->run, f);
    }
    print_header(view->run, *resumed_by, view->steps, f.local);
    if (f.grouped) {
        std::printf("\n");
        return print_grouped(*view, f.step);
    }
    print_step_summary(view->steps);
    print_waves(&*view);
    return 0;
}

} // namespace

Action add_show(CLI::App& sub) {
    auto f = std::make_shared<ShowFlags>();
    sub.add_option("run", f->run,
                   "Run id, a unique prefix of one, last, or last~N (N runs before the last)")
        ->required();
    sub.add_option("--hosts", f->hosts,
                   "Only list the hosts with this result, one per line (failed includes "
                   "unreachable)")
        ->check(CLI::IsMember(
            {"ok", "failed", "unreachable", "skipped", "interrupted", "rolled_back", "all"}));
    sub.add_flag("--grouped", f->grouped,
                 "Each step's hosts grouped by their output and ending, as exec prints them");
    sub.add_option("--step", f->step, "With --grouped: only this step (its number or a name glob)");
    sub.add_flag("--local", f->local, "Times in this machine's time zone (default: UTC)");
    sub.add_flag("--json", f->json,
                 "The run as one JSON object, as the archive's run.json has it (a workflow's "
                 "stage runs under \"stages\")");
    sub.add_flag("--no-pager", f->no_pager,
                 "Never page (default: $LEURA_PAGER, $PAGER or less when stdout is a terminal)");
    // Not callback(): the command table's dispatch owns that one.
    sub.parse_complete_callback(
        [f] { front_end() = [f](app::Context& ctx) { return show_in_front(ctx, *f); }; });
    return [f](app::Context& ctx) { return show(ctx, *f); };
}

} // namespace leura::cli
