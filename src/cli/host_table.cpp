// SPDX-License-Identifier: Apache-2.0
#include "cli/host_table.hpp"
#include "app/inventory_json.hpp"
#include "util/strings.hpp"

#include <cstdio>

namespace leura::cli {

void print_connection(const std::string& host, const app::HostConnection& c, bool json) {
    if (json) {
        std::printf("%s\n", app::host_json(host, c).c_str());
        return;
    }
    std::printf("%s\n", util::terminal_safe(host, true).c_str());
    for (const auto& [key, v] : app::connection_fields(c)) {
        if (v->origin.empty() && v->value.empty()) continue;
        std::string value = v->value.empty() ? "-" : v->value;
        std::printf("  %-16s %-40s  %s\n", key, util::terminal_safe(value, true).c_str(),
                    util::terminal_safe(v->origin, true).c_str());
    }
}

} // namespace leura::cli
