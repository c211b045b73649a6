// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/error.hpp"

#include <string>
#include <vector>

namespace leura::inventory {

// "web[01-03,07].dc1" -> web01.dc1 web02.dc1 web03.dc1 web07.dc1. Several bracket groups
// multiply out; a leading zero fixes the width. A name without brackets is returned as is.
// Errors (kind config) name the offending text: unbalanced brackets, a reversed or empty
// range, a range over max_hosts names.
Result<std::vector<std::string>> expand_range(const std::string& pattern,
                                              size_t max_hosts = 1'000'000);

// The inverse for output: folds names that differ only in their last number into ranges,
// e.g. {web01,web02,web03,web07} -> "web[01-03,07]". Names are sorted naturally; the
// result lists the folded groups separated by ",".
std::string fold_hosts(const std::vector<std::string>& names);

} // namespace leura::inventory
