// SPDX-License-Identifier: Apache-2.0
#pragma once

// Locks and crash recovery. A run holds two flocks for its whole life, both released by the
// kernel however the process ends: its task's (one run per task at a time) and its own (the
// proof that it is alive). A run recorded as running whose own lock is free died without
// finishing (kill -9, power loss): the next leura marks it interrupted and packs its spool.

#include "store/store.hpp"
#include "util/file_lock.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace leura::app {

// The task's lock; `wait` (--wait) queues behind the holder, after telling `waiting` what it
// waits for (the holding run and how long at most). Errors: locked (naming the run that holds
// it), io.
Result<util::FileLock> lock_task(const std::filesystem::path& data,
                                 const std::filesystem::path& task,
                                 std::optional<std::chrono::milliseconds> wait,
                                 const std::function<void(const std::string&)>& waiting = {});

// Who holds the task's lock now: nothing when free, else its note ("run ID (pid N)", or "" when
// unreadable). A free lock is taken and dropped at once to tell. Errors: io.
Result<std::optional<std::string>> task_lock_holder(const std::filesystem::path& data,
                                                    const std::filesystem::path& task);
// The run's own lock, noted with the task lock's holder text.
Result<util::FileLock> lock_run(const std::filesystem::path& data, const std::string& run_id);

// What a lock says of its holder: "run ID (pid N)".
std::string holder_note(const std::string& run_id);

// The pid a lock's note names ("run ID (pid N)"); nothing when it names none.
std::optional<pid_t> pid_in_note(const std::string& note);
// The pid of a live run's process, from its own lock; nothing when that process is gone (the
// lock is free) or the note names none. Errors: io.
Result<std::optional<pid_t>> live_run_pid(const std::filesystem::path& data,
                                          const std::string& run_id);
// Finds runs recorded as running whose process is gone; marks each interrupted (hosts still
// running become interrupted; steps still running stay so: their outcome is unknown) and packs
// its spool into its archive. The ids it recovered.
Result<std::vector<std::string>> recover_dead_runs(store::Store& store,
                                                   const std::filesystem::path& data);

} // namespace leura::app
