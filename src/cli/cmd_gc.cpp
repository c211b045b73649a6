// SPDX-License-Identifier: Apache-2.0
#include "app/audit.hpp"
#include "app/gc.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "config/task.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

#include <cstdio>
#include <memory>

namespace leura::cli {

namespace {

struct GcFlags {
    std::string keep;
    int64_t keep_runs = 0;
    CLI::Option* keep_runs_given = nullptr;
    bool dry_run = false, json = false, vacuum = false;
};

std::string plural(int64_t n, const char* one, const char* many) {
    return util::grouped(n) + " " + (n == 1 ? one : many);
}

// "3 runs (2 stage runs, 4 wave rows, 3,400 host rows, 17,000 step rows), 85.2 MiB of
// archives"
std::string freed(const app::GcReport& r) {
    int64_t stages = 0;
    for (const auto& d : r.runs)
        stages += int64_t(d.stages);
    std::string out = plural(int64_t(r.runs.size()), "run", "runs") + " (";
    if (stages) out += plural(stages, "stage run", "stage runs") + ", ";
    out += plural(r.rows.batches, "wave row", "wave rows") + ", " +
           plural(r.rows.hosts, "host row", "host rows") + ", " +
           plural(r.rows.steps, "step row", "step rows") + "), " +
           util::human_bytes(r.archive_bytes) + " of archives";
    if (r.other_bytes)
        out += " and " + util::human_bytes(r.other_bytes) + " of spool and downloads";
    return out;
}

std::string policy_text(const app::GcReport& r, const std::string& keep) {
    return "runs started more than " + keep + " ago, except the newest " +
           util::grouped(r.policy.keep_runs) + " of each task";
}

void print_json(const app::GcReport& r, const std::string& keep) {
    std::vector<std::string> runs;
    for (const auto& d : r.runs) {
        util::JsonObject o;
        o.add("run", d.id).add("task", d.task).add("started_at", d.started_at);
        o.add("status", d.status).add("stages", d.stages).add("batch_rows", d.rows.batches);
        o.add("host_rows", d.rows.hosts).add("step_rows", d.rows.steps);
        o.add("archive_bytes", int64_t(d.archive_bytes)).add("other_bytes", int64_t(d.other_bytes));
        runs.push_back(o.str());
    }
    util::JsonObject o;
    o.add("dry_run", r.dry_run).add("keep", keep).add("keep_runs", r.policy.keep_runs);
    o.add_raw("runs", util::json_array(runs));
    o.add("run_rows", r.rows.runs).add("batch_rows", r.rows.batches);
    o.add("host_rows", r.rows.hosts).add("step_rows", r.rows.steps);
    o.add("archive_bytes", int64_t(r.archive_bytes)).add("other_bytes", int64_t(r.other_bytes));
    o.add("db_bytes_before", r.db_before).add("db_bytes_after", r.db_after);
    o.add("db_file_before", int64_t(r.file_before)).add("db_file_after", int64_t(r.file_after));
    o.add("vacuumed", r.vacuumed).add("transactions", r.transactions);
    o.add("warnings", r.warnings);
    std::printf("%s\n", o.str().c_str());
}

void print_dry_run(const app::GcReport& r, const std::string& keep) {
    if (r.runs.empty()) {
        std::printf("leura: gc: nothing to delete (%s)\n", policy_text(r, keep).c_str());
        return;
    }
    std::printf("%-21s %-20s %-11s %6s %6s %7s %10s  %s\n", "RUN", "STARTED", "STATUS", "STAGES",
                "HOSTS", "STEPS", "ARCHIVE", "TASK");
    for (const auto& d : r.runs) {
        std::string started = d.started_at.substr(0, 19);
        if (started.size() > 10) started[10] = ' ';
        std::printf("%-21s %-20s %-11s %6zu %6lld %7lld %10s  %s\n", d.id.c_str(), started.c_str(),
                    d.status.c_str(), d.stages, (long long)d.rows.hosts, (long long)d.rows.steps,
                    util::human_bytes(d.archive_bytes).c_str(),
                    util::terminal_safe(d.task, true).c_str());
    }
    std::printf("leura: gc: would delete %s (%s); nothing was deleted (--dry-run)\n",
                freed(r).c_str(), policy_text(r, keep).c_str());
}

void print_done(const app::GcReport& r, const std::string& keep) {
    if (r.runs.empty()) {
        std::printf("leura: gc: nothing to delete (%s)\n", policy_text(r, keep).c_str());
        return;
    }
    std::string db =
        util::human_bytes(uint64_t(r.db_before)) + " -> " + util::human_bytes(uint64_t(r.db_after));
    if (r.vacuumed)
        db += " (on disk " + util::human_bytes(r.file_before) + " -> " +
              util::human_bytes(r.file_after) + ", vacuumed)";
    else
        db += " in use (on disk " + util::human_bytes(r.file_after) +
              ": new runs reuse the freed pages; --vacuum shrinks it)";
    std::printf("leura: gc: deleted %s; database %s\n", freed(r).c_str(), db.c_str());
}

int collect(app::Context& ctx, const GcFlags& f) {
    app::GcOptions o;
    std::string keep = f.keep;
    if (!f.keep.empty()) {
        auto age = config::parse_duration(f.keep);
        if (!age)
            return report(Error(ErrorKind::usage,
                                "--keep wants a duration such as 90d or 12h (at most 365d), got '" +
                                    f.keep + "'"));
        o.keep = *age;
    } else {
        keep = ctx.settings.text("retention");
    }
    if (f.keep_runs_given->count()) {
        if (f.keep_runs < 0)
            return report(Error(ErrorKind::usage, "--keep-runs must be 0 or more"));
        o.keep_runs = f.keep_runs;
    }
    o.dry_run = f.dry_run;
    o.vacuum = f.vacuum;
    auto done = app::collect_garbage(ctx, o);
    if (!done) return report(done.error());
    if (!f.dry_run)
        if (auto st = app::audit_change(ctx, "gc", "runs",
                                        "deleted " + freed(*done) +
                                            "; policy: " + policy_text(*done, keep) +
                                            (done->vacuumed ? "; vacuumed" : ""));
            !st)
            done->warnings.push_back("gc was not recorded in the audit log: " + st.error().message);
    if (f.json)
        print_json(*done, keep);
    else if (f.dry_run)
        print_dry_run(*done, keep);
    else
        print_done(*done, keep);
    warn(done->warnings);
    return done->warnings.empty() ? 0 : to_int(ExitCode::internal);
}

} // namespace

Action add_gc(CLI::App& sub) {
    auto f = std::make_shared<GcFlags>();
    sub.add_option("--keep", f->keep,
                   "Delete runs started longer ago than this (e.g. 90d); default: the "
                   "retention setting");
    f->keep_runs_given =
        sub.add_option("--keep-runs", f->keep_runs,
                       "Keep the newest N runs of each task however old (default: the "
                       "retention_runs setting, 10)");
    sub.add_flag("--dry-run", f->dry_run, "List what would be deleted; delete nothing");
    sub.add_flag("--vacuum", f->vacuum,
                 "Then rewrite the database to shrink its file (not while a run records)");
    sub.add_flag("--json", f->json, "One JSON object: the runs and the totals");
    return [f](app::Context& ctx) { return collect(ctx, *f); };
}

} // namespace leura::cli
