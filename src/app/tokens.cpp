// SPDX-License-Identifier: Apache-2.0
#include "app/tokens.hpp"
#include "access/policy.hpp"
#include "app/access_gate.hpp"
#include "app/audit.hpp"
#include "config/access_file.hpp"
#include "util/json.hpp"
#include "util/json_parse.hpp"
#include "util/random.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <pwd.h>

namespace leura::app {

namespace {

constexpr auto k_min_lifetime = std::chrono::minutes(1);
constexpr auto k_max_lifetime = std::chrono::hours(24 * 366);

std::vector<std::string> string_array(const std::string& json) {
    std::vector<std::string> out;
    auto v = util::parse_json(json);
    if (v && v->is(util::JsonValue::Type::array))
        for (const auto& item : v->items)
            if (item.is(util::JsonValue::Type::string)) out.push_back(item.text);
    return out;
}

bool is_admin(Context& ctx) {
    return access_state(ctx).mode == access::PolicyState::Mode::off ||
           access_allows(ctx, "admin", "", "");
}

bool hex_id(std::string_view s) {
    return s.size() == 8 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

} // namespace

Result<CreatedToken> create_token(Context& ctx, const TokenRequest& r) {
    if (r.name.empty() || r.name.size() > 100)
        return fail(ErrorKind::usage, "a token needs a --name of 1 to 100 characters");
    if (r.lifetime < k_min_lifetime || r.lifetime > k_max_lifetime)
        return fail(ErrorKind::usage, "--expires must be from 1 minute to 366 days");
    const auto& known = config::access_actions();
    for (const auto& a : r.actions)
        if (std::find(known.begin(), known.end(), a) == known.end()) {
            std::string list;
            for (const auto& k : known)
                list += (list.empty() ? "" : ", ") + k;
            return fail(ErrorKind::usage, "unknown action '" + a + "' (known: " + list + ")");
        }
    LEURA_TRY_ASSIGN(store, ctx.records());
    CreatedToken out;
    auto& t = out.record;
    t.id = util::random_hex(4);
    out.secret = "leura_" + t.id + "_" + util::random_hex(24);
    t.name = r.name;
    t.hash = util::sha256_hex(out.secret);
    t.creator = principal_key(ctx.identity);
    t.creator_uid = int64_t(ctx.identity.uid);
    const auto now = std::chrono::system_clock::now();
    t.created_at = util::rfc3339(now);
    t.expires_at = util::rfc3339(now + r.lifetime);
    t.actions = util::json_string_array(r.actions);
    t.tasks = util::json_string_array(r.tasks);
    LEURA_TRY(store->insert_token(t));
    LEURA_TRY(audit_change(ctx, "token", "token:" + t.id,
                           "created '" + t.name + "', expires " + t.expires_at));
    return out;
}

Result<std::vector<store::TokenRecord>> list_tokens(Context& ctx) {
    LEURA_TRY_ASSIGN(store, ctx.records());
    LEURA_TRY_ASSIGN(all, store->tokens());
    if (!is_admin(ctx)) {
        const std::string me = principal_key(ctx.identity);
        std::erase_if(all, [&](const store::TokenRecord& t) { return t.creator != me; });
    }
    return all;
}

Status revoke_token(Context& ctx, const std::string& id) {
    LEURA_TRY_ASSIGN(store, ctx.records());
    LEURA_TRY_ASSIGN(found, store->token(id));
    if (!found || (found->creator != principal_key(ctx.identity) && !is_admin(ctx)))
        return fail(ErrorKind::not_found, "no token " + id + " of yours");
    LEURA_TRY(store->revoke_token(id, util::now_rfc3339()));
    return audit_change(ctx, "token", "token:" + id, "revoked '" + found->name + "'");
}

Result<store::TokenRecord> authenticate_token(Context& ctx, const std::string& token) {
    // leura_<8 hex>_<48 hex>
    const Error bad(ErrorKind::denied, "the token is not valid (unknown, revoked or malformed)");
    if (token.size() != 6 + 8 + 1 + 48 || !token.starts_with("leura_") || token[14] != '_' ||
        !hex_id(std::string_view(token).substr(6, 8)))
        return std::unexpected(bad);
    LEURA_TRY_ASSIGN(store, ctx.records());
    LEURA_TRY_ASSIGN(found, store->token(token.substr(6, 8)));
    if (!found || found->hash != util::sha256_hex(token) || found->revoked_at)
        return std::unexpected(bad);
    if (util::now_rfc3339() >= found->expires_at)
        return fail(ErrorKind::denied, "token " + found->id + " expired at " + found->expires_at);
    // last_used_at to the minute: a write for every request would queue each behind the
    // runs' own writes.
    if (!found->last_used_at ||
        found->last_used_at->substr(0, 16) != util::now_rfc3339().substr(0, 16))
        (void)store->touch_token(found->id, util::now_rfc3339());
    return *found;
}

Result<Principal> token_principal(const store::TokenRecord& token) {
    Principal p;
    p.uid = uid_t(token.creator_uid);
    auto name = passwd_name(p.uid);
    const std::string recorded = token.creator.starts_with("user:") ? token.creator.substr(5) : "";
    if (!name || *name != recorded)
        return fail(ErrorKind::denied, "token " + token.id + "'s creator " + token.creator +
                                           " is no longer this machine's user");
    p.name = *name;
    p.via = "token:" + token.id;
    return p;
}

bool token_scope_allows(const store::TokenRecord& token, const std::string& action,
                        const std::string& task) {
    const auto actions = string_array(token.actions);
    if (!actions.empty() && std::none_of(actions.begin(), actions.end(), [&](const auto& a) {
            return access::contains(a, action);
        }))
        return false;
    const auto tasks = string_array(token.tasks);
    if (tasks.empty() || task.empty()) return true;
    return std::any_of(tasks.begin(), tasks.end(),
                       [&](const auto& g) { return util::glob_match(g, task); });
}

} // namespace leura::app
