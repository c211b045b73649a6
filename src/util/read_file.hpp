// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/error.hpp"

#include <filesystem>
#include <string>

namespace leura::util {

// The whole file, bytes as they are. Errors: not_found (no such file), io (any other failure,
// a folder included).
Result<std::string> read_file(const std::filesystem::path& path);

} // namespace leura::util
