// SPDX-License-Identifier: Apache-2.0
#pragma once

// On a shared controller sudo hands the service side none of the person's environment (the
// sudoers rule has no SETENV: a variable could change what leura itself does). What it needs of
// it, the secrets a task names with `{ env = "VAR" }` and NO_COLOR, the service side asks the
// person's own process for, one name at a time, over a local socket whose both ends check the
// other: the person's process answers only a process of the service account that its own sudo
// started; the service side believes only a peer that runs as the person it acts for.
#include "util/error.hpp"
#include "util/unique_fd.hpp"

#include <string>
#include <sys/types.h>

namespace leura::app {

// The person's end: a listening socket (abstract, with a random name).
class CallerEnvServer {
public:
    // Errors: io.
    static Result<CallerEnvServer> open();
    const std::string& name() const { return m_name; }
    // Answers the service side's questions until `child` (the sudo this process started)
    // ends; its wait status. Connections from any other process are closed unanswered.
    int serve_until_exit(pid_t child, uid_t service_uid);

private:
    util::UniqueFd m_listen;
    std::string m_name;
};

// The service side's end: from now on a task's `{ env = "VAR" }` is read from the person's
// process at `name`, which must run as `person`; its NO_COLOR is taken over at once. Errors:
// io (cannot connect), denied (the peer is someone else).
Status use_caller_env(const std::string& name, uid_t person);

} // namespace leura::app
