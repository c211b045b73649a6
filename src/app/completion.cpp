// SPDX-License-Identifier: Apache-2.0
//
// Completion answers within a keystroke: an inventory is read as its file (ranges expanded,
// no layering, nothing validated past what parsing needs), and the records through one
// read-only connection with queries that stop at a limit. Parsing a TOML inventory of 100,000
// entries takes toml++ about 400 ms, so the words of an inventory that was slow to read are
// kept in the user's cache folder (not the data dir), keyed by the file's path and checked
// against its size, times and inode before use.
#include "app/completion.hpp"
#include "app/access_gate.hpp"
#include "app/library.hpp"
#include "app/prepare.hpp"
#include "config/inventory_file.hpp"
#include "config/task.hpp"
#include "inventory/range.hpp"
#include "store/store.hpp"
#include "util/paths.hpp"
#include "util/read_file.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <cstdlib>
#include <fcntl.h>
#include <map>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace leura::app {

namespace {

namespace fs = std::filesystem;

bool starts(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// The text of a task file's `description = "..."` line, if it has a plain one.
std::string task_description(const fs::path& file) {
    auto text = util::read_file(file);
    if (!text) return "";
    size_t at = 0;
    while (at < text->size()) {
        size_t end = text->find('\n', at);
        if (end == std::string::npos) end = text->size();
        std::string_view line(text->data() + at, end - at);
        at = end + 1;
        if (line.starts_with('[')) break; // past the top-level keys
        if (!line.starts_with("description")) continue;
        size_t open = line.find('"'), close = line.rfind('"');
        if (open == line.npos || close <= open) return "";
        std::string d(line.substr(open + 1, close - open - 1));
        if (d.find('\\') != d.npos) return "";
        return util::terminal_safe(d, true);
    }
    return "";
}

std::optional<InventoryWords> parse_inventory_words(const fs::path& file) {
    config::Diagnostics diags;
    auto inv = config::load_inventory_file(file, diags);
    if (!inv) return std::nullopt;
    InventoryWords w;
    for (const auto& g : inv->groups)
        w.groups.insert(g.name);
    for (const auto& h : inv->hosts) {
        w.groups.insert(h.groups.begin(), h.groups.end());
        for (const auto& [k, v] : h.attrs)
            w.attrs.insert(k + "=" + v);
        w.patterns.insert(w.patterns.end(), h.names.begin(), h.names.end());
    }
    return w;
}

// What says the file is unchanged: size, modification and change times, inode.
std::string file_stamp(const fs::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return "";
    return std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec) + " " + std::to_string(st.st_ctim.tv_sec) + "." +
           std::to_string(st.st_ctim.tv_nsec) + " " + std::to_string(st.st_ino);
}

constexpr std::string_view k_cache_magic = "leura-completion-words 1 ";

std::optional<InventoryWords> read_cache(const fs::path& cache, const std::string& stamp) {
    auto text = util::read_file(cache);
    if (!text) return std::nullopt;
    std::string_view t(*text);
    std::string head = std::string(k_cache_magic) + stamp + "\n";
    if (!t.starts_with(head)) return std::nullopt;
    t.remove_prefix(head.size());
    InventoryWords w;
    while (!t.empty()) {
        size_t end = t.find('\n');
        if (end == t.npos || end < 2) return std::nullopt; // cut short: not ours
        std::string word(t.substr(2, end - 2));
        switch (t[0]) {
        case 'g':
            w.groups.insert(std::move(word));
            break;
        case 'a':
            w.attrs.insert(std::move(word));
            break;
        case 'h':
            w.patterns.push_back(std::move(word));
            break;
        default:
            return std::nullopt;
        }
        t.remove_prefix(end + 1);
    }
    return w;
}

// Written whole under another name, then renamed: a reader sees the old file or the new one.
void write_cache(const fs::path& cache, const std::string& stamp, const InventoryWords& w) {
    std::string text = std::string(k_cache_magic) + stamp + "\n";
    auto add = [&](char kind, const std::string& word) {
        if (word.find('\n') != word.npos) return false;
        text += kind;
        text += ' ';
        text += word;
        text += '\n';
        return true;
    };
    for (const auto& g : w.groups)
        if (!add('g', g)) return;
    for (const auto& a : w.attrs)
        if (!add('a', a)) return;
    for (const auto& p : w.patterns)
        if (!add('h', p)) return;
    std::error_code ec;
    mode_t old = ::umask(077);
    fs::create_directories(cache.parent_path(), ec);
    ::umask(old);
    if (ec) return;
    fs::path tmp = cache;
    tmp += "." + std::to_string(::getpid()) + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return;
    bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
    ok = ::close(fd) == 0 && ok;
    if (!ok || ::rename(tmp.c_str(), cache.c_str()) != 0) ::unlink(tmp.c_str());
}

// An inventory as completion needs it: its groups, attribute tests and host names.
struct InventoryNames {
    std::set<std::string> groups;
    std::set<std::string> attrs; // "key=value"
    std::vector<std::string> hosts;
};

std::optional<InventoryNames> read_inventory(const fs::path& file) {
    auto w = inventory_words(file, completion_cache_dir());
    if (!w) return std::nullopt;
    InventoryNames n;
    n.groups = std::move(w->groups);
    n.attrs = std::move(w->attrs);
    for (const auto& pattern : w->patterns) {
        auto names = inventory::expand_range(pattern);
        if (!names) continue;
        for (auto& h : *names)
            n.hosts.push_back(std::move(h));
    }
    return n;
}

std::vector<Candidate> host_candidates(std::vector<std::string>& hosts, std::string_view prefix) {
    std::vector<Candidate> out;
    for (auto& h : hosts)
        if (starts(h, prefix)) out.push_back({std::move(h), "host"});
    return out;
}

Completion finish(std::vector<Candidate> fixed, std::vector<Candidate> hosts,
                  std::string_view prefix, size_t limit) {
    Completion c;
    c.no_space = fold_names(hosts, prefix, limit);
    c.candidates = std::move(fixed);
    for (auto& h : hosts)
        c.candidates.push_back(std::move(h));
    return c;
}

std::string age(const std::string& at, std::chrono::system_clock::time_point now) {
    auto t = util::parse_rfc3339(at);
    if (!t) return "";
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - *t).count();
    // Whole units: "3m ago", not "3m12.4s ago".
    long long s = std::max<long long>(ms, 0) / 1000;
    std::string n = s < 60      ? std::to_string(s) + "s"
                    : s < 3600  ? std::to_string(s / 60) + "m"
                    : s < 86400 ? std::to_string(s / 3600) + "h"
                                : std::to_string(s / 86400) + "d";
    return n + " ago";
}

