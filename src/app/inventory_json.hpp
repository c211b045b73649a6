// SPDX-License-Identifier: Apache-2.0
#pragma once

// Inventories and their hosts as JSON: one writer for the command line (`inventory list
// --json`, `inventory hosts --json`, `ssh-config --json`) and the API (GET /v1/inventories and
// /v1/inventories/NAME/hosts), so a script reads the same fields from either.
#include "app/connections.hpp"
#include "app/context.hpp"
#include "inventory/inventory.hpp"

#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace leura::app {

// An inventory the library knows of: its name (the file's stem), its file, whether it loads,
// and how many hosts it has.
struct InventorySummary {
    std::string name;
    std::filesystem::path file;
    bool valid = false;
    size_t hosts = 0;
};

// known_inventories() less those the caller may not view, each loaded once.
std::vector<InventorySummary> visible_inventories(Context& ctx);

// {"name","file","valid","hosts"}.
std::string inventory_summary_json(const InventorySummary& s);

// A connection's settings in one order, each with its origin: address, user, port, identity,
// jump, known_hosts, connect_timeout.
std::vector<std::pair<const char*, const Sourced*>> connection_fields(const HostConnection& c);

// {"host", each connection field (the port a number), "origins": {field: origin}}, then, for a
// host of an inventory, its "groups" and "attrs".
std::string host_json(const std::string& name, const HostConnection& c,
                      const inventory::Host* listed = nullptr);

} // namespace leura::app
