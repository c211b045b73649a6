// SPDX-License-Identifier: Apache-2.0
// `~`, %-tokens and ${VAR} in paths, as ssh expands IdentityFile and UserKnownHostsFile
// (tilde_expand_filename, then default_client_percent_dollar_expand).
#include "sshconfig/ssh_config.hpp"

#include <cstdlib>
#include <pwd.h>

namespace leura::sshconfig {

namespace {

Result<std::string> expand_tilde(const std::string& text, const std::string& home) {
    if (text.empty() || text[0] != '~') return text;
    size_t slash = text.find('/');
    std::string who = text.substr(1, slash == std::string::npos ? text.npos : slash - 1);
    std::string rest = slash == std::string::npos ? "" : text.substr(slash);
    if (who.empty()) return home + rest;
    const passwd* pw = ::getpwnam(who.c_str());
    if (!pw) return fail(ErrorKind::config, "no such user '" + who + "' in " + text);
    return std::string(pw->pw_dir) + rest;
}

} // namespace

Result<std::string> expand_path(const std::string& text, const Query& q, const Resolved& r) {
    LEURA_TRY_ASSIGN(path, expand_tilde(text, q.home));
    std::string out;
    for (size_t i = 0; i < path.size(); ++i) {
        char c = path[i];
        if (c == '$' && i + 1 < path.size() && path[i + 1] == '{') {
            size_t close = path.find('}', i + 2);
            if (close == std::string::npos)
                return fail(ErrorKind::config, "unterminated ${ in " + text);
            std::string name = path.substr(i + 2, close - i - 2);
            const char* value = std::getenv(name.c_str());
            if (!value)
                return fail(ErrorKind::config, "${" + name + "} in " + text + " is not set");
            out += value;
            i = close;
            continue;
        }
        if (c != '%') {
            out += c;
            continue;
        }
        if (++i >= path.size()) return fail(ErrorKind::config, "a lone % at the end of " + text);
        switch (path[i]) {
        case '%':
            out += '%';
            break;
        case 'd':
            out += q.home;
            break;
        case 'h':
            out += r.hostname.text;
            break;
        case 'k':
            out += r.hostname.text;
            break; // HostKeyAlias is not honoured
        case 'i':
            out += std::to_string(q.uid);
            break;
        case 'l':
            out += q.local_host;
            break;
        case 'L':
            out += q.local_host.substr(0, q.local_host.find('.'));
            break;
        case 'n':
            out += q.host;
            break;
        case 'p':
            out += r.port.text;
            break;
        case 'r':
            out += r.user.text;
            break;
        case 'u':
            out += q.local_user;
            break;
        default:
            return fail(ErrorKind::config, std::string("the token %") + path[i] + " in " + text +
                                               " is not supported by leura");
        }
    }
    return out;
}

} // namespace leura::sshconfig
