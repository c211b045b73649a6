// SPDX-License-Identifier: Apache-2.0
#pragma once

// A shared controller (docs/access.md): /etc/leura/config.toml's `service_user` names the
// account that holds the fleet's keys and the records. People run plain `leura …`; leura
// becomes that account through `sudo -n -u NAME` (the sudoers rule is the admin's: see
// packaging/sudoers.example), and then believes SUDO_UID as the person acting (app/identity).
#include "config/settings.hpp"
#include "util/error.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace leura::app {

struct ServiceAccount {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
};

// The data dir of a shared controller when /etc/leura/config.toml names none.
inline constexpr const char* k_service_data_dir = "/var/lib/leura";

// The service account the settings name; nothing on a single-user controller. Errors: config
// when the account does not exist, or when /etc/leura/config.toml, which names it, is not
// owned by root or is writable by its group or others (whoever can edit it could name an
// account whose SUDO_UID they forge).
Result<std::optional<ServiceAccount>> service_account(const config::Settings& settings);

// Replaces this process with `sudo -n -u NAME -- THIS_BINARY ARGS…`. sudo resets the
// environment and closes other descriptors, so only what sudo keeps (the terminal, the
// locale) reaches the service side. Returns only when that could not start. Errors: denied
// when sudo has no rule that lets the caller do it without a password (asked first with
// `sudo -n -l`), io.
Error become(const ServiceAccount& account, const std::vector<std::string>& args);

// How run_as_service() connects the service side: its stdin and stdout (else this process's),
// and whether it may ask this process for the person's variables (app/caller_env.hpp).
struct ServiceCall {
    int in_fd = -1;
    int out_fd = -1;
    bool caller_env = false;
};

// Runs `sudo -n -u NAME -- THIS_BINARY ARGS…` as a child and waits, handing on SIGTERM and
// SIGHUP: its exit status (128 + N when killed by signal N). For what must stay the person's
// around it: the editor of `task edit`, the pager of `show`, the variables a task names.
// Errors: denied, io (as become()).
Result<int> run_as_service(const ServiceAccount& account, std::vector<std::string> args,
                           const ServiceCall& how = {});

// Whether this process is the service side acting for someone else (`identity`): then it runs
// nothing of theirs (an editor, a pager), which would run with the fleet's keys.
bool acting_for_another(const std::optional<ServiceAccount>& service, uid_t identity);

} // namespace leura::app
