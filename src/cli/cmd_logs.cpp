// SPDX-License-Identifier: Apache-2.0
#include "app/access_gate.hpp"
#include "app/records.hpp"
#include "archive/names.hpp"
#include "archive/tarball.hpp"
#include "cli/commands.hpp"
#include "cli/logs_follow.hpp"
#include "cli/output_groups.hpp"
#include "cli/report.hpp"
#include "inventory/selector.hpp"
#include "util/strings.hpp"

#include <cstdio>
#include <map>
#include <memory>
#include <set>

namespace leura::cli {

namespace {

struct LogsFlags {
    std::string run, host, step, stage;
    bool full = false, follow = false;
    bool only_stdout = false, only_stderr = false;
};

// Writes one step's two streams as the flags choose: stdout as is, stderr marked after it;
// or only one of them, unmarked.
template <typename Read> Status write_streams(const LogsFlags& f, Read read) {
    if (!f.only_stderr)
        LEURA_TRY(read(false, [](std::string_view d) { write_host_output(stdout, d); }));
    if (f.only_stdout) return {};
    if (f.only_stderr) return read(true, [](std::string_view d) { write_host_output(stdout, d); });
    MarkedStderr marked(stdout);
    LEURA_TRY(read(true, [&](std::string_view d) { marked.write(d); }));
    marked.end();
    return {};
}

bool step_matches(const store::StepRecord& s, const std::string& want) {
    if (want.empty()) return true;
    return want == std::to_string(s.idx + 1) || util::glob_match(want, s.name);
}

// The archive's host folders: the spool's naming replayed in the recorded start order.
archive::HostDirs host_dirs(const std::vector<store::HostRecord>& hosts) {
    archive::HostDirs dirs;
    for (const auto& h : hosts)
        dirs.get(h.host);
    return dirs;
}

// The chosen steps of one run; `stage` names a workflow's stage in the headers ("" for a
// task's run). `headers`: print them even for a single step (a workflow's several runs).
Status print_logs(const app::RunView& view, const LogsFlags& f,
                  std::vector<const store::StepRecord*>& chosen, const std::string& stage,
                  bool headers) {
    const store::RunRecord& run = view.run;
    if (f.full && !run.archive)
        return fail(ErrorKind::not_found, "run " + run.id + " has no archive");
    auto dirs = host_dirs(view.hosts);
    headers = headers || chosen.size() > 1;
    for (const auto* s : chosen) {
        if (headers)
            std::printf("==> %s: %s%sstep %lld \"%s\" <==\n", s->host.c_str(),
                        stage.empty() ? "" : "stage ", stage.empty() ? "" : (stage + " ").c_str(),
                        (long long)s->idx + 1, s->name.c_str());
        std::fflush(stdout);
        if (!f.full) {
            LEURA_TRY(write_streams(f, [&](bool err, const auto& sink) -> Status {
                sink(err ? s->preview_err : s->preview_out);
                return {};
            }));
            continue;
        }
        // A retried step: each earlier attempt's output first, under a line of its own (an
        // attempt that printed nothing on a stream has no member for it).
        auto attempt_header = [&](int64_t k) {
            std::printf("==> %s: step %lld \"%s\" attempt %lld of %lld <==\n", s->host.c_str(),
                        (long long)s->idx + 1, s->name.c_str(), (long long)k,
                        (long long)s->attempts);
            std::fflush(stdout);
        };
        for (int64_t k = 1; k < s->attempts; ++k) {
            attempt_header(k);
            LEURA_TRY(write_streams(f, [&](bool err, const auto& sink) -> Status {
                std::string member =
                    archive::step_member(dirs.get(s->host), size_t(s->idx), s->name, err, int(k));
                auto read = archive::read_member(*run.archive, member, sink);
                if (!read && read.error().kind == ErrorKind::not_found) return {};
                return read;
            }));
        }
        if (s->attempts > 1) attempt_header(s->attempts);
        LEURA_TRY(write_streams(f, [&](bool err, const auto& sink) -> Status {
            std::string member =
                archive::step_member(dirs.get(s->host), size_t(s->idx), s->name, err);
            return archive::read_member(*run.archive, member, sink);
        }));
    }
    std::fflush(stdout);
    return {};
}

// --host takes a selector over the run's hosts: a name, a glob, a range such as
// '127.0.1.[10-13]' (as leura prints them), a list.
Result<std::vector<const store::StepRecord*>> chosen_steps(const app::RunView& view,
                                                           const LogsFlags& f) {
    std::set<std::string> hosts;
    if (!f.host.empty()) {
        std::vector<std::string> names;
        for (const auto& h : view.hosts)
            names.push_back(h.host);
        auto picked = inventory::select_names(names, f.host);
        if (!picked) {
            // A name the run never had selects nothing: "no step output on host ...".
            if (picked.error().message.find("unknown group or host") == std::string::npos)
                return std::unexpected(
                    Error(ErrorKind::usage, "--host '" + f.host + "': " + picked.error().message));
            return std::vector<const store::StepRecord*>{};
        }
        hosts.insert(picked->begin(), picked->end());
    }
    std::vector<const store::StepRecord*> chosen;
    for (const auto& s : view.steps)
        if ((f.host.empty() || hosts.count(s.host)) && step_matches(s, f.step))
            chosen.push_back(&s);
    return chosen;
}

int logs(app::Context& ctx, const LogsFlags& f) {
    // --host's glob (* and ?) is also SQLite's, so the database returns only those hosts'
    // steps; a '[' means a literal bracket here but a set to SQLite, so such a pattern is not
    // passed down. glob_match below decides either way.
    if (f.only_stdout && f.only_stderr)
        return report(Error(ErrorKind::usage, "--stdout and --stderr: pick one (without "
                                              "either, logs prints both, stderr marked)"));
    if (f.follow) {
        if (f.full) return report(Error(ErrorKind::usage, "--follow and --full: pick one"));
        auto records = ctx.records();
        if (!records) return report(records.error());
        auto id = app::resolve_run_id(ctx, f.run);
        if (!id) return report(id.error());
        auto run = (*records)->run(*id);
        if (!run) return report(run.error());
        if (auto st = app::require_run(ctx, *run, "logs"); !st) return report(st.error());
        return follow_logs(ctx, *id, {f.host, f.step, f.stage, f.only_stdout, f.only_stderr});
    }
    std::string glob = f.host.find_first_of("[,&!()=") == std::string::npos ? f.host : "";
    auto view = app::load_run(ctx, f.run, true, glob);
    if (!view) return report(view.error());
    if (auto st = app::require_run(ctx, view->run, "logs"); !st) return report(st.error());
    std::string what = f.host.empty() ? "" : " on host '" + f.host + "'";
    if (!f.step.empty()) what += " for step '" + f.step + "'";
    if (view->run.note != "workflow") {
        if (!f.stage.empty())
            return report(Error(ErrorKind::usage,
                                "run " + view->run.id + " is not a workflow: it has no stages"));
        auto picked = chosen_steps(*view, f);
        if (!picked) return report(picked.error());
        auto& chosen = *picked;
        if (chosen.empty())
            return report(
                Error(ErrorKind::not_found, "run " + view->run.id + " has no step output" + what));
        if (auto st = print_logs(*view, f, chosen, "", false); !st) return report(st.error());
        return 0;
    }
    // A workflow: its stages' runs, in the order they ran.
    auto records = ctx.records();
    if (!records) return report(records.error());
    auto stages = (*records)->stage_runs(view->run.id);
    if (!stages) return report(stages.error());
    bool any = false;
    for (const auto& s : *stages) {
        std::string name = s.stage.value_or("") + (s.note == "rollback" ? "-rollback" : "");
        if (s.status == "skipped" || (!f.stage.empty() && !util::glob_match(f.stage, name)))
            continue;
        auto sv = app::load_run(ctx, s.id, true, glob);
        if (!sv) return report(sv.error());
        auto picked = chosen_steps(*sv, f);
        if (!picked) return report(picked.error());
        auto& chosen = *picked;
        if (chosen.empty()) continue;
        any = true;
        if (auto st = print_logs(*sv, f, chosen, name, true); !st) return report(st.error());
    }
    if (!f.stage.empty()) what += " in stage '" + f.stage + "'";
    if (!any)
        return report(
            Error(ErrorKind::not_found, "run " + view->run.id + " has no step output" + what));
    return 0;
}

} // namespace

Action add_logs(CLI::App& sub) {
    auto f = std::make_shared<LogsFlags>();
    sub.add_option("run", f->run,
                   "Run id, a unique prefix of one, last, or last~N (N runs before the last)")
        ->required();
    sub.add_option("--host", f->host,
                   "Only these hosts: a name, glob, range ('web[01-04]') or selector");
    sub.add_flag("--stdout", f->only_stdout, "Only the steps' stdout");
    sub.add_flag("--stderr", f->only_stderr,
                 "Only the steps' stderr, unmarked, on stdout (default: both, stderr lines "
                 "marked [stderr])");
    sub.add_option("--step", f->step, "Only this step: its number or name (a glob is allowed)");
    sub.add_flag("--full", f->full, "The whole output, read from the run's archive");
    sub.add_flag("--follow,-f", f->follow,
                 "Print a running run's output as its hosts write it, until the run ends");
    sub.add_option("--stage", f->stage,
                   "A workflow's: only this stage (a glob; NAME-rollback for its rollback)");
    return [f](app::Context& ctx) { return logs(ctx, *f); };
}

} // namespace leura::cli
