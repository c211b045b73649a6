// SPDX-License-Identifier: Apache-2.0
#pragma once

// Runs started on someone's behalf (a schedule now; monitors and the API later) get their
// principal this way and no other (DESIGN.md §6, "Identity"): the starter records a pending run
// under the hash of a random token and hands the child the token on an inherited descriptor;
// the child claims the record once. No flag or variable can name a principal.
#include "app/context.hpp"
#include "store/store.hpp"

#include <string>

namespace leura::app {

// The token for a new pending run of `principal`. Errors: io.
Result<std::string> create_pending_run(store::Store& store, const std::string& principal,
                                       const std::string& triggered_by, const std::string& run_id);

// Reads the token from `fd` (then closes it), claims its pending run and makes its principal
// the context's identity. Errors: denied (no pending run has that token: forged, or claimed
// already), io.
Result<store::PendingRun> claim_pending_run(Context& ctx, int fd);

} // namespace leura::app
