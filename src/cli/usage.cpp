// SPDX-License-Identifier: Apache-2.0
//
// CLI11 says what went wrong but not for which command, and its help shows types and
// validators (`UINT:INT in [1 - 100000]`). Here the help formatter prints placeholders, and a
// rejected command line is read again, word by word against the command tree, to find the
// command it names and the first word that command does not know.
#include "cli/usage.hpp"

#include "app/exit_code.hpp"
#include "cli/report.hpp"
#include "config/task.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leura::cli {
namespace {

// What an option's value is, by its long name; options not listed fall back on their type.
const std::map<std::string, std::string, std::less<>>& placeholders() {
    static const std::map<std::string, std::string, std::less<>> table = {
        {"batches", "WAVES"},      {"concurrency", "N"},
        {"connect-attempts", "N"}, {"connect-timeout", "DURATION"},
        {"from", "TASK"},          {"grace", "DURATION"},
        {"host", "SELECTOR"},      {"inventory", "INVENTORY"},
        {"keep", "DURATION"},      {"keepalive", "DURATION"},
        {"known-hosts", "FILE"},   {"limit", "N"},
        {"port", "PORT"},          {"shell", "SHELL"},
        {"shuffle", "SEED"},       {"since", "DURATION"},
        {"ssh-config", "FILE"},    {"stage", "STAGE"},
        {"step", "STEP"},          {"tag", "TAG"},
        {"targets", "SELECTOR"},   {"user", "USER"},
        {"var", "NAME=VALUE"},     {"wait", "DURATION"},
    };
    return table;
}

// "a|b|c" for a value from a set (CLI11 describes IsMember as `TEXT:{a,b,c}`), else a word
// for the type: N for numbers, TEXT for the rest.
std::string placeholder(const CLI::Option& opt) {
    std::string type = opt.get_type_name();
    if (auto open = type.find(":{"); open != type.npos) {
        auto close = type.find('}', open);
        std::string items = type.substr(open + 2, close == type.npos ? close : close - open - 2);
        std::replace(items.begin(), items.end(), ',', '|');
        return items;
    }
    for (const auto& name : opt.get_lnames()) {
        if (auto it = placeholders().find(name); it != placeholders().end()) return it->second;
    }
    type = type.substr(0, type.find(':'));
    if (type == "INT" || type == "UINT" || type == "FLOAT" || type == "NUMBER") return "N";
    return "TEXT";
}

class Formatter : public CLI::Formatter {
public:
    // `--concurrency N`, `--wait [DURATION]`; flags and positionals (named already) get none.
    std::string make_option_opts(const CLI::Option* opt) const override {
        if (!opt->get_option_text().empty()) return " " + opt->get_option_text();
        if (opt->get_type_size() == 0 || opt->get_type_name().empty() || opt->get_positional())
            return "";
        std::string value = placeholder(*opt);
        return opt->get_expected_min() == 0 ? " [" + value + "]" : " " + value;
    }

    std::string make_option_desc(const CLI::Option* opt) const override {
        std::string desc = opt->get_description();
        if (opt->get_required() && !opt->get_positional()) desc += " (required)";
        if (!opt->get_default_str().empty() && desc.find("default") == desc.npos)
            desc += " (default: " + opt->get_default_str() + ")";
        return desc;
    }
};

std::string lowercase_first(std::string s) {
    if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

// A word as it can be pasted back into a shell.
std::string shell_word(std::string_view w) {
    bool plain = !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("@%+=:,./_-[]").find(c) != std::string_view::npos;
    });
    return plain ? std::string(w) : util::shell_quote(w);
}

CLI::App* find_subcommand(CLI::App& app, const std::string& word) {
    auto found = app.get_subcommands(
        [&word](CLI::App* sub) { return !sub->get_name().empty() && sub->check_name(word); });
    return found.empty() ? nullptr : found.front();
}

std::vector<std::string> subcommand_names(CLI::App& app) {
    std::vector<std::string> names;
    for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return !s->get_name().empty(); }))
        names.push_back(sub->get_name());
    return names;
}

bool takes_words(const CLI::App& app) {
    return !app.get_options([](const CLI::Option* o) { return o->get_positional(); }).empty();
}

// The command a command line names and the first word that command does not know.
struct Scan {
    CLI::App* app = nullptr;
    std::string parent; // "leura task" for `leura task new`; empty for leura itself
    std::string path = "leura";
    std::string unknown_option;
    bool option_after_words = false;      // it came after the command's first positional word
    std::string known_option_after_words; // the first of the command's own options there
    std::string unknown_command;
    int first_word = -1; // argv index of the command's first positional word
    bool json = false;   // --json was given to the command
};

