// SPDX-License-Identifier: Apache-2.0
#pragma once

// The HTTP/1.1 listeners of `leura serve`: a Unix socket (the peer's uid from SO_PEERCRED) and
// optionally a TCP address, plain or TLS (OpenSSL, already linked for libssh). A thread per
// connection (keep-alive; a streamed response closes it); requests over 16 KiB of headers or 1 MiB
// of body are refused with 413/431 before the handler sees them. Boost.Beast underneath, in
// server.cpp alone (it is slow to compile).

#include "http/message.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace leura::http {

// A certificate chain and its private key, PEM files.
struct TlsFiles {
    std::filesystem::path cert, key;
};

class Server {
public:
    explicit Server(Handler handler);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds `path` (a stale socket file there is replaced; a live one is an error: another
    // server) with `mode`. Errors: io, locked (a server answers there).
    Status listen_unix(const std::filesystem::path& path, unsigned mode);
    // Binds host:port (port 0: any free one; tcp_port() says which). With `tls`, every
    // connection there speaks TLS 1.2 or later with that certificate chain and key (PEM),
    // loaded once here. Errors: io, usage, config (a certificate or key OpenSSL refuses).
    Status listen_tcp(const std::string& host, uint16_t port, const TlsFiles* tls = nullptr);
    uint16_t tcp_port() const;
    // How many connections are open now (for /metrics).
    int connections() const;

    // Accepts until stop(); returns once the listeners are closed and every connection ended
    // (streams see their writer fail; at most `drain` is waited for the rest).
    void run();
    // From any thread or a signal-watching thread: stop accepting and end the connections.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

// Parses one request from `bytes` as the server would (the fuzz target's entry). False when
// it is not a complete, acceptable request.
bool parse_request(std::string_view bytes, Request& out);

} // namespace leura::http