std::optional<store::Store> records(const fs::path& data_dir) {
    auto s = store::Store::open_read_only((data_dir / "leura.db").string());
    if (!s) return std::nullopt;
    return std::move(*s);
}

} // namespace

fs::path completion_cache_dir() {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    fs::path root = xdg && *xdg == '/' ? fs::path(xdg) : fs::path(util::home_dir()) / ".cache";
    return root / "leura" / "completion";
}

std::optional<InventoryWords> inventory_words(const fs::path& file, const fs::path& cache_dir,
                                              std::chrono::milliseconds slow) {
    std::error_code ec;
    fs::path absolute = fs::absolute(file, ec).lexically_normal();
    std::string stamp = file_stamp(absolute);
    if (stamp.empty()) return std::nullopt;
    fs::path cache = cache_dir / (util::sha256_hex(absolute.string()).substr(0, 32) + ".words");
    if (auto cached = read_cache(cache, stamp)) return cached;
    auto start = std::chrono::steady_clock::now();
    auto w = parse_inventory_words(absolute);
    if (w && std::chrono::steady_clock::now() - start >= slow) write_cache(cache, stamp, *w);
    return w;
}

Visible visible_to(Context& ctx) {
    if (access_state(ctx).mode == access::PolicyState::Mode::off) return {};
    Visible v;
    v.task = [&ctx](const std::string& task) { return access_allows(ctx, "view", task); };
    v.inventory = [&ctx](const std::string& inventory) {
        return access_allows(ctx, "view", "", inventory);
    };
    v.run = [&ctx](const std::string& run_id) {
        auto records = ctx.records();
        if (!records) return false;
        auto run = (*records)->run(run_id);
        return run && may_see(ctx, *run);
    };
    return v;
}

