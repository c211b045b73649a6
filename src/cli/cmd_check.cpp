// SPDX-License-Identifier: Apache-2.0
#include "app/access_gate.hpp"
#include "app/prepare.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "cli/run_flags.hpp"

#include <cstdio>
#include <memory>

namespace leura::cli {

Action add_check(CLI::App& sub) {
    auto files = std::make_shared<std::vector<std::string>>();
    auto flags = std::make_shared<RunFlags>();
    sub.add_option("files", *files, "Task or inventory files")->required();
    add_ssh_flags(sub, *flags);
    return [files, flags](app::Context& ctx) {
        for (const auto& file : *files)
            if (auto st = app::require_named(ctx, file); !st) return report(st.error());
        if (auto st = load_ssh_flags(*flags, ctx.settings); !st) return report(st.error());
        config::Diagnostics diags;
        app::check_files(*files, diags, flags->prepare.ssh);
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
