// SPDX-License-Identifier: Apache-2.0
// Two inventory forms share one result: TOML files (`*.toml`) with defaults, host entries and
// groups, and plain text lists of `[user@]host[:port]`. Like task files, both are checked in
// full before anything is returned. Host name patterns are kept as written; expanding ranges
// is the inventory module's job.
#include "config/inventory_file.hpp"
#include "config/login.hpp"

#include "config/toml_util.hpp"

#include <algorithm>
#include <exception>

namespace leura::config {

namespace {

using detail::KeySet;
using detail::Reporter;
namespace fs = std::filesystem;

const KeySet k_inventory_keys{{"defaults", "hosts", "groups"}, {}};
const KeySet k_settings_keys{{"user", "port", "identity", "jump", "known_hosts", "vars"}, {}};
const KeySet k_host_keys{
    {"names", "groups", "attrs", "user", "port", "identity", "jump", "known_hosts", "address",
     "vars"},
    {},
};

// ---- TOML inventories ----

void read_setting(HostSettings& settings, const std::string& name, const toml::node& value,
                  Reporter& r) {
    if (name == "port") {
        if (auto port = detail::read_port(value, name, r)) settings.port = *port;
    } else if (name == "vars") {
        if (auto vars = detail::read_key_values(value, name, true, r))
            settings.vars = std::move(*vars);
    } else if (auto text = detail::read_string(value, name, r)) {
        if (text->empty()) {
            r.error(value, "'" + name + "' must not be empty");
            return;
        }
        if (name == "jump") {
            if (auto chain = parse_jump_chain(*text); !chain) {
                // Point into the string: past the opening quote, at the offending byte.
                SourcePos at = r.pos(value.source());
                at.column += 1 + int(chain.error().offset);
                r.error(at, "jump: " + chain.error().message);
                return;
            }
        }
        if (name == "address") settings.address_pos = r.pos(value.source());
        (name == "user"          ? settings.user
         : name == "identity"    ? settings.identity
         : name == "known_hosts" ? settings.known_hosts
         : name == "address"     ? settings.address
                                 : settings.jump) = std::move(*text);
    }
}

// [defaults] and [groups.NAME] hold connection settings only.
std::optional<HostSettings> read_settings_table(const toml::node& node, const std::string& where,
                                                Reporter& r) {
    const auto* table = node.as_table();
    if (!table) {
        r.error(node, where + " must be a table");
        return std::nullopt;
    }
    HostSettings settings;
    for (const auto& [key, value] : detail::in_source_order(*table)) {
        if (detail::check_key(*key, k_settings_keys, where, r))
            read_setting(settings, detail::name_of(*key), *value, r);
    }
    return settings;
}

void add_name(HostEntry& host, const toml::node& node, Reporter& r) {
    const auto* name = node.as_string();
    if (!name) {
        r.error(node, "every entry of 'names' must be a string");
    } else if (name->get().empty()) {
        r.error(node, "a host name must not be empty");
    } else {
        host.names.push_back(name->get());
        host.name_pos.push_back(r.pos(node.source()));
    }
}

void read_names(HostEntry& host, const toml::node& node, Reporter& r) {
    if (node.is_string()) {
        add_name(host, node, r);
    } else if (const auto* array = node.as_array()) {
        if (array->empty()) r.error(node, "'names' must list at least one host");
        for (const auto& item : *array)
            add_name(host, item, r);
    } else {
        r.error(node, "'names' must be a string or an array of strings");
    }
}

void read_host_key(HostEntry& host, const std::string& name, const toml::node& value, Reporter& r) {
    if (name == "names") {
        read_names(host, value, r);
    } else if (name == "groups") {
        if (auto groups = detail::read_string_array(value, name, r))
            host.groups = std::move(*groups);
    } else if (name == "attrs") {
        if (auto attrs = detail::read_key_values(value, name, false, r))
            host.attrs = std::move(*attrs);
    } else {
        read_setting(host.settings, name, value, r);
    }
}

void read_host(InventoryFile& inventory, const toml::node& node, int number, Reporter& r) {
    const std::string where = "[[hosts]] entry " + std::to_string(number);
    const auto* table = node.as_table();
    if (!table) {
        r.error(node, where + " must be a table");
        return;
    }
    HostEntry host;
    host.pos = detail::table_pos(*table, r);
    for (const auto& [key, value] : detail::in_source_order(*table)) {
        if (detail::check_key(*key, k_host_keys, where, r))
            read_host_key(host, detail::name_of(*key), *value, r);
    }
    if (!table->contains("names")) r.error(host.pos, where + " needs 'names'");
    inventory.hosts.push_back(std::move(host));
}

void read_hosts(InventoryFile& inventory, const toml::node& node, Reporter& r) {
    const auto* array = node.as_array();
    if (!array) {
        r.error(node, "'hosts' must be an array of tables, as written with [[hosts]]");
        return;
    }
    int number = 0;
    for (const auto& item : *array)
        read_host(inventory, item, ++number, r);
}

void read_groups(InventoryFile& inventory, const toml::node& node, Reporter& r) {
    const auto* table = node.as_table();
    if (!table) {
        r.error(node, "'groups' must be a table of groups, as written with [groups.NAME]");
        return;
    }
    for (const auto& [key, value] : detail::in_source_order(*table)) {
        const std::string where = "[groups." + detail::name_of(*key) + "]";
        auto settings = read_settings_table(*value, where, r);
        if (!settings) continue;
        GroupEntry group{detail::name_of(*key), std::move(*settings), r.pos(key->source())};
        if (const auto* group_table = value->as_table())
            group.pos = detail::table_pos(*group_table, r);
        inventory.groups.push_back(std::move(group));
    }
}

std::optional<InventoryFile> read_toml_inventory(const fs::path& file, Diagnostics& diags) {
    size_t before = diags.size();
    InventoryFile inventory;
    inventory.file = file;
    auto doc = detail::parse_toml_file(file, inventory.text, diags);
    if (!doc) return std::nullopt;
    Reporter r(file.string(), inventory.text, diags);
    for (const auto& [key, value] : detail::in_source_order(*doc)) {
        if (!detail::check_key(*key, k_inventory_keys, "the inventory", r)) continue;
        const std::string name = detail::name_of(*key);
        if (name == "defaults") {
            if (auto defaults = read_settings_table(*value, "[defaults]", r))
                inventory.defaults = std::move(*defaults);
        } else if (name == "hosts") {
            read_hosts(inventory, *value, r);
        } else {
            read_groups(inventory, *value, r);
        }
    }
    if (diags.size() != before) return std::nullopt;
    return inventory;
}

// ---- Plain text inventories ----

bool is_utf8_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// 1-based column of byte `offset`, counted in code points as toml++ and format() count them.
int column_at(std::string_view line, size_t offset) {
    int column = 1;
    for (size_t i = 0; i < offset && i < line.size(); ++i)
        if (!is_utf8_continuation(line[i])) ++column;
    return column;
}

// One line being read: the text and where it is, for reporting at a byte offset.
struct PlainLine {
    std::string_view text;
    int number;
    Reporter& r;

