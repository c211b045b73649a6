// SPDX-License-Identifier: Apache-2.0
#pragma once

// The values shell completion offers (`leura __complete`, cli/complete.cpp): task and
// inventory names, a selector's last atom, runs, a run's hosts, steps and stages, settings
// keys. Completion runs on every TAB: nothing here touches the network, takes a lock, creates
// the data dir or writes to the records (the database is opened read-only), and every problem
// just means fewer candidates. The one file it writes is a slow inventory's words, in the
// user's cache folder (inventory_words).
#include "app/context.hpp"
#include "config/settings.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace leura::app {

struct Candidate {
    std::string value;
    std::string description; // "" for none
};

// What completion may list: under an access policy, only what the caller may view, as
// `task list`, `inventory list` and `runs` leave the rest out. An empty function allows all.
struct Visible {
    std::function<bool(const std::string& task)> task;
    std::function<bool(const std::string& inventory)> inventory;
    std::function<bool(const std::string& run_id)> run;
};
// The caller's view through the policy (nothing filtered with access control off); `ctx` must
// outlive the result.
Visible visible_to(Context& ctx);

// Library task names starting with `prefix`, described by their description line.
std::vector<Candidate> complete_tasks(const config::Settings& settings, std::string_view prefix,
                                      const Visible& visible = {});

// Names of the inventories `inventory list` finds, starting with `prefix`.
std::vector<Candidate> complete_inventories(const config::Settings& settings,
                                            std::string_view prefix, const Visible& visible = {});

// The inventory file a command line selects from: its -i (a name or a path), else the task's
// `inventory` (`task`: a library name or a task file; may be empty), else the setting.
std::optional<std::filesystem::path> inventory_for(const config::Settings& settings,
                                                   const std::string& inventory_arg,
                                                   const std::string& task_arg);

struct Completion {
    std::vector<Candidate> candidates;
    bool no_space = false; // a candidate is a start only (`az=`, a folded run of host names)
};

// The selector `word` ending in the atom being typed (after the last `,` `&` `!` `(`):
// groups, `all`, attribute tests (`key=value`) and host names of `inventory` starting with
// that atom, each as the whole word. Host names past `limit` are folded into the shortest
// starts that keep them under it.
Completion complete_selector(const std::filesystem::path& inventory, std::string_view word,
                             size_t limit = 500);

// Host names of `inventory` starting with `prefix` (folded past `limit` as above).
Completion complete_inventory_hosts(const std::filesystem::path& inventory, std::string_view prefix,
                                    size_t limit = 500);

// Runs whose id starts with `prefix`, newest first, described by task, status and age.
std::vector<Candidate> complete_runs(const std::filesystem::path& data_dir, std::string_view prefix,
                                     std::chrono::system_clock::time_point now, size_t limit = 200,
                                     const Visible& visible = {});

// The inventory file run `run` (an id prefix, `last`, `last~N`) used (retry and resume reuse it).
std::optional<std::filesystem::path> run_inventory(const std::filesystem::path& data_dir,
                                                   const std::string& run);

// What run `run` (an id prefix, `last`, `last~N`) recorded: its hosts, its steps' names, a
// workflow's stages; each starting with `prefix`.
enum class RunPart { hosts, steps, stages };
std::vector<Candidate> complete_run_part(const std::filesystem::path& data_dir,
                                         const std::string& run, RunPart part,
                                         std::string_view prefix, const Visible& visible = {});

// An inventory's words as completion offers them: groups, attribute tests (`key=value`) and
// host name patterns (ranges not expanded).
struct InventoryWords {
    std::set<std::string> groups;
    std::set<std::string> attrs;
    std::vector<std::string> patterns;
};
// Read from the file, or from `cache_dir` when the words kept there are of the file as it is
// now; kept there (written whole, then renamed) when reading the file took `slow` or more.
// Nothing when the file cannot be read or is not a valid inventory file.
std::optional<InventoryWords>
inventory_words(const std::filesystem::path& file, const std::filesystem::path& cache_dir,
                std::chrono::milliseconds slow = std::chrono::milliseconds(50));
// $XDG_CACHE_HOME/leura/completion (default ~/.cache/leura/completion).
std::filesystem::path completion_cache_dir();

// Settings keys starting with `prefix`, described by what they set.
std::vector<Candidate> complete_settings(std::string_view prefix);

// Names past `limit` become their shortest distinct starts longer than `prefix` that number
// at most `limit` (each described by how many names it stands for). Returns whether it folded.
bool fold_names(std::vector<Candidate>& names, std::string_view prefix, size_t limit);

} // namespace leura::app
