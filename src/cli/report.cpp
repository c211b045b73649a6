// SPDX-License-Identifier: Apache-2.0
#include "cli/report.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace leura::cli {

namespace {

std::FILE* g_json_errors = nullptr;

util::JsonObject error_event(const char* kind, ExitCode exit, const std::string& message) {
    util::JsonObject o;
    o.add("event", "error").add("ts", util::now_rfc3339()).add("kind", kind);
    o.add("exit", to_int(exit)).add("message", message);
    return o;
}

std::string problem_json(const SourcePos& pos, const std::string& message) {
    util::JsonObject p;
    if (pos.file.empty())
        p.add_null("file");
    else
        p.add("file", pos.file);
    p.add("line", int64_t(pos.line)).add("column", int64_t(pos.column)).add("message", message);
    return p.str();
}

} // namespace

void errors_as_json(std::FILE* out) {
    g_json_errors = out;
}

int report(const Error& e) {
    if (g_json_errors) {
        std::vector<std::string> problems;
        if (!e.pos.file.empty()) problems.push_back(problem_json(e.pos, e.message));
        auto o = error_event(to_string(e.kind), exit_code_for(e.kind), e.message);
        o.add_raw("problems", util::json_array(problems));
        std::fprintf(g_json_errors, "%s\n", o.str().c_str());
        std::fflush(g_json_errors);
    }
    std::string where;
    if (!e.pos.file.empty()) {
        where = e.pos.file;
        if (e.pos.line > 0)
            where += ":" + std::to_string(e.pos.line) + ":" + std::to_string(e.pos.column);
        where += ": ";
    }
    std::fprintf(stderr, "leura: error: %s%s\n", where.c_str(),
                 util::terminal_safe(e.message, true).c_str());
    return to_int(exit_code_for(e.kind));
}

void warn(const std::vector<std::string>& lines) {
    for (const auto& l : lines)
        std::fprintf(stderr, "leura: warning: %s\n", util::terminal_safe(l, true).c_str());
}

int report(const config::Diagnostics& diags) {
    if (g_json_errors) {
        std::vector<std::string> problems;
        for (const auto& d : diags.items())
            problems.push_back(problem_json(d.pos, d.message));
        auto o = error_event("config", ExitCode::usage,
                             std::to_string(diags.size()) + " problem" +
                                 (diags.size() == 1 ? "" : "s") + " found; nothing was run");
        o.add_raw("problems", util::json_array(problems));
        std::fprintf(g_json_errors, "%s\n", o.str().c_str());
        std::fflush(g_json_errors);
    }
    for (const auto& d : diags.items())
        std::fprintf(stderr, "%s\n", config::format(d).c_str());
    std::fprintf(stderr, "leura: %zu problem%s found; nothing was run\n", diags.size(),
                 diags.size() == 1 ? "" : "s");
    return to_int(ExitCode::usage);
}

void write_host_output(std::FILE* to, std::string_view data) {
    std::string safe;
    if (::isatty(fileno(to))) {
        safe = util::terminal_safe(data);
        data = safe;
    }
    std::fwrite(data.data(), 1, data.size(), to);
}

} // namespace leura::cli

namespace leura::cli {

std::string cell(const std::string& text) {
    return text.empty() ? std::string("-") : util::terminal_safe(text, true);
}

void print_columns(const std::vector<std::vector<std::string>>& rows) {
    if (rows.empty()) return;
    std::vector<size_t> width(rows[0].size(), 0);
    for (const auto& r : rows)
        for (size_t i = 0; i < r.size() && i < width.size(); ++i)
            width[i] = std::max(width[i], r[i].size());
    for (const auto& r : rows) {
        std::string line;
        for (size_t i = 0; i < r.size(); ++i) {
            if (i) line += "  ";
            line += r[i];
            if (i + 1 < r.size() && i < width.size()) line.append(width[i] - r[i].size(), ' ');
        }
        std::printf("%s\n", line.c_str());
    }
}

} // namespace leura::cli
