// SPDX-License-Identifier: Apache-2.0
#pragma once

// A command on a channel of its own whose script ends by writing "\n<marker> <status>\n" on
// stdout and on stderr (exec::k_read_marked_script). The step is over at the markers, as a
// runner step is: a background job still holding the channel's output open does not keep it
// running until its timeout. What comes after a marker is dropped and the channel closed.

#include "ssh/transport.hpp"

#include <memory>
#include <string>

namespace leura::exec {

// The marker's first line of stdin, to go before the command's script.
std::string marker_line(const std::string& hex);

// Wraps `inner` (started with marker_line(hex) first on its stdin).
std::unique_ptr<ssh::Command> marked(std::unique_ptr<ssh::Command> inner, const std::string& hex);

} // namespace leura::exec
