// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <optional>
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

// The exit status of the sudo check in front of a run_as step: sudo -n refused (a password is
// wanted, or the user may not switch). The engine reports it as ErrorKind::permission.
inline constexpr int k_sudo_refused = 223;

// The exec request of a step run as `user` through `sudo -n` (never prompts: no hang).
std::string run_as_command(const std::string& user);

// "export NAME='value'" lines (values shell-quoted), then the body. With a timeout, a prologue
// re-runs the script under the host's `timeout` (coreutils or busybox) when it has one, which
// kills the step's whole process group when time is up. The engine's own deadline fails the
// host either way; this makes sure nothing keeps running there, which matters because sshd
// refuses channel signal requests for root logins. The script travels in the environment of
// that re-run, never on its command line.
std::string render_script(const std::vector<std::pair<std::string, std::string>>& exports,
                          std::string_view body,
                          std::optional<std::chrono::milliseconds> timeout = std::nullopt);

} // namespace leura::exec
