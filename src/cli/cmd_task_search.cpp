// SPDX-License-Identifier: Apache-2.0
// `leura task search WORDS...` (app/task_search.hpp).
#include "app/access_gate.hpp"
#include "app/exit_code.hpp"
#include "app/library.hpp"
#include "app/task_search.hpp"
#include "cli/cmd_task.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

#include <cstdio>

namespace leura::cli {

namespace {

std::vector<std::string> field_names(const app::SearchHit& hit) {
    std::vector<std::string> out;
    for (auto field : hit.fields)
        out.emplace_back(app::to_string(field));
    return out;
}

// "file:line: text", or the file alone when the words matched no line of it (the name).
std::string first_match(const app::SearchHit& hit) {
    if (hit.line == 0) return hit.file.string();
    return hit.file.string() + ":" + std::to_string(hit.line) + ": " + hit.text;
}

} // namespace

int task_search(app::Context& ctx, const TaskFlags& f) {
    std::filesystem::path root = app::library_root(ctx.settings);
    auto hits = app::search_library(root, f.words);
    // Only tasks the person may see, as `task list` shows them.
    std::erase_if(
        hits, [&ctx](const app::SearchHit& h) { return !app::access_allows(ctx, "view", h.name); });
    if (hits.empty()) {
        std::string words;
        for (const auto& w : f.words)
            words += (words.empty() ? "" : " ") + w;
        std::fprintf(stderr, "leura: no task in the library %s matches '%s'\n", root.c_str(),
                     util::terminal_safe(words, true).c_str());
        return to_int(ExitCode::hosts_failed); // as grep: 1 means "nothing found"
    }
    if (!f.json) std::printf("%-28s %5s  %s\n", "NAME", "SCORE", "FIRST MATCH");
    for (const auto& hit : hits) {
        if (f.json) {
            util::JsonObject o;
            o.add("name", hit.name).add("file", hit.file.string()).add("score", hit.score);
            o.add("valid", hit.valid);
            if (!hit.valid) o.add("problem", hit.problem);
            o.add("fields", field_names(hit));
            if (hit.line > 0)
                o.add("line", hit.line).add("text", hit.text);
            else
                o.add_null("line").add_null("text");
            std::printf("%s\n", o.str().c_str());
            continue;
        }
        std::string name = hit.name + (hit.valid ? "" : " (invalid)");
        // Names are checked characters; a line of a file can hold anything.
        std::printf("%-28s %5lld  %s\n", name.c_str(), (long long)hit.score,
                    util::terminal_safe(first_match(hit), true).c_str());
    }
    return 0;
}

} // namespace leura::cli
