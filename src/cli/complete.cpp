// SPDX-License-Identifier: Apache-2.0
//
// The words before the one being completed are read again against the command tree, as
// usage.cpp does for errors: subcommands descend, options skip their values (and remember
// them: -i, a task, a run), other words fill the command's positionals in turn. What the last
// word is then decides the candidates: an option's name, an option's value, a positional's
// value or a subcommand.
#include "cli/complete.hpp"

#include "app/completion.hpp"
#include "app/context.hpp"
#include "app/library.hpp"
#include "config/settings.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace leura::cli {

namespace {

using app::Candidate;

struct Answer {
    std::vector<Candidate> candidates;
    int directive = k_no_file;
};

bool starts(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

bool takes_value(const CLI::Option& opt) {
    return opt.get_type_size() != 0 && !opt.get_positional();
}

std::string key_of(const CLI::Option& opt) {
    return opt.get_single_name();
}

// The values of a set (CLI11 describes IsMember as `TEXT:{a,b,c}`).
std::vector<std::string> choices(const CLI::Option& opt) {
    std::string type = opt.get_type_name();
    std::vector<std::string> out;
    auto open = type.find(":{");
    if (open == type.npos) return out;
    auto close = type.find('}', open);
    std::string items = type.substr(open + 2, close == type.npos ? close : close - open - 2);
    size_t at = 0;
    while (at <= items.size()) {
        size_t comma = items.find(',', at);
        if (comma == items.npos) comma = items.size();
        if (comma > at) out.push_back(items.substr(at, comma - at));
        at = comma + 1;
    }
    return out;
}

CLI::App* find_subcommand(CLI::App& app, const std::string& word) {
    auto found = app.get_subcommands(
        [&word](CLI::App* sub) { return !sub->get_name().empty() && sub->check_name(word); });
    return found.empty() ? nullptr : found.front();
}

std::vector<const CLI::Option*> positionals(const CLI::App& app) {
    return app.get_options([](const CLI::Option* o) { return o->get_positional(); });
}

// The command line read so far.
struct Walk {
    CLI::App* app = nullptr;
    std::map<std::string, std::string> given; // by option or positional name: the last value
    size_t words = 0;                         // positional words given to `app`
    bool after_separator = false;             // after `--`
    const CLI::Option* pending = nullptr;     // the option the current word is the value of
};

void positional_word(Walk& w, const std::string& word) {
    auto pos = positionals(*w.app);
    if (!pos.empty()) {
        size_t i = std::min(w.words, pos.size() - 1);
        if (w.words < pos.size() || pos[i]->get_expected_max() > 1) w.given[key_of(*pos[i])] = word;
    }
    ++w.words;
}

Walk walk(CLI::App& root, const std::vector<std::string>& words) {
    Walk w;
    w.app = &root;
    for (size_t i = 0; i < words.size(); ++i) {
        const std::string& word = words[i];
        if (w.after_separator) {
            positional_word(w, word);
            continue;
        }
        if (word == "--") {
            w.after_separator = true;
            continue;
        }
        if (word.size() > 1 && word[0] == '-') {
            bool is_long = word.starts_with("--");
            std::string name = is_long ? word.substr(0, word.find('=')) : word.substr(0, 2);
            const CLI::Option* opt = w.app->get_option_no_throw(name);
            if (!opt || !takes_value(*opt)) continue;
            bool attached = is_long ? word.find('=') != word.npos : word.size() > 2;
            if (attached) {
                w.given[key_of(*opt)] = word.substr(is_long ? word.find('=') + 1 : 2);
            } else if (i + 1 < words.size()) {
                if (opt->get_expected_min() == 0 && words[i + 1].starts_with('-')) continue;
                w.given[key_of(*opt)] = words[++i];
            } else {
                w.pending = opt;
            }
            continue;
        }
        if (w.words == 0) {
            if (CLI::App* sub = find_subcommand(*w.app, word)) {
                w.app = sub;
                continue;
            }
        }
        positional_word(w, word);
    }
    return w;
}

std::string given(const Walk& w, const std::string& key) {
    auto it = w.given.find(key);
    return it == w.given.end() ? "" : it->second;
}

config::Settings settings() {
    config::Diagnostics diags;
    auto s = config::load_settings(config::settings_files(), std::getenv, diags);
    return s ? std::move(*s) : config::Settings{};
}

// The caller's view through the access policy, made once per completion: names they may not
// see are never offered. When the settings do not load, nothing can be decided: nothing is
// offered that a policy could hide.
const app::Visible& visible() {
    static std::optional<app::Context> ctx = [] {
        config::Diagnostics diags;
        return app::process_context(diags);
    }();
    static const app::Visible view = [] {
        if (ctx) return app::visible_to(*ctx);
        app::Visible none;
        none.task = none.inventory = none.run = [](const std::string&) { return false; };
        return none;
    }();
    return view;
}

bool looks_like_path(std::string_view word) {
    return word.starts_with('/') || word.starts_with('.') || word.starts_with('~') ||
           word.find('/') != word.npos;
}

// Files, or only those ending in `.ext` (and folders) when `ext` is given.
Answer files(const char* ext = nullptr) {
    if (!ext) return {{}, k_default};
    return {{{ext, ""}}, k_filter_ext};
}

// A task argument: a library name, else a task file.
Answer task_value(const config::Settings& s, const std::string& cur, bool files_too) {
    if (files_too && app::is_task_path(cur)) return files("toml");
    auto tasks = app::complete_tasks(s, cur, visible());
    if (tasks.empty() && files_too) return files("toml");
    return {std::move(tasks), k_no_file};
}

const char* command_name(const Walk& w) {
    return w.app->get_name().c_str();
}

std::string parent_name(const Walk& w) {
    const CLI::App* parent = w.app->get_parent();
    return parent ? parent->get_name() : "";
}

// The value of `opt` (an option or a positional) starting with `cur`.
Answer value_of(const Walk& w, const CLI::Option& opt, const std::string& cur) {
    if (auto set = choices(opt); !set.empty()) {
        Answer a;
        for (auto& c : set)
            if (starts(c, cur)) a.candidates.push_back({c, ""});
        return a;
    }
    const std::string key = key_of(opt);
    const std::string command = command_name(w);
    const config::Settings s = settings();
    auto data_dir = [&] { return app::data_dir_for(s); };
    if (key == "task" && opt.get_positional()) return task_value(s, cur, true);
    if (key == "task" || key == "from") return task_value(s, cur, false);
    if (key == "name" && parent_name(w) == "task" && command != "new")
        return task_value(s, cur, false);
    if (key == "inventory") {
        if (looks_like_path(cur)) return files();
        auto names = app::complete_inventories(s, cur, visible());
        if (names.empty()) return files();
        return {std::move(names), k_default};
    }
    if (key == "targets") {
        // retry and resume: the run's inventory unless -i names another.
        std::optional<std::filesystem::path> inv;
        if (!given(w, "run").empty() && given(w, "inventory").empty())
            inv = app::run_inventory(data_dir(), given(w, "run"));
        if (!inv) inv = app::inventory_for(s, given(w, "inventory"), given(w, "task"));
        if (!inv) return {};
        auto c = app::complete_selector(*inv, cur);
        return {std::move(c.candidates), k_no_file | (c.no_space ? k_no_space : 0)};
    }
    if (key == "run" && opt.get_positional())
        return {
            app::complete_runs(data_dir(), cur, std::chrono::system_clock::now(), 200, visible()),
            k_no_file};
    if (command == "logs" || command == "show" || command == "retry") {
        std::string run = given(w, "run").empty() ? "last" : given(w, "run");
        if (key == "host")
            return {app::complete_run_part(data_dir(), run, app::RunPart::hosts, cur, visible()),
                    k_no_file};
        if (key == "step")
            return {app::complete_run_part(data_dir(), run, app::RunPart::steps, cur, visible()),
                    k_no_file};
        if (key == "stage")
            return {app::complete_run_part(data_dir(), run, app::RunPart::stages, cur, visible()),
                    k_no_file};
    }
    if (command == "ssh-config" && key == "host") {
        auto inv = app::inventory_for(s, given(w, "inventory"), "");
        if (!inv) return {};
        auto c = app::complete_inventory_hosts(*inv, cur);
        return {std::move(c.candidates), k_no_file | (c.no_space ? k_no_space : 0)};
    }
    if (key == "key" || key == "setting") return {app::complete_settings(cur), k_no_file};
    if (key == "ssh-config" || key == "known-hosts" || key == "files" || key == "command")
        return files();
    return {};
}

Answer option_names(const CLI::App& app, const std::string& cur) {
    Answer a;
    for (const CLI::Option* opt : app.get_options()) {
        if (opt->get_positional()) continue;
        for (const auto& l : opt->get_lnames())
            if (starts("--" + l, cur)) a.candidates.push_back({"--" + l, opt->get_description()});
        for (const auto& s : opt->get_snames())
            if (starts("-" + s, cur)) a.candidates.push_back({"-" + s, opt->get_description()});
    }
    return a;
}

// `leura help COMMAND...`: the commands under the ones named.
Answer help_topics(CLI::App& root, const std::vector<std::string>& args) {
    CLI::App* app = &root;
    for (size_t i = 1; i + 1 < args.size(); ++i) {
        app = find_subcommand(*app, args[i]);
        if (!app) return {};
    }
    Answer a;
    for (const CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; }))
        if (starts(sub->get_name(), args.back()) && sub->get_name() != "help")
            a.candidates.push_back({sub->get_name(), sub->get_description()});
    return a;
}

