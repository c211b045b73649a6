// SPDX-License-Identifier: Apache-2.0
#include "app/prepare.hpp"
#include "app/prepare_internal.hpp"
#include "app/waves.hpp"
#include "config/inventory_file.hpp"
#include "inventory/range.hpp"
#include "inventory/selector.hpp"
#include "util/json.hpp"
#include "util/json_parse.hpp"
#include "util/paths.hpp"
#include "util/strings.hpp"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace leura::app {

namespace fs = std::filesystem;

std::optional<fs::path> find_inventory(const std::string& name, const fs::path& task_file,
                                       const fs::path& library) {
    std::error_code ec;
    fs::path task_dir = task_file.parent_path();
    std::vector<fs::path> candidates = {name, task_dir / name};
    if (name.find('/') == std::string::npos) {
        std::vector<fs::path> bases = {task_dir, task_dir / "..", fs::path(".")};
        // The folder `inventory list` shows beside the task library, wherever the task is.
        if (!library.empty()) bases.push_back(library.parent_path());
        for (const fs::path& base : bases) {
            candidates.push_back(base / "inventories" / (name + ".toml"));
            candidates.push_back(base / "inventories" / name);
        }
    }
    for (const auto& c : candidates)
        if (fs::is_regular_file(c, ec)) return c.lexically_normal();
    return std::nullopt;
}

namespace {

SourcePos key_pos(const config::Task& task, const std::string& key) {
    // The task parser does not keep key positions; find the key's line for the caret.
    std::istringstream in(task.text);
    std::string line;
    std::regex re("^\\s*" + key + "\\s*=");
    for (int n = 1; std::getline(in, line); ++n)
        if (std::regex_search(line, re)) return {task.file.string(), n, int(line.find(key)) + 1};
    return {task.file.string(), 0, 0};
}

// The selector error points into the selector string; place it at the `targets` key, or on
// the command line when -t gave it.
void selector_error(config::Diagnostics& diags, const Error& e, const config::Task& task,
                    bool from_flag) {
    if (from_flag) {
        diags.add({"-t", 0, 0}, e.message);
        return;
    }
    SourcePos pos = key_pos(task, "targets");
    std::string line = pos.line > 0 ? config::line_of(task.text, pos.line) : "";
    if (pos.line > 0 && e.pos.column > 0) {
        size_t quote = line.find('"');
        if (quote != std::string::npos) pos.column = int(quote) + 1 + e.pos.column;
    }
    diags.add(pos, "targets: " + e.message, line);
}

std::optional<Prepared> select_named(Prepared p, const std::vector<std::string>& names,
                                     config::Diagnostics& diags) {
    std::set<std::string> wanted(names.begin(), names.end());
    for (const auto& h : p.inventory.hosts)
        if (wanted.erase(h.name)) p.hosts.push_back(&h);
    for (const auto& missing : wanted)
        diags.add({p.inventory_file.string(), 0, 0},
                  "host '" + missing + "' is no longer in the inventory");
    if (!diags.empty()) return std::nullopt;
    p.targets = inventory::fold_hosts(names); // recorded as the run's selection
    return p;
}

// `retry -t SELECTOR`: of the named hosts, those the selector selects too.
std::optional<Prepared> narrowed(std::optional<Prepared> p, const std::string& selector,
                                 config::Diagnostics& diags) {
    if (!p || selector.empty()) return p;
    auto hosts = inventory::select(p->inventory, selector);
    if (!hosts) {
        diags.add({"-t", 0, 0}, "-t: " + hosts.error().message);
        return std::nullopt;
    }
    std::set<const inventory::Host*> keep(hosts->begin(), hosts->end());
    std::erase_if(p->hosts, [&](const inventory::Host* h) { return !keep.count(h); });
    if (p->hosts.empty()) {
        diags.add({"-t", 0, 0}, "-t " + selector + " selects none of the hosts to run again");
        return std::nullopt;
    }
    std::vector<std::string> names;
    for (const auto* h : p->hosts)
        names.push_back(h->name);
    p->targets = inventory::fold_hosts(names);
    return p;
}

bool blank(const std::string& selector) {
    return util::trim(selector).empty();
}

// -t narrows the task's targets: the hosts are those both select, and the recorded selector is
// `(TASK) & (FLAG)`. Each is checked on its own first, so that an error points at the one that
// has it. An empty intersection is an error of its own: -t was meant to pick among the task's
// hosts, and widening them takes --replace-targets.
bool select_targets(Prepared& p, const PrepareOptions& o, config::Diagnostics& diags) {
    const std::string& task_targets = p.task.targets;
    const bool flag = !blank(o.targets);
    if (o.replace_targets && !flag) {
        diags.add({"--replace-targets", 0, 0},
                  "--replace-targets needs -t, the selector that replaces the task's targets");
        return false;
    }
    const bool task = !blank(task_targets) && !(flag && o.replace_targets);
    p.targets_replaced = flag && o.replace_targets && !blank(task_targets);
    if (task) {
        auto own = inventory::select(p.inventory, task_targets);
        if (!own) {
            selector_error(diags, own.error(), p.task, false);
            return false;
        }
        if (own->empty()) {
            detail::add_error(diags, key_pos(p.task, "targets"),
                              "targets: '" + task_targets + "' selects no host", p.task.text);
            return false;
        }
    }
    if (flag) {
        auto given = inventory::select(p.inventory, o.targets);
        if (!given) {
            selector_error(diags, given.error(), p.task, true);
            return false;
        }
        if (given->empty()) {
            diags.add({"-t", 0, 0}, "'" + o.targets + "' selects no host");
            return false;
        }
    }
    p.targets = task && flag ? "(" + task_targets + ") & (" + o.targets + ")"
                : flag       ? o.targets
                             : task_targets;
    auto hosts = inventory::select(p.inventory, p.targets);
    if (!hosts) { // each part was valid on its own
        diags.add({p.task.file.string(), 0, 0},
                  "the selector '" + p.targets + "': " + hosts.error().message);
        return false;
    }
    if (hosts->empty()) {
        if (task && flag)
            diags.add({"-t", 0, 0},
                      "'" + o.targets + "' selects none of the task's targets ('" + task_targets +
                          "'), so no host is selected: -t narrows the task's targets; to run on "
                          "-t's hosts instead, pass --replace-targets");
        else
            diags.add({p.task.file.string(), 0, 0},
                      "the selector '" + p.targets + "' selects no host");
        return false;
    }
    p.hosts = std::move(*hosts);
    size_t before = diags.size();
    check_rollout_attributes(p, diags);
    return diags.size() == before;
}

} // namespace

