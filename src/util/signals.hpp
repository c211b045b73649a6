// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace leura::util {

// SIGINT/SIGTERM during a run: each signal raises the stop level by one (1: finish what runs,
// 2: abort now) and wakes the event loop through a self-pipe. SIGPIPE is ignored.
void install_stop_signals();
int stop_level();
int stop_signal();  // the first signal received, 0 if none
int stop_wake_fd(); // readable after a signal; -1 before install

} // namespace leura::util
