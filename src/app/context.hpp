// SPDX-License-Identifier: Apache-2.0
#pragma once

// What every command runs within, built once in cli::run and passed down: where the data
// lives, who is acting, the records (opened on first use, once), where stop requests come
// from, and the clock. Access checks, schedules and `serve` plug in here.
#include "access/policy_file.hpp"
#include "app/identity.hpp"
#include "app/service.hpp"
#include "app/stop_source.hpp"
#include "config/settings.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>

namespace leura::app {

class Context {
public:
    std::filesystem::path data_dir;
    config::Settings settings; // defaults < /etc < the user's file < LEURA_* (flags go over)
    Principal identity;
    // Set on a shared controller: the account the records and keys belong to (app/service.hpp).
    std::optional<ServiceAccount> service;
    // The access policy, loaded on first use (app/access_gate.hpp: access_state).
    std::optional<access::PolicyState> access_policy;
    // The person acting as that policy knows them (their groups, Unix groups read once).
    std::optional<access::Principal> access_principal;
    StopSource stop;
    std::function<std::chrono::system_clock::time_point()> clock;

    // The run records in data_dir (created empty when missing; dead runs recovered).
    // Errors: io, config (a database newer than this leura).
    Result<store::Store*> records();

private:
    std::optional<store::Store> m_records;
};

// This process's context: its settings, LEURA_HOME (else the data_dir setting, else the
// default data dir; on a shared controller the data_dir setting, else /var/lib/leura, and
// never LEURA_HOME), its user (SUDO_UID counts when this process is the service account),
// its signals. Nothing when a settings file or variable is bad
// (the problems are in `diags`).
std::optional<Context> process_context(config::Diagnostics& diags);

// The data dir those settings and LEURA_HOME name (nothing is created).
std::filesystem::path data_dir_for(const config::Settings& settings);

} // namespace leura::app
