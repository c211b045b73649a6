// SPDX-License-Identifier: Apache-2.0
// `leura config show`: every setting's effective value and where it came from, as
// `ccache --show-config` does.
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>

namespace leura::cli {

namespace {

int show(const app::Context& ctx, bool json, const std::string& only) {
    if (!only.empty()) {
        std::vector<std::string> keys;
        for (const auto& [key, s] : ctx.settings.all())
            keys.push_back(key);
        if (std::find(keys.begin(), keys.end(), only) == keys.end()) {
            std::string hint = util::closest_match(only, keys);
            return report(Error(ErrorKind::usage,
                                "unknown setting '" + only + "'" +
                                    (hint.empty() ? "" : "; did you mean '" + hint + "'?")));
        }
    }
    for (const auto& [key, s] : ctx.settings.all()) {
        if (!only.empty() && key != only) continue;
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
    if (!json && only.empty()) std::printf("\ndata in use: %s\n", ctx.data_dir.c_str());
    return 0;
}

} // namespace

Action add_config(CLI::App& sub) {
    sub.require_subcommand(1);
    auto json = std::make_shared<bool>(false);
    auto key = std::make_shared<std::string>();
    auto* show_cmd = sub.add_subcommand("show", "Every setting, its value and where it came from");
    show_cmd->add_option("key", *key, "Only this setting");
    show_cmd->add_flag("--json", *json, "One JSON object per setting");
    return [json, key](app::Context& ctx) { return show(ctx, *json, *key); };
}

} // namespace leura::cli
