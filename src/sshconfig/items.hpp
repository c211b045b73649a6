// SPDX-License-Identifier: Apache-2.0
#pragma once

// The parsed form of ssh_config files (internal to sshconfig/): lines in order, Includes
// read in, so that resolving a host walks memory, not files.
#include "sshconfig/ssh_config.hpp"

#include <string>
#include <vector>

namespace leura::sshconfig {

struct Criterion {
    std::string name; // lower case: all, host, originalhost, user, localuser, canonical, final,
                      // exec, localnetwork
    bool negated = false;
    std::string patterns;
};

struct Item {
    enum class Kind { directive, host, match, include };
    Kind kind = Kind::directive;
    std::string keyword;           // lower case
    std::vector<std::string> args; // split and unquoted as ssh does
    std::string rest;              // the unsplit text after the keyword (ProxyCommand/Jump)
    Origin origin;
    std::vector<Criterion> criteria;      // Match
    std::vector<std::vector<Item>> files; // Include: each file's items, in glob order
};

struct Config::Items {
    std::vector<std::vector<Item>> files; // the top-level files, each starting active
};

// The keyword and arguments of one line, split as OpenSSH's strdelim() and argv_split() do.
// An empty keyword: a blank or comment line.
struct Line {
    std::string keyword;
    std::vector<std::string> args;
    std::string rest;
};
// Errors: config with the message only (the caller adds file:line).
Result<Line> split_line(std::string_view text);

// OpenSSH's match_pattern_list(): comma-separated patterns, `!` negates; a negated match
// wins over any positive one.
bool match_pattern_list(std::string_view text, std::string_view patterns, bool lower);

} // namespace leura::sshconfig
