// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace leura {

// What went wrong, in terms a caller can act on. Remote-facing kinds double as the
// `error` field of host records and JSON events, so their names are interface.
enum class ErrorKind {
    usage,
    config,
    connect,
    auth,
    host_key,         // the host's key is not in known_hosts
    host_key_changed, // known_hosts has a different key for the host: never accepted
    timeout,
    remote_exit,
    signal, // a step killed by a signal: not an exit status, so ignore_errors does not cover it
    io,
    permission,
    denied, // refused by the access policy (exit 4); `permission` is the operating system's
    not_found,
    interrupted,
    halted, // a gate halted the wave before this host started
    locked, // another run holds the lock (exit 5)
    internal,
};

const char* to_string(ErrorKind kind);

// Where in a file a problem is; line and column are 1-based, 0 means unknown.
struct SourcePos {
    std::string file;
    int line = 0;
    int column = 0;
};

struct Error {
    ErrorKind kind = ErrorKind::internal;
    std::string message;
    SourcePos pos;

    Error() = default;
    Error(ErrorKind k, std::string msg) : kind(k), message(std::move(msg)) {}
    Error(ErrorKind k, std::string msg, SourcePos p)
        : kind(k), message(std::move(msg)), pos(std::move(p)) {}
};

template <typename T> using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(ErrorKind kind, std::string message) {
    return std::unexpected<Error>(Error(kind, std::move(message)));
}

} // namespace leura

// Early return of the error of an expression yielding Result/Status.
#define LEURA_TRY(expr)                                                                            \
    do {                                                                                           \
        if (auto leura_try_r_ = (expr); !leura_try_r_)                                             \
            return std::unexpected(std::move(leura_try_r_.error()));                               \
    } while (0)

// Declares `var` from a Result expression, returning its error early.
#define LEURA_TRY_ASSIGN(var, expr)                                                                \
    auto var##_result_ = (expr);                                                                   \
    if (!var##_result_) return std::unexpected(std::move(var##_result_.error()));                  \
    auto var = std::move(*var##_result_)
