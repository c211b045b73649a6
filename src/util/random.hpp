// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string>

namespace leura::util {

// `bytes` random bytes from the system's source, as lowercase hex.
std::string random_hex(size_t bytes);

} // namespace leura::util
