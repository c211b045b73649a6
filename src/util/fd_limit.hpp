// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>

namespace leura::util {

// Raises the soft limit on open files to the hard one (systemd and most shells give 1,024 soft
// and far more hard); returns the soft limit now in force.
size_t raise_fd_limit();

// How many hosts may be in flight within `limit` descriptors: each holds its socket and the
// two spool files of its running step; a reserve stays for the database, the archive, the
// terminal and jump hosts.
size_t hosts_within_fd_limit(size_t limit);

} // namespace leura::util
