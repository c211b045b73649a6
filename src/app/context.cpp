// SPDX-License-Identifier: Apache-2.0
#include "app/context.hpp"
#include "app/recovery.hpp"
#include "util/paths.hpp"
#include "util/signals.hpp"

#include <cstdlib>

namespace leura::app {

namespace {
// $LEURA_HOME, else $XDG_DATA_HOME/leura, else ~/.local/share/leura (docs/data.md).
std::filesystem::path default_data_dir() {
    const char* home = std::getenv("LEURA_HOME");
    // Absolute: archive paths recorded in the database must work from any directory.
    std::error_code ec;
    if (home && *home) return std::filesystem::absolute(home, ec);
    const char* xdg = std::getenv("XDG_DATA_HOME");
    if (xdg && *xdg) return std::filesystem::path(xdg) / "leura";
    return std::filesystem::path(util::home_dir()) / ".local/share/leura";
}
} // namespace

Result<store::Store*> Context::records() {
    if (m_records) return &*m_records;
    LEURA_TRY(util::ensure_private_dir(data_dir));
    LEURA_TRY_ASSIGN(store, store::Store::open((data_dir / "leura.db").string()));
    (void)recover_dead_runs(store, data_dir); // shows a dead run as interrupted; retried later
    m_records.emplace(std::move(store));
    return &*m_records;
}

std::filesystem::path data_dir_for(const config::Settings& settings) {
    // A shared controller's records are where root's file says: LEURA_HOME does not count.
    const bool shared = !settings.text("service_user").empty();
    const char* home = std::getenv("LEURA_HOME");
    if (!shared && home && *home) return default_data_dir();
    if (!settings.is_default("data_dir")) return util::expand_tilde(settings.text("data_dir"));
    return shared ? std::filesystem::path(k_service_data_dir) : default_data_dir();
}

std::optional<Context> process_context(config::Diagnostics& diags) {
    auto settings = config::load_settings(config::settings_files(), std::getenv, diags);
    if (!settings) return std::nullopt;
    auto service = service_account(*settings);
    if (!service) {
        diags.add(service.error().pos, service.error().message);
        return std::nullopt;
    }
    Context c;
    c.settings = std::move(*settings);
    c.service = std::move(*service);
    c.data_dir = data_dir_for(c.settings);
    IdentityInputs who = process_identity_inputs();
    if (c.service) who.service_uid = c.service->uid;
    c.identity = identify(who, passwd_name);
    c.stop = {util::stop_level, util::stop_wake_fd()};
    c.clock = [] { return std::chrono::system_clock::now(); };
    return c;
}

} // namespace leura::app
