// SPDX-License-Identifier: Apache-2.0
#include "inventory/inventory.hpp"

#include "inventory/host_name.hpp"
#include "inventory/range.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <unordered_map>

namespace leura::inventory {
namespace {

// Set fields of `over` win; vars merge key by key, keeping the order keys first appeared in.
void overlay(config::HostSettings& base, const config::HostSettings& over) {
    if (over.user) base.user = over.user;
    if (over.port) base.port = over.port;
    if (over.identity) base.identity = over.identity;
    if (over.jump) base.jump = over.jump;
    for (const auto& var : over.vars) {
        auto it = std::find_if(base.vars.begin(), base.vars.end(),
                               [&](const auto& kv) { return kv.first == var.first; });
        if (it != base.vars.end())
            it->second = var.second;
        else
            base.vars.push_back(var);
    }
}

std::string where(const SourcePos& pos) {
    return pos.file + ":" + std::to_string(pos.line);
}

class Builder {
public:
    Builder(const config::InventoryFile& file, config::Diagnostics& diags)
        : m_file(file), m_diags(diags) {
        for (const auto& group : file.groups)
            m_group_settings.emplace(group.name, &group);
    }

    std::optional<Inventory> run() {
        size_t problems = m_diags.size();
        for (const auto& entry : m_file.hosts)
            add_entry(entry);
        check_group_sections();
        if (m_diags.size() != problems) return std::nullopt;
        m_inv.groups.assign(m_members.begin(), m_members.end());
        return std::move(m_inv);
    }

private:
    void report(const SourcePos& pos, std::string message) {
        m_diags.add(pos, std::move(message), config::line_of(m_file.text, pos.line));
    }

    void add_entry(const config::HostEntry& entry) {
        check_attr_names(entry);
        Host shape = layered(entry);
        for (size_t i = 0; i < entry.names.size(); ++i) {
            const SourcePos& pos = i < entry.name_pos.size() ? entry.name_pos[i] : entry.pos;
            auto names = expand_range(entry.names[i]);
            if (!names) {
                report(pos, names.error().message);
                continue;
            }
            if (auto bad = first_bad_name(*names); !bad.empty()) {
                report(pos, bad);
                continue;
            }
            add_names(*names, entry.names[i], pos, shape);
        }
    }

    void check_attr_names(const config::HostEntry& entry) {
        std::map<std::string, std::string> seen;
        for (const auto& [key, value] : entry.attrs) {
            auto [it, fresh] = seen.try_emplace(attr_variable(key), key);
            if (!fresh && it->second != key)
                report(entry.pos, "attributes '" + it->second + "' and '" + key +
                                      "' would both be " + it->first + " in local steps");
        }
    }

    // One diagnostic per pattern: a range of bad names has one cause.
    static std::string first_bad_name(const std::vector<std::string>& names) {
        for (const auto& name : names)
            if (auto problem = host_name_problem(name); !problem.empty()) return problem;
        return {};
    }

    // A repeated range would repeat every name; one diagnostic per pattern says enough.
    void add_names(std::vector<std::string>& names, const std::string& pattern,
                   const SourcePos& pos, const Host& shape) {
        size_t duplicates = 0;
        std::string first_duplicate;
        for (auto& name : names) {
            auto [it, fresh] = m_seen.try_emplace(name, pos);
            if (!fresh) {
                if (duplicates++ == 0)
                    first_duplicate =
                        "host '" + name + "' is defined twice; first at " + where(it->second);
                continue;
            }
            m_inv.hosts.push_back(shape);
            m_inv.hosts.back().name = std::move(name);
        }
        if (duplicates > 1)
            first_duplicate +=
                " (and " + std::to_string(duplicates - 1) + " more names of '" + pattern + "')";
        if (duplicates > 0) report(pos, std::move(first_duplicate));
    }

    // Everything about a host but its name, shared by all names of the entry.
    Host layered(const config::HostEntry& entry) {
        config::HostSettings settings = m_file.defaults;
        Host host;
        for (const auto& group : entry.groups) {
            if (std::find(host.groups.begin(), host.groups.end(), group) != host.groups.end())
                continue;
            host.groups.push_back(group);
            m_members.insert(group);
            if (auto it = m_group_settings.find(group); it != m_group_settings.end())
                overlay(settings, it->second->settings);
        }
        overlay(settings, entry.settings);
        host.user = settings.user.value_or("");
        host.port = settings.port.value_or(22);
        host.identity = settings.identity.value_or("");
        host.jump = settings.jump.value_or("");
        host.attrs = entry.attrs;
        host.vars = std::move(settings.vars);
        return host;
    }

    void check_group_sections() {
        for (const auto& group : m_file.groups) {
            if (!m_members.contains(group.name))
                report(group.pos, "group '" + group.name + "' has settings but no hosts");
        }
    }

    const config::InventoryFile& m_file;
    config::Diagnostics& m_diags;
    std::unordered_map<std::string, const config::GroupEntry*> m_group_settings;
    std::unordered_map<std::string, SourcePos> m_seen;
    std::set<std::string> m_members; // groups some host belongs to, sorted
    Inventory m_inv;
};

} // namespace

std::string attr_variable(std::string_view key) {
    std::string name = "LEURA_ATTR_";
    for (char c : key)
        name += std::isalnum(static_cast<unsigned char>(c))
                    ? char(std::toupper(static_cast<unsigned char>(c)))
                    : '_';
    return name;
}

std::optional<Inventory> build(const config::InventoryFile& file, config::Diagnostics& diags) {
    return Builder(file, diags).run();
}

} // namespace leura::inventory
