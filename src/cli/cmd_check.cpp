// SPDX-License-Identifier: Apache-2.0
#include "app/prepare.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"

#include <cstdio>
#include <memory>

namespace leura::cli {

Action add_check(CLI::App& sub) {
    auto files = std::make_shared<std::vector<std::string>>();
    sub.add_option("files", *files, "Task or inventory files")->required();
    return [files](app::Context&) {
        config::Diagnostics diags;
        app::check_files(*files, diags);
        if (!diags.empty()) {
            for (const auto& d : diags.items())
                std::fprintf(stderr, "%s\n", config::format(d).c_str());
            std::fprintf(stderr, "leura: %zu problem%s found\n", diags.size(),
                         diags.size() == 1 ? "" : "s");
            return to_int(ExitCode::usage);
        }
        std::printf("%zu file%s OK\n", files->size(), files->size() == 1 ? "" : "s");
        return to_int(ExitCode::ok);
    };
}

} // namespace leura::cli
