// SPDX-License-Identifier: Apache-2.0
#pragma once

// API tokens for `leura serve` (`leura token`): "leura_<id>_<secret>", shown once, stored as
// its sha256. A token acts as its creator, with at most its scopes: at each use its rights are
// its actions and tasks intersected with what the access policy allows the creator then (a
// creator who lost a grant takes it from their tokens). Every use is audited with the token's
// id as the way in ("token:ID").

#include "app/context.hpp"
#include "store/store.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace leura::app {

struct TokenRequest {
    std::string name;
    std::chrono::seconds lifetime{0};
    std::vector<std::string> actions; // empty: every action the creator has
    std::vector<std::string> tasks;   // task name globs; empty: every task
};

struct CreatedToken {
    store::TokenRecord record;
    std::string secret; // the whole token, to show once
};

// A token for the person acting. Errors: usage (no name, a lifetime not from 1 minute to 1
// year, an unknown action), io. Audited.
Result<CreatedToken> create_token(Context& ctx, const TokenRequest& request);
// The person's tokens (every token for an admin), oldest first. Errors: io.
Result<std::vector<store::TokenRecord>> list_tokens(Context& ctx);
// Revokes a token of the person's (any, for an admin). Errors: not_found, denied, io. Audited.
Status revoke_token(Context& ctx, const std::string& id);

// The token a request presents, valid now: its record. Errors: denied (malformed, unknown,
// revoked or expired: one message for all but expiry, which says so), io.
Result<store::TokenRecord> authenticate_token(Context& ctx, const std::string& token);
// The creator of `token` as the principal a request acts as ("token:ID" as the way in).
// Errors: denied (the account is gone).
Result<Principal> token_principal(const store::TokenRecord& token);
// Whether the token's own scopes cover `action` on `task` ("" when no task is involved).
bool token_scope_allows(const store::TokenRecord& token, const std::string& action,
                        const std::string& task);

} // namespace leura::app
