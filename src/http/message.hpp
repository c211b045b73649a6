// SPDX-License-Identifier: Apache-2.0
#pragma once

// HTTP/1.1 as `leura serve` sees it: a request already read, a response to write, and who is
// at the other end. No library types: the server (server.cpp) is the one place Boost.Beast is
// included; everything above deals in these.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace leura::http {

struct Peer {
    std::optional<uid_t> uid; // a Unix socket's peer (SO_PEERCRED); none on TCP
    std::string address;      // "unix" or "127.0.0.1:PORT"
    bool tls = false;         // the connection is TLS (a cookie set over it is Secure)
};

struct Request {
    std::string method;                                       // "GET", "POST", ...
    std::string target;                                       // as sent: path and query
    std::string path;                                         // percent-decoded, without the query
    std::vector<std::pair<std::string, std::string>> query;   // decoded, in order
    std::vector<std::pair<std::string, std::string>> headers; // names in lower case
    std::string body;

    // The first header named `name` (lower case); nullptr when absent.
    const std::string* header(std::string_view name) const;
    // The first query parameter named `name`.
    std::optional<std::string> param(std::string_view name) const;
};

// Writes the next part of a streamed body; false once the client is gone or the server stops.
using ChunkWriter = std::function<bool(std::string_view)>;

struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // When set, the headers go out first and this writes the body until it returns; the
    // connection closes after it (the body's end is the close: Server-Sent Events).
    std::function<void(const ChunkWriter&)> stream;

    Response& header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
    // The first header named `name` (as set); nullptr when none.
    const std::string* header_value(std::string_view name) const {
        for (const auto& [k, v] : headers)
            if (k == name) return &v;
        return nullptr;
    }
};

using Handler = std::function<Response(const Request&, const Peer&)>;

// Splits a request target into its decoded path and query. False when it is not one
// (no leading '/', a bad percent escape, a NUL).
bool parse_target(std::string_view target, std::string& path,
                  std::vector<std::pair<std::string, std::string>>& query);

} // namespace leura::http
