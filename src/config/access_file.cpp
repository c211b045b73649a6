// SPDX-License-Identifier: Apache-2.0
// The access policy file and the expectations file of `leura access test`, into plain structs.
#include "config/access_file.hpp"
#include "config/toml_util.hpp"

#include <algorithm>
#include <set>

namespace leura::config {

namespace {

namespace fs = std::filesystem;
using detail::Reporter;

const detail::KeySet k_top_keys{{"users", "groups", "grant"}, {}};
const detail::KeySet k_users_keys{{"names"}, {}};
const detail::KeySet k_group_keys{{"members", "unix"}, {}};
const detail::KeySet k_grant_keys{
    {"id", "who", "allow", "deny", "tasks", "inventories", "hosts", "runs", "reason"}, {}};
const detail::KeySet k_expect_top_keys{{"expect"}, {}};
const detail::KeySet k_expect_keys{{"as", "action", "task", "inventory", "hosts", "allowed"}, {}};

const std::vector<std::string> k_kinds{"user", "group", "schedule", "monitor", "token"};

bool is_name(std::string_view s) {
    if (s.empty()) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.' || c == '@';
    });
}

// "KIND:NAME" with a known kind.
bool check_principal(const std::string& p, const toml::node& at, Reporter& r) {
    auto colon = p.find(':');
    std::string kind = colon == p.npos ? "" : p.substr(0, colon);
    if (colon == p.npos || std::find(k_kinds.begin(), k_kinds.end(), kind) == k_kinds.end()) {
        r.error(at, "'" + p + "' is not a principal: write user:NAME, group:NAME, " +
                        "schedule:NAME, monitor:NAME or token:ID" +
                        detail::did_you_mean(kind, k_kinds));
        return false;
    }
    if (!is_name(p.substr(colon + 1))) {
        r.error(at, "'" + p + "': the name after '" + kind + ":' must be letters, digits, " +
                        "'-', '_', '.' or '@'");
        return false;
    }
    return true;
}

const toml::node* array_item(const toml::node& array, size_t i) {
    const auto* a = array.as_array();
    return a && i < a->size() ? a->get(i) : &array;
}

void read_users(AccessFile& out, const toml::node& node, Reporter& r) {
    const auto* table = node.as_table();
    if (!table) return r.error(node, "'users' must be a table: [users] names = [...]");
    for (const auto& [key, value] : detail::in_source_order(*table)) {
        if (!detail::check_key(*key, k_users_keys, "[users]", r)) continue;
        auto names = detail::read_string_array(*value, "users.names", r);
        if (!names) continue;
        for (size_t i = 0; i < names->size(); ++i)
            if (!is_name((*names)[i]))
                r.error(*array_item(*value, i), "'" + (*names)[i] + "' is not a user name");
        out.users = std::move(*names);
    }
}

void read_groups(AccessFile& out, const toml::node& node, Reporter& r) {
    const auto* table = node.as_table();
    if (!table) return r.error(node, "'groups' must be a table of [groups.NAME]");
    for (const auto& [gkey, gvalue] : detail::in_source_order(*table)) {
        AccessGroup g;
        g.name = detail::name_of(*gkey);
        g.pos = r.pos(gkey->source());
        if (!is_name(g.name)) r.error(*gkey, "'" + g.name + "' is not a group name");
        const auto* gt = gvalue->as_table();
        if (!gt) {
            r.error(*gvalue, "[groups." + g.name + "] must be a table");
            continue;
        }
        g.pos = detail::table_pos(*gt, r);
        const std::string where = "[groups." + g.name + "]";
        for (const auto& [key, value] : detail::in_source_order(*gt)) {
            if (!detail::check_key(*key, k_group_keys, where, r)) continue;
            if (detail::name_of(*key) == "members") {
                if (auto m = detail::read_string_array(*value, "members", r)) {
                    for (size_t i = 0; i < m->size(); ++i)
                        if (!is_name((*m)[i]))
                            r.error(*array_item(*value, i), "'" + (*m)[i] + "' is not a user name");
                    g.members = std::move(*m);
                }
            } else if (auto u = detail::read_non_empty(*value, "unix", r)) {
                g.unix_group = *u;
            }
        }
        out.groups.push_back(std::move(g));
    }
}

