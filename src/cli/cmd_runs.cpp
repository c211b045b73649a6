// SPDX-License-Identifier: Apache-2.0
#include "app/access_gate.hpp"
#include "app/records.hpp"
#include "app/run_json.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "cli/usage.hpp"
#include "config/task.hpp"
#include "inventory/range.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <cstdio>
#include <limits>
#include <memory>

namespace leura::cli {

namespace {

struct RunsFlags {
    std::string task, status, since, tag, host, user;
    int64_t limit = 20;
    bool json = false, local = false;
};

// --host: names, globs and ranges as leura prints them, separated by commas
// ("web[01-04],db*"): ranges are expanded to names, a part with * or ? is a glob.
Status host_filter(const std::string& text, store::RunFilter& filter) {
    std::vector<std::string> parts;
    std::string part;
    int depth = 0;
    for (char c : text + ",") {
        if (c == ',' && depth == 0) {
            if (!part.empty()) parts.push_back(std::exchange(part, {}));
            continue;
        }
        depth += c == '[' ? 1 : c == ']' ? -1 : 0;
        part += c;
    }
    for (const auto& p : parts) {
        LEURA_TRY_ASSIGN(names, inventory::expand_range(p, 100'000));
        for (auto& n : names)
            (n.find_first_of("*?") == std::string::npos ? filter.host_names : filter.host_globs)
                .push_back(std::move(n));
    }
    if (filter.host_names.empty() && filter.host_globs.empty())
        return fail(ErrorKind::usage, "--host names no host");
    return {};
}

// The TASK column: the task's library name or path; an ad-hoc run's command.
std::string task_column(const store::RunRecord& r) {
    if (r.task == config::k_adhoc_task) {
        auto command = app::adhoc_command(r.task_text.value_or(""));
        return "exec: " + util::terminal_safe(command.value_or("?"), true);
    }
    return r.task_name ? *r.task_name : r.task;
}

int list(app::Context& ctx, const RunsFlags& f) {
    store::RunFilter filter;
    if (!f.task.empty()) filter.task = f.task;
    if (!f.status.empty()) filter.status = f.status;
    if (!f.tag.empty()) filter.tag = f.tag;
    if (!f.user.empty()) filter.user = f.user;
    if (!f.host.empty())
        if (auto st = host_filter(f.host, filter); !st)
            return report(
                Error(ErrorKind::usage, "--host '" + f.host + "': " + st.error().message));
    if (!f.since.empty()) {
        auto age = since_flag(f.since);
        if (!age) return report(age.error());
        filter.since = util::rfc3339(std::chrono::system_clock::now() - *age);
    }
    // Runs the person acting may not see are left out (app/access_gate.hpp), so the limit
    // counts the runs they see.
    const bool everything = app::access_state(ctx).mode == access::PolicyState::Mode::off;
    filter.limit = f.limit;
    if (!everything)
        filter.keep = [&ctx](const store::RunRecord& r) { return app::may_see(ctx, r); };
    auto records = ctx.records();
    if (!records) return report(records.error());
    auto runs = (*records)->runs(filter);
    if (!runs) return report(runs.error());
    if (f.json) {
        for (const auto& r : *runs)
            std::printf("%s\n", app::run_summary(r).c_str());
        return 0;
    }
    if (runs->empty()) {
        bool filtered = filter.task || filter.status || filter.since || filter.tag || filter.user ||
                        !filter.host_names.empty() || !filter.host_globs.empty();
        std::fprintf(stderr, "leura: %s\n",
                     !everything ? "no runs that the access policy lets you see match"
                     : filtered  ? "no runs match"
                                 : "no runs recorded yet");
        return 0;
    }
    std::printf("%-21s %-23s %-11s %6s %5s %6s %6s %6s %6s %8s  %s\n", "RUN", "STARTED", "STATUS",
                "HOSTS", "OK", "FAILED", "UNREACH", "INTR", "ROLLED", "TOOK", "TASK");
    for (const auto& r : *runs) {
        std::printf("%-21s %-23s %-11s %6lld %5lld %6lld %7lld %6lld %6lld %8s  %s\n", r.id.c_str(),
                    util::display_time(r.started_at, f.local).c_str(), r.status.c_str(),
                    (long long)r.hosts, (long long)r.ok, (long long)r.failed,
                    (long long)r.unreachable, (long long)r.interrupted, (long long)r.rolled_back,
                    (app::run_took(r).empty() ? std::string("-") : app::run_took(r)).c_str(),
                    task_column(r).c_str());
    }
    return 0;
}

} // namespace

Action add_runs(CLI::App& sub) {
    auto f = std::make_shared<RunsFlags>();
    sub.add_option("--task", f->task, "Only runs whose task path contains this");
    sub.add_option("--tag", f->tag, "Only runs whose task had this tag when it ran");
    sub.add_option("--status", f->status, "Only runs with this status")
        ->check(CLI::IsMember({"running", "ok", "failed", "halted", "declined", "interrupted"}));
    sub.add_option("--host", f->host,
                   "Only runs that had one of these hosts: names, globs, ranges "
                   "('web[01-04],db*')");
    sub.add_option("--user", f->user, "Only runs started by this user");
    sub.add_flag("--local", f->local, "Times in this machine's time zone (default: UTC)");
    sub.add_option("--since", f->since, "Only runs started within this duration (e.g. 7d)");
    sub.add_option("--limit", f->limit, "At most this many runs")->default_val(20);
    sub.add_flag("--json", f->json, "One JSON object per run");
    return [f](app::Context& ctx) { return list(ctx, *f); };
}

} // namespace leura::cli