    void error(size_t offset, std::string message) const {
        r.error(r.pos(number, column_at(text, offset)), std::move(message));
    }
};

// One `[user@]host[:port]` line; nullopt for blank lines, comments and problems (reported).
std::optional<HostEntry> read_plain_line(const PlainLine& line) {
    std::string_view text = line.text.substr(0, line.text.find('#'));
    const char* space = " \t\r";
    size_t begin = text.find_first_not_of(space);
    if (begin == text.npos) return std::nullopt;
    size_t end = std::min(text.find_first_of(space, begin), text.size());
    if (size_t extra = text.find_first_not_of(space, end); extra != text.npos) {
        line.error(extra, "expected one [user@]host[:port] per line");
        return std::nullopt;
    }
    auto login = parse_login(text.substr(begin, end - begin));
    if (!login) {
        line.error(begin + login.error().offset, login.error().message);
        return std::nullopt;
    }
    HostEntry host;
    host.pos = line.r.pos(line.number, column_at(line.text, begin));
    host.names.push_back(login->host);
    host.name_pos.push_back(line.r.pos(line.number, column_at(line.text, begin + login->host_at)));
    if (!login->user.empty()) host.settings.user = login->user;
    host.settings.port = login->port;
    return host;
}

std::optional<InventoryFile> read_plain_inventory(const fs::path& file, Diagnostics& diags) {
    auto text = detail::read_text_file(file);
    if (!text) {
        diags.add({file.string(), 0, 0}, "cannot read the file: " + text.error().message);
        return std::nullopt;
    }
    size_t before = diags.size();
    InventoryFile inventory;
    inventory.file = file;
    inventory.text = std::move(*text);
    Reporter r(file.string(), inventory.text, diags);
    std::string_view rest = inventory.text;
    for (int number = 1; !rest.empty(); ++number) {
        size_t newline = rest.find('\n');
        std::string_view raw = rest.substr(0, newline);
        rest.remove_prefix(newline == rest.npos ? rest.size() : newline + 1);
        if (auto host = read_plain_line({raw, number, r}))
            inventory.hosts.push_back(std::move(*host));
    }
    if (diags.size() != before) return std::nullopt;
    return inventory;
}

} // namespace

std::optional<InventoryFile> load_inventory_file(const fs::path& file, Diagnostics& diags) {
    try {
        if (file.extension() == ".toml") return read_toml_inventory(file, diags);
        return read_plain_inventory(file, diags);
    } catch (const std::exception& e) {
        // Only allocation or filesystem failures can get here; report rather than escape.
        diags.add({file.string(), 0, 0}, std::string("cannot load the inventory: ") + e.what());
        return std::nullopt;
    }
}

} // namespace leura::config
