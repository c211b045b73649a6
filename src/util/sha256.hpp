// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

namespace leura::util {

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

} // namespace leura::util
