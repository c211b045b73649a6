// SPDX-License-Identifier: Apache-2.0
// `leura serve`'s request parsing: any bytes through the parser the server reads with (limits
// included). What it accepts has a path starting with '/' and no NUL in it, and headers that
// are lower case; a target must parse the same again once the request is accepted.
#include "http/server.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    leura::http::Request r;
    if (!leura::http::parse_request(std::string_view(reinterpret_cast<const char*>(data), size), r))
        return 0;
    if (r.path.empty() || r.path[0] != '/' || r.path.find('\0') != std::string::npos)
        __builtin_trap();
    for (const auto& [name, value] : r.headers)
        for (char c : name)
            if (c >= 'A' && c <= 'Z') __builtin_trap();
    std::string path;
    std::vector<std::pair<std::string, std::string>> query;
    if (!leura::http::parse_target(r.target, path, query) || path != r.path || query != r.query)
        __builtin_trap();
    return 0;
}
