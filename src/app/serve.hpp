// SPDX-License-Identifier: Apache-2.0
#pragma once

// `leura serve`: the API (app/api.hpp) on a Unix socket and optionally TCP, and the tick of
// schedules and monitors every 30 s (the function `leura schedule tick` calls), in one
// process. Runs are child processes; the server holds nothing the records do not, so a restart
// loses nothing (runs left running are found by the crash recovery as any run is).
// SIGTERM or SIGINT: stop accepting, pass SIGTERM to the running children (their grace
// applies), and return once they have ended.

#include "app/context.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace leura::app {

struct ServeOptions {
    std::filesystem::path socket; // empty: default_socket_path()
    std::string listen;           // "HOST:PORT" for TCP too; empty: none
    // TLS on the TCP listener: a PEM certificate chain and its key (both or neither).
    std::filesystem::path tls_cert, tls_key;
    bool insecure_listen = false; // plain HTTP on an address that is not loopback
    bool tick = true;             // run the schedules' tick
    // Told once the listeners are up: where (for the command line to print).
    std::function<void(const std::string&)> ready;
};

// /run/leura/leura.sock on a shared controller (or for root), else <data>/leura.sock.
std::filesystem::path default_socket_path(const Context& ctx);

// Serves until a stop signal. Errors: usage (a bad --listen; a non-loopback one without TLS
// or insecure_listen; half a certificate), config (a certificate or key OpenSSL refuses), io,
// locked (another server on the socket).
Status serve(Context& ctx, const ServeOptions& options);

} // namespace leura::app
