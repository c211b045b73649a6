// SPDX-License-Identifier: Apache-2.0
// API tokens (schema 15).
#include "store/store.hpp"

namespace leura::store {

namespace {

constexpr const char* k_token_columns = "id, name, hash, creator, creator_uid, created_at, "
                                        "expires_at, actions, tasks, revoked_at, last_used_at";

TokenRecord read_token(const Stmt& row) {
    TokenRecord t;
    t.id = row.text(0);
    t.name = row.text(1);
    t.hash = row.text(2);
    t.creator = row.text(3);
    t.creator_uid = row.integer(4);
    t.created_at = row.text(5);
    t.expires_at = row.text(6);
    t.actions = row.text(7);
    t.tasks = row.text(8);
    if (!row.is_null(9)) t.revoked_at = row.text(9);
    if (!row.is_null(10)) t.last_used_at = row.text(10);
    return t;
}

} // namespace

Status Store::insert_token(const TokenRecord& t) {
    return write("INSERT INTO api_tokens (id, name, hash, creator, creator_uid, created_at, "
                 "expires_at, actions, tasks) VALUES (?,?,?,?,?,?,?,?,?)",
                 [&](Stmt& s) {
                     s.bind(1, t.id).bind(2, t.name).bind(3, t.hash).bind(4, t.creator);
                     s.bind(5, t.creator_uid).bind(6, t.created_at).bind(7, t.expires_at);
                     s.bind(8, t.actions).bind(9, t.tasks);
                 });
}

Result<std::optional<TokenRecord>> Store::token(const std::string& id) {
    const std::string sql =
        std::string("SELECT ") + k_token_columns + " FROM api_tokens WHERE id = ?";
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, sql.c_str()));
    s.bind(1, id);
    LEURA_TRY_ASSIGN(row, s.step());
    if (!row) return std::optional<TokenRecord>();
    return std::optional<TokenRecord>(read_token(s));
}

Result<std::vector<TokenRecord>> Store::tokens() {
    const std::string sql =
        std::string("SELECT ") + k_token_columns + " FROM api_tokens ORDER BY created_at, id";
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, sql.c_str()));
    std::vector<TokenRecord> out;
    LEURA_TRY(s.each([&](const Stmt& row) { out.push_back(read_token(row)); }));
    return out;
}

Result<bool> Store::revoke_token(const std::string& id, const std::string& at) {
    LEURA_TRY_ASSIGN(found, token(id));
    if (!found) return false;
    LEURA_TRY(write("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                    [&](Stmt& s) { s.bind(1, at).bind(2, id); }));
    return true;
}

Status Store::touch_token(const std::string& id, const std::string& at) {
    return write("UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
                 [&](Stmt& s) { s.bind(1, at).bind(2, id); });
}

} // namespace leura::store
