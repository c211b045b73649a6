// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "archive/spool.hpp"
#include "store/store.hpp"

#include <functional>
#include <string>
#include <vector>

namespace leura::app {

// The one place a run's records become JSON, so the archive, `show --json` and `runs --json`
// can never disagree.

// The archive's run.json: the run as recorded (task text, targets, who, when, status) and
// every host and step result, with the archive members holding each step's output. Built from
// the database.
Result<std::string> run_json(store::Store& store, const store::RunRecord& run,
                             archive::Spool& spool);

// The same document from records already read (`leura show --json`): `host_dir` names a host's
// folder in the archive (archive::HostDirs replayed in the hosts' start order); a workflow's
// document carries its stage runs' documents as `stages` (a JSON array).
std::string run_document(const store::RunRecord& run, const std::vector<store::HostRecord>& hosts,
                         const std::vector<store::StepRecord>& steps,
                         const std::vector<store::BatchRecord>& batches,
                         const std::function<std::string(const std::string&)>& host_dir,
                         const std::string& stages_json = {});

// One run in a list (`leura runs --json`): what it ran, how it ended, its counts.
std::string run_summary(const store::RunRecord& run);

} // namespace leura::app
