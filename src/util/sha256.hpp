// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/error.hpp"

#include <string>
#include <string_view>

namespace leura::util {

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

struct FileDigest {
    std::string sha256;
    unsigned long long size = 0;
};
// The file's sha256 and size, read in chunks. Errors: io.
Result<FileDigest> sha256_file(const std::string& path);

} // namespace leura::util
