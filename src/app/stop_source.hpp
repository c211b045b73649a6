// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>

namespace leura::app {

// Where stop requests come from: util/signals.hpp in a real run, a test's lambda in memory.
struct StopSource {
    std::function<int()> level; // 0 run, 1 stop gracefully, 2 stop now
    int wake_fd = -1;           // readable when level() may have changed; -1: none
};

} // namespace leura::app
