// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the `leura task` subcommands share: their flags, and the files that implement some of
// them (cmd_task_history.cpp: history, diff; cmd_task_search.cpp: search).
#include "app/context.hpp"

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
};

// "3m ago", from a record's RFC 3339 time ("-" when it does not parse).
std::string age(const app::Context& ctx, const std::string& at);

int task_history(app::Context& ctx, const TaskFlags& f);
int task_diff(app::Context& ctx, const TaskFlags& f);
int task_search(app::Context& ctx, const TaskFlags& f);

} // namespace leura::cli