std::optional<inventory::Inventory> load_inventory(const fs::path& file,
                                                   config::Diagnostics& diags) {
    auto parsed = config::load_inventory_file(file, diags);
    if (!parsed) return std::nullopt;
    return inventory::build(*parsed, diags);
}

std::string describe_targets(const Prepared& p) {
    std::string out =
        "targets   " +
        (p.task.targets.empty() ? std::string("(the task has none: every host)") : p.task.targets) +
        "\n";
    if (!p.flag_targets.empty())
        out += "-t        " + p.flag_targets + " (" +
               (p.targets_replaced       ? "replaces the task's targets"
                : p.task.targets.empty() ? "selects alone"
                                         : "narrows the task's targets") +
               ")\n";
    out += "selector  " + (p.targets.empty() ? std::string("(every host)") : p.targets) + ": " +
           std::to_string(p.hosts.size()) + " host" + (p.hosts.size() == 1 ? "" : "s") + "\n";
    return out;
}

config::Task adhoc_task(const std::string& command, const std::string& shell) {
    config::Task t;
    t.file = config::k_adhoc_task;
    t.adhoc = true;
    t.description = "ad-hoc command";
    // The task as a file would say it: archived with the run and hashed like any task.
    t.text = "# leura exec\n[[steps]]\nname = \"exec\"\nrun = " + util::json_string(command) + "\n";
    if (!shell.empty()) t.text += "shell = " + util::json_string(shell) + "\n";
    config::Step step;
    step.name = "exec";
    step.body = command;
    step.shell = shell;
    t.steps.push_back(std::move(step));
    return t;
}

std::optional<std::string> adhoc_command(std::string_view text) {
    constexpr std::string_view key = "\nrun = ";
    auto at = text.find(key);
    if (!text.starts_with("# leura exec\n") || at == std::string_view::npos) return std::nullopt;
    auto line = text.substr(at + key.size());
    auto value = util::parse_json(line.substr(0, line.find('\n')));
    if (!value || !value->is(util::JsonValue::Type::string)) return std::nullopt;
    return value->text;
}

std::string adhoc_shell(std::string_view text) {
    constexpr std::string_view key = "\nshell = ";
    auto at = text.find(key);
    if (!adhoc_command(text) || at == std::string_view::npos) return {};
    auto line = text.substr(at + key.size());
    auto value = util::parse_json(line.substr(0, line.find('\n')));
    if (!value || !value->is(util::JsonValue::Type::string)) return {};
    return value->text;
}

namespace detail {

void add_error(config::Diagnostics& diags, const SourcePos& pos, const std::string& message,
               const std::string& text) {
    diags.add(pos, message, pos.line > 0 ? config::line_of(text, pos.line) : "");
}

// A download whose dest has no {host}, run on several hosts, would have them all write one
// file: refused before any host is touched.
bool shared_downloads_refused(const Prepared& p, config::Diagnostics& diags) {
    if (p.hosts.size() < 2) return true;
    bool ok = true;
    for (const auto* list : {&p.task.steps, &p.task.verify, &p.task.rollback})
        for (const auto& s : *list)
            if (s.download && !s.download->dest.empty() &&
                s.download->dest.find("{host}") == std::string::npos) {
                detail::add_error(diags, s.download->dest_pos,
                                  "the download's 'dest' has no {host}, and " +
                                      std::to_string(p.hosts.size()) +
                                      " hosts are selected: each would write the same file",
                                  p.task.text);
                ok = false;
            }
    return ok;
}

// Each selected host's connection; a host the ssh config cannot resolve is an error.
std::optional<Prepared> with_connections(std::optional<Prepared> p, const PrepareOptions& o,
                                         config::Diagnostics& diags) {
    if (!p) return p;
    static const SshSources none = [] {
        SshSources s;
        s.home = util::home_dir();
        s.local_user = util::user_name();
        return s;
    }();
    const SshSources& sources = o.ssh ? *o.ssh : none;
    std::set<std::string> seen;
    size_t problems = diags.size();
    for (const auto* h : p->hosts) {
        auto c = connection_for(*h, sources);
        if (!c) {
            diags.add({p->inventory_file.string(), 0, 0}, c.error().message);
            if (diags.size() - problems >= 5) break; // one cause, usually: a few say enough
            continue;
        }
        for (const auto& w : c->warnings)
            if (seen.insert(w).second) p->warnings.push_back(w);
        p->connections.push_back(std::move(*c));
    }
    if (diags.size() != problems) return std::nullopt;
    return p;
}

} // namespace detail