Answer answer(CLI::App& root, const std::vector<std::string>& args) {
    if (args.empty()) return {};
    const std::string& cur = args.back();
    if (args.size() > 1 && args.front() == "help") return help_topics(root, args);
    Walk w = walk(root, {args.begin(), args.end() - 1});
    if (w.pending && !(w.pending->get_expected_min() == 0 && cur.starts_with('-')))
        return value_of(w, *w.pending, cur);
    if (!w.after_separator && cur.starts_with('-')) {
        if (auto eq = cur.find('='); cur.starts_with("--") && eq != cur.npos) {
            const CLI::Option* opt = w.app->get_option_no_throw(cur.substr(0, eq));
            if (!opt || !takes_value(*opt)) return {};
            Answer a = value_of(w, *opt, cur.substr(eq + 1));
            for (auto& c : a.candidates)
                if (!(a.directive & (k_filter_ext | k_filter_dirs)))
                    c.value = cur.substr(0, eq + 1) + c.value;
            return a;
        }
        return option_names(*w.app, cur);
    }
    Answer a;
    if (w.words == 0 && !w.after_separator) {
        for (const CLI::App* sub : w.app->get_subcommands([](CLI::App*) { return true; }))
            if (starts(sub->get_name(), cur) && !sub->get_name().starts_with("_"))
                a.candidates.push_back({sub->get_name(), sub->get_description()});
    }
    auto pos = positionals(*w.app);
    if (!pos.empty() && (w.words < pos.size() || pos.back()->get_expected_max() > 1)) {
        const CLI::Option& p = *pos[std::min(w.words, pos.size() - 1)];
        Answer v = value_of(w, p, cur);
        if (a.candidates.empty()) return v;
        a.candidates.insert(a.candidates.end(), v.candidates.begin(), v.candidates.end());
    }
    return a;
}

// Candidates are one line each: no TAB or line break inside.
std::string one_line(std::string s, bool tab_too) {
    for (char& c : s)
        if (c == '\n' || c == '\r' || (tab_too && c == '\t')) c = ' ';
    return s;
}

} // namespace

int complete_command(CLI::App& app, const std::vector<std::string>& args) {
    Answer a = answer(app, args);
    std::string out;
    for (const auto& c : a.candidates) {
        out += one_line(c.value, true);
        if (!c.description.empty()) out += "\t" + one_line(c.description, true);
        out += "\n";
    }
    out += ":" + std::to_string(a.directive) + "\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

} // namespace leura::cli
