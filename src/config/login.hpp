// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leura::config {

// `[user@]host[:port]`, with IPv6 addresses in brackets (`[::1]:2222`).
struct Login {
    std::string user; // empty: not given
    std::string host;
    std::optional<int> port;
    size_t host_at = 0; // byte offset of the host in the parsed text
};

struct LoginError {
    size_t offset; // byte offset into the parsed text
    std::string message;
};

std::expected<Login, LoginError> parse_login(std::string_view text);

// A jump host chain: logins separated by commas, the first one reached directly.
std::expected<std::vector<Login>, LoginError> parse_jump_chain(std::string_view text);

} // namespace leura::config
