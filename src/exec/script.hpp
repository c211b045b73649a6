// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leura::exec {

// The exec request of every step. The script comes on stdin and is read whole before it runs,
// so values never appear on a command line (`ps` on the host shows only this), and commands in
// the script that read stdin find it at EOF instead of eating the rest of the script.
inline constexpr const char* k_remote_command =
    "exec /bin/sh -c 'script=$(cat) && eval \"$script\"'";

// "export NAME='value'" lines (values shell-quoted), then the body.
std::string render_script(const std::vector<std::pair<std::string, std::string>>& exports,
                          std::string_view body);

} // namespace leura::exec
