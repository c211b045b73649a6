// SPDX-License-Identifier: Apache-2.0
#include "app/connections.hpp"

#include "config/login.hpp"
#include "util/paths.hpp"

#include <algorithm>
#include <climits>
#include <strings.h>
#include <unistd.h>

namespace leura::app {

namespace {

std::string ssh_origin(const sshconfig::Value& v, const std::string& fallback) {
    return v.origin.file.empty() ? fallback : "ssh config " + sshconfig::to_string(v.origin);
}

std::string this_host() {
    char name[HOST_NAME_MAX + 1] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
    return name;
}

sshconfig::Query query_of(const SshSources& s, std::string host) {
    sshconfig::Query q;
    q.host = std::move(host);
    q.local_user = s.local_user;
    q.home = s.home;
    q.local_host = s.local_host;
    q.uid = s.uid;
    return q;
}

Result<std::vector<std::string>> identities(const sshconfig::Resolved& r,
                                            const sshconfig::Query& q) {
    std::vector<std::string> out;
    for (const auto& f : r.identity_files) {
        auto path = sshconfig::expand_path(f.text, q, r);
        if (!path)
            return fail(ErrorKind::config,
                        sshconfig::to_string(f.origin) + ": " + path.error().message);
        out.push_back(std::move(*path));
    }
    return out;
}

std::string login_text(const std::string& user, const std::string& host, std::optional<int> port) {
    std::string out = user.empty() ? "" : user + "@";
    out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port) out += ":" + std::to_string(*port);
    return out;
}

// known_hosts: --known-hosts > the inventory's > leura's setting > UserKnownHostsFile > default.
Sourced known_hosts_of(const sshconfig::Resolved& r, const SshSources& s,
                       const Sourced& inventory) {
    if (!s.known_hosts_flag.empty())
        return {util::expand_tilde(s.known_hosts_flag), "flag --known-hosts"};
    if (!inventory.origin.empty()) return {util::expand_tilde(inventory.value), inventory.origin};
    if (!s.known_hosts_setting.empty())
        return {s.known_hosts_setting, "setting " + s.known_hosts_origin};
    // ssh reads every file listed and writes to the first; leura uses the first.
    if (!r.user_known_hosts.empty() && r.user_known_hosts[0].text != "none")
        return {r.user_known_hosts[0].text, ssh_origin(r.user_known_hosts[0], "default")};
    return {s.home + "/.ssh/known_hosts", "default"};
}

Status refuse_proxy_command(const sshconfig::Resolved& r) {
    if (!r.proxy_command) return {};
    return fail(ErrorKind::config, sshconfig::to_string(r.proxy_command->origin) +
                                       ": ProxyCommand is not supported (leura runs no command "
                                       "from a file to connect); use ProxyJump, or pass "
                                       "--no-ssh-config");
}

constexpr size_t k_max_hops = 16;

// The hops of `chain` as `ssh -J` reaches them, appended to `out`: each resolved through its
// own ssh config entry (the login written in the chain wins), and the first one through its
// own ProxyJump first (-J passes the rest on the command line, where a later hop's own
// ProxyJump or ProxyCommand does not count). Loops and chains past 16 hops are refused.
Status add_hops(const std::vector<config::Login>& chain, const SshSources& s,
                const std::vector<std::string>& fallback_identities, const Sourced& known_hosts,
                std::vector<ssh::Endpoint>& out, std::vector<std::string>& seen) {
    for (size_t i = 0; i < chain.size(); ++i) {
        const auto& login = chain[i];
        std::string key = login_text(login.user, login.host, login.port);
        if (std::find(seen.begin(), seen.end(), key) != seen.end())
            return fail(ErrorKind::config, "jump host loop via " + key);
        if (seen.size() >= k_max_hops)
            return fail(ErrorKind::config, "more than 16 jump hosts in a chain");
        auto q = query_of(s, login.host);
        q.user = login.user;
        q.port = login.port;
        LEURA_TRY_ASSIGN(r, sshconfig::resolve(s.config, q));
        if (i == 0) {
            if (!r.jump.empty()) {
                std::vector<config::Login> own;
                for (const auto& hop : r.jump)
                    own.push_back({hop.user, hop.host, hop.port, 0});
                seen.push_back(key);
                LEURA_TRY(add_hops(own, s, fallback_identities, known_hosts, out, seen));
                seen.pop_back();
            } else {
                LEURA_TRY(refuse_proxy_command(r));
            }
        }
        seen.push_back(key);
        ssh::Endpoint e;
        e.host = r.hostname.text;
        e.port = std::stoi(r.port.text);
        e.user = login.user.empty() && r.user.origin.file.empty() ? "" : r.user.text;
        LEURA_TRY_ASSIGN(ids, identities(r, q));
        e.identities = ids.empty() ? fallback_identities : ids;
        e.identities_only = r.identities_only && r.identities_only->text == "yes";
        e.known_hosts = known_hosts_of(r, s, known_hosts).value;
        out.push_back(std::move(e));
    }
    return {};
}

} // namespace

sshconfig::Query ssh_query(const inventory::Host& h, const SshSources& s) {
    auto q = query_of(s, h.name);
    if (!h.origins.address.empty()) q.hostname = h.address;
    if (!h.origins.user.empty()) q.user = h.user;
    if (!h.origins.port.empty()) q.port = h.port;
    return q;
}