void read_actions(AccessGrant& g, const toml::node& value, const std::string& key, Reporter& r) {
    auto actions = detail::read_string_array(value, key, r);
    if (!actions) return;
    if (actions->empty()) r.error(value, "'" + key + "' must name at least one action");
    for (size_t i = 0; i < actions->size(); ++i) {
        const auto& a = (*actions)[i];
        const auto& known = access_actions();
        if (std::find(known.begin(), known.end(), a) == known.end())
            r.error(*array_item(value, i), "unknown action '" + a + "'; the actions are " +
                                               detail::choice_list(known) +
                                               detail::did_you_mean(a, known));
    }
    g.actions = std::move(*actions);
}

void read_globs(std::vector<std::string>& out, const toml::node& value, const std::string& key,
                Reporter& r) {
    auto globs = detail::read_string_array(value, key, r);
    if (!globs) return;
    if (globs->empty()) r.error(value, "'" + key + "' must not be empty (\"*\" is every name)");
    for (size_t i = 0; i < globs->size(); ++i)
        if ((*globs)[i].empty()) r.error(*array_item(value, i), "'" + key + "' has an empty name");
    out = std::move(*globs);
}

std::optional<AccessGrant> read_grant(const toml::node& node, int index, Reporter& r) {
    const auto* table = node.as_table();
    if (!table) {
        r.error(node, "each 'grant' must be a table: [[grant]]");
        return std::nullopt;
    }
    AccessGrant g;
    g.pos = detail::table_pos(*table, r);
    const std::string where = "grant " + std::to_string(index);
    bool has_allow = false, has_deny = false, has_who = false, has_id = false;
    size_t before = r.count();
    for (const auto& [key, value] : detail::in_source_order(*table)) {
        if (!detail::check_key(*key, k_grant_keys, where, r)) continue;
        const std::string name = detail::name_of(*key);
        if (name == "id") {
            has_id = true;
            if (auto id = detail::read_non_empty(*value, "id", r)) {
                if (!is_name(*id))
                    r.error(*value, "'id' must be letters, digits, '-', '_', '.' or '@'");
                g.id = *id;
            }
        } else if (name == "who") {
            has_who = true;
            if (auto who = detail::read_string_array(*value, "who", r)) {
                if (who->empty()) r.error(*value, "'who' must name at least one principal");
                for (size_t i = 0; i < who->size(); ++i)
                    check_principal((*who)[i], *array_item(*value, i), r);
                g.who = std::move(*who);
            }
        } else if (name == "allow") {
            has_allow = true;
            read_actions(g, *value, name, r);
        } else if (name == "deny") {
            has_deny = true;
            g.deny = true;
            read_actions(g, *value, name, r);
        } else if (name == "tasks") {
            read_globs(g.tasks, *value, name, r);
        } else if (name == "inventories") {
            read_globs(g.inventories, *value, name, r);
        } else if (name == "hosts") {
            if (auto h = detail::read_non_empty(*value, "hosts", r)) g.hosts = *h;
        } else if (name == "runs") {
            if (auto c = detail::read_choice(*value, "runs", {"own", "all"}, r))
                g.all_runs = *c == 1;
        } else if (name == "reason") {
            if (auto s = detail::read_string(*value, "reason", r)) g.reason = *s;
        }
    }
    if (!has_id) r.error(g.pos, where + " has no 'id' (a unique, stable name for the rule)");
    if (!has_who) r.error(g.pos, where + " has no 'who'");
    if (has_allow == has_deny)
        r.error(g.pos, where + " must have exactly one of 'allow' and 'deny'");
    if (r.count() != before) return std::nullopt;
    return g;
}

