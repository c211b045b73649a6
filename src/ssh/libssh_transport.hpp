// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ssh/transport.hpp"

#include <memory>

namespace leura::ssh {

// Non-blocking libssh sessions: leura connects the TCP socket itself (own deadline, every
// address tried, TCP_NODELAY and keepalive set) and hands it to libssh. Host keys are checked
// strictly against options.known_hosts; identity files are loaded once and shared.
std::unique_ptr<Transport> make_libssh_transport(const TransportOptions& options);

const char* library_version();

// Call once in main, before any thread: libssh's global state for a static link.
void init_library();

} // namespace leura::ssh
