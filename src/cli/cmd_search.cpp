// SPDX-License-Identifier: Apache-2.0
// `leura search PATTERN`: the recorded output lines that hold a pattern (app/output_search.hpp).
#include "app/exit_code.hpp"
#include "app/output_search.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "cli/usage.hpp"
#include "config/task.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

#include <cstdio>
#include <memory>

namespace leura::cli {

namespace {

struct SearchFlags {
    std::string pattern, task, host, since;
    int64_t limit = 100;
    bool ignore_case = false, json = false, full = false;
};

void print(const app::OutputMatch& m, bool json) {
    if (json) {
        util::JsonObject o;
        o.add("run", m.run_id).add("task", m.task).add("host", m.host).add("step", m.step);
        o.add("name", m.step_name).add("stream", m.is_stderr ? "stderr" : "stdout");
        o.add("line", m.line);
        std::printf("%s\n", o.str().c_str());
        return;
    }
    // One match a line, whatever the host printed: control bytes, tabs included, escaped.
    std::string where = m.host + " step " + std::to_string(m.step) + " \"" + m.step_name + "\"";
    std::printf("%s %s%s: %s\n", m.run_id.c_str(), util::terminal_safe(where, true).c_str(),
                m.is_stderr ? " [stderr]" : "", util::terminal_safe(m.line, true).c_str());
}

int search(app::Context& ctx, const SearchFlags& f) {
    app::OutputSearchOptions o;
    o.pattern = f.pattern;
    if (!f.task.empty()) o.task = f.task;
    if (!f.host.empty()) o.host = f.host;
    if (!f.since.empty()) {
        auto age = since_flag(f.since);
        if (!age) return report(age.error());
        o.since = *age;
    }
    o.ignore_case = f.ignore_case;
    o.full = f.full;
    o.limit = f.limit;
    auto found = app::search_output(ctx, o);
    if (!found) return report(found.error());
    if (found->hits.empty()) {
        std::fprintf(stderr, "leura: no recorded output matches '%s'\n",
                     util::terminal_safe(f.pattern, true).c_str());
        return to_int(ExitCode::hosts_failed); // as grep: 1 means "nothing found"
    }
    for (const auto& m : found->hits)
        print(m, f.json);
    std::fflush(stdout);
    if (found->more)
        std::fprintf(stderr, "leura: stopped at %lld matching lines (--limit)\n",
                     (long long)f.limit);
    return 0;
}

} // namespace

Action add_search(CLI::App& sub) {
    auto f = std::make_shared<SearchFlags>();
    sub.add_option("pattern", f->pattern,
                   "Text to find in a line of output, starting at a word (case-sensitive)")
        ->required();
    sub.add_option("--task", f->task, "Only runs whose task path contains this");
    sub.add_option("--host", f->host,
                   "Only these hosts: a name, glob, range ('web[01-04]') or selector");
    sub.add_option("--since", f->since, "Only runs started within this duration (e.g. 7d)");
    sub.add_option("--limit", f->limit, "At most this many matching lines")->default_val(100);
    sub.add_flag("-i,--ignore-case", f->ignore_case, "ASCII letters match either case");
    sub.add_flag("--json", f->json, "One JSON object per matching line");
    sub.add_flag("--full", f->full,
                 "Search the runs' archives (every byte, streamed) instead of the previews; "
                 "slow: narrow it with --since, --task, --host");
    return [f](app::Context& ctx) { return search(ctx, *f); };
}

} // namespace leura::cli
