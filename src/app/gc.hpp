// SPDX-License-Identifier: Apache-2.0
#pragma once

// `leura gc`: which runs go (a pure choice over the records, app/gc_policy.cpp) and their
// going (app/gc.cpp): rows through store::Store::delete_run_rows, the archive, the spool and
// the downloads leura kept under the data dir; and the data dir's size for `leura run`'s
// warning.
#include "app/context.hpp"
#include "store/store.hpp"
#include "util/time.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace leura::app {

struct GcPolicy {
    std::chrono::milliseconds keep{0}; // runs started longer ago than this may go
    int64_t keep_runs = 10;            // the newest this many runs of each task stay, however old
};

// A run as the policy sees it.
struct GcRun {
    std::string id;
    std::string task;
    std::string started_at; // RFC 3339 UTC: sorts as text
    std::string status;
    std::optional<std::string> parent;  // a workflow's stage run: its workflow's run
    std::optional<std::string> resumes; // the run it continues
    bool live = false;                  // its run lock is held: a process is recording it
};

// A run to delete, with its workflow stage runs (empty for a plain run).
struct GcChoice {
    std::string id;
    std::vector<std::string> stages;
};

// The runs `policy` deletes at `now`, oldest first. A workflow and its stage runs are one
// unit: stages are never chosen apart from their workflow (a stage whose workflow is not
// recorded counts as a run of its own). A unit stays when any of these holds:
// - it is among the newest policy.keep_runs units of its task (runs.task);
// - it started at or after now - policy.keep;
// - it, or one of its stages, is running or live;
// - a unit that stays continues it (`resumes`, of the unit or a stage, followed
//   transitively): `leura resume` and `show` read the runs a run continues.
std::vector<GcChoice> choose_runs(const std::vector<GcRun>& runs, const GcPolicy& policy,
                                  util::SystemTime now);

struct GcOptions {
    std::optional<std::chrono::milliseconds> keep; // --keep; else the retention setting
    std::optional<int64_t> keep_runs;              // --keep-runs; else retention_runs
    bool dry_run = false;
    bool vacuum = false; // VACUUM the database afterwards
};

// One deleted (or, dry, deletable) run and what went with it.
struct GcDeleted {
    std::string id;
    std::string task;
    std::string started_at;
    std::string status;
    size_t stages = 0;
    store::RunRows rows;        // its rows and its stages'
    uint64_t archive_bytes = 0; // its archives' (and its stages')
    uint64_t other_bytes = 0;   // its spool and downloads under the data dir
};

struct GcReport {
    GcPolicy policy;
    bool dry_run = false;
    std::vector<GcDeleted> runs;
    store::RunRows rows; // the total
    uint64_t archive_bytes = 0, other_bytes = 0;
    int64_t db_before = 0, db_after = 0;      // bytes of data in the database's pages
    uint64_t file_before = 0, file_after = 0; // the database file and its WAL, on disk
    bool vacuumed = false;
    size_t transactions = 0;
    std::vector<std::string> warnings; // runs kept because their files could not be removed
};

// Runs per delete transaction, and step rows: a transaction stops at whichever comes first, so
// a `leura run` recording meanwhile waits for at most one short transaction.
inline constexpr size_t k_gc_runs_per_transaction = 50;
inline constexpr int64_t k_gc_steps_per_transaction = 20000;

// Deletes what the policy chooses: for each chosen run, its archive, spool and downloads
// (files first: a run whose files went but whose rows stayed is found again by the next gc),
// then its rows and its stages' in bounded transactions. The live runs are found again before
// each transaction. Errors: usage (no --keep and no retention setting; --vacuum while a run is
// live), io, those of the records.
Result<GcReport> collect_garbage(Context& ctx, const GcOptions& options);

// The database (and its WAL) and every archive under the data dir, in bytes: a stat of each.
uint64_t data_size(const std::filesystem::path& data_dir);

// The warning `leura run` gives when data_size() is over the warn_size setting; nullopt when
// under it (or warn_size is 0).
std::optional<std::string> size_warning(const Context& ctx);

} // namespace leura::app
