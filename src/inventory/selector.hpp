// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "inventory/inventory.hpp"
#include "util/error.hpp"

#include <string>
#include <vector>

namespace leura::inventory {

// Selects hosts with an expression over:
//   group names (`web`), host patterns with globs and ranges (`web[01-04].*`, `db?`),
//   attribute tests (`az=phx01`, `cluster=web-*`), and `all` / `*`;
// combined with `,` (union, lowest precedence), `&` (intersection), unary `!` (exclusion
// from every host) and parentheses. An empty selector means every host.
// Errors (kind usage) give the column in `pos.column` and, for a name that is neither a
// group nor matches any host, a "did you mean".
// The result keeps inventory order.
Result<std::vector<const Host*>> select(const Inventory& inv, const std::string& selector);

// The same over bare names (a past run's hosts): which of `names` the selector picks, so
// `logs --host` and `runs --host` take what leura prints ('127.0.1.[10-13]', globs, lists).
Result<std::vector<std::string>> select_names(const std::vector<std::string>& names,
                                              const std::string& selector);

} // namespace leura::inventory
