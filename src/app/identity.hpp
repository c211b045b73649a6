// SPDX-License-Identifier: Apache-2.0
#pragma once

// Who is acting: one pure function over uids, never $USER or $LOGNAME, which anyone can set.
// Names come from the passwd lookup the caller passes in.
#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>

namespace leura::app {

struct IdentityInputs {
    uid_t real_uid = 0;
    std::optional<uid_t> sudo_uid;    // SUDO_UID, when leura runs under sudo
    std::optional<uid_t> service_uid; // the service account that holds the SSH keys, if any
    std::optional<uid_t> peer_uid;    // the uid at the other end of a local socket (serve)
};

struct Principal {
    uid_t uid = 0;
    std::string name; // the passwd name, or "uid-N" when there is none
    // How it came to act, as the audit log records it: "socket" (a local socket's peer),
    // "sudo" (SUDO_UID counted), else "cli". Schedules, monitors and tokens set their own.
    std::string via = "cli";
};

// The principal as the policy and the audit log name it: "user:NAME" for a person, the name
// itself for the others ("schedule:NAME", which app/pending_run.hpp gives a run).
std::string principal_key(const Principal& p);

// A socket's peer is who it is; SUDO_UID counts only when the real uid is the service
// account's (anyone may set SUDO_UID in their own environment); otherwise the real uid.
Principal identify(const IdentityInputs& in,
                   const std::function<std::optional<std::string>(uid_t)>& name_of);

// This process's inputs (getuid, SUDO_UID) and the local passwd lookup.
IdentityInputs process_identity_inputs();
std::optional<std::string> passwd_name(uid_t uid);

} // namespace leura::app
