// SPDX-License-Identifier: Apache-2.0
// Edits of the policy file as text. A block is a header line ([[grant]], [groups.NAME]) and the
// lines up to the next header, less the comment lines just above that header (they describe
// it). The k-th [[grant]] header is the k-th grant, since TOML keeps arrays of tables in order.
#include "access/policy_edit.hpp"
#include "config/toml_text.hpp"
#include "util/replace_file.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace leura::access {

namespace {

namespace fs = std::filesystem;
using Lines = std::vector<std::string>;

Lines split_lines(const std::string& text) {
    Lines out;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == text.npos) nl = text.size();
        out.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return out;
}

std::string join_lines(const Lines& lines) {
    std::string out;
    for (const auto& l : lines)
        out += l + "\n";
    return out;
}

bool is_header(const std::string& line) {
    return util::starts_with(util::trim(line), "[");
}

bool is_comment(const std::string& line) {
    return util::starts_with(util::trim(line), "#");
}

// The header without a trailing comment or spaces.
std::string header_text(const std::string& line) {
    std::string_view t = util::trim(line);
    if (auto close = t.rfind(']'); close != t.npos) t = t.substr(0, close + 1);
    return std::string(t);
}

// [begin, end) of the block whose header is at `begin`.
size_t block_end(const Lines& lines, size_t begin) {
    size_t next = begin + 1;
    while (next < lines.size() && !is_header(lines[next]))
        ++next;
    if (next == lines.size()) return next;
    size_t end = next;
    while (end > begin + 1 && is_comment(lines[end - 1]))
        --end;
    return end;
}

std::optional<size_t> find_header(const Lines& lines, const std::string& header, size_t nth = 0) {
    for (size_t i = 0; i < lines.size(); ++i)
        if (is_header(lines[i]) && header_text(lines[i]) == header && nth-- == 0) return i;
    return std::nullopt;
}

std::string group_header(const std::string& name) {
    return "[groups." + name + "]";
}

// Removes the block at `begin`, and one blank line so that blank lines do not pile up.
void remove_block(Lines& lines, size_t begin) {
    size_t end = block_end(lines, begin);
    while (end > begin + 1 && util::trim(lines[end - 1]).empty())
        --end;
    lines.erase(lines.begin() + long(begin), lines.begin() + long(end));
    if (begin >= lines.size()) {
        while (!lines.empty() && util::trim(lines.back()).empty())
            lines.pop_back();
        return;
    }
    if (begin < lines.size() && util::trim(lines[begin]).empty() &&
        (begin == 0 || util::trim(lines[begin - 1]).empty()))
        lines.erase(lines.begin() + long(begin));
}

void append_block(Lines& lines, const Lines& block) {
    while (!lines.empty() && util::trim(lines.back()).empty())
        lines.pop_back();
    if (!lines.empty()) lines.push_back("");
    lines.insert(lines.end(), block.begin(), block.end());
}

// Sets `key = [..]` in the block at `begin`: the key's lines (a multi-line array too) are
// replaced by one, or the line is added after the header.
void set_array(Lines& lines, size_t begin, const std::string& key,
               const std::vector<std::string>& values) {
    size_t end = block_end(lines, begin);
    const std::string line = key + " = " + config::toml_array(values);
    for (size_t i = begin + 1; i < end; ++i) {
        std::string_view t = util::trim(lines[i]);
        if (!util::starts_with(t, key)) continue;
        std::string_view rest = util::trim(t.substr(key.size()));
        if (!util::starts_with(rest, "=")) continue;
        // Find the line holding the closing bracket, outside strings.
        int depth = 0;
        bool started = false;
        size_t last = i;
        for (size_t j = i; j < end; ++j) {
            char in_string = 0;
            const std::string& l = lines[j];
            size_t from = j == i ? l.find('=') + 1 : 0;
            for (size_t k = from; k < l.size(); ++k) {
                char c = l[k];
                if (in_string) {
                    if (c == '\\' && in_string == '"')
                        ++k;
                    else if (c == in_string)
                        in_string = 0;
                } else if (c == '"' || c == '\'') {
                    in_string = c;
                } else if (c == '#') {
                    break;
                } else if (c == '[') {
                    ++depth;
                    started = true;
                } else if (c == ']') {
                    --depth;
                }
            }
            last = j;
            if (!started || depth <= 0) break;
        }
        lines.erase(lines.begin() + long(i), lines.begin() + long(last) + 1);
        lines.insert(lines.begin() + long(i), line);
        return;
    }
    lines.insert(lines.begin() + long(begin) + 1, line);
}

