// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/store.hpp"

namespace leura::cli {

// The run records in the data directory (created empty when missing).
Result<store::Store> open_records();

// Everything recorded about one run, named by a unique prefix of its id.
struct RunView {
    store::RunRecord run;
    std::vector<store::HostRecord> hosts;
    std::vector<store::StepRecord> steps;
    std::vector<store::BatchRecord> batches;
};
Result<RunView> load_run(const std::string& prefix);

// Whether the run's task file still has the content it ran with. Errors: not_found (unreadable).
Result<bool> task_unchanged(const store::RunRecord& run);

} // namespace leura::cli