std::vector<Candidate> complete_tasks(const config::Settings& settings, std::string_view prefix,
                                      const Visible& visible) {
    std::vector<Candidate> out;
    for (const auto& t : library_tasks(library_root(settings)))
        if (starts(t.name, prefix) && (!visible.task || visible.task(t.name)))
            out.push_back({t.name, t.file.string()});
    // Descriptions cost a read each: only for a list short enough to look at.
    for (auto& c : out) {
        if (out.size() > 50)
            c.description = "task";
        else if (std::string d = task_description(c.description); !d.empty())
            c.description = d;
        else
            c.description = "task";
    }
    return out;
}

std::vector<Candidate> complete_inventories(const config::Settings& settings,
                                            std::string_view prefix, const Visible& visible) {
    std::vector<Candidate> out;
    std::set<std::string> seen;
    for (const auto& f : known_inventories(settings)) {
        std::string name = f.stem().string();
        if (starts(name, prefix) && (!visible.inventory || visible.inventory(name)) &&
            seen.insert(name).second)
            out.push_back({name, f.string()});
    }
    return out;
}

std::optional<fs::path> inventory_for(const config::Settings& settings,
                                      const std::string& inventory_arg,
                                      const std::string& task_arg) {
    const fs::path library = library_root(settings);
    if (!inventory_arg.empty()) return find_inventory(inventory_arg, fs::path(".") / "x", library);
    if (!task_arg.empty()) {
        std::string name;
        auto file = resolve_task(library, task_arg, name);
        config::Diagnostics diags;
        auto task = file ? config::load_task(*file, diags) : std::nullopt;
        if (task && !task->inventory.empty())
            return find_inventory(task->inventory, *file, library);
    }
    if (settings.text("inventory").empty()) return std::nullopt;
    return find_inventory(settings.text("inventory"), fs::path(".") / "x", library);
}

Completion complete_selector(const fs::path& inventory, std::string_view word, size_t limit) {
    size_t cut = word.find_last_of(",&!(");
    std::string before(cut == word.npos ? "" : word.substr(0, cut + 1));
    std::string_view atom = word.substr(before.size());
    auto inv = read_inventory(inventory);
    if (!inv) return {};
    std::vector<Candidate> fixed;
    if (starts("all", atom)) fixed.push_back({before + "all", "every host"});
    for (const auto& g : inv->groups)
        if (starts(g, atom)) fixed.push_back({before + g, "group"});
    for (const auto& a : inv->attrs)
        if (starts(a, atom)) fixed.push_back({before + a, "attribute"});
    auto hosts = host_candidates(inv->hosts, atom);
    Completion c = finish({}, std::move(hosts), atom, limit);
    for (auto& h : c.candidates)
        h.value = before + h.value;
    fixed.insert(fixed.end(), std::make_move_iterator(c.candidates.begin()),
                 std::make_move_iterator(c.candidates.end()));
    c.candidates = std::move(fixed);
    return c;
}

Completion complete_inventory_hosts(const fs::path& inventory, std::string_view prefix,
                                    size_t limit) {
    auto inv = read_inventory(inventory);
    if (!inv) return {};
    return finish({}, host_candidates(inv->hosts, prefix), prefix, limit);
}

