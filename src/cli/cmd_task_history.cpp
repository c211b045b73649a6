// SPDX-License-Identifier: Apache-2.0
// `leura task history NAME` and `leura task diff NAME [FROM] [TO]` (app/task_versions.hpp).
#include "app/task_versions.hpp"
#include "cli/cmd_task.hpp"
#include "cli/report.hpp"
#include "util/json.hpp"
#include "util/line_diff.hpp"
#include "util/strings.hpp"

#include <cstdio>

namespace leura::cli {

namespace {

// "2026-11-22 03:15:02" from an RFC 3339 time.
std::string when(const std::string& at) {
    std::string out = at.substr(0, 19);
    if (out.size() > 10) out[10] = ' ';
    return out;
}

// Where the file stands against its history, when no saved version is what it holds now.
void note_unsaved_file(const app::TaskHistory& h) {
    if (!h.current) {
        std::fprintf(stderr, "leura: task '%s' has no file now (%s)\n", h.name.c_str(),
                     h.file.c_str());
        return;
    }
    for (const auto& v : h.versions)
        if (v.sha256 == h.current_sha256) return;
    std::fprintf(stderr,
                 "leura: %s differs from every saved version (edited outside leura?); "
                 "leura task diff %s shows how\n",
                 h.file.c_str(), h.name.c_str());
}

} // namespace

int task_history(app::Context& ctx, const TaskFlags& f) {
    auto h = app::task_history(ctx, f.name, false);
    if (!h) return report(h.error());
    if (f.json) {
        for (auto v = h->versions.rbegin(); v != h->versions.rend(); ++v) {
            util::JsonObject o;
            o.add("task", v->name).add("version", v->number).add("saved_at", v->saved_at);
            o.add("saved_by", v->saved_by).add("source", v->source).add("sha256", v->sha256);
            o.add("path", v->path).add("current", v->sha256 == h->current_sha256);
            std::printf("%s\n", o.str().c_str());
        }
        return 0;
    }
    if (h->versions.empty()) {
        std::fprintf(stderr,
                     "leura: task '%s' has no saved versions yet (task new, task edit and runs "
                     "by name save them)\n",
                     f.name.c_str());
        return 0;
    }
    std::printf("%7s  %-19s  %-12s  %-12s  %-6s  %s\n", "VERSION", "SAVED", "AGE", "BY", "SOURCE",
                "SHA256");
    for (auto v = h->versions.rbegin(); v != h->versions.rend(); ++v)
        std::printf("%7lld  %-19s  %-12s  %-12s  %-6s  %-12.12s%s\n", (long long)v->number,
                    when(v->saved_at).c_str(), age(ctx, v->saved_at).c_str(),
                    util::terminal_safe(v->saved_by, true).c_str(), v->source.c_str(),
                    v->sha256.c_str(), v->sha256 == h->current_sha256 ? "  = file now" : "");
    note_unsaved_file(*h);
    return 0;
}

int task_diff(app::Context& ctx, const TaskFlags& f) {
    auto h = app::task_history(ctx, f.name);
    if (!h) return report(h.error());
    std::optional<std::string> from, to;
    if (!f.versions.empty()) from = f.versions[0];
    if (f.versions.size() > 1) to = f.versions[1];
    auto sides = app::diff_sides(*h, from, to);
    if (!sides) return report(sides.error());
    std::string diff =
        util::unified_diff(sides->from.text, sides->to.text, sides->from.label, sides->to.label);
    if (diff.empty()) return to_int(ExitCode::ok);
    write_host_output(stdout, diff);       // exact into a pipe; control bytes escaped on a terminal
    return to_int(ExitCode::hosts_failed); // as diff(1): 1 means "they differ"
}

} // namespace leura::cli
