// SPDX-License-Identifier: Apache-2.0
#pragma once

// A host's connection settings for people and for scripts (`ssh-config`, `inventory hosts`).
#include "app/connections.hpp"
#include "util/json.hpp"

#include <string>

namespace leura::cli {

// One "KEY VALUE ORIGIN" line per setting, or with `json` one object (add_connection).
void print_connection(const std::string& host, const app::HostConnection& c, bool json);

// Adds each setting to `o` (the port as a number), then "origins": {setting: origin}.
void add_connection(util::JsonObject& o, const app::HostConnection& c);

} // namespace leura::cli