Scan scan(CLI::App& root, int argc, char** argv) {
    Scan s;
    s.app = &root;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--") break;
        if (arg.size() > 1 && arg[0] == '-') {
            bool is_long = arg.starts_with("--");
            std::string name = is_long ? arg.substr(0, arg.find('=')) : arg.substr(0, 2);
            const CLI::Option* opt = s.app->get_option_no_throw(name);
            if (!opt || opt->get_positional()) {
                if (s.unknown_option.empty()) {
                    s.unknown_option = is_long ? name : arg;
                    s.option_after_words = s.first_word >= 0;
                }
                continue;
            }
            if (s.first_word >= 0 && s.known_option_after_words.empty())
                s.known_option_after_words = is_long ? name : arg;
            if (name == "--json") s.json = true;
            bool attached = is_long ? arg.find('=') != arg.npos : arg.size() > 2;
            if (opt->get_type_size() != 0 && !attached) i += opt->get_expected_min();
            continue;
        }
        if (s.first_word >= 0) continue;
        if (CLI::App* sub = find_subcommand(*s.app, arg)) {
            s.parent = s.path;
            s.path += " " + sub->get_name();
            s.app = sub;
            continue;
        }
        if (!takes_words(*s.app) && s.app->get_require_subcommand_min() > 0) {
            if (s.unknown_command.empty()) s.unknown_command = arg;
            continue;
        }
        s.first_word = i;
    }
    return s;
}

std::string unknown_command(CLI::App& app, const std::string& path, const std::string& word) {
    std::string hint = util::closest_match(word, subcommand_names(app));
    std::string where = path == "leura" ? "" : " for '" + path + "'";
    return "unknown command '" + word + "'" + where +
           (hint.empty() ? "" : "; did you mean '" + hint + "'?") + " (see: " + path + " --help)";
}

// A usage error as every other error is reported: a line on stderr, and the JSON error event
// on stdout when the command was given --json (a script reads one object either way).
int usage_failure(const std::string& message, bool json) {
    if (json) errors_as_json(stdout);
    return report(Error(ErrorKind::usage, message));
}

// A command whose positional words are a command to run on the hosts (`exec`): everything
// after its first word belongs to that command, so none of leura's options may follow it
// unless `--` says where the command starts.
bool takes_a_command(const CLI::App& app) {
    return app.get_option_no_throw("command") != nullptr;
}

// The command line again with `--` before the command's first word.
std::string with_separator(int argc, char** argv, int first_word) {
    std::string line = "leura";
    for (int i = 1; i < argc; ++i) {
        if (i == first_word) line += " --";
        line += " " + shell_word(argv[i]);
    }
    return line;
}

std::string unknown_option(const Scan& s, int argc, char** argv) {
    std::string advice;
    if (s.option_after_words) {
        advice = "; use -- before the command: " + with_separator(argc, argv, s.first_word);
    } else if (s.unknown_option.starts_with("--")) {
        std::vector<std::string> names;
        for (const CLI::Option* opt : s.app->get_options()) {
            for (const auto& l : opt->get_lnames())
                names.push_back("--" + l);
        }
        std::string hint = util::closest_match(s.unknown_option, names);
        if (!hint.empty()) advice = "; did you mean '" + hint + "'?";
    }
    return "unknown option '" + s.unknown_option + "' for '" + s.path + "'" + advice +
           " (see: " + s.path + " --help)";
}

} // namespace

void set_help_format(CLI::App& app) {
    app.formatter(std::make_shared<Formatter>());
    app.footer("leura help COMMAND, or leura COMMAND --help, shows a command's options.");
}

int help_command(CLI::App& app, int argc, char** argv) {
    CLI::App* command = &app;
    std::string parent, path = "leura";
    for (int i = 2; i < argc; ++i) {
        std::string word = argv[i];
        if (word == "-h" || word == "--help") continue;
        CLI::App* sub = find_subcommand(*command, word);
        if (!sub) return usage_failure(unknown_command(*command, path, word), false);
        parent = path;
        path += " " + sub->get_name();
        command = sub;
    }
    std::fputs(command->help(parent).c_str(), stdout);
    return to_int(ExitCode::ok);
}

std::optional<int> misplaced_option(CLI::App& app, int argc, char** argv) {
    Scan s = scan(app, argc, argv);
    if (!takes_a_command(*s.app) || s.known_option_after_words.empty()) return std::nullopt;
    return usage_failure("'" + s.known_option_after_words +
                             "' comes after the command's first "
                             "word, so it could be the command's or leura's; use -- before the "
                             "command: " +
                             with_separator(argc, argv, s.first_word) + " (see: " + s.path +
                             " --help)",
                         s.json);
}

int usage_error(CLI::App& app, const CLI::ParseError& error, int argc, char** argv) {
    Scan s = scan(app, argc, argv);
    if (!s.unknown_command.empty())
        return usage_failure(unknown_command(*s.app, s.path, s.unknown_command), s.json);
    if (!s.unknown_option.empty()) return usage_failure(unknown_option(s, argc, argv), s.json);
    if (s.app->get_require_subcommand_min() > 0 && !takes_words(*s.app) &&
        s.app->get_subcommands().empty()) {
        // `leura task`: what a person wants is the list of subcommands.
        std::fputs(s.app->help(s.parent).c_str(), stderr);
        return to_int(ExitCode::usage);
    }
    return usage_failure(lowercase_first(error.what()) + " (see: " + s.path + " --help)", s.json);
}

Result<std::chrono::milliseconds> since_flag(const std::string& value) {
    if (auto age = config::parse_duration(value)) return *age;
    return fail(ErrorKind::usage,
                "--since wants a duration such as 7d or 12h, got '" + value + "'");
}

} // namespace leura::cli