void read_grants(AccessFile& out, const toml::node& node, Reporter& r) {
    const auto* array = node.as_array();
    if (!array) return r.error(node, "'grant' must be an array of tables: [[grant]]");
    std::set<std::string> ids;
    int index = 0;
    for (const auto& item : *array) {
        auto g = read_grant(item, ++index, r);
        if (!g) continue;
        if (!ids.insert(g->id).second) {
            r.error(g->pos, "grant id '" + g->id + "' is used twice; ids must be unique");
            continue;
        }
        out.grants.push_back(std::move(*g));
    }
}

} // namespace

const std::vector<std::string>& access_actions() {
    static const std::vector<std::string> actions{"view",  "logs",     "run", "edit",
                                                  "admin", "schedule", "exec"};
    return actions;
}

std::optional<AccessFile> parse_access_text(const std::string& text, const std::string& name,
                                            Diagnostics& diags) {
    size_t before = diags.size();
    AccessFile out;
    out.file = name;
    out.text = text;
    auto doc = detail::parse_toml_text(out.text, name, diags);
    if (!doc) return std::nullopt;
    Reporter r(name, out.text, diags);
    for (const auto& [key, value] : detail::in_source_order(*doc)) {
        if (!detail::check_key(*key, k_top_keys, "the access policy", r)) continue;
        const std::string k = detail::name_of(*key);
        if (k == "users")
            read_users(out, *value, r);
        else if (k == "groups")
            read_groups(out, *value, r);
        else
            read_grants(out, *value, r);
    }
    if (diags.size() != before) return std::nullopt;
    return out;
}

std::optional<AccessFile> load_access_file(const fs::path& file, Diagnostics& diags) {
    auto text = detail::read_text_file(file);
    if (!text) {
        diags.add({file.string(), 0, 0}, "cannot read the file: " + text.error().message);
        return std::nullopt;
    }
    return parse_access_text(*text, file.string(), diags);
}

std::optional<std::vector<AccessExpectation>> load_access_expectations(const fs::path& file,
                                                                       Diagnostics& diags) {
    size_t before = diags.size();
    std::string text;
    auto doc = detail::parse_toml_file(file, text, diags);
    if (!doc) return std::nullopt;
    Reporter r(file.string(), text, diags);
    std::vector<AccessExpectation> out;
    for (const auto& [key, value] : detail::in_source_order(*doc)) {
        if (!detail::check_key(*key, k_expect_top_keys, "the expectations", r)) continue;
        const auto* array = value->as_array();
        if (!array) {
            r.error(*value, "'expect' must be an array of tables: [[expect]]");
            continue;
        }
        int index = 0;
        for (const auto& item : *array) {
            ++index;
            const auto* t = item.as_table();
            if (!t) {
                r.error(item, "each 'expect' must be a table");
                continue;
            }
            AccessExpectation e;
            e.pos = detail::table_pos(*t, r);
            const std::string where = "expect " + std::to_string(index);
            bool has_as = false, has_action = false, has_allowed = false;
            for (const auto& [k, v] : detail::in_source_order(*t)) {
                if (!detail::check_key(*k, k_expect_keys, where, r)) continue;
                const std::string n = detail::name_of(*k);
                if (n == "as") {
                    has_as = true;
                    if (auto s = detail::read_non_empty(*v, "as", r)) e.as = *s;
                } else if (n == "action") {
                    has_action = true;
                    if (auto c = detail::read_choice(*v, "action", access_actions(), r))
                        e.action = access_actions()[*c];
                } else if (n == "task") {
                    if (auto s = detail::read_string(*v, "task", r)) e.task = *s;
                } else if (n == "inventory") {
                    if (auto s = detail::read_string(*v, "inventory", r)) e.inventory = *s;
                } else if (n == "hosts") {
                    if (auto h = detail::read_string_array(*v, "hosts", r)) e.hosts = *h;
                } else if (n == "allowed") {
                    has_allowed = true;
                    if (auto b = detail::read_bool(*v, "allowed", r)) e.allowed = *b;
                }
            }
            if (!has_as || !has_action || !has_allowed)
                r.error(e.pos, where + " needs 'as', 'action' and 'allowed'");
            out.push_back(std::move(e));
        }
    }
    if (diags.size() != before) return std::nullopt;
    return out;
}

} // namespace leura::config
