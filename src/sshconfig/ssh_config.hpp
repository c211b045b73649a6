// SPDX-License-Identifier: Apache-2.0
#pragma once

// The user's OpenSSH client configuration, read with OpenSSH's own rules (ssh_config(5) of
// OpenSSH 9.2) and proven against `ssh -G` (tests/sshconfig). libssh's parser is never used:
// 0.10.6 mishandles Match, negated patterns and explicit ports (docs/libssh.md §1.4).
//
// Honoured: Host (patterns, `!` negation, case-sensitive as in ssh), Match (all, host,
// originalhost, user, localuser, canonical, final; `!` before a criterion), Include (globs,
// relative to ~/.ssh or /etc/ssh, nested up to 16 deep, conditional inside a block), and the
// directives HostName, User, Port, IdentityFile, IdentitiesOnly, ProxyJump, ProxyCommand (only
// to refuse it), UserKnownHostsFile, StrictHostKeyChecking and ConnectTimeout. First value
// wins, IdentityFile accumulates. Every other OpenSSH keyword is read and ignored; a keyword
// OpenSSH does not know is a warning (ssh itself refuses the file). `Match exec` and
// `Match localnetwork` are never evaluated: such a block does not match, with a warning.
#include "util/error.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace leura::sshconfig {

struct Origin {
    std::string file;
    int line = 0;
};
std::string to_string(const Origin& o); // "file:line"

struct Value {
    std::string text;
    Origin origin;
};

struct ConfigFile {
    std::filesystem::path path;
    // The user's file: its relative Includes are under ~/.ssh, and it must not be writable by
    // others (as ssh insists). Otherwise the system's, with Includes under /etc/ssh.
    bool user = true;
    bool required = false; // a file named on the command line must exist
};

// The parsed files with their Includes read in; evaluated once per host by resolve().
class Config {
public:
    Config();
    ~Config();
    Config(Config&&) noexcept;
    Config& operator=(Config&&) noexcept;

    // Errors: config (a line ssh refuses: bad quoting, a missing argument, a bad Match
    // criterion, Includes nested too deep, a user file others may write).
    static Result<Config> load(const std::vector<ConfigFile>& files, const std::string& home);
    // Problems that do not stop ssh-config reading, "file:line: message", once each.
    const std::vector<std::string>& warnings() const;

    struct Items;
    const Items& items() const { return *m_items; }

private:
    std::unique_ptr<Items> m_items;
    std::vector<std::string> m_warnings;
};

// What a connection starts from before the configuration is read: as `ssh -l USER -p PORT
// -o HostName=ADDRESS HOST` would, values given here are never overridden by the files.
struct Query {
    std::string host; // the name as given; Host patterns match it
    std::string hostname;
    std::string user;
    std::optional<int> port;
    // For Match localuser, tokens and `~`.
    std::string local_user;
    std::string home;
    std::string local_host; // %l
    unsigned uid = 0;       // %i
};

struct Hop {
    std::string user; // empty: not given
    std::string host;
    std::optional<int> port;
};

struct Resolved {
    // Always set: the file's value, the query's, or ssh's default (origin file "" then).
    Value hostname; // %h expanded, lower case (an IPv6 literal stays as written)
    Value user;
    Value port;
    std::vector<Value> identity_files;     // as written (tokens expanded by expand_path)
    std::optional<Value> identities_only;  // "yes" or "no"
    std::optional<Value> proxy_jump;       // as `ssh -G` prints it; "none" is dropped
    std::vector<Hop> jump;                 // the same, first hop first
    std::optional<Value> proxy_command;    // as written; "none" is dropped
    std::vector<Value> user_known_hosts;   // expanded, as `ssh -G` prints them
    std::optional<Value> strict_host_keys; // "true", "false", "ask", "accept-new"
    std::optional<Value> connect_timeout;  // seconds
    std::vector<std::string> warnings;     // "file:line: message"
};

// Errors: config ("file:line: ..." for a bad token in a path).
Result<Resolved> resolve(const Config& config, const Query& query);

// A path of IdentityFile or UserKnownHostsFile with `~`, %-tokens and ${VAR} expanded as ssh
// does, for the host `r` resolved. Errors: config (an unknown token, an unset variable).
Result<std::string> expand_path(const std::string& text, const Query& query, const Resolved& r);

// ssh's time format ("90", "1m30s", "2h"): seconds, or nullopt when it is not one.
std::optional<long long> parse_ssh_time(std::string_view text);

} // namespace leura::sshconfig
