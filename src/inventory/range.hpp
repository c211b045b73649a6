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

// The inverse for output: folds names into ranges over one or several numbers, e.g.
// {web01,web02,web03,web07} -> "web[01-03,07]", {r1-n01,r1-n02,r2-n01,r2-n02} ->
// "r[1-2]-n[01-02]"; zero padding is kept exactly. Sets that are no full product fold along
// the last number first ("r1-n[1-3],r2-n[1-2]"). The result lists the folded groups separated
// by "," in natural order of their first names, the same for any order of the input; each
// group expands back (expand_range, selectors) to exactly its names.
std::string fold_hosts(const std::vector<std::string>& names);

} // namespace leura::inventory