// The edited text, checked by parsing it: an edit never writes a policy leura cannot read.
Result<std::string> checked(const Policy& p, const Lines& lines) {
    std::string text = join_lines(lines);
    config::Diagnostics diags;
    if (!config::parse_access_text(text, p.file.string(), diags)) {
        std::string first = diags.empty() ? "?" : diags.items()[0].message;
        return fail(ErrorKind::usage, "the policy would not be valid after this change: " + first);
    }
    return text;
}

bool contains_name(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

const config::AccessGroup* group_of(const Policy& p, const std::string& name) {
    for (const auto& g : p.groups)
        if (g.name == name) return &g;
    return nullptr;
}

Result<size_t> group_block(const Policy& p, const Lines& lines, const std::string& name) {
    std::vector<std::string> names;
    for (const auto& g : p.groups)
        names.push_back(g.name);
    if (!group_of(p, name)) {
        std::string hint = util::closest_match(name, names);
        return fail(ErrorKind::not_found,
                    "no group '" + name + "' in the policy" +
                        (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    }
    auto at = find_header(lines, group_header(name));
    if (!at)
        return fail(ErrorKind::usage, "group '" + name + "' is not written as a [groups." + name +
                                          "] table; edit the file by hand");
    return *at;
}

bool valid_name(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
               c == '@';
    });
}

Status check_name(const std::string& what, const std::string& s) {
    if (valid_name(s)) return {};
    return fail(ErrorKind::usage,
                "'" + s + "' is not a " + what + " name (letters, digits, '-', '_', '.', '@')");
}

} // namespace

