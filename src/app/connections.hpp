// SPDX-License-Identifier: Apache-2.0
#pragma once

// How leura reaches each host: the inventory's settings over the user's ssh config
// (sshconfig/), in one order everywhere (docs/ssh.md, "SSH config"):
//   command-line flags > host entry > groups > inventory defaults > leura's settings (LEURA_*,
//   config files) > ~/.ssh/config and /etc/ssh/ssh_config > built-in defaults.
// Jump hosts are resolved through the ssh config too, as `ssh -J` does.
#include "config/settings.hpp"
#include "inventory/inventory.hpp"
#include "ssh/transport.hpp"
#include "sshconfig/ssh_config.hpp"
#include "util/error.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace leura::app {

// What decides a connection besides the inventory.
struct SshSources {
    sshconfig::Config config; // empty with --no-ssh-config
    std::string home, local_user, local_host;
    unsigned uid = 0;
    std::string known_hosts_flag;       // --known-hosts
    std::string known_hosts_setting;    // the known_hosts setting, when a file or LEURA_* set it
    std::string known_hosts_origin;     // where that setting came from
    bool connect_timeout_given = false; // --connect-timeout or the setting: wins over the file
};

// The ssh config files the settings and flags choose: `ssh_config` = "none" reads none; a
// path reads only that file (as `ssh -F`); unset reads ~/.ssh/config, then
// /etc/ssh/ssh_config. Errors: config (a file ssh would refuse).
Result<SshSources> load_ssh_sources(const config::Settings& settings, std::string known_hosts_flag);

// One value and where it came from: "flag", "host entry", "group web", "defaults",
// "setting FILE:LINE:COL", "ssh config FILE:LINE", "default".
struct Sourced {
    std::string value;
    std::string origin;
};

struct HostConnection {
    ssh::Endpoint endpoint;
    Sourced address, user, port, identity, jump, known_hosts, connect_timeout;
    std::optional<std::chrono::milliseconds> timeout; // from the ssh config's ConnectTimeout
    std::vector<std::string> warnings;                // "file:line: message"
};

// What the ssh config is asked for `host`: its name, with the inventory's address, user and
// port given as `ssh -o HostName= -l -p` would give them (never overridden by the files).
sshconfig::Query ssh_query(const inventory::Host& host, const SshSources& sources);

// Errors: config ("host NAME: file:line: ...").
Result<HostConnection> connection_for(const inventory::Host& host, const SshSources& sources);

} // namespace leura::app
