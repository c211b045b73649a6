// SPDX-License-Identifier: Apache-2.0
// `leura ssh-config HOST`: how leura reaches a host, each value with where it came from (the
// inventory, leura's settings, the ssh config, a default). With --ssh-g, the honoured
// directives exactly as `ssh -G` prints them (tests/sshconfig compares the two).
#include "app/access_gate.hpp"
#include "app/connections.hpp"
#include "app/library.hpp"
#include "app/prepare.hpp"
#include "cli/commands.hpp"
#include "cli/host_table.hpp"
#include "cli/report.hpp"
#include "cli/run_flags.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

#include <cstdio>
#include <memory>

namespace leura::cli {

namespace {

struct SshConfigFlags {
    RunFlags run; // --ssh-config, --no-ssh-config, -i
    std::string host;
    std::string user;
    int port = 0;
    bool json = false;
    bool ssh_g = false;
};

// The inventory's entry for the host when an inventory is named (or set) and has it; else a
// host known by that name only.
Result<inventory::Host> host_named(const app::Context& ctx, const SshConfigFlags& f) {
    inventory::Host bare;
    bare.name = bare.address = f.host;
    std::string inv =
        f.run.prepare.inventory.empty() ? ctx.settings.text("inventory") : f.run.prepare.inventory;
    if (inv.empty()) return bare;
    auto file =
        app::find_inventory(inv, std::filesystem::path(".") / "x", app::library_root(ctx.settings));
    if (!file) {
        if (f.run.prepare.inventory.empty()) return bare; // the setting names a stale one
        return fail(ErrorKind::not_found, "inventory '" + inv + "' not found");
    }
    config::Diagnostics diags;
    auto loaded = app::load_inventory(*file, diags);
    if (!loaded) {
        std::string first = diags.empty() ? "" : config::format(diags.items()[0]);
        return fail(ErrorKind::config, "inventory " + file->string() + ": " + first);
    }
    for (const auto& h : loaded->hosts)
        if (h.name == f.host) return h;
    if (!f.run.prepare.inventory.empty())
        return fail(ErrorKind::not_found, "host '" + f.host + "' is not in " + file->string());
    return bare;
}

// The directives leura honours, as `ssh -G` prints them (defaults included).
void print_ssh_g(const sshconfig::Resolved& r, const app::SshSources& s) {
    // Values come from files: never a raw control byte to the terminal.
    auto safe = [](const std::string& v) { return util::terminal_safe(v, true); };
    std::printf("hostname %s\nuser %s\nport %s\n", safe(r.hostname.text).c_str(),
                safe(r.user.text).c_str(), r.port.text.c_str());
    if (r.identity_files.empty()) {
        for (const char* id : {"id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk",
                               "id_xmss", "id_dsa"})
            std::printf("identityfile ~/.ssh/%s\n", id);
    }
    for (const auto& i : r.identity_files)
        std::printf("identityfile %s\n", safe(i.text).c_str());
    std::printf("identitiesonly %s\n", r.identities_only ? r.identities_only->text.c_str() : "no");
    if (r.proxy_jump) std::printf("proxyjump %s\n", safe(r.proxy_jump->text).c_str());
    if (r.proxy_command) std::printf("proxycommand %s\n", safe(r.proxy_command->text).c_str());
    std::string known;
    for (const auto& k : r.user_known_hosts)
        known += (known.empty() ? "" : " ") + k.text;
    if (known.empty()) known = s.home + "/.ssh/known_hosts " + s.home + "/.ssh/known_hosts2";
    std::printf("userknownhostsfile %s\n", safe(known).c_str());
    std::printf("stricthostkeychecking %s\n",
                r.strict_host_keys ? r.strict_host_keys->text.c_str() : "ask");
    std::printf("connecttimeout %s\n",
                r.connect_timeout ? r.connect_timeout->text.c_str() : "none");
}

int show(app::Context& ctx, SshConfigFlags& f) {
    // What it shows is how the inventory (and on a shared controller, the service account)
    // reaches a host: seeing it takes a view grant on the inventory, as `inventory hosts` does.
    if (auto st = app::require_named(ctx, f.run.prepare.inventory); !st) return report(st.error());
    app::AccessRequest view;
    view.action = "view";
    const std::string inv =
        f.run.prepare.inventory.empty() ? ctx.settings.text("inventory") : f.run.prepare.inventory;
    view.inventory = std::filesystem::path(inv).stem().string();
    if (auto st = app::authorize(ctx, view, false); !st) return report(st.error());
    if (auto st = load_ssh_flags(f.run, ctx.settings); !st) return report(st.error());
    const app::SshSources& sources = *f.run.prepare.ssh;
    auto host = host_named(ctx, f);
    if (!host) return report(host.error());
    if (!f.user.empty()) host->user = f.user, host->origins.user = "flag -l";
    if (f.port > 0) host->port = f.port, host->origins.port = "flag -p";
    if (f.ssh_g) {
        auto r = sshconfig::resolve(sources.config, app::ssh_query(*host, sources));
        if (!r) return report(r.error());
        warn(r->warnings);
        print_ssh_g(*r, sources);
        return 0;
    }
    auto c = app::connection_for(*host, sources);
    if (!c) return report(c.error());
    warn(c->warnings);
    print_connection(host->name, *c, f.json);
    return 0;
}

} // namespace

Action add_ssh_config(CLI::App& sub) {
    auto f = std::make_shared<SshConfigFlags>();
    sub.add_option("host", f->host, "A host of the inventory, or any name as ssh takes it")
        ->required();
    sub.add_option("-i,--inventory", f->run.prepare.inventory,
                   "Inventory the host is in (default: the inventory setting)");
    sub.add_option("-l,--user", f->user, "Log in as this user (as ssh -l)");
    sub.add_option("-p,--port", f->port, "Port (as ssh -p)")->check(CLI::Range(1, 65535));
    sub.add_option("--known-hosts", f->run.known_hosts_flag, "known_hosts file (as for run)");
    add_ssh_flags(sub, f->run);
    sub.add_flag("--json", f->json, "One JSON object: each value with its origin");
    sub.add_flag("--ssh-g", f->ssh_g,
                 "The honoured directives as `ssh -G` prints them (with -i, the host's "
                 "address, user and port go in as -o HostName, -l and -p would)");
    return [f](app::Context& ctx) { return show(ctx, *f); };
}

} // namespace leura::cli
