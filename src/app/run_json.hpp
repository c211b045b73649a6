// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "archive/spool.hpp"
#include "store/store.hpp"

#include <string>

namespace leura::app {

// The archive's run.json: the run as recorded (task text, targets, who, when, status) and
// every host and step result, with the archive members holding each step's output. Built from
// the database so the archive and `leura show` can never disagree.
Result<std::string> run_json(store::Store& store, const store::RunRecord& run,
                             archive::Spool& spool);

} // namespace leura::app