std::optional<Prepared> prepare(const PrepareOptions& o, config::Diagnostics& diags) {
    if (o.command && !o.shell.empty() && !config::is_shell_name(o.shell)) {
        diags.add({"--shell", 0, 0},
                  "'" + o.shell + "' is not a shell's name or absolute path, such as bash");
        return std::nullopt;
    }
    auto task = o.command ? std::optional(adhoc_task(*o.command, o.shell))
                          : config::load_task(o.task_file, diags);
    if (!task) return std::nullopt;
    std::string name = !o.inventory.empty()       ? o.inventory
                       : !task->inventory.empty() ? task->inventory
                                                  : o.default_inventory;
    if (name.empty()) {
        diags.add({task->file.string(), 0, 0},
                  "no inventory: set 'inventory' in the task or pass -i INVENTORY");
        return std::nullopt;
    }
    auto file = find_inventory(name, task->file, o.library);
    if (!file) {
        SourcePos pos = o.inventory.empty() ? key_pos(*task, "inventory") : SourcePos{"-i", 0, 0};
        detail::add_error(diags, pos,
                          "inventory '" + name +
                              "' not found (looked for it as a path and in "
                              "inventories/ beside the task, above it, beside the task "
                              "library and here)",
                          task->text);
        return std::nullopt;
    }
    auto inv = load_inventory(*file, diags);
    if (!inv) return std::nullopt;
    Prepared p;
    p.task = std::move(*task);
    p.task_name = o.task_name;
    p.inventory = std::move(*inv);
    // Recorded with the run, so `retry` and `resume` work from any directory.
    std::error_code ec;
    if (!p.task.adhoc) p.task.file = std::filesystem::absolute(p.task.file, ec).lexically_normal();
    p.inventory_file = std::filesystem::absolute(*file, ec).lexically_normal();
    if (!p.task.stages.empty()) return prepare_stages(std::move(p), o, diags);
    if (!o.only_hosts.empty())
        return detail::with_connections(
            narrowed(select_named(std::move(p), o.only_hosts, diags), o.narrow, diags), o, diags);
    p.flag_targets = o.targets;
    if (!select_targets(p, o, diags)) return std::nullopt;
    if (!detail::shared_downloads_refused(p, diags)) return std::nullopt;
    return detail::with_connections(std::move(p), o, diags);
}

namespace {

bool looks_like_task(const fs::path& file) {
    if (file.extension() != ".toml") return false;
    std::ifstream in(file);
    std::string line;
    std::regex inventory_marker(R"(^\s*(\[\[\s*hosts\s*\]\]|\[\s*defaults\s*\]|\[\s*groups[.\]]))");
    std::regex task_marker(R"(^\s*(\[\[\s*steps\s*\]\]|steps\s*=))");
    while (std::getline(in, line)) {
        if (std::regex_search(line, task_marker)) return true;
        if (std::regex_search(line, inventory_marker)) return false;
    }
    return true;
}

} // namespace

void check_files(const std::vector<std::string>& files, config::Diagnostics& diags,
                 std::shared_ptr<const SshSources> ssh) {
    for (const auto& f : files) {
        std::error_code ec;
        auto type = fs::status(f, ec).type();
        if (!ec && type != fs::file_type::regular) { // a FIFO would block, /dev/zero never end
            diags.add({f, 0, 0}, "cannot read the file: not a regular file");
            continue;
        }
        if (looks_like_task(f)) {
            config::Diagnostics task_diags;
            auto task = config::load_task(f, task_diags);
            for (const auto& d : task_diags.items())
                diags.add(d.pos, d.message, d.source_line);
            if (task && !task->inventory.empty()) {
                PrepareOptions o;
                o.task_file = f;
                o.ssh = ssh;
                prepare(o, diags);
            }
        } else if (auto inv = load_inventory(f, diags); inv && ssh) {
            // Every host as a run would reach it: what the ssh config refuses shows here.
            for (const auto& h : inv->hosts)
                if (auto c = connection_for(h, *ssh); !c) diags.add({f, 0, 0}, c.error().message);
        }
    }
}

} // namespace leura::app
