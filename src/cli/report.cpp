// SPDX-License-Identifier: Apache-2.0
#include "cli/report.hpp"
#include "util/strings.hpp"

#include <cstdio>
#include <unistd.h>

namespace leura::cli {

ExitCode exit_code_for(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::usage:
    case ErrorKind::config:
    case ErrorKind::not_found:
        return ExitCode::usage;
    case ErrorKind::permission:
        return ExitCode::refused;
    case ErrorKind::locked:
        return ExitCode::locked;
    default:
        return ExitCode::internal;
    }
}

int report(const Error& e) {
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
