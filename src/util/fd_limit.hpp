// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>

namespace leura::util {

// Raises the soft limit on open files to the hard one (systemd and most shells give 1,024 soft
// and far more hard); returns the soft limit now in force.
size_t raise_fd_limit();

} // namespace leura::util