std::vector<Candidate> complete_runs(const fs::path& data_dir, std::string_view prefix,
                                     std::chrono::system_clock::time_point now, size_t limit,
                                     const Visible& visible) {
    std::vector<Candidate> out;
    auto db = records(data_dir);
    if (!db) return out;
    auto runs = db->run_choices(std::string(prefix), int64_t(limit));
    if (!runs) return out;
    for (const auto& r : *runs) {
        if (visible.run && !visible.run(r.id)) continue;
        std::string task = r.task == config::k_adhoc_task ? "exec" : r.task;
        std::string when = age(r.started_at, now);
        out.push_back({r.id, util::terminal_safe(task, true) + ", " + r.status +
                                 (when.empty() ? "" : ", " + when)});
    }
    return out;
}

std::optional<fs::path> run_inventory(const fs::path& data_dir, const std::string& run) {
    auto db = records(data_dir);
    if (!db || run.empty()) return std::nullopt;
    auto id = db->resolve_run(run);
    if (!id) return std::nullopt;
    auto r = db->run(*id);
    if (!r || r->inventory.empty()) return std::nullopt;
    return fs::path(r->inventory);
}

std::vector<Candidate> complete_run_part(const fs::path& data_dir, const std::string& run,
                                         RunPart part, std::string_view prefix,
                                         const Visible& visible) {
    std::vector<Candidate> out;
    auto db = records(data_dir);
    if (!db || run.empty()) return out;
    auto id = db->resolve_run(run);
    if (!id || (visible.run && !visible.run(*id))) return out;
    if (part == RunPart::hosts) {
        auto hosts = db->hosts(*id);
        if (!hosts) return out;
        for (const auto& h : *hosts)
            if (starts(h.host, prefix)) out.push_back({h.host, h.status});
    } else if (part == RunPart::steps) {
        auto names = db->step_names(*id);
        if (!names) return out;
        std::set<std::string> seen;
        for (size_t i = 0; i < names->size(); ++i) {
            const std::string& n = (*names)[i];
            if (starts(n, prefix) && seen.insert(n).second) out.push_back({n, "step"});
        }
    } else {
        auto stages = db->stage_runs(*id);
        if (!stages) return out;
        std::set<std::string> seen;
        for (const auto& s : *stages) {
            std::string name = s.stage.value_or("") + (s.note == "rollback" ? "-rollback" : "");
            if (!name.empty() && starts(name, prefix) && seen.insert(name).second)
                out.push_back({name, s.status});
        }
    }
    return out;
}

std::vector<Candidate> complete_settings(std::string_view prefix) {
    std::vector<Candidate> out;
    for (const auto& spec : config::setting_specs())
        if (starts(spec.key, prefix)) out.push_back({spec.key, spec.about});
    return out;
}

bool fold_names(std::vector<Candidate>& names, std::string_view prefix, size_t limit) {
    if (names.size() <= limit) return false;
    // The longest start length whose distinct starts still number at most `limit`.
    std::map<std::string_view, size_t> best;
    for (size_t len = prefix.size() + 1;; ++len) {
        std::map<std::string_view, size_t> starts_of;
        bool longer = false;
        for (const auto& n : names) {
            ++starts_of[std::string_view(n.value).substr(0, len)];
            longer = longer || n.value.size() > len;
            if (starts_of.size() > limit) break;
        }
        if (starts_of.size() > limit) break;
        best = std::move(starts_of);
        if (!longer) break;
    }
    if (best.empty()) { // even one more character is too many: the first `limit` names
        names.resize(limit);
        return true;
    }
    std::vector<Candidate> folded;
    for (const auto& [start, n] : best)
        folded.push_back({std::string(start), n == 1 ? "host" : std::to_string(n) + " hosts"});
    names = std::move(folded);
    return true;
}

} // namespace leura::app
