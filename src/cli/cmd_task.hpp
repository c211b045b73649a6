// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the `leura task` subcommands share: their flags, and the files that implement some of
// them (cmd_task_history.cpp: history, diff; cmd_task_search.cpp: search).
#include "app/context.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace leura::cli {

struct TaskFlags {
    std::string name;
    std::string pattern;
    std::string tag;
    std::string from;
    std::vector<std::string> versions; // task diff: up to two version numbers
    std::vector<std::string> words;    // task search
    bool json = false;
    bool yes = false;
    // task edit on a shared controller, between the person's front end and the service side:
    // print the task's text; save the text on stdin if the task's text still hashes to this.
    bool print_text = false;
    std::string save_over;
};

// "3m ago", from a record's RFC 3339 time ("-" when it does not parse).
std::string age(const app::Context& ctx, const std::string& at);

// The policy's word on `action` (view, edit) of the library task `name` (app/access_gate.hpp).
Status may(app::Context& ctx, const std::string& action, const std::string& name,
           bool audit_allowed);
// The library file of task `name`. Errors: not_found.
Result<std::filesystem::path> existing(const app::Context& ctx, const std::string& name);
// The audit log's entry for a change to the task library (a warning when it cannot be written:
// the change is made).
void audit_task(app::Context& ctx, const char* action, const std::string& name,
                const std::string& detail);
// The task was saved, but its history misses this version: said, not a failure.
void warn_unsaved_version(const std::string& name, const Error& e);

// `task edit` (cmd_task_edit.cpp): the editor runs as the person, never as the service account.
int task_edit(app::Context& ctx, const TaskFlags& f);

int task_history(app::Context& ctx, const TaskFlags& f);
int task_diff(app::Context& ctx, const TaskFlags& f);
int task_search(app::Context& ctx, const TaskFlags& f);

} // namespace leura::cli
