// SPDX-License-Identifier: Apache-2.0
// Reading ssh_config files into items: every line is checked as ssh checks it, whether or not
// its block will apply, since ssh refuses a file for a bad line anywhere in it.
#include "sshconfig/items.hpp"
#include "sshconfig/keywords.hpp"
#include "sshconfig/values.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <glob.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

namespace leura::sshconfig {

std::string to_string(const Origin& o) {
    return o.file + ":" + std::to_string(o.line);
}

Config::Config() : m_items(std::make_unique<Items>()) {}
Config::~Config() = default;
Config::Config(Config&&) noexcept = default;
Config& Config::operator=(Config&&) noexcept = default;
const std::vector<std::string>& Config::warnings() const {
    return m_warnings;
}

namespace {

constexpr int k_max_depth = 16; // READCONF_MAX_DEPTH

// Directives that take exactly one argument.
bool single_argument(std::string_view k) {
    for (const char* s : {"hostname", "user", "port", "identityfile", "identitiesonly",
                          "stricthostkeychecking", "connecttimeout"})
        if (k == s) return true;
    return false;
}

class Reader {
public:
    explicit Reader(std::string home) : m_home(std::move(home)) {}

    // A keyword OpenSSH does not know, and the warning that says so.
    struct Unknown {
        std::string keyword, warning;
    };
    std::vector<Unknown> unknown;
    std::vector<std::string> ignore; // IgnoreUnknown patterns

    // `user`: relative Includes are under ~/.ssh. `check_perm`: refuse a file others may write.
    Result<std::vector<Item>> read(const std::string& path, bool user, bool check_perm, int depth,
                                   bool& opened) {
        opened = false;
        if (depth > k_max_depth)
            return fail(ErrorKind::config,
                        path + ": too many nested Includes (more than 16, as ssh allows)");
        std::ifstream in(path);
        if (!in) return std::vector<Item>{};
        opened = true;
        if (check_perm) LEURA_TRY(check_permissions(path));
        std::vector<Item> items;
        std::string text;
        int number = 0;
        while (std::getline(in, text)) {
            ++number;
            Origin at{path, number};
            auto split = split_line(text);
            if (!split)
                return fail(ErrorKind::config, to_string(at) + ": " + split.error().message);
            if (split->keyword.empty()) continue;
            LEURA_TRY_ASSIGN(item, make_item(std::move(*split), at, user, depth));
            if (item) items.push_back(std::move(*item));
        }
        return items;
    }

private:
    Status check_permissions(const std::string& path) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) return {};
        if ((st.st_uid != 0 && st.st_uid != ::getuid()) || (st.st_mode & 022) != 0)
            return fail(ErrorKind::config, path +
                                               ": bad owner or permissions (others may write it; "
                                               "ssh refuses it too)");
        return {};
    }

    static Error bad(const Origin& at, const std::string& message) {
        return Error(ErrorKind::config, to_string(at) + ": " + message);
    }

