// SPDX-License-Identifier: Apache-2.0
#pragma once

// The history of library tasks (`leura task history`, `leura task diff`): every distinct
// content a task had when `task new` made it, `task edit` saved it or a run used it, kept in
// the records (store::TaskVersion).
#include "app/context.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace leura::app {

enum class VersionSource { created, edited, ran };
const char* to_string(VersionSource source); // "new", "edit", "run"

// Saves `content` as the newest version of library task `name` (its file `file`), by the
// context's principal, now; nothing when that is already the newest. Returns whether a
// version was added. Errors: io, config (the records cannot be opened or written).
Result<bool> save_task_version(Context& ctx, const std::string& name,
                               const std::filesystem::path& file, const std::string& content,
                               VersionSource source);

struct TaskHistory {
    std::string name;
    std::filesystem::path file;
    std::optional<std::string> current;        // the file's content now (none: no such file)
    std::optional<std::string> current_sha256; // its sha256
    std::vector<store::TaskVersion> versions;  // oldest first, numbered from 1
};

// The saved versions of library task `name` and its file now. A removed task's history is
// still there. Errors: usage (not a task name), not_found (no file and nothing saved, with a
// did-you-mean), io/config from the records.
Result<TaskHistory> task_history(Context& ctx, const std::string& name, bool contents = true);

// One side of a diff: a label for its header, and its text.
struct DiffSide {
    std::string label;
    std::string text;
};
struct DiffSides {
    DiffSide from, to;
};

// What `task diff NAME [FROM] [TO]` compares: version FROM (default: the newest) with version
// TO (default: the file now). Errors: usage (not a version number), not_found (no such
// version, or nothing saved, or no file to compare with).
Result<DiffSides> diff_sides(const TaskHistory& history, const std::optional<std::string>& from,
                             const std::optional<std::string>& to);

} // namespace leura::app
