// SPDX-License-Identifier: Apache-2.0
#pragma once

// Where a task's `{ env = "VAR" }` secrets are read: this process's environment, unless the
// service side of a shared controller reads them from the person's own process instead
// (app/caller_env.hpp), as sudo gives it none of the person's variables.
#include <functional>
#include <optional>
#include <string>

namespace leura::config {

using EnvSource = std::function<std::optional<std::string>(const std::string& name)>;

// From now on, env_value() asks `source` (an empty one: this process's environment again).
void set_env_source(EnvSource source);

// The variable's value, nullopt when it is not set.
std::optional<std::string> env_value(const std::string& name);

} // namespace leura::config
