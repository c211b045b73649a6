// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/connections.hpp"
#include "config/diagnostic.hpp"
#include "config/task.hpp"
#include "inventory/inventory.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace leura::app {

// A task ready to run: validated, its inventory loaded and its hosts selected.
struct Prepared {
    config::Task task;
    std::filesystem::path inventory_file;
    inventory::Inventory inventory;
    // The selector the hosts came from, recorded with the run: the task's targets narrowed by
    // -t (`(TASK) & (FLAG)`), or either alone, or -t with --replace-targets; for `retry` and
    // `resume`, the hosts named.
    std::string targets;
    std::vector<const inventory::Host*> hosts;
    // How each of `hosts` is reached, same order (app/connections.hpp), and what the ssh
    // config warned about, once each.
    std::vector<HostConnection> connections;
    std::vector<std::string> warnings;
    std::string task_name;         // PrepareOptions::task_name
    std::string flag_targets;      // -t as given; empty without one
    bool targets_replaced = false; // --replace-targets: -t stood in for the task's targets
    // A workflow ([[stages]]): each stage prepared as a task of its own, in file order, its
    // hosts selected from its targets (narrowed by -t); `hosts` is then every stage's hosts.
    std::vector<Prepared> stages;
    std::string stage; // a stage's name (in `stages`)
};

struct PrepareOptions {
    std::string task_file;
    std::string task_name;               // its name in the task library ("" when given as a path)
    std::string inventory;               // -i: overrides the task's
    std::string default_inventory;       // the inventory setting: when neither names one
    std::string targets;                 // -t: narrows the task's (they intersect)
    bool replace_targets = false;        // --replace-targets: -t instead of the task's
    std::vector<std::string> only_hosts; // `retry`: exactly these hosts, instead of a selector
    std::string narrow; // with only_hosts: only those this selector also selects (`retry -t`)
    std::optional<std::string> command; // `exec`: this ad-hoc command instead of a task file
    std::string shell;                  // `exec --shell`: what runs the command; empty: sh
    // The ssh config and known_hosts choices; null: none read (the inventory alone decides).
    std::shared_ptr<const SshSources> ssh;
    // The task library, where a stage's `task = "name"` is found.
    std::filesystem::path library;
    // A workflow's stages to prepare; empty: all. (`retry --stage`, `resume`.)
    std::vector<std::string> only_stages;
    // `resume` and `retry` of a workflow: the hosts of each stage, instead of its selector.
    std::map<std::string, std::vector<std::string>> stage_hosts;
};

// Where the hosts came from, for `plan` and `--dry-run`: the task's targets, -t, and the
// selector both make with its host count, one per line.
std::string describe_targets(const Prepared& p);

// `leura exec`: a task of one step that runs `command` (by `shell`, when not empty), recorded
// like any other.
config::Task adhoc_task(const std::string& command, const std::string& shell = "");
// The command back from the text adhoc_task wrote (recorded with the run); nullopt when the
// text is not one of those.
std::optional<std::string> adhoc_command(std::string_view task_text);
// The shell it was run by; "" for the runner's sh (also for text adhoc_task did not write).
std::string adhoc_shell(std::string_view task_text);

// Loads and checks everything a run needs; every problem goes to `diags`, and the result is
// empty when there was any.
std::optional<Prepared> prepare(const PrepareOptions& options, config::Diagnostics& diags);

// Reads and builds an inventory file; every problem goes to `diags`.
std::optional<inventory::Inventory> load_inventory(const std::filesystem::path& file,
                                                   config::Diagnostics& diags);

// Where a task's `inventory = "name"` points: a path as given or relative to the task, else
// inventories/<name>.toml beside the task, above it, in the current directory, or beside the
// task library `library` (when given; where `inventory list` finds it).
std::optional<std::filesystem::path> find_inventory(const std::string& name,
                                                    const std::filesystem::path& task_file,
                                                    const std::filesystem::path& library = {});

// `leura check`: validates each file (task or inventory, told apart by content), reporting
// every problem. A task's inventory and selector are checked too.
// With `ssh`, every host is also resolved through the ssh config, as a run would.
void check_files(const std::vector<std::string>& files, config::Diagnostics& diags,
                 std::shared_ptr<const SshSources> ssh = nullptr);

} // namespace leura::app
