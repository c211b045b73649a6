// SPDX-License-Identifier: Apache-2.0
#include "cli/host_table.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

#include <cstdio>
#include <string_view>
#include <utility>
#include <vector>

namespace leura::cli {

namespace {

std::vector<std::pair<const char*, const app::Sourced*>> rows(const app::HostConnection& c) {
    return {{"address", &c.address},
            {"user", &c.user},
            {"port", &c.port},
            {"identity", &c.identity},
            {"jump", &c.jump},
            {"known_hosts", &c.known_hosts},
            {"connect_timeout", &c.connect_timeout}};
}

} // namespace

void add_connection(util::JsonObject& o, const app::HostConnection& c) {
    util::JsonObject origins;
    for (const auto& [key, v] : rows(c)) {
        if (std::string_view(key) == "port")
            o.add(key, c.endpoint.port);
        else
            o.add(key, v->value);
        origins.add(key, v->origin);
    }
    o.add_raw("origins", origins.str());
}

void print_connection(const std::string& host, const app::HostConnection& c, bool json) {
    if (json) {
        util::JsonObject o;
        o.add("host", host);
        add_connection(o, c);
        std::printf("%s\n", o.str().c_str());
        return;
    }
    std::printf("%s\n", util::terminal_safe(host, true).c_str());
    for (const auto& [key, v] : rows(c)) {
        if (v->origin.empty() && v->value.empty()) continue;
        std::string value = v->value.empty() ? "-" : v->value;
        std::printf("  %-16s %-40s  %s\n", key, util::terminal_safe(value, true).c_str(),
                    util::terminal_safe(v->origin, true).c_str());
    }
}

} // namespace leura::cli
