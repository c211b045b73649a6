// SPDX-License-Identifier: Apache-2.0
#include "app/context.hpp"
#include "app/recovery.hpp"
#include "util/paths.hpp"
#include "util/signals.hpp"

namespace leura::app {

Result<store::Store*> Context::records() {
    if (m_records) return &*m_records;
    LEURA_TRY(util::ensure_private_dir(data_dir));
    LEURA_TRY_ASSIGN(store, store::Store::open((data_dir / "leura.db").string()));
    (void)recover_dead_runs(store, data_dir); // shows a dead run as interrupted; retried later
    m_records.emplace(std::move(store));
    return &*m_records;
}

Context process_context() {
    Context c;
    c.data_dir = util::data_dir();
    c.identity = identify(process_identity_inputs(), passwd_name);
    c.stop = {util::stop_level, util::stop_wake_fd()};
    c.clock = [] { return std::chrono::system_clock::now(); };
    return c;
}

} // namespace leura::app
