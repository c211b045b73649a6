// SPDX-License-Identifier: Apache-2.0
#pragma once

// Custom steps (docs/custom-steps.md): the request leura writes to a leura-step-NAME
// executable, and its answer turned into commands for the engine.

#include "config/task.hpp"
#include "exec/engine.hpp"
#include "util/error.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace leura::app {

struct CustomRequest {
    std::string run;
    int batch = 0;
    std::string host;
    const config::KeyValues* attrs = nullptr;
    config::KeyValues vars; // inventory < task < --var, later ones winning
    const config::KeyValues* secrets = nullptr;
    const config::Step* step = nullptr;
};

// One JSON object on one line, protocol 1.
std::string custom_request(const CustomRequest& r);

// What answered commands run with: the exports in front of each script, and the step's user.
struct CustomContext {
    std::string step_name;
    config::KeyValues exports;
    std::string run_as;
    std::filesystem::path task_dir; // relative upload sources are resolved against it
};

// {"result": ANY} or {"steps": [{"command": ".."} | {"script": ".."} | {"upload": {..}}]}.
// Errors (kind exit) say what is wrong with the answer, at which byte or entry.
Result<exec::CustomAnswer> read_custom_answer(std::string_view answer, const CustomContext& c);

} // namespace leura::app
