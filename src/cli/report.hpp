// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/diagnostic.hpp"
#include "util/error.hpp"
#include "util/exit_code.hpp"

namespace leura::cli {

// "leura: error: <message>" on stderr, one line, and the exit status for its kind.
int report(const Error& e);
// Every diagnostic, then a count; returns the usage exit status.
int report(const config::Diagnostics& diags);
ExitCode exit_code_for(ErrorKind kind);

} // namespace leura::cli
