// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/store.hpp"

namespace leura::cli {

// The run records in the data directory (created empty when missing).
Result<store::Store> open_records();

} // namespace leura::cli
