// SPDX-License-Identifier: Apache-2.0
#include "app/records.hpp"
#include "archive/names.hpp"
#include "archive/tarball.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "util/strings.hpp"

#include <cstdio>
#include <map>
#include <memory>

namespace leura::cli {

namespace {

struct LogsFlags {
    std::string run, host, step;
    bool full = false;
};

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

int logs(app::Context& ctx, const LogsFlags& f) {
    // --host's glob (* and ?) is also SQLite's, so the database returns only those hosts'
    // steps; a '[' means a literal bracket here but a set to SQLite, so such a pattern is not
    // passed down. glob_match below decides either way.
    auto view =
        app::load_run(ctx, f.run, true, f.host.find('[') == std::string::npos ? f.host : "");
    if (!view) return report(view.error());
    const store::RunRecord& run = view->run;
    const std::string& id = run.id;
    const auto& hosts = view->hosts;
    const auto& steps = view->steps;
    if (f.full && !run.archive)
        return report(Error(ErrorKind::not_found, "run " + id + " has no archive"));

    std::vector<const store::StepRecord*> chosen;
    for (const auto& s : steps)
        if ((f.host.empty() || util::glob_match(f.host, s.host)) && step_matches(s, f.step))
            chosen.push_back(&s);
    if (chosen.empty()) {
        std::string what = f.host.empty() ? "" : " on host '" + f.host + "'";
        if (!f.step.empty()) what += " for step '" + f.step + "'";
        return report(Error(ErrorKind::not_found, "run " + id + " has no step output" + what));
    }
    auto dirs = host_dirs(hosts);
    bool headers = chosen.size() > 1;
    for (const auto* s : chosen) {
        if (headers)
            std::printf("==> %s: step %lld \"%s\" <==\n", s->host.c_str(), (long long)s->idx + 1,
                        s->name.c_str());
        std::fflush(stdout);
        if (!f.full) {
            write_host_output(stdout, s->preview_out);
            write_host_output(stderr, s->preview_err);
            continue;
        }
        for (bool err : {false, true}) {
            std::string member =
                archive::step_member(dirs.get(s->host), size_t(s->idx), s->name, err);
            std::FILE* to = err ? stderr : stdout;
            auto st = archive::read_member(*run.archive, member,
                                           [to](std::string_view d) { write_host_output(to, d); });
            if (!st) return report(st.error());
        }
    }
    std::fflush(stdout);
    return 0;
}

} // namespace

Action add_logs(CLI::App& sub) {
    auto f = std::make_shared<LogsFlags>();
    sub.add_option("run", f->run, "Run id or a unique prefix of one")->required();
    sub.add_option("--host", f->host, "Only this host (a glob is allowed)");
    sub.add_option("--step", f->step, "Only this step: its number or name (a glob is allowed)");
    sub.add_flag("--full", f->full, "The whole output, read from the run's archive");
    return [f](app::Context& ctx) { return logs(ctx, *f); };
}

} // namespace leura::cli
