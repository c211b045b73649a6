// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/diagnostic.hpp"
#include "config/task.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace leura::config {

// Connection settings that layer defaults < group < host entry; unset fields inherit.
struct HostSettings {
    std::optional<std::string> user;
    std::optional<int> port;
    std::optional<std::string> identity;
    std::optional<std::string> jump;
    std::optional<std::string> known_hosts; // relative to the inventory's folder
    // Host entries only: what SSH connects to when it is not the name. A range pattern pairs
    // its names with the entry's, one by one; "{name}" stands for each host's name.
    std::optional<std::string> address;
    KeyValues vars;
    SourcePos address_pos;
};

// One [[hosts]] entry (or one line of a plain text inventory), ranges not yet expanded.
struct HostEntry {
    std::vector<std::string> names;  // patterns such as "web[01-20].dc1"
    std::vector<SourcePos> name_pos; // where each of `names` stands, same order
    std::vector<std::string> groups;
    KeyValues attrs;
    HostSettings settings;
    SourcePos pos;
};

struct GroupEntry {
    std::string name;
    HostSettings settings;
    SourcePos pos;
};

struct InventoryFile {
    std::filesystem::path file;
    std::string text;
    HostSettings defaults;
    std::vector<HostEntry> hosts;
    std::vector<GroupEntry> groups;
};

// Reads a TOML inventory, or a plain text one (`[user@]host[:port]` per line, `#` comments)
// when the file does not end in .toml. Problems go to `diags` as in load_task.
std::optional<InventoryFile> load_inventory_file(const std::filesystem::path& file,
                                                 Diagnostics& diags);

} // namespace leura::config
