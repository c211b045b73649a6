// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the host's runner reads (exec/runner.hpp), apart from the SSH parts so that the fuzz
// target can drive the real shell with it: the exec request, the first line of its input, and
// one frame per step (a header, the script, then `payload` bytes of file for the step).

#include <string>

namespace leura::exec {

std::string runner_script();  // the runner itself, for any sh
std::string runner_request(); // exec /bin/sh -c '<the runner>'
// An empty line: skipped by the runner, it makes a step's end seen that a CHLD between the
// runner's check and its `read` left waiting (exec/runner_protocol.cpp).
std::string runner_nudge();
std::string runner_greeting(const std::string& hex); // the marker's random part
std::string runner_frame(std::string script, unsigned long long payload, const std::string& hex);

} // namespace leura::exec
