// SPDX-License-Identifier: Apache-2.0
// The inventories over the API: the ones `leura inventory list` finds, and which of an
// inventory's hosts a selector picks, as a run would pick them.
#include "app/access_gate.hpp"
#include "app/api.hpp"
#include "app/exit_code.hpp"
#include "app/inventory_json.hpp"
#include "app/library.hpp"
#include "app/prepare.hpp"
#include "app/tokens.hpp"
#include "inventory/selector.hpp"
#include "util/json.hpp"

#include <filesystem>

namespace leura::app {

namespace fs = std::filesystem;

// Each inventory the caller may view, as `leura inventory list --json` shows it.
http::Response Api::inventories_list(Context& ctx) {
    std::vector<std::string> items;
    for (const auto& s : visible_inventories(ctx))
        items.push_back(inventory_summary_json(s));
    return json_response(util::JsonObject().add_raw("inventories", util::json_array(items)).str());
}

// GET /v1/inventories/NAME/hosts?select=SELECTOR: the hosts it picks, in inventory order, with
// what a run connects to. Only the inventories the list shows are named here: a caller never
// has the server read a file of its choosing.
http::Response Api::inventory_hosts(Context& ctx, const std::string& name, const http::Request& r) {
    std::optional<fs::path> file;
    for (const auto& f : known_inventories(ctx.settings))
        if (f.stem().string() == name) file = f;
    if (!file)
        return problem(404, "not_found", to_int(ExitCode::usage),
                       "no inventory '" + name + "' (GET /v1/inventories lists them)");
    AccessRequest ask;
    ask.action = "view";
    ask.inventory = name;
    if (auto ok = authorize(ctx, ask, false); !ok) return problem(ok.error());
    config::Diagnostics diags;
    auto inv = load_inventory(*file, diags);
    if (!inv) return problem(diags);
    const std::string selector = r.param("select").value_or("");
    auto selected = inventory::select(*inv, selector);
    if (!selected) {
        const Error& e = selected.error();
        return problem(400, "usage", to_int(ExitCode::usage),
                       "select: " + e.message +
                           (e.pos.column > 0 ? " (column " + std::to_string(e.pos.column) + ")"
                                             : std::string()));
    }
    // What a run this server starts would connect to: the server's settings and ssh config.
    auto sources = load_ssh_sources(ctx.settings, "");
    if (!sources) return problem(sources.error());
    std::vector<std::string> hosts;
    for (const auto* h : *selected) {
        auto c = connection_for(*h, *sources);
        if (!c) return problem(c.error());
        hosts.push_back(host_json(h->name, *c, h));
    }
    return json_response(util::JsonObject()
                             .add("inventory", name)
                             .add("file", file->string())
                             .add("select", selector)
                             .add_raw("hosts", util::json_array(hosts))
                             .str());
}

} // namespace leura::app
