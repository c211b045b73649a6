// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/error.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace leura::util {

// $HOME, never looked up through getpw* (a static binary must not load NSS modules).
std::string home_dir();
// $XDG_CONFIG_HOME/leura when that is absolute, else ~/.config/leura (the user's leura config:
// config.toml, the default task library, schedules.toml, monitors/).
std::filesystem::path user_config_dir();
// "~/x" -> "$HOME/x"; other paths unchanged.
std::string expand_tilde(const std::string& path);
// `path` relative to `folder` when it is `folder` or below it once links are followed in both
// (a link inside the folder that points elsewhere is elsewhere); nullopt otherwise.
std::optional<std::filesystem::path> relative_inside(const std::filesystem::path& path,
                                                     const std::filesystem::path& folder);
// $USER, else $LOGNAME, else /etc/passwd's name for the uid, else "uid-N".
std::string user_name();

// Creates `dir` and its parents as 0700 when missing. Errors: io.
Status ensure_private_dir(const std::filesystem::path& dir);

} // namespace leura::util