    Result<std::optional<Item>> make_item(Line line, const Origin& at, bool user, int depth) {
        Item item;
        item.keyword = std::move(line.keyword);
        item.args = std::move(line.args);
        item.rest = std::move(line.rest);
        item.origin = at;
        const std::string& k = item.keyword;
        if (k == "host") {
            item.kind = Item::Kind::host;
            for (const auto& a : item.args)
                if (a.empty()) return std::unexpected(bad(at, "keyword host empty argument"));
            if (item.args.empty())
                return std::unexpected(bad(at, "no argument after keyword \"host\""));
            return item;
        }
        if (k == "match") {
            item.kind = Item::Kind::match;
            LEURA_TRY(parse_match(item));
            return item;
        }
        if (k == "include") {
            item.kind = Item::Kind::include;
            LEURA_TRY(read_includes(item, user, depth));
            return item;
        }
        if (k == "ignoreunknown") {
            for (const auto& a : item.args)
                ignore.push_back(a);
            return std::optional<Item>{};
        }
        if (!is_openssh_keyword(k)) {
            std::string hint = util::closest_match(k, openssh_keywords());
            unknown.push_back({k, to_string(at) + ": unknown ssh_config keyword '" + k + "'" +
                                      (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                                      "; ssh refuses it, leura ignores it"});
            return std::optional<Item>{};
        }
        if (k == "proxycommand" || k == "proxyjump") raw_value(item);
        LEURA_TRY(check_value(item));
        return item;
    }

    // ProxyCommand and ProxyJump take the line's text after the keyword, blanks and `=`
    // stripped (ssh's strspn(str, WHITESPACE "=")), not its first argument: after a quoted
    // keyword the `=` is not a separator, and a command keeps its quotes. ProxyJump then takes
    // its first word.
    static void raw_value(Item& item) {
        size_t start = item.rest.find_first_not_of(" \t\r\n=");
        item.rest = start == std::string::npos ? "" : item.rest.substr(start);
        if (item.keyword == "proxyjump") {
            std::string word = item.rest.substr(0, item.rest.find_first_of(" \t#"));
            item.args = {word};
        }
    }

    Status check_value(const Item& item) {
        const std::string& k = item.keyword;
        const Origin& at = item.origin;
        if (item.args.empty() || (item.args[0].empty() && k != "proxycommand"))
            return std::unexpected(bad(at, "missing argument for " + k));
        if (single_argument(k) && item.args.size() > 1)
            return std::unexpected(bad(at, "keyword " + k + " extra arguments at end of line"));
        const std::string& v = item.args[0];
        if (k == "port" && !parse_port(v)) return std::unexpected(bad(at, "bad port '" + v + "'"));
        if (k == "identitiesonly" && !parse_yes_no(v))
            return std::unexpected(bad(at, "IdentitiesOnly wants yes or no, got '" + v + "'"));
        if (k == "stricthostkeychecking" && !parse_strict(v))
            return std::unexpected(bad(at, "StrictHostKeyChecking: unsupported value '" + v + "'"));
        if (k == "connecttimeout" && v != "none" && !parse_ssh_time(v))
            return std::unexpected(bad(at, "ConnectTimeout: invalid time value '" + v + "'"));
        if (k == "proxyjump" && !parse_jump_hops(v))
            return std::unexpected(bad(at, "invalid ProxyJump \"" + v + "\""));
        if (k == "userknownhostsfile")
            for (size_t i = 0; i < item.args.size(); ++i) {
                if (item.args[i].empty())
                    return std::unexpected(bad(at, "keyword " + k + " empty argument"));
                if (strcasecmp(item.args[i].c_str(), "none") == 0 && item.args.size() > 1)
                    return std::unexpected(bad(at, "keyword " + k + " \"none\" must appear alone"));
            }
        return {};
    }

    Status parse_match(Item& item) {
        const Origin& at = item.origin;
        size_t attributes = 0;
        const auto& a = item.args;
        for (size_t i = 0; i < a.size(); ++i) {
            if (!a[i].empty() && a[i][0] == '#') break;
            Criterion c;
            std::string name = a[i];
            c.negated = !name.empty() && name[0] == '!';
            if (c.negated) name.erase(0, 1);
            for (auto& ch : name)
                ch = char(std::tolower(static_cast<unsigned char>(ch)));
            c.name = name;
            if (name == "all") {
                bool more = i + 1 < a.size() && !a[i + 1].empty() && a[i + 1][0] != '#';
                if (attributes > 1 || more)
                    return std::unexpected(
                        bad(at, "'" + a[i] + "' cannot be combined with other Match attributes"));
                item.criteria.push_back(std::move(c));
                return {};
            }
            ++attributes;
            if (name == "canonical" || name == "final") {
                item.criteria.push_back(std::move(c));
                continue;
            }
            if (i + 1 >= a.size() || a[i + 1].empty() || a[i + 1][0] == '#')
                return std::unexpected(bad(at, "missing Match criteria for " + a[i]));
            if (name != "host" && name != "originalhost" && name != "user" && name != "localuser" &&
                name != "exec" && name != "localnetwork")
                return std::unexpected(bad(at, "unsupported Match attribute " + a[i]));
            c.patterns = a[++i];
            item.criteria.push_back(std::move(c));
        }
        if (attributes == 0)
            return std::unexpected(bad(at, "one or more attributes required for Match"));
        return {};
    }

    Status read_includes(Item& item, bool user, int depth) {
        const Origin& at = item.origin;
        for (const auto& arg : item.args) {
            if (arg.empty()) return std::unexpected(bad(at, "keyword include empty argument"));
            if (arg.starts_with("~/") && !user)
                return std::unexpected(bad(at, "bad include path " + arg));
            std::string pattern = arg;
            if (arg[0] != '/' && arg[0] != '~')
                pattern = (user ? m_home + "/.ssh/" : std::string("/etc/ssh/")) + arg;
            else if (arg.starts_with("~/"))
                pattern = m_home + arg.substr(1);
            glob_t found{};
            int r = ::glob(pattern.c_str(), GLOB_TILDE, nullptr, &found);
            std::unique_ptr<glob_t, void (*)(glob_t*)> hold(&found, ::globfree);
            if (r == GLOB_NOMATCH) continue;
            if (r != 0) return std::unexpected(bad(at, "glob failed for " + arg));
            for (size_t i = 0; i < found.gl_pathc; ++i) {
                bool opened = false;
                LEURA_TRY_ASSIGN(items, read(found.gl_pathv[i], user, true, depth + 1, opened));
                item.files.push_back(std::move(items));
            }
        }
        return {};
    }

    std::string m_home;
};

} // namespace

Result<Config> Config::load(const std::vector<ConfigFile>& files, const std::string& home) {
    Config config;
    Reader reader(home);
    for (const auto& f : files) {
        bool opened = false;
        // ssh checks ~/.ssh/config's permissions, not a file given with -F.
        LEURA_TRY_ASSIGN(items,
                         reader.read(f.path.string(), f.user, f.user && !f.required, 0, opened));
        if (!opened && f.required)
            return fail(ErrorKind::config, "cannot open the ssh config " + f.path.string() + ": " +
                                               std::strerror(errno));
        config.m_items->files.push_back(std::move(items));
    }
    // IgnoreUnknown silences the keywords it names, wherever it stands.
    for (auto& u : reader.unknown) {
        bool ignored =
            std::any_of(reader.ignore.begin(), reader.ignore.end(), [&u](const std::string& p) {
                return match_pattern_list(u.keyword, p, true);
            });
        if (!ignored) config.m_warnings.push_back(std::move(u.warning));
    }
    return config;
}

} // namespace leura::sshconfig
