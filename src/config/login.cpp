// SPDX-License-Identifier: Apache-2.0
#include "config/login.hpp"

namespace leura::config {

namespace {

std::optional<int> parse_port(std::string_view text) {
    if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != text.npos)
        return std::nullopt;
    int port = std::stoi(std::string(text));
    if (port < 1 || port > 65535) return std::nullopt;
    return port;
}

std::unexpected<LoginError> error(size_t offset, std::string message) {
    return std::unexpected(LoginError{offset, std::move(message)});
}

} // namespace

std::expected<Login, LoginError> parse_login(std::string_view text) {
    Login login;
    size_t at = 0;
    if (size_t sign = text.find('@'); sign != text.npos) {
        if (sign == 0) return error(0, "missing user name before '@'");
        login.user = std::string(text.substr(0, sign));
        at = sign + 1;
    }
    std::string_view word = text.substr(at);
    size_t port_at = std::string_view::npos;
    size_t close = word.find(']');
    if (word.starts_with('[') && close != word.npos &&
        word.substr(0, close).find(':') != word.npos) {
        login.host = std::string(word.substr(1, close - 1));
        login.host_at = at + 1;
        if (close + 1 < word.size()) {
            if (word[close + 1] != ':')
                return error(at + close + 1, "expected ':port' after the IPv6 address");
            port_at = close + 2;
        }
    } else {
        size_t colon = word.find(':');
        if (colon != word.npos && word.find(':', colon + 1) != word.npos)
            return error(at, "write IPv6 addresses in brackets, as in [::1]:22");
        login.host = std::string(word.substr(0, colon));
        login.host_at = at;
        if (colon != word.npos) port_at = colon + 1;
    }
    if (login.host.empty()) return error(at, "missing host name");
    if (port_at == std::string_view::npos) return login;
    std::string_view port_text = word.substr(port_at);
    login.port = parse_port(port_text);
    if (!login.port)
        return error(at + port_at,
                     "port '" + std::string(port_text) + "' must be a number from 1 to 65535");
    return login;
}

std::expected<std::vector<Login>, LoginError> parse_jump_chain(std::string_view text) {
    std::vector<Login> chain;
    size_t start = 0;
    while (true) {
        size_t comma = text.find(',', start);
        std::string_view part = text.substr(start, comma == text.npos ? text.npos : comma - start);
        size_t lead = part.find_first_not_of(' ');
        size_t trail = part.find_last_not_of(' ');
        if (lead == part.npos) return error(start, "empty jump host in the chain");
        auto login = parse_login(part.substr(lead, trail - lead + 1));
        if (!login) {
            login.error().offset += start + lead;
            return std::unexpected(login.error());
        }
        chain.push_back(std::move(*login));
        if (comma == text.npos) return chain;
        start = comma + 1;
    }
}

} // namespace leura::config
