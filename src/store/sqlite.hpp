// SPDX-License-Identifier: Apache-2.0
#pragma once

// Thin RAII over sqlite3 and sqlite3_stmt. Only src/store/ includes sqlite3.h.

#include "util/error.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace leura::store {

const char* library_version();

class Db {
public:
    // Opens (creating 0600) with WAL, a busy timeout and foreign keys on.
    static Result<Db> open(const std::string& path);
    // Opens an existing database read-only: nothing created, no journal mode set, a short
    // busy timeout (shell completion reads this way). Errors: io (missing, unreadable).
    static Result<Db> open_read_only(const std::string& path);
    Db(Db&&) noexcept = default;
    Db& operator=(Db&&) noexcept = default;

    Status exec(const std::string& sql);
    // Rows changed by the last INSERT, UPDATE or DELETE that finished on this connection.
    int64_t changes() const;
    sqlite3* handle() const { return m_db.get(); }
    Error error(const std::string& what) const;

private:
    struct Closer {
        void operator()(sqlite3* db) const;
    };
    explicit Db(sqlite3* db) : m_db(db) {}
    std::unique_ptr<sqlite3, Closer> m_db;
};

class Stmt {
public:
    static Result<Stmt> prepare(const Db& db, const char* sql);

    Stmt& bind(int index, const std::string& value);
    Stmt& bind(int index, int64_t value);
    Stmt& bind_blob(int index, const std::string& value);
    Stmt& bind_null(int index);
    Stmt& bind(int index, const std::optional<std::string>& value);
    // true: a row is ready; false: done.
    Result<bool> step();
    Status run(); // step to completion, for statements without rows
    void reset(); // ready to run again: bindings cleared
    // Calls `row` with this statement positioned on each result row in turn.
    Status each(const std::function<void(const Stmt&)>& row);
    // As each(), until `row` returns false.
    Status each_while(const std::function<bool(const Stmt&)>& row);

    std::string text(int column) const;
    int64_t integer(int column) const;
    bool is_null(int column) const;

private:
    struct Finalizer {
        void operator()(sqlite3_stmt* s) const;
    };
    Stmt(const Db& db, sqlite3_stmt* s) : m_db(&db), m_stmt(s) {}
    const Db* m_db;
    std::unique_ptr<sqlite3_stmt, Finalizer> m_stmt;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back unless committed.
class Transaction {
public:
    static Result<Transaction> begin(Db& db);
    Status commit();
    ~Transaction();
    Transaction(Transaction&& o) noexcept : m_db(o.m_db), m_open(o.m_open) { o.m_open = false; }
    Transaction& operator=(Transaction&&) = delete;

private:
    explicit Transaction(Db& db) : m_db(&db), m_open(true) {}
    Db* m_db;
    bool m_open;
};

} // namespace leura::store