Result<SshSources> load_ssh_sources(const config::Settings& settings,
                                    std::string known_hosts_flag) {
    SshSources s;
    s.home = util::home_dir();
    s.local_user = util::user_name();
    s.local_host = this_host();
    s.uid = ::getuid();
    s.known_hosts_flag = std::move(known_hosts_flag);
    if (!settings.is_default("known_hosts")) {
        s.known_hosts_setting = util::expand_tilde(settings.text("known_hosts"));
        s.known_hosts_origin = settings.get("known_hosts").origin;
    }
    s.connect_timeout_given = !settings.is_default("connect_timeout");
    std::string choice = settings.text("ssh_config");
    std::vector<sshconfig::ConfigFile> files;
    if (strcasecmp(choice.c_str(), "none") == 0) {
        // nothing read
    } else if (!choice.empty()) {
        files.push_back({util::expand_tilde(choice), true, true});
    } else {
        files.push_back({s.home + "/.ssh/config", true, false});
        files.push_back({"/etc/ssh/ssh_config", false, false});
    }
    LEURA_TRY_ASSIGN(config, sshconfig::Config::load(files, s.home));
    s.config = std::move(config);
    return s;
}

Result<HostConnection> connection_for(const inventory::Host& h, const SshSources& s) {
    auto in_host = [&h](const std::string& message) {
        return Error(ErrorKind::config, "host " + h.name + ": " + message);
    };
    const auto& o = h.origins;
    auto q = ssh_query(h, s);
    auto r = sshconfig::resolve(s.config, q);
    if (!r) return std::unexpected(in_host(r.error().message));
    HostConnection c;
    c.warnings = r->warnings;
    auto& e = c.endpoint;
    e.host = r->hostname.text;
    c.address = {e.host, o.address.empty() ? ssh_origin(r->hostname, "name") : o.address};
    e.port = std::stoi(r->port.text);
    c.port = {r->port.text, o.port.empty() ? ssh_origin(r->port, "default") : o.port};
    // Empty: nobody named one, and the transport logs in as the invoking user.
    e.user = o.user.empty() && r->user.origin.file.empty() ? "" : r->user.text;
    c.user = {r->user.text, !o.user.empty() ? o.user : ssh_origin(r->user, "default (you)")};

    // Identity: the inventory's one file, else the config's IdentityFile list. IdentitiesOnly
    // comes from the config either way (the inventory has no such setting).
    e.identities_only = r->identities_only && r->identities_only->text == "yes";
    if (!o.identity.empty()) {
        e.identities = {util::expand_tilde(h.identity)};
        c.identity = {e.identities[0], o.identity};
    } else {
        auto ids = identities(*r, q);
        if (!ids) return std::unexpected(in_host(ids.error().message));
        e.identities = std::move(*ids);
        std::string all;
        for (const auto& i : e.identities)
            all += (all.empty() ? "" : " ") + i;
        c.identity = {all.empty() ? "agent, then ~/.ssh/id_*" : all,
                      all.empty() ? "default" : ssh_origin(r->identity_files[0], "default")};
    }
    if (o.jump.empty())
        if (auto st = refuse_proxy_command(*r); !st)
            return std::unexpected(in_host(st.error().message));

    c.known_hosts = known_hosts_of(*r, s, {h.known_hosts, o.known_hosts});
    e.known_hosts = c.known_hosts.value;

    // Jumps: the inventory's chain, else the config's ProxyJump; each hop resolved in turn.
    std::vector<config::Login> chain;
    if (!o.jump.empty()) {
        chain = config::parse_jump_chain(h.jump).value_or(std::vector<config::Login>{});
        c.jump = {h.jump, o.jump};
    } else if (r->proxy_jump) {
        std::string text;
        for (const auto& hop : r->jump) {
            chain.push_back({hop.user, hop.host, hop.port, 0});
            text += (text.empty() ? "" : ",") + login_text(hop.user, hop.host, hop.port);
        }
        c.jump = {text, ssh_origin(*r->proxy_jump, "default")};
    } else {
        c.jump = {"", "default"};
    }
    std::vector<std::string> seen;
    if (auto st = add_hops(chain, s, e.identities, {h.known_hosts, o.known_hosts}, e.jumps, seen);
        !st)
        return std::unexpected(in_host("jump host: " + st.error().message));
    std::string reached;
    for (const auto& hop : e.jumps)
        reached += (reached.empty() ? "" : ",") +
                   login_text(hop.user.empty() ? s.local_user : hop.user, hop.host, hop.port);
    // What the hops resolved to, when the ssh config changed any of them.
    if (!reached.empty() && reached != c.jump.value) c.jump.value += " (" + reached + ")";

    if (r->connect_timeout && !s.connect_timeout_given) {
        // 0 is ssh's "the system's timeout": leura's own connect_timeout applies then.
        long long secs = std::stoll(r->connect_timeout->text);
        if (secs > 0) {
            e.connect_timeout = std::chrono::seconds(secs);
            c.connect_timeout = {r->connect_timeout->text + "s",
                                 ssh_origin(*r->connect_timeout, "")};
        }
    }
    // A file may ask for less checking; leura never gives it.
    if (r->strict_host_keys && r->strict_host_keys->text != "true" &&
        r->strict_host_keys->text != "ask")
        c.warnings.push_back(
            sshconfig::to_string(r->strict_host_keys->origin) + ": StrictHostKeyChecking " +
            (r->strict_host_keys->text == "false" ? std::string("no") : r->strict_host_keys->text) +
            " is ignored; leura checks host keys strictly (new keys are "
            "accepted only with --accept-new-host-keys)");
    return c;
}

} // namespace leura::app
