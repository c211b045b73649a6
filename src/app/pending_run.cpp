// SPDX-License-Identifier: Apache-2.0
#include "app/pending_run.hpp"
#include "util/random.hpp"
#include "util/sha256.hpp"
#include "util/time.hpp"

#include <cerrno>
#include <cstring>
#include <pwd.h>
#include <unistd.h>

namespace leura::app {

Result<std::string> create_pending_run(store::Store& store, const std::string& principal,
                                       const std::string& triggered_by, const std::string& run_id) {
    std::string token = util::random_hex(32);
    store::PendingRun p;
    p.token_hash = util::sha256_hex(token);
    p.principal = principal;
    p.triggered_by = triggered_by;
    p.run_id = run_id;
    p.created_at = util::now_rfc3339();
    LEURA_TRY(store.insert_pending_run(p));
    return token;
}

Result<store::PendingRun> claim_pending_run(Context& ctx, int fd) {
    std::string token;
    char buf[128];
    while (token.size() < 256) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int e = errno;
            ::close(fd);
            return fail(ErrorKind::io, "cannot read the run's claim from descriptor " +
                                           std::to_string(fd) + ": " + std::strerror(e));
        }
        if (n == 0) break;
        token.append(buf, size_t(n));
    }
    ::close(fd);
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r'))
        token.pop_back();
    LEURA_TRY_ASSIGN(store, ctx.records());
    LEURA_TRY_ASSIGN(pending, store->take_pending_run(util::sha256_hex(token)));
    if (!pending)
        return fail(ErrorKind::denied, "the run's claim names no pending run (claimed already, "
                                       "or not made by leura)");
    Principal p;
    p.uid = uid_t(-1); // no Unix account: never root's bypass
    p.name = pending->principal;
    p.via = pending->principal.substr(0, pending->principal.find(':'));
    // A person's run started for them by `leura serve`: theirs, as if they had typed it (the
    // server checked them at the socket; the record is the server's own).
    if (p.via == "user") {
        p.name = pending->principal.substr(5);
        const passwd* pw = ::getpwnam(p.name.c_str());
        if (!pw) return fail(ErrorKind::denied, "the run's claim names an unknown user " + p.name);
        p.uid = pw->pw_uid;
        p.via = "api";
    }
    ctx.identity = p;
    ctx.access_principal.reset();
    return *pending;
}

} // namespace leura::app
