// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/context.hpp"
#include "app/prepare.hpp"
#include "store/store.hpp"

namespace leura::app {

// Everything recorded about one run, named by a unique prefix of its id. A run the person
// acting may not see (app/access_gate.hpp) is refused: denied.
struct RunView {
    store::RunRecord run;
    std::vector<store::HostRecord> hosts;
    std::vector<store::StepRecord> steps;
    std::vector<store::BatchRecord> batches;
};
// A run's id from a unique prefix, or from "last" / "last~N" counted among the runs the
// person acting may see: under an access policy someone else's newest run is not their
// "last". Errors: not_found, usage (an ambiguous prefix).
Result<std::string> resolve_run_id(Context& ctx, const std::string& prefix);

// `previews` false leaves the steps' output previews out (most of the bytes; `show` has no use
// for them).
// host_glob: the steps of only those hosts (Store::steps).
Result<RunView> load_run(Context& ctx, const std::string& prefix, bool previews = true,
                         const std::string& host_glob = {});

// The run as the archive's run.json has it (app/run_json.hpp), one JSON object; a workflow's
// with its stage runs' (live progress added) under "stages". `show --json` and the API's run.
std::string run_view_document(Context& ctx, const RunView& view);
// How long a finished run took ("1.9s"); "" while it has no end.
std::string run_took(const store::RunRecord& run);

// A running run's steps still running: how long they have run so far and how many bytes they
// wrote (the spool's files), in place of the zeros their start records hold.
void add_live_progress(const std::filesystem::path& data_dir, RunView& view);

// Whether the run's task file still has the content it ran with (an ad-hoc command always
// has). Errors: not_found (unreadable).
Result<bool> task_unchanged(const store::RunRecord& run);

// Points `o` at what the run ran: its task file, or its ad-hoc command (`leura exec`).
// Errors: config when an ad-hoc run's recorded command cannot be read back.
Status rerun_source(const store::RunRecord& run, PrepareOptions& o);

} // namespace leura::app