std::vector<std::string> list_users(const Policy& p) {
    std::vector<std::string> out = p.users;
    for (const auto& g : p.groups)
        out.insert(out.end(), g.members.begin(), g.members.end());
    for (const auto& g : p.grants)
        for (const auto& w : g.who)
            if (w.starts_with("user:")) out.push_back(w.substr(5));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Result<std::string> add_user(const Policy& p, const std::string& name) {
    LEURA_TRY(check_name("user", name));
    if (contains_name(p.users, name))
        return fail(ErrorKind::usage, "user '" + name + "' is already in [users]");
    Lines lines = split_lines(p.text);
    auto users = p.users;
    users.push_back(name);
    if (auto at = find_header(lines, "[users]"))
        set_array(lines, *at, "names", users);
    else if (!p.users.empty())
        return fail(ErrorKind::usage, "[users] is not written as a table; edit the file by hand");
    else
        append_block(lines, {"[users]", "names = " + config::toml_array(users)});
    return checked(p, lines);
}

Result<std::string> remove_user(const Policy& p, const std::string& name) {
    if (!contains_name(list_users(p), name))
        return fail(ErrorKind::not_found, "no user '" + name + "' in the policy");
    std::vector<std::string> alone;
    for (const auto& g : p.grants)
        if (g.who.size() == 1 && g.who[0] == "user:" + name) alone.push_back(g.id);
    if (!alone.empty()) {
        std::string ids;
        for (const auto& id : alone)
            ids += (ids.empty() ? "" : ", ") + id;
        return fail(ErrorKind::usage, "grants name only user '" + name + "': " + ids +
                                          "; revoke them first (leura access revoke ID)");
    }
    Lines lines = split_lines(p.text);
    auto without = [&](std::vector<std::string> v, const std::string& s) {
        v.erase(std::remove(v.begin(), v.end(), s), v.end());
        return v;
    };
    if (contains_name(p.users, name)) {
        auto at = find_header(lines, "[users]");
        if (!at) return fail(ErrorKind::usage, "[users] is not a table; edit the file by hand");
        set_array(lines, *at, "names", without(p.users, name));
    }
    for (const auto& g : p.groups)
        if (contains_name(g.members, name)) {
            LEURA_TRY_ASSIGN(at, group_block(p, lines, g.name));
            set_array(lines, at, "members", without(g.members, name));
        }
    for (size_t k = 0; k < p.grants.size(); ++k)
        if (contains_name(p.grants[k].who, "user:" + name)) {
            auto at = find_header(lines, "[[grant]]", k);
            if (!at)
                return fail(ErrorKind::usage, "grant '" + p.grants[k].id +
                                                  "' is not a [[grant]] block; edit by hand");
            set_array(lines, *at, "who", without(p.grants[k].who, "user:" + name));
        }
    return checked(p, lines);
}

Result<std::string> add_group(const Policy& p, const std::string& name,
                              const std::string& unix_group) {
    LEURA_TRY(check_name("group", name));
    if (group_of(p, name)) return fail(ErrorKind::usage, "group '" + name + "' already exists");
    Lines lines = split_lines(p.text);
    Lines block{group_header(name), "members = []"};
    if (!unix_group.empty()) block.push_back("unix = " + config::toml_quote(unix_group));
    append_block(lines, block);
    return checked(p, lines);
}

Result<std::string> remove_group(const Policy& p, const std::string& name) {
    Lines lines = split_lines(p.text);
    LEURA_TRY_ASSIGN(at, group_block(p, lines, name));
    std::string ids;
    for (const auto& g : p.grants)
        if (contains_name(g.who, "group:" + name)) ids += (ids.empty() ? "" : ", ") + g.id;
    if (!ids.empty())
        return fail(ErrorKind::usage, "grants name group '" + name + "': " + ids +
                                          "; revoke them first (leura access revoke ID)");
    remove_block(lines, at);
    return checked(p, lines);
}

Result<std::string> add_member(const Policy& p, const std::string& group, const std::string& user) {
    LEURA_TRY(check_name("user", user));
    Lines lines = split_lines(p.text);
    LEURA_TRY_ASSIGN(at, group_block(p, lines, group));
    auto members = group_of(p, group)->members;
    if (contains_name(members, user))
        return fail(ErrorKind::usage, "'" + user + "' is already in group '" + group + "'");
    members.push_back(user);
    set_array(lines, at, "members", members);
    return checked(p, lines);
}

Result<std::string> remove_member(const Policy& p, const std::string& group,
                                  const std::string& user) {
    Lines lines = split_lines(p.text);
    LEURA_TRY_ASSIGN(at, group_block(p, lines, group));
    auto members = group_of(p, group)->members;
    if (!contains_name(members, user))
        return fail(ErrorKind::not_found, "'" + user + "' is not in group '" + group + "'");
    members.erase(std::remove(members.begin(), members.end(), user), members.end());
    set_array(lines, at, "members", members);
    return checked(p, lines);
}

std::string generated_id(const config::AccessGrant& g) {
    std::string key = g.deny ? "deny" : "allow";
    for (const auto* list : {&g.who, &g.actions, &g.tasks, &g.inventories}) {
        key += '\n';
        for (const auto& s : *list)
            key += s + '\x1f';
    }
    key += '\n' + g.hosts + '\n' + (g.all_runs ? "all" : "own");
    return "g-" + util::sha256_hex(key).substr(0, 8);
}

Result<std::string> add_grant(const Policy& p, config::AccessGrant g) {
    if (g.id.empty()) g.id = generated_id(g);
    for (const auto& other : p.grants)
        if (other.id == g.id)
            return fail(ErrorKind::usage, "a grant with id '" + g.id + "' exists already (" +
                                              rule_location(other.pos) + ")");
    Lines block{"[[grant]]", "id = " + config::toml_quote(g.id),
                "who = " + config::toml_array(g.who),
                std::string(g.deny ? "deny" : "allow") + " = " + config::toml_array(g.actions),
                "tasks = " + config::toml_array(g.tasks)};
    if (g.inventories != std::vector<std::string>{"*"})
        block.push_back("inventories = " + config::toml_array(g.inventories));
    if (!g.hosts.empty()) block.push_back("hosts = " + config::toml_quote(g.hosts));
    if (g.all_runs) block.push_back("runs = \"all\"");
    if (!g.reason.empty()) block.push_back("reason = " + config::toml_quote(g.reason));
    Lines lines = split_lines(p.text);
    append_block(lines, block);
    return checked(p, lines);
}

Result<std::string> revoke(const Policy& p, const std::string& id) {
    std::vector<std::string> ids;
    for (size_t k = 0; k < p.grants.size(); ++k) {
        ids.push_back(p.grants[k].id);
        if (p.grants[k].id != id) continue;
        Lines lines = split_lines(p.text);
        auto at = find_header(lines, "[[grant]]", k);
        if (!at) return fail(ErrorKind::usage, "grant '" + id + "' is not a [[grant]] block");
        remove_block(lines, *at);
        return checked(p, lines);
    }
    std::string hint = util::closest_match(id, ids);
    return fail(ErrorKind::not_found, "no grant '" + id + "' in the policy" +
                                          (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
}

Status write_policy(const fs::path& file, const std::string& text) {
    return util::replace_file(file, text, 0644);
}

} // namespace leura::access
