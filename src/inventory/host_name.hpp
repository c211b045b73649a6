// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

namespace leura::inventory {

// Empty when `name` may name a host: letters, digits, '-', '.', '_' (DNS names and IPv4
// addresses), or an IPv6 literal (hex digits, ':', '.'); at most 253 bytes; not starting with
// '-' or '.'. Else why not, for a diagnostic. A name is a known_hosts key, an archive folder,
// a line of `show --hosts` and a word of selectors: whitespace, selector operators, shell
// metacharacters, '/' and control bytes have no place in it.
std::string host_name_problem(std::string_view name);

} // namespace leura::inventory
