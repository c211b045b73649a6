// SPDX-License-Identifier: Apache-2.0
#pragma once

// The values of the directives leura honours, checked as OpenSSH checks them.
#include "sshconfig/ssh_config.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leura::sshconfig {

// a2port(): 1..65535, or a service name from /etc/services.
std::optional<int> parse_port(std::string_view text);
// "yes"/"true" or "no"/"false" (any case) as "yes" or "no".
std::optional<std::string> parse_yes_no(std::string_view text);
// StrictHostKeyChecking as `ssh -G` prints it: true, false, ask, accept-new.
std::optional<std::string> parse_strict(std::string_view text);

// ProxyJump's `[user@]host[:port]` (or ssh://...) list, first hop first; nullopt when ssh
// would refuse it. "none" is an empty list.
std::optional<std::vector<Hop>> parse_jump_hops(std::string_view text);

// OpenSSH's valid_hostname(): printable, none of '`"$\;&<>|(){}, and no leading '-'.
bool valid_hostname(std::string_view host);

} // namespace leura::sshconfig
