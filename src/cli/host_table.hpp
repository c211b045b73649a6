// SPDX-License-Identifier: Apache-2.0
#pragma once

// A host's connection settings for people and for scripts (`ssh-config`, `inventory hosts`).
#include "app/connections.hpp"

#include <string>

namespace leura::cli {

// One "KEY VALUE ORIGIN" line per setting, or with `json` one object (app::host_json).
void print_connection(const std::string& host, const app::HostConnection& c, bool json);

} // namespace leura::cli
