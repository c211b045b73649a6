// SPDX-License-Identifier: Apache-2.0
// `leura inventory list|show|hosts`: the inventories found, one inventory's groups and
// attributes, and each host's effective settings.
#include "app/access_gate.hpp"
#include "app/inventory_json.hpp"
#include "app/library.hpp"
#include "app/prepare.hpp"
#include "cli/commands.hpp"
#include "cli/host_table.hpp"
#include "cli/report.hpp"
#include "cli/run_flags.hpp"
#include "inventory/selector.hpp"
#include "util/strings.hpp"

#include <cstdio>
#include <map>
#include <memory>
#include <set>

namespace leura::cli {

namespace {

namespace fs = std::filesystem;

struct InventoryFlags {
    std::string name;
    std::string targets;
    bool json = false;
    bool long_form = false;
    RunFlags ssh; // --ssh-config, --no-ssh-config
};

// The inventory a command means: the one named, else the inventory setting's.
std::string wanted_inventory(const app::Context& ctx, const std::string& name) {
    return name.empty() ? ctx.settings.text("inventory") : name;
}

std::optional<std::pair<fs::path, inventory::Inventory>>
load(const app::Context& ctx, const std::string& name, config::Diagnostics& diags) {
    std::string wanted = wanted_inventory(ctx, name);
    if (wanted.empty()) {
        diags.add({"inventory", 0, 0}, "name an inventory (or set the inventory setting)");
        return std::nullopt;
    }
    auto file = app::find_inventory(wanted, fs::path(".") / "x", app::library_root(ctx.settings));
    if (!file) {
        diags.add({wanted, 0, 0}, "inventory '" + wanted +
                                      "' not found (looked for it as a path, in ./inventories and "
                                      "beside the task library)");
        return std::nullopt;
    }
    auto inv = app::load_inventory(*file, diags);
    if (!inv) return std::nullopt;
    return std::pair{*file, std::move(*inv)};
}

int list(app::Context& ctx, const InventoryFlags& f) {
    auto listed = app::visible_inventories(ctx);
    if (listed.empty() && !f.json) std::fprintf(stderr, "leura: no inventories found\n");
    for (const auto& s : listed) {
        if (f.json)
            std::printf("%s\n", app::inventory_summary_json(s).c_str());
        else
            std::printf("%-20s %6s  %s\n", s.name.c_str(),
                        s.valid ? (std::to_string(s.hosts) + "h").c_str() : "bad", s.file.c_str());
    }
    return 0;
}

int show(const app::Context& ctx, const InventoryFlags& f) {
    config::Diagnostics diags;
    auto loaded = load(ctx, f.name, diags);
    if (!loaded) return report(diags);
    const auto& [file, inv] = *loaded;
    std::map<std::string, size_t> groups;
    std::map<std::string, std::map<std::string, size_t>> attrs;
    for (const auto& h : inv.hosts) {
        for (const auto& g : h.groups)
            ++groups[g];
        for (const auto& [k, v] : h.attrs)
            ++attrs[k][v];
    }
    std::printf("inventory  %s\nhosts      %zu\n", file.c_str(), inv.hosts.size());
    std::printf("groups     %zu\n", inv.groups.size());
    for (const auto& g : inv.groups)
        std::printf("  %-24s %zu host%s\n", g.c_str(), groups[g], groups[g] == 1 ? "" : "s");
    std::printf("attributes %zu\n", attrs.size());
    for (const auto& [k, values] : attrs) {
        std::string list;
        for (const auto& [v, n] : values)
            list += (list.empty() ? "" : ", ") + v + " (" + std::to_string(n) + ")";
        std::printf("  %-24s %s\n", k.c_str(), util::terminal_safe(list, true).c_str());
    }
    return 0;
}

int hosts(const app::Context& ctx, InventoryFlags& f) {
    config::Diagnostics diags;
    auto loaded = load(ctx, f.name, diags);
    if (!loaded) return report(diags);
    const auto& inv = loaded->second;
    auto selected = inventory::select(inv, f.targets);
    if (!selected) return report(Error(ErrorKind::usage, "-t: " + selected.error().message));
    if (auto st = load_ssh_flags(f.ssh, ctx.settings); !st) return report(st.error());
    const app::SshSources& sources = *f.ssh.prepare.ssh;
    if (!f.json && !f.long_form)
        std::printf("%-24s %-20s %-12s %5s %-20s %-20s %s\n", "HOST", "ADDRESS", "USER", "PORT",
                    "JUMP", "GROUPS", "ATTRIBUTES");
    // Every host resolved before any is printed: a refused one leaves no partial table.
    std::vector<app::HostConnection> connections;
    std::set<std::string> warned;
    for (const auto* h : *selected) {
        auto c = app::connection_for(*h, sources);
        if (!c) return report(c.error());
        for (const auto& w : c->warnings)
            if (warned.insert(w).second) warn({w});
        connections.push_back(std::move(*c));
    }
    for (size_t i = 0; i < selected->size(); ++i) {
        const auto* h = (*selected)[i];
        const app::HostConnection* c = &connections[i];
        std::string groups, attrs;
        for (const auto& g : h->groups)
            groups += (groups.empty() ? "" : ",") + g;
        for (const auto& [k, v] : h->attrs)
            attrs += (attrs.empty() ? "" : " ") + k + "=" + v;
        if (f.json) {
            std::printf("%s\n", app::host_json(h->name, *c, h).c_str());
            continue;
        }
        if (f.long_form) {
            print_connection(h->name, *c, false);
            std::printf("  %-16s %s\n  %-16s %s\n", "groups", groups.empty() ? "-" : groups.c_str(),
                        "attributes",
                        attrs.empty() ? "-" : util::terminal_safe(attrs, true).c_str());
            continue;
        }
        const std::string& user = c->endpoint.user;
        std::printf("%-24s %-20s %-12s %5d %-20s %-20s %s\n", h->name.c_str(),
                    c->address.value.c_str(), user.empty() ? "(you)" : user.c_str(),
                    c->endpoint.port, c->jump.value.empty() ? "-" : c->jump.value.c_str(),
                    groups.empty() ? "-" : groups.c_str(),
                    util::terminal_safe(attrs, true).c_str());
    }
    return 0;
}

} // namespace

Action add_inventory(CLI::App& sub) {
    sub.require_subcommand(1);
    auto f = std::make_shared<InventoryFlags>();
    auto which = std::make_shared<std::string>();
    auto* l = sub.add_subcommand("list", "The inventories found, with their host counts");
    l->add_flag("--json", f->json, "One JSON object per inventory");
    auto* s = sub.add_subcommand("show", "Groups with host counts, attributes with their values");
    s->add_option("inventory", f->name, "Inventory name or file (default: the setting)");
    auto* h = sub.add_subcommand("hosts", "Each host's address, user, port, jump and attributes");
    h->add_option("inventory", f->name, "Inventory name or file (default: the setting)");
    h->add_option("-t,--targets", f->targets, "Only the hosts this selector selects");
    h->add_flag("--json", f->json, "One JSON object per host, each value with its origin");
    h->add_flag("--long", f->long_form,
                "Every connection setting and where it came from (inventory layer, leura "
                "setting, ssh config line, default)");
    add_ssh_flags(*h, f->ssh);
    for (auto* c : {l, s, h})
        c->callback([which, c] { *which = c->get_name(); });
    return [f, which](app::Context& ctx) {
        if (*which == "list") return list(ctx, *f);
        // The policy names inventories by name (a file's stem): viewing one takes a grant on it.
        if (auto st = app::require_named(ctx, f->name); !st) return report(st.error());
        app::AccessRequest view;
        view.action = "view";
        view.inventory = fs::path(wanted_inventory(ctx, f->name)).stem().string();
        if (auto st = app::authorize(ctx, view, false); !st) return report(st.error());
        if (*which == "show") return show(ctx, *f);
        return hosts(ctx, *f);
    };
}

} // namespace leura::cli
