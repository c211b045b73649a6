// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ssh/transport.hpp"

#include <memory>
#include <string>

namespace leura::exec {

// Runs `command` with /bin/sh on the controller, `stdin_data` on its stdin, in its own process
// group; the same Command interface as a remote step, pollable through one fd (an epoll set
// over stdout, stderr and a pidfd), so the engine's loop drives it like a channel.
// Errors (kind io) come from pump() when the process cannot be started.
std::unique_ptr<ssh::Command> spawn_local(const std::string& command,
                                          const std::string& stdin_data);

} // namespace leura::exec
