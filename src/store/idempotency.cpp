// SPDX-License-Identifier: Apache-2.0
// Idempotency-Keys of `leura serve` (schema 16): kept in the records so that a retried POST
// finds the run it started after the server restarted too, and so that two servers on one
// controller (or two requests at once) never both start a run for one key.
#include "store/store.hpp"

namespace leura::store {

Result<IdempotencyClaim> Store::claim_idempotency_key(const std::string& key,
                                                      const std::string& digest,
                                                      const std::string& now,
                                                      const std::string& expired_before,
                                                      const std::string& abandoned_before) {
    IdempotencyClaim claim;
    const Status done = in_transaction([&]() -> Status {
        LEURA_TRY(run_kept("DELETE FROM api_idempotency WHERE created_at < ? OR "
                           "(run_id IS NULL AND created_at < ?)",
                           [&](Stmt& s) { s.bind(1, expired_before).bind(2, abandoned_before); }));
        LEURA_TRY_ASSIGN(held, Stmt::prepare(*m_db, "SELECT digest, run_id FROM api_idempotency "
                                                    "WHERE key = ?"));
        held.bind(1, key);
        LEURA_TRY_ASSIGN(found, held.step());
        if (found) {
            claim.digest = held.text(0);
            if (!held.is_null(1)) claim.run_id = held.text(1);
            return {};
        }
        claim.claimed = true;
        claim.digest = digest;
        return run_kept("INSERT INTO api_idempotency (key, digest, created_at) VALUES (?,?,?)",
                        [&](Stmt& s) { s.bind(1, key).bind(2, digest).bind(3, now); });
    });
    if (!done) return std::unexpected(done.error());
    return claim;
}

Status Store::settle_idempotency_key(const std::string& key,
                                     const std::optional<std::string>& run_id) {
    if (!run_id)
        return write("DELETE FROM api_idempotency WHERE key = ?", [&](Stmt& s) { s.bind(1, key); });
    return write("UPDATE api_idempotency SET run_id = ? WHERE key = ?",
                 [&](Stmt& s) { s.bind(1, *run_id).bind(2, key); });
}

} // namespace leura::store
