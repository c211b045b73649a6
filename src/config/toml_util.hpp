// SPDX-License-Identifier: Apache-2.0
// Private to src/config: the shared toml++ plumbing of the task and inventory readers. toml++ is
// slow to compile, so only this header's users (toml_util.cpp, task_file.cpp, rollout_file.cpp,
// secrets_file.cpp, transfer_file.cpp, inventory_file.cpp, access_file.cpp,
// schedule_file.cpp) include it.
#pragma once

#include "config/diagnostic.hpp"
#include "config/task.hpp"
#include "util/error.hpp"

#include <toml++/toml.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leura::config::detail {

// The whole file, or an io/not_found/permission error saying why not. Never throws.
Result<std::string> read_text_file(const std::filesystem::path& file);

// Turns positions in one file into diagnostics that carry the offending source line.
class Reporter {
public:
    Reporter(std::string file, const std::string& text, Diagnostics& diags)
        : m_file(std::move(file)), m_text(text), m_diags(diags) {}

    SourcePos pos(const toml::source_region& region) const;
    SourcePos pos(int line, int column) const { return {m_file, line, column}; }

    void error(const SourcePos& at, std::string message);
    void error(const toml::node& at, std::string message) { error(pos(at.source()), message); }
    void error(const toml::key& at, std::string message) { error(pos(at.source()), message); }

    // How many problems the diagnostics hold, to tell whether a stage added any.
    size_t count() const { return m_diags.size(); }
    const std::string& file() const { return m_file; }

private:
    std::string m_file;
    const std::string& m_text;
    Diagnostics& m_diags;
};

// Reads and parses `file`; a read failure is reported at line 0, a syntax error where toml++
// found it. `text` receives the file contents whenever it could be read.
std::optional<toml::table> parse_toml_text(const std::string& text, const std::string& name,
                                           Diagnostics& diags);
std::optional<toml::table> parse_toml_file(const std::filesystem::path& file, std::string& text,
                                           Diagnostics& diags);

// A table's entries in the order they appear in the file (toml++ keeps them sorted by key),
// so that problems are reported, and key-value lists kept, in reading order.
using Entry = std::pair<const toml::key*, const toml::node*>;
inline std::string name_of(const toml::key& key) {
    return std::string(key.str());
}
std::vector<Entry> in_source_order(const toml::table& table);

// Where a table starts; implicit tables have no position, so their first key stands in.
SourcePos table_pos(const toml::table& table, const Reporter& r);

// The keys one table may hold: those this version reads, and those the file format reserves for
// a later version (rejected with a clear message rather than "unknown").
struct KeySet {
    std::vector<std::string> supported;
    std::vector<std::string> planned;
};

// True when `key` is supported; otherwise reports it (with a "did you mean" when a supported
// key is close) and returns false. `where` completes "unknown key 'x' in ...".
bool check_key(const toml::key& key, const KeySet& keys, std::string_view where, Reporter& r);

// Typed readers: each reports "'name' must be ..." at the value on a mismatch. `name` is the
// key as the user would write it ("timeout", "vars.x").
std::optional<std::string> read_string(const toml::node& node, std::string_view name, Reporter& r);
// Any TOML value as compact JSON (dates and times as strings).
std::string to_json(const toml::node& node);
std::optional<bool> read_bool(const toml::node& node, std::string_view name, Reporter& r);
std::optional<std::vector<std::string>> read_string_array(const toml::node& node,
                                                          std::string_view name, Reporter& r);
// 1..65535.
std::optional<int> read_port(const toml::node& node, std::string_view name, Reporter& r);
// A string that is not empty ("'name' must not be empty").
std::optional<std::string> read_non_empty(const toml::node& node, std::string_view name,
                                          Reporter& r);
// An integer from `min` to `max`: "'name' must be an integer of MIN or more" below or for another
// type, "'name' is too large" above.
std::optional<int64_t> read_integer(const toml::node& node, std::string_view name, int64_t min,
                                    int64_t max, Reporter& r);
// A duration greater than zero: a string for parse_duration ("90s", "1h30m") or an integer
// number of seconds.
std::optional<std::chrono::milliseconds> read_duration(const toml::node& node,
                                                       std::string_view name, Reporter& r);
// The index in `choices` of the string the value is; otherwise `'name' must be "a", "b" or "c"`,
// with a "did you mean" when one is close.
std::optional<size_t> read_choice(const toml::node& node, std::string_view name,
                                  const std::vector<std::string>& choices, Reporter& r);
// The choices as a user would write them: "a", "b" or "c".
std::string choice_list(const std::vector<std::string>& choices);
// `; did you mean "x"?` when `text` is a plausible typo of one of `choices`, else "".
std::string did_you_mean(std::string_view text, const std::vector<std::string>& choices);

// A table of string, integer, float or boolean values, kept as strings in file order. With
// `shell_names`, every key must be a POSIX shell variable name (they become `export` lines).
std::optional<KeyValues> read_key_values(const toml::node& node, std::string_view name,
                                         bool shell_names, Reporter& r);

// The [rollout] table (rollout_file.cpp). `has_rollback_steps`: the task has a non-empty
// [[rollback]] (or a malformed one, already reported), as on_failure = "rollback" requires.
std::optional<Rollout> read_rollout(const toml::node& node, bool has_rollback_steps, Reporter& r);

// The [secrets] table (secrets_file.cpp): each NAME = { env = "VAR" } or { file = "path" }, read
// now, in file order. `vars` is the task's 'vars' node, if any: a secret may not share a name
// with a variable. A relative file is found from `task_dir`; each file read is added to `files`.
// No report carries a secret's value.
std::optional<KeyValues> read_secrets(const toml::node& node, const toml::node* vars,
                                      const std::filesystem::path& task_dir, KeyPaths& files,
                                      Reporter& r);

// A step's `upload` and `download` bodies (transfer_file.cpp); `entry` is the key and its value,
// `where` names the step ("step 2"). A relative upload source is found from `task_dir` and must
// be a readable regular file now; a missing src or dest is reported at the key.
std::optional<Upload> read_upload(const Entry& entry, const std::string& where,
                                  const std::filesystem::path& task_dir, Reporter& r);
std::optional<Download> read_download(const Entry& entry, const std::string& where,
                                      const std::filesystem::path& task_dir, Reporter& r);

} // namespace leura::config::detail

namespace leura::config::detail {

// The task-level reading the stages reuse (task_file.cpp): `key` one of steps, verify and
// rollback, read into `body`; `table` holds the 'rollback' a rollout's on_failure needs.
void read_step_list(Task& body, const std::string& key, const toml::node& value, Reporter& r);
bool has_rollback_steps(const toml::table& table);
std::optional<std::string> read_shell_key(const toml::node& value, Reporter& r);
bool is_step_name(std::string_view s);

// [[stages]] (stage_file.cpp): each stage read into task.stages, then the graph checked
// (unknown and repeated names, cycles, `when` without a stage to follow).
void read_stages(Task& task, const toml::node& node, Reporter& r);

} // namespace leura::config::detail
