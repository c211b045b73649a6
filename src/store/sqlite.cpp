// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite.hpp"

#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace leura::store {

namespace {
// Readers and a live run share the file; a writer holds the lock for one short transaction.
constexpr int k_busy_timeout_ms = 5000;
} // namespace

const char* library_version() {
    return sqlite3_libversion();
}

void Db::Closer::operator()(sqlite3* db) const {
    sqlite3_close_v2(db);
}
void Stmt::Finalizer::operator()(sqlite3_stmt* s) const {
    sqlite3_finalize(s);
}

Error Db::error(const std::string& what) const {
    int code = sqlite3_errcode(m_db.get());
    ErrorKind kind = (code == SQLITE_FULL || code == SQLITE_IOERR || code == SQLITE_BUSY ||
                      code == SQLITE_CANTOPEN || code == SQLITE_READONLY)
                         ? ErrorKind::io
                         : ErrorKind::internal;
    return Error(kind, what + ": " + sqlite3_errmsg(m_db.get()));
}

Result<Db> Db::open(const std::string& path) {
    // Create the file 0600 before SQLite does, so it never exists with a wider mode. Only
    // when it is missing: closing any descriptor of the file drops every POSIX lock this
    // process holds on it, the locks of SQLite's other connections here too (`leura serve`
    // has one per request), and another process would then take itself for the last one and
    // delete the WAL under them.
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) return fail(ErrorKind::io, "cannot open database " + path);
    if (fd >= 0) ::close(fd);
    sqlite3* raw = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    Db db(raw);
    if (rc != SQLITE_OK) return std::unexpected(db.error("cannot open database " + path));
    sqlite3_busy_timeout(raw, k_busy_timeout_ms);
    // Switching a new database to WAL takes an exclusive lock without calling the busy
    // handler, so two leura processes opening a fresh database at once (cron) would see
    // "database is locked": wait for the other one here, within the same timeout.
    const char* setup =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(k_busy_timeout_ms);
    Status ready = db.exec(setup);
    while (!ready && (sqlite3_errcode(raw) & 0xff) == SQLITE_BUSY &&
           std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        ready = db.exec(setup);
    }
    if (!ready) return std::unexpected(ready.error());
    // The WAL and shared-memory files inherit nothing from the database's mode.
    for (const char* suffix : {"-wal", "-shm"})
        ::chmod((path + suffix).c_str(), 0600);
    return db;
}

Result<Db> Db::open_read_only(const std::string& path) {
    sqlite3* raw = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    Db db(raw);
    if (rc != SQLITE_OK) return std::unexpected(db.error("cannot open database " + path));
    sqlite3_busy_timeout(raw, 50);
    return db;
}

Status Db::exec(const std::string& sql) {
    char* msg = nullptr;
    if (sqlite3_exec(m_db.get(), sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
        std::string text = msg ? msg : "unknown error";
        sqlite3_free(msg);
        Error e = error("database");
        e.message = "database: " + text;
        return std::unexpected(e);
    }
    return {};
}

int64_t Db::changes() const {
    return sqlite3_changes64(m_db.get());
}

Result<Stmt> Stmt::prepare(const Db& db, const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db.handle(), sql, -1, &s, nullptr) != SQLITE_OK)
        return std::unexpected(db.error("preparing a query"));
    return Stmt(db, s);
}

Stmt& Stmt::bind(int index, const std::string& value) {
    sqlite3_bind_text(m_stmt.get(), index, value.data(), int(value.size()), SQLITE_TRANSIENT);
    return *this;
}
Stmt& Stmt::bind(int index, int64_t value) {
    sqlite3_bind_int64(m_stmt.get(), index, value);
    return *this;
}
Stmt& Stmt::bind_blob(int index, const std::string& value) {
    sqlite3_bind_blob(m_stmt.get(), index, value.data(), int(value.size()), SQLITE_TRANSIENT);
    return *this;
}
Stmt& Stmt::bind_null(int index) {
    sqlite3_bind_null(m_stmt.get(), index);
    return *this;
}
Stmt& Stmt::bind(int index, const std::optional<std::string>& value) {
    return value ? bind(index, *value) : bind_null(index);
}

Result<bool> Stmt::step() {
    int rc = sqlite3_step(m_stmt.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return std::unexpected(m_db->error("database"));
}

Status Stmt::run() {
    for (;;) {
        auto r = step();
        if (!r) return std::unexpected(r.error());
        if (!*r) return {};
    }
}

void Stmt::reset() {
    sqlite3_reset(m_stmt.get());
    sqlite3_clear_bindings(m_stmt.get());
}

Status Stmt::each(const std::function<void(const Stmt&)>& row) {
    return each_while([&row](const Stmt& s) {
        row(s);
        return true;
    });
}

Status Stmt::each_while(const std::function<bool(const Stmt&)>& row) {
    for (;;) {
        auto r = step();
        if (!r) return std::unexpected(r.error());
        if (!*r || !row(*this)) return {};
    }
}

std::string Stmt::text(int column) const {
    const void* p = sqlite3_column_blob(m_stmt.get(), column);
    int n = sqlite3_column_bytes(m_stmt.get(), column);
    return p ? std::string(static_cast<const char*>(p), size_t(n)) : std::string();
}
int64_t Stmt::integer(int column) const {
    return sqlite3_column_int64(m_stmt.get(), column);
}
bool Stmt::is_null(int column) const {
    return sqlite3_column_type(m_stmt.get(), column) == SQLITE_NULL;
}

Result<Transaction> Transaction::begin(Db& db) {
    LEURA_TRY(db.exec("BEGIN IMMEDIATE"));
    return Transaction(db);
}

Status Transaction::commit() {
    m_open = false;
    return m_db->exec("COMMIT");
}

Transaction::~Transaction() {
    if (m_open) (void)m_db->exec("ROLLBACK");
}

} // namespace leura::store
