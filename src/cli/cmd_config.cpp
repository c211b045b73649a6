// SPDX-License-Identifier: Apache-2.0
// `leura config show`: every setting's effective value and where it came from, as
// `ccache --show-config` does.
#include "cli/commands.hpp"
#include "util/json.hpp"

#include <cstdio>
#include <memory>

namespace leura::cli {

namespace {

int show(const app::Context& ctx, bool json) {
    for (const auto& [key, s] : ctx.settings.all()) {
        if (json) {
            std::printf("%s\n", util::JsonObject()
                                    .add("key", key)
                                    .add("value", s.value)
                                    .add("origin", s.origin)
                                    .str()
                                    .c_str());
            continue;
        }
        std::printf("%-22s %-32s (%s)\n", key.c_str(), s.value.empty() ? "-" : s.value.c_str(),
                    s.origin.c_str());
    }
    if (!json) std::printf("\ndata in use: %s\n", ctx.data_dir.c_str());
    return 0;
}

} // namespace

Action add_config(CLI::App& sub) {
    sub.require_subcommand(1);
    auto json = std::make_shared<bool>(false);
    auto* show_cmd = sub.add_subcommand("show", "Every setting, its value and where it came from");
    show_cmd->add_flag("--json", *json, "One JSON object per setting");
    return [json](app::Context& ctx) { return show(ctx, *json); };
}

} // namespace leura::cli
