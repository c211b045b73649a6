// SPDX-License-Identifier: Apache-2.0
// Task files are validated in one pass that never stops early: every key is looked at and every
// problem reported, so a user fixes a file in one round rather than one error per run. Readers
// report through `Reporter` and return nullopt on a problem; whether the whole task is valid is
// decided once, by whether the diagnostics grew.
#include "config/task.hpp"

#include "config/toml_util.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <expected>
#include <limits>
#include <unistd.h>

namespace leura::config {

namespace {

using detail::Entry;
using detail::KeySet;
using detail::Reporter;
namespace fs = std::filesystem;
using std::chrono::milliseconds;

const KeySet k_task_keys{
    {"description", "inventory", "targets", "tags", "vars", "secrets", "steps", "rollout", "verify",
     "rollback", "shell", "stages", "parallel", "rollback_stages"},
    {},
};

const KeySet k_step_keys{
    {"name",          "command", "script",     "script_file", "local",  "timeout",       "env",
     "ignore_errors", "run_as",  "retries",    "interval",    "upload", "download",      "run_once",
     "custom",        "with",    "idempotent", "always",      "shell",  "secret_outputs"},
    {},
};

// The three arrays of step tables: [[steps]] itself, [[verify]] and [[rollback]]. They share
// every key and rule; only their names, and whether they may be absent or empty, differ.
struct StepList {
    const char* key;   // "steps": the array, as in [[steps]]
    const char* label; // "step": one entry, as in "step 2" (its default name and in messages)
    std::vector<Step> Task::*steps;
    bool required;
    bool transfers; // may hold upload and download steps; a check in [[verify]] may not
};
const StepList k_step_lists[] = {
    {"steps", "step", &Task::steps, true, true},
    {"verify", "verify", &Task::verify, false, false},
    {"rollback", "rollback", &Task::rollback, false, true},
};

bool is_transfer_key(const std::string& name) {
    return name == "upload" || name == "download";
}

// The keys that say what a step runs; a step has exactly one of them.
bool is_body_key(const std::string& name) {
    return name == "command" || name == "script" || name == "script_file" || name == "local" ||
           name == "custom" || is_transfer_key(name);
}

StepKind kind_of_body(const std::string& name) {
    return name == "command"    ? StepKind::command
           : name == "local"    ? StepKind::local
           : name == "upload"   ? StepKind::upload
           : name == "download" ? StepKind::download
           : name == "custom"   ? StepKind::custom
                                : StepKind::script;
}

// A POSIX-ish user name, as useradd accepts by default: ^[a-z_][a-z0-9_.-]*[$]?$ (the trailing
// '$' is for Samba machine accounts). It reaches `sudo -u`, so nothing else may pass.
bool is_user_name(std::string_view s) {
    if (!s.empty() && s.back() == '$') s.remove_suffix(1);
    if (s.empty() || !(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z'))) return false;
    for (char c : s) {
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        if (!ok) return false;
    }
    return true;
}

bool is_step_name(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
    return true;
}

bool is_executable_file(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

// leura-step-NAME in the task's steps/ folder, else on PATH: its path, or why not.
std::expected<std::string, std::string> find_custom_step(const std::string& name,
                                                         const fs::path& task_dir) {
    if (!is_step_name(name))
        return std::unexpected("'custom' must name a step type: letters, digits, '-' and '_'");
    std::string file = "leura-step-" + name;
    fs::path local = task_dir / "steps" / file;
    if (is_executable_file(local)) return fs::absolute(local).lexically_normal().string();
    const char* path = std::getenv("PATH");
    std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    while (!dirs.empty()) {
        size_t colon = dirs.find(':');
        std::string_view dir = dirs.substr(0, colon);
        dirs.remove_prefix(colon == dirs.npos ? dirs.size() : colon + 1);
        if (dir.empty()) continue; // an empty entry would mean the working directory
        fs::path candidate = fs::path(dir) / file;
        if (is_executable_file(candidate)) return candidate.string();
    }
    return std::unexpected("no executable " + file + " in " + (task_dir / "steps").string() +
                           " or on PATH");
}

// The text a step runs, from whichever of command/script/script_file/local `body` is; the file
// a script_file names goes to `script_file`. (upload and download are read by
// detail::read_upload and detail::read_download.)
std::optional<std::string> read_body(const Entry& body, const fs::path& task_dir,
                                     fs::path& script_file, Reporter& r) {
    const std::string name = detail::name_of(*body.first);
    auto value = detail::read_non_empty(*body.second, name, r);
    if (!value || name != "script_file") return value;
    fs::path script = task_dir / *value;
    script_file = script;
    auto text = detail::read_text_file(script);
    if (!text) {
        r.error(*body.first,
                "cannot read script_file '" + script.string() + "': " + text.error().message);
        return std::nullopt;
    }
    return std::move(*text);
}

// One body as read: `text` for command/script/script_file/local, `upload` or `download` for
// those; `ok` is false when it had a problem (reported already).
struct Body {
    Entry entry;
    bool ok = false;
    std::optional<std::string> text;
    std::optional<Upload> upload;
    std::optional<Download> download;
    std::string custom_path;
    fs::path script_file;
};

Body read_any_body(const Entry& entry, const std::string& where, const fs::path& task_dir,
                   Reporter& r) {
    const std::string name = detail::name_of(*entry.first);
    Body body;
    body.entry = entry;
    if (name == "upload") {
        body.upload = detail::read_upload(entry, where, task_dir, r);
        body.ok = body.upload.has_value();
    } else if (name == "download") {
        body.download = detail::read_download(entry, where, task_dir, r);
        body.ok = body.download.has_value();
    } else if (name == "custom") {
        body.text = detail::read_non_empty(*entry.second, name, r);
        if (body.text) {
            auto found = find_custom_step(*body.text, task_dir);
            if (!found)
                r.error(*entry.second, found.error());
            else
                body.custom_path = std::move(*found);
        }
        body.ok = !body.custom_path.empty();
    } else {
        body.text = read_body(entry, task_dir, body.script_file, r);
        body.ok = body.text.has_value();
    }
    return body;
}

// Exactly one body key; every extra one is reported where it stands. `disallowed`: a body key
// the list may not hold was there (reported already), so a missing body is not reported too.
void apply_body(Step& step, std::vector<Body>& bodies, const StepList& list,
                const std::string& where, bool disallowed, Reporter& r) {
    if (bodies.empty()) {
        if (!disallowed)
            r.error(step.pos, where + (list.transfers ? " needs one of 'command', 'script', "
                                                        "'script_file', 'local', 'custom', "
                                                        "'upload' or 'download'"
                                                      : " needs one of 'command', 'script', "
                                                        "'script_file', 'local' or 'custom'"));
        return;
    }
    const std::string first = detail::name_of(*bodies[0].entry.first);
    for (size_t i = 1; i < bodies.size(); ++i) {
        const std::string extra = detail::name_of(*bodies[i].entry.first);
        r.error(*bodies[i].entry.first, "'" + extra + "' cannot be combined with '" + first +
                                            "' in " + where + "; a step runs exactly one of them");
    }
    if (bodies.size() != 1 || !bodies[0].ok) return;
    step.kind = kind_of_body(first);
    if (bodies[0].text) step.body = std::move(*bodies[0].text);
    step.upload = std::move(bodies[0].upload);
    step.download = std::move(bodies[0].download);
    step.custom_path = std::move(bodies[0].custom_path);
    step.script_file = std::move(bodies[0].script_file);
}

// A shell name or absolute path: it becomes part of the command the host runs.
std::optional<std::string> read_shell(const toml::node& value, Reporter& r) {
    auto v = detail::read_non_empty(value, "shell", r);
    if (!v) return std::nullopt;
    if (!is_shell_name(*v)) {
        r.error(value, "'shell' must be a shell's name or absolute path, such as \"bash\"");
        return std::nullopt;
    }
    return v;
}

void read_step_key(Step& step, const std::string& name, const toml::node& value, Reporter& r) {
    if (name == "name") {
        if (auto v = detail::read_non_empty(value, name, r)) step.name = std::move(*v);
    } else if (name == "timeout") {
        step.timeout = detail::read_duration(value, name, r);
    } else if (name == "env") {
        if (auto v = detail::read_key_values(value, name, true, r)) step.env = std::move(*v);
    } else if (name == "ignore_errors") {
        if (auto v = detail::read_bool(value, name, r)) step.ignore_errors = *v;
    } else if (name == "with") {
        if (!value.is_table())
            r.error(value, "'with' must be a table, as in with = { unit = \"nginx\" }");
        else
            step.with_json = detail::to_json(value);
    } else if (name == "idempotent") {
        if (auto v = detail::read_bool(value, name, r)) step.idempotent = *v;
    } else if (name == "always") {
        if (auto v = detail::read_bool(value, name, r)) step.always = *v;
    } else if (name == "shell") {
        if (auto v = read_shell(value, r)) step.shell = std::move(*v);
    } else if (name == "run_once") {
        if (auto v = detail::read_bool(value, name, r)) step.run_once = *v;
    } else if (name == "run_as") {
        auto v = detail::read_non_empty(value, name, r);
        if (v && !is_user_name(*v))
            r.error(value, "'run_as' must be a user name");
        else if (v)
            step.run_as = std::move(*v);
    } else if (name == "retries") {
        if (auto v = detail::read_integer(value, name, 0, std::numeric_limits<int>::max(), r))
            step.retries = static_cast<int>(*v);
    } else if (name == "interval") {
        if (auto v = detail::read_duration(value, name, r)) step.interval = *v;
    } else if (name == "secret_outputs") {
        if (auto v = detail::read_string_array(value, name, r)) step.secret_outputs = std::move(*v);
    }
}

std::optional<Step> read_step(const toml::node& node, const StepList& list, int number,
                              const fs::path& task_dir, Reporter& r) {
    const std::string where = std::string(list.label) + " " + std::to_string(number);
    const auto* table = node.as_table();
    if (!table) {
        r.error(node, where + " must be a table, as written with [[" + list.key + "]]");
        return std::nullopt;
    }
    size_t before = r.count();
    Step step;
    step.name = where;
    step.pos = detail::table_pos(*table, r);
    std::vector<Body> bodies;
    const toml::key* run_as = nullptr;
    const toml::key* with = nullptr;
    const toml::key* shell = nullptr;
    bool disallowed = false;
    for (const auto& entry : detail::in_source_order(*table)) {
        const std::string name = detail::name_of(*entry.first);
        if (!detail::check_key(*entry.first, k_step_keys, where, r)) continue;
        if (is_transfer_key(name) && !list.transfers) {
            r.error(*entry.first,
                    "'" + name + "' is not allowed in [[" + std::string(list.key) + "]]");
            disallowed = true;
            continue;
        }
        if (is_body_key(name)) {
            bodies.push_back(read_any_body(entry, where, task_dir, r));
            continue;
        }
        if (name == "run_as") run_as = entry.first;
        if (name == "with") with = entry.first;
        if (name == "shell") shell = entry.first;
        read_step_key(step, name, *entry.second, r);
    }
    apply_body(step, bodies, list, where, disallowed, r);
    // A local step runs on the controller as the user running leura; sudo there is not ours to
    // do. Judged by the body that counts (the first), as an extra one is reported already.
    if (run_as && !bodies.empty() && detail::name_of(*bodies[0].entry.first) == "local")
        r.error(*run_as, "'run_as' cannot be used with a local step");
    if (with && !bodies.empty() && detail::name_of(*bodies[0].entry.first) != "custom")
        r.error(*with, "'with' belongs to custom steps (custom = \"NAME\")");
    // Uploads and downloads run leura's own scripts; a custom step's are its own.
    if (shell && !bodies.empty()) {
        const std::string body = detail::name_of(*bodies[0].entry.first);
        if (body == "upload" || body == "download" || body == "custom")
            r.error(*shell, "'shell' belongs to command, script and local steps, not to '" + body +
                                "' steps");
    }
    if (r.count() != before) return std::nullopt;
    return step;
}

void read_steps(Task& task, const StepList& list, const toml::node& node, Reporter& r) {
    const auto* array = node.as_array();
    if (!array) {
        r.error(node, std::string("'") + list.key +
                          "' must be an array of tables, as written with [[" + list.key + "]]");
        return;
    }
    if (array->empty() && list.required) r.error(node, "the task needs at least one step");
    int number = 0;
    for (const auto& item : *array) {
        if (auto step = read_step(item, list, ++number, task.file.parent_path(), r))
            (task.*list.steps).push_back(std::move(*step));
    }
}

// True when the task has [[rollback]] steps for on_failure = "rollback"; a malformed
// 'rollback' counts, as it is reported on its own.
bool has_rollback_steps(const toml::table& doc) {
    const toml::node* rollback = doc.get("rollback");
    if (!rollback) return false;
    const auto* array = rollback->as_array();
    return !array || !array->empty();
}

void read_task_key(Task& task, const std::string& name, const toml::node& value,
                   const toml::table& doc, Reporter& r) {
    if (name == "description" || name == "inventory" || name == "targets") {
        auto text = detail::read_string(value, name, r);
        if (!text) return;
        (name == "description" ? task.description
         : name == "inventory" ? task.inventory
                               : task.targets) = std::move(*text);
    } else if (name == "shell") {
        if (auto v = read_shell(value, r)) task.shell = std::move(*v);
    } else if (name == "tags") {
        if (auto v = detail::read_string_array(value, name, r)) task.tags = std::move(*v);
    } else if (name == "vars") {
        if (auto v = detail::read_key_values(value, name, true, r)) task.vars = std::move(*v);
    } else if (name == "secrets") {
        auto v = detail::read_secrets(value, doc.get("vars"), task.file.parent_path(),
                                      task.secret_files, r);
        if (v) task.secrets = std::move(*v);
    } else if (name == "rollout") {
        task.rollout = detail::read_rollout(value, has_rollback_steps(doc), r);
    } else if (name == "stages") {
        detail::read_stages(task, value, r);
    } else if (name == "parallel") {
        if (auto v = detail::read_integer(value, name, 1, 1000, r)) task.parallel = size_t(*v);
    } else if (name == "rollback_stages") {
        if (auto v = detail::read_choice(value, name, {"none", "completed"}, r))
            task.rollback_completed = *v == 1;
    } else {
        for (const auto& list : k_step_lists) {
            if (name == list.key) read_steps(task, list, value, r);
        }
    }
}

std::optional<Task> read_task(const fs::path& file, Diagnostics& diags) {
    size_t before = diags.size();
    Task task;
    task.file = file;
    auto doc = detail::parse_toml_file(file, task.text, diags);
    if (!doc) return std::nullopt;
    Reporter r(file.string(), task.text, diags);
    for (const auto& [key, value] : detail::in_source_order(*doc)) {
        if (detail::check_key(*key, k_task_keys, "the task", r))
            read_task_key(task, detail::name_of(*key), *value, *doc, r);
    }
    if (doc->contains("stages")) {
        // A workflow's steps are its stages'; a task-level list beside them would be ignored.
        for (const char* key : {"steps", "verify", "rollback", "rollout"})
            if (const auto* node = doc->get(key))
                r.error(*node, std::string("'") + key +
                                   "' belongs to each stage in a task with [[stages]] (as "
                                   "[[stages." +
                                   key + "]]" + ")");
    } else {
        for (const char* key : {"parallel", "rollback_stages"})
            if (const auto* node = doc->get(key))
                r.error(*node, std::string("'") + key + "' belongs to tasks with [[stages]]");
        if (!doc->contains("steps"))
            r.error(r.pos(0, 0), "the task has no steps; add at least one [[steps]] table");
    }
    if (diags.size() != before) return std::nullopt;
    return task;
}

// One unit of a duration: its suffix and its length in milliseconds.
struct DurationUnit {
    std::string_view suffix;
    int64_t ms;
};
// "ms" comes before "m" so that the longer suffix wins.
constexpr DurationUnit k_duration_units[] = {
    {"d", 86'400'000}, {"h", 3'600'000}, {"ms", 1}, {"m", 60'000}, {"s", 1000},
};

// Takes the leading decimal digits of `rest`; false when there are none or they overflow.
bool take_number(std::string_view& rest, int64_t& number) {
    size_t n = 0;
    number = 0;
    for (; n < rest.size() && rest[n] >= '0' && rest[n] <= '9'; ++n) {
        if (__builtin_mul_overflow(number, 10, &number) ||
            __builtin_add_overflow(number, rest[n] - '0', &number))
            return false;
    }
    rest.remove_prefix(n);
    return n > 0;
}

const DurationUnit* take_unit(std::string_view& rest) {
    for (const auto& unit : k_duration_units) {
        if (rest.starts_with(unit.suffix)) {
            rest.remove_prefix(unit.suffix.size());
            return &unit;
        }
    }
    return nullptr;
}

} // namespace

bool is_shell_name(std::string_view s) {
    return !s.empty() && s.find("..") == std::string_view::npos &&
           std::all_of(s.begin(), s.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '-' ||
                      c == '_' || c == '.';
           });
}

std::optional<Task> load_task(const fs::path& file, Diagnostics& diags) {
    try {
        return read_task(file, diags);
    } catch (const std::exception& e) {
        // Only allocation or filesystem failures can get here; report rather than escape.
        diags.add({file.string(), 0, 0}, std::string("cannot load the task: ") + e.what());
        return std::nullopt;
    }
}

std::optional<milliseconds> parse_duration(const std::string& text) {
    auto within = [](int64_t ms) -> std::optional<milliseconds> {
        if (ms > k_max_duration.count()) return std::nullopt;
        return milliseconds(ms);
    };
    std::string_view rest = text;
    int64_t number;
    int64_t total = 0;
    if (!take_number(rest, number)) return std::nullopt;
    if (rest.empty()) {
        if (__builtin_mul_overflow(number, 1000, &total)) return std::nullopt;
        return within(total);
    }
    // Units must shrink from left to right, as in "1h30m": "30m1h" or "5m5m" is a typo.
    int64_t previous_unit = std::numeric_limits<int64_t>::max();
    for (;;) {
        const DurationUnit* unit = take_unit(rest);
        if (!unit || unit->ms >= previous_unit) return std::nullopt;
        previous_unit = unit->ms;
        int64_t part;
        if (__builtin_mul_overflow(number, unit->ms, &part) ||
            __builtin_add_overflow(total, part, &total))
            return std::nullopt;
        if (rest.empty()) return within(total);
        if (!take_number(rest, number)) return std::nullopt;
    }
}

namespace detail {

void read_step_list(Task& body, const std::string& key, const toml::node& value, Reporter& r) {
    for (const auto& list : k_step_lists)
        if (key == list.key) read_steps(body, list, value, r);
}
bool has_rollback_steps(const toml::table& table) {
    return leura::config::has_rollback_steps(table);
}
std::optional<std::string> read_shell_key(const toml::node& value, Reporter& r) {
    return leura::config::read_shell(value, r);
}
bool is_step_name(std::string_view s) {
    return leura::config::is_step_name(s);
}

} // namespace detail

} // namespace leura::config
