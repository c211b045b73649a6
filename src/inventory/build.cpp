// SPDX-License-Identifier: Apache-2.0
#include "inventory/inventory.hpp"

#include "inventory/host_name.hpp"
#include "inventory/range.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>

namespace leura::inventory {
namespace {

// Set fields of `over` win, remembering `layer` as their origin; vars merge key by key,
// keeping the order keys first appeared in.
void overlay(config::HostSettings& base, Origins& origins, const config::HostSettings& over,
             const std::string& layer) {
    auto take = [&layer](auto& to, const auto& from, std::string& origin) {
        if (!from) return;
        to = from;
        origin = layer;
    };
    take(base.user, over.user, origins.user);
    take(base.port, over.port, origins.port);
    take(base.identity, over.identity, origins.identity);
    take(base.jump, over.jump, origins.jump);
    take(base.known_hosts, over.known_hosts, origins.known_hosts);
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

    // An entry's `address` pairs with all its names together (every pattern of `names`, in
    // order), so the names are expanded first.
    void add_entry(const config::HostEntry& entry) {
        check_attr_names(entry);
        Host shape = layered(entry);
        std::vector<std::vector<std::string>> expanded(entry.names.size());
        std::vector<std::string> all;
        bool bad = false;
        for (size_t i = 0; i < entry.names.size(); ++i) {
            const SourcePos& pos = i < entry.name_pos.size() ? entry.name_pos[i] : entry.pos;
            auto names = expand_range(entry.names[i]);
            if (!names) {
                report(pos, names.error().message);
                bad = true;
                continue;
            }
            if (auto problem = first_bad_name(*names); !problem.empty()) {
                report(pos, problem);
                bad = true;
                continue;
            }
            all.insert(all.end(), names->begin(), names->end());
            expanded[i] = std::move(*names);
        }
        if (bad) return;
        auto addresses = addresses_for(entry, all);
        if (!addresses) return;
        size_t next = 0;
        for (size_t i = 0; i < entry.names.size(); ++i) {
            const SourcePos& pos = i < entry.name_pos.size() ? entry.name_pos[i] : entry.pos;
            std::vector<std::string> mine(addresses->begin() + long(next),
                                          addresses->begin() + long(next + expanded[i].size()));
            next += expanded[i].size();
            add_names(expanded[i], mine, entry.names[i], pos, shape);
        }
    }

    // One address per name: the entry's `address` with "{name}" replaced, its range expanded
    // in step with the names'. Empty strings when the entry sets none.
    std::optional<std::vector<std::string>> addresses_for(const config::HostEntry& entry,
                                                          const std::vector<std::string>& names) {
        const auto& pattern = entry.settings.address;
        if (!pattern) return std::vector<std::string>(names.size());
        const SourcePos& at = entry.settings.address_pos;
        std::vector<std::string> out;
        bool per_name = pattern->find("{name}") != std::string::npos;
        auto expanded = expand_range(*pattern);
        if (!expanded) {
            report(at, "address: " + expanded.error().message);
            return std::nullopt;
        }
        if (per_name) {
            if (expanded->size() != 1) {
                report(at, "address: use either {name} or a range, not both");
                return std::nullopt;
            }
            for (const auto& name : names) {
                std::string a = expanded->front();
                for (size_t p; (p = a.find("{name}")) != std::string::npos;)
                    a.replace(p, 6, name);
                out.push_back(std::move(a));
            }
        } else if (expanded->size() == names.size()) {
            out = std::move(*expanded);
        } else {
            size_t n = expanded->size();
            report(at, "address names " +
                           (n == 1 ? std::string("one host") : std::to_string(n) + " hosts") +
                           " but the entry has " + std::to_string(names.size()) +
                           " names; give a range of the same length, or {name}");
            return std::nullopt;
        }
        for (const auto& a : out)
            if (auto problem = host_name_problem(a); !problem.empty()) {
                report(at, "address: " + problem);
                return std::nullopt;
            }
        return out;
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
    void add_names(std::vector<std::string>& names, std::vector<std::string>& addresses,
                   const std::string& pattern, const SourcePos& pos, const Host& shape) {
        size_t duplicates = 0;
        std::string first_duplicate;
        for (size_t i = 0; i < names.size(); ++i) {
            auto& name = names[i];
            auto [it, fresh] = m_seen.try_emplace(name, pos);
            if (!fresh) {
                if (duplicates++ == 0)
                    first_duplicate =
                        "host '" + name + "' is defined twice; first at " + where(it->second);
                continue;
            }
            m_inv.hosts.push_back(shape);
            Host& h = m_inv.hosts.back();
            h.name = std::move(name);
            if (addresses[i].empty()) {
                h.address = h.name;
            } else {
                h.address = std::move(addresses[i]);
                h.origins.address = "host entry";
            }
        }
        if (duplicates > 1)
            first_duplicate +=
                " (and " + std::to_string(duplicates - 1) + " more names of '" + pattern + "')";
        if (duplicates > 0) report(pos, std::move(first_duplicate));
    }

    // Everything about a host but its name, shared by all names of the entry.
    Host layered(const config::HostEntry& entry) {
        config::HostSettings settings;
        Host host;
        overlay(settings, host.origins, m_file.defaults, "defaults");
        for (const auto& group : entry.groups) {
            if (std::find(host.groups.begin(), host.groups.end(), group) != host.groups.end())
                continue;
            host.groups.push_back(group);
            m_members.insert(group);
            if (auto it = m_group_settings.find(group); it != m_group_settings.end())
                overlay(settings, host.origins, it->second->settings, "group " + group);
        }
        overlay(settings, host.origins, entry.settings, "host entry");
        host.user = settings.user.value_or("");
        host.port = settings.port.value_or(22);
        host.identity = settings.identity.value_or("");
        host.jump = settings.jump.value_or("");
        if (settings.known_hosts) {
            // Relative to the inventory, so the file travels with it.
            std::filesystem::path kh = *settings.known_hosts;
            if (!kh.is_absolute() && !settings.known_hosts->starts_with("~"))
                kh = std::filesystem::absolute(m_file.file).parent_path() / kh;
            host.known_hosts = kh.lexically_normal().string();
        }
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
