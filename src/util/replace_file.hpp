// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/error.hpp"

#include <filesystem>
#include <string>
#include <sys/types.h>

namespace leura::util {

// Puts `text` in place of `file` so that a reader sees the old file or the new one, never part
// of either: a temporary file in the same folder, written, synced, given the old file's mode
// and owner (`new_mode` for a new one), then renamed over it. Errors: io, permission.
Status replace_file(const std::filesystem::path& file, const std::string& text, mode_t new_mode);

} // namespace leura::util
