// SPDX-License-Identifier: Apache-2.0
#pragma once

// The host's runner: one /bin/sh per connection, started with the first step that uses it, that
// runs step scripts one after another. A session channel per step costs the host a fork and
// exec of the login shell and of /bin/sh (about 6.7 ms of CPU per step, measured); the runner
// forks a subshell (about 0.75 ms). What a step sees is what a channel of its own gave it:
// stdin at EOF, its own environment and working directory (a subshell each), stdout and
// stderr apart, its exit status. While a step runs, the runner (or, under bash, a watcher)
// reads the channel: when it closes (leura killed, the network cut, the step aborted) the
// step and the runner end. leura nudges a running step with empty lines, more and more
// seldom, for a step's end the runner's `read` missed (exec/runner_protocol.cpp).
//
// After each step the runner writes "\n<marker> <status>\n" on stdout and on stderr; the
// marker is random per runner and never in a step's environment, so output cannot fake it.
// Output a step leaves behind (a background job still writing) shows up in the next step's.

#include "ssh/transport.hpp"

#include <memory>
#include <string>

namespace leura::exec {

class Runner {
public:
    explicit Runner(ssh::Connection& connection);
    ~Runner();
    Runner(const Runner&) = delete;
    Runner& operator=(const Runner&) = delete;

    // A command that runs `script` (POSIX sh, not sized) in the runner, starting the runner
    // when there is none. One at a time: the command must be done or dropped before the next.
    // With `file`, that local file's content follows the script on the step's stdin.
    std::unique_ptr<ssh::Command> run(std::string script, util::Snapshot file = nullptr);

private:
    friend class RunnerStep;
    ssh::Connection& m_connection;
    std::unique_ptr<ssh::Command> m_channel; // null: no runner (none yet, or it ended)
    std::string m_hex;                       // random per runner
    std::string m_marker;                    // "\n<m_hex> "
    std::string m_left[2];                   // output after a step's marker: the next step's
    size_t m_steps = 0;                      // steps this runner has finished
};

} // namespace leura::exec
