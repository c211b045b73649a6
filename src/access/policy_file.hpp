// SPDX-License-Identifier: Apache-2.0
#pragma once

// The policy file on disk: where it is, whether it can be trusted, and the entry point commands
// ask before they act (authorize). Edits of its text are in policy_edit.hpp.
#include "access/policy.hpp"
#include "config/diagnostic.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>

namespace leura::access {

struct PolicyLocation {
    std::filesystem::path path; // /etc/leura/access.toml, or $LEURA_ACCESS_FILE
    bool from_env = false;      // LEURA_ACCESS_FILE: for tests and CI only
};
PolicyLocation policy_location();

struct PolicyState {
    enum class Mode {
        off,    // no file: access control is off, one user owns everything
        on,     // a safe, valid policy decides
        broken, // the file exists but is unsafe or invalid: everyone but root is denied
    };
    Mode mode = Mode::off;
    PolicyLocation location;
    std::optional<Policy> policy; // when on
    std::string why;              // one line: why this mode
    config::Diagnostics problems; // when invalid
};

// Reads the file at `location`. Safe means a regular file owned by root (or, with
// LEURA_ACCESS_FILE, by the invoking user) and not writable by group or others.
PolicyState load_policy(const PolicyLocation& location);

// THE entry point for enforcement: may `uid` (named by `who`) do `request`? Off: allowed. Root
// (uid 0): always allowed. Broken: denied with the reason. On: decide().
Decision authorize(const PolicyState& state, uid_t uid, const Principal& who,
                   const Request& request);

// The same as an error of kind `denied` (exit 4) when refused, to return from a command.
Status require(const PolicyState& state, uid_t uid, const Principal& who, const Request& request);

} // namespace leura::access
