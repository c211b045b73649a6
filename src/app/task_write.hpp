// SPDX-License-Identifier: Apache-2.0
#pragma once

// Changes to the task library that `leura task new|edit` and the API's PUT on /v1/tasks/NAME
// make: a text is checked as the file it will be, then put in place atomically, so that no
// reader ever sees half a task and an invalid text is never installed.
#include "config/diagnostic.hpp"
#include "util/error.hpp"

#include <filesystem>
#include <string>

namespace leura::app {

// The problems `text` would have as the task at `file`, as `leura check` finds them: checked
// as a hidden file beside it (so script_file and upload paths resolve as they will), the
// problems named at `file`.
config::Diagnostics validate_task_text(const std::filesystem::path& file, const std::string& text);

// `text` as `file`: written to a hidden file beside it, then renamed over it; with `create`,
// linked to the name instead, which fails when the name exists by then (leura never
// overwrites a task it was asked to create). Errors: usage (it exists, with `create`), io.
Status install_task_text(const std::filesystem::path& file, const std::string& text, bool create);

} // namespace leura::app
