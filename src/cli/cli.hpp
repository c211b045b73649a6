// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace leura::cli {

// The whole program: parses argv, runs one subcommand, returns leura's exit status. The only
// place that turns errors into messages and exit codes.
int run(int argc, char** argv);

} // namespace leura::cli
