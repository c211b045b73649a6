// SPDX-License-Identifier: Apache-2.0
#pragma once

// Writing TOML values as text, for the files leura writes (access.toml's edits,
// schedules.toml): no toml++ needed.
#include <string>
#include <string_view>
#include <vector>

namespace leura::config {

// A basic string: quotes and backslashes escaped, control bytes as \uXXXX.
std::string toml_quote(std::string_view s);
// ["a", "b"]
std::string toml_array(const std::vector<std::string>& items);

} // namespace leura::config
