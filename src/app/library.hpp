// SPDX-License-Identifier: Apache-2.0
#pragma once

// The task library (docs/tasks.md, "The task library"): a folder where web/restart-nginx.toml is
// the task "web/restart-nginx". An argument that starts with `/` or `.`, or ends in `.toml`, is a
// path; anything else is a name in the library.
#include "config/settings.hpp"
#include "config/task.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace leura::app {

// The `library` setting; else ./runbooks when it is a folder; else
// $XDG_CONFIG_HOME/leura/runbooks (default ~/.config/leura/runbooks).
std::filesystem::path library_root(const config::Settings& settings);

bool is_task_path(std::string_view arg);

// A name's file under `root`. Errors: usage (not a name: empty, `..`, a bad character),
// not_found (no such task; with a did-you-mean among the library's names).
Result<std::filesystem::path> library_file(const std::filesystem::path& root,
                                           const std::string& name);

// What a task argument names: a path as given, or a library task's file. `name` receives the
// library name: also for a path to a file in the library (a retry names its task by the
// path recorded), "" for a path elsewhere.
Result<std::filesystem::path> resolve_task(const std::filesystem::path& root,
                                           const std::string& arg, std::string& name);

struct LibraryTask {
    std::string name;
    std::filesystem::path file;
};
// Every task in the library, sorted by name (hidden files and folders left out).
std::vector<LibraryTask> library_tasks(const std::filesystem::path& root);
// One task as `task list --json` and GET /v1/tasks show it: `task` null when it does not load,
// `last` its newest run if any.
std::string library_task_json(const LibraryTask& t, const config::Task* task,
                              const store::RunRecord* last);

// The inventory files `inventory list` shows, absolute, each once: ./inventories/*.toml, the
// inventories folder beside the task library, and the inventory setting's file.
std::vector<std::filesystem::path> known_inventories(const config::Settings& settings);

// A new task's text: a commented skeleton that passes `leura check`.
std::string task_skeleton(const std::string& name);

} // namespace leura::app
