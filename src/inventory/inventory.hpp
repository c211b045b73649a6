// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/inventory_file.hpp"

#include <optional>
#include <string>
#include <vector>

namespace leura::inventory {

// Where each connection setting of a host came from, for `inventory hosts --long`: "defaults",
// "group NAME", "host entry", or "" when the inventory leaves it unset (the ssh config or a
// built-in default decides then).
struct Origins {
    std::string address, user, port, identity, jump, known_hosts;
};

// A host with every layer applied (defaults < groups in listed order < host entry).
struct Host {
    std::string name;    // in records, selectors and output
    std::string address; // what SSH connects to; the name unless set
    std::string user;    // empty: the invoking user
    int port = 22;
    std::string identity; // empty: the usual defaults
    std::string jump;
    std::string known_hosts; // empty: the settings, the ssh config, ~/.ssh/known_hosts
    Origins origins;
    std::vector<std::string> groups;
    config::KeyValues attrs;
    config::KeyValues vars;
};

struct Inventory {
    std::vector<Host> hosts;         // in file order, names unique
    std::vector<std::string> groups; // every group named anywhere, sorted
};

// The variable a local step sees an attribute as: LEURA_ATTR_<KEY>, upper case, other
// characters as '_'. Two attributes of one entry with the same variable are refused by build().
std::string attr_variable(std::string_view key);

// Expands ranges and layers settings. Reports bad ranges, bad host names, duplicate hosts,
// colliding attribute names and unknown group sections to `diags`, with the file position of
// the offending entry.
std::optional<Inventory> build(const config::InventoryFile& file, config::Diagnostics& diags);

} // namespace leura::inventory
