// SPDX-License-Identifier: Apache-2.0
#include "app/serve.hpp"
#include "app/access_gate.hpp"
#include "app/api.hpp"
#include "app/schedule_tick.hpp"
#include "http/server.hpp"
#include "util/paths.hpp"
#include "util/signals.hpp"
#include "util/time.hpp"

#include <csignal>
#include <cstdio>
#include <poll.h>
#include <thread>
#include <unistd.h>

namespace leura::app {

namespace fs = std::filesystem;

namespace {

constexpr auto k_tick_every = std::chrono::seconds(30);
constexpr int k_loop_ms = 200;

// The tick's runs and rounds are children too: they are reaped and told to stop with the rest.
class TrackingLauncher : public Launcher {
public:
    TrackingLauncher(Launcher& inner, Children& children) : m_inner(inner), m_children(children) {}
    Result<int64_t> start(const LaunchRequest& request) override {
        auto pid = m_inner.start(request);
        if (pid) m_children.add(request.run_id.empty() ? "round" : request.run_id, pid_t(*pid));
        return pid;
    }

private:
    Launcher& m_inner;
    Children& m_children;
};

void log_line(const std::string& text) {
    std::fprintf(stderr, "%s leura serve: %s\n", util::now_rfc3339().c_str(), text.c_str());
}

bool is_loopback(const std::string& host) {
    return host.starts_with("127.") || host == "::1";
}

// "HOST:PORT" or "[V6]:PORT".
Result<std::pair<std::string, uint16_t>> parse_listen(const std::string& text) {
    const size_t colon = text.rfind(':');
    if (colon == text.npos || colon == 0)
        return fail(ErrorKind::usage, "--listen '" + text + "': expected HOST:PORT");
    std::string host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    char* end = nullptr;
    const long port = std::strtol(text.c_str() + colon + 1, &end, 10);
    if (*end || colon + 1 == text.size() || port < 0 || port > 65535)
        return fail(ErrorKind::usage, "--listen '" + text + "': the port must be 0 to 65535");
    return std::make_pair(host, uint16_t(port));
}

} // namespace

fs::path default_socket_path(const Context& ctx) {
    if (ctx.service || ::getuid() == 0) return "/run/leura/leura.sock";
    return ctx.data_dir / "leura.sock";
}

Status serve(Context& ctx, const ServeOptions& o) {
    // The command line's mistakes before anything is opened or bound.
    if (o.tls_cert.empty() != o.tls_key.empty())
        return fail(ErrorKind::usage, "--tls-cert and --tls-key go together");
    if (!o.tls_cert.empty() && o.listen.empty())
        return fail(ErrorKind::usage, "--tls-cert is for the --listen address (the Unix socket "
                                      "is local and needs none)");
    if (o.insecure_listen && o.listen.empty())
        return fail(ErrorKind::usage, "--insecure-listen is for a --listen address");
    Children children;
    ProcessLauncher processes(ctx.data_dir);
    TrackingLauncher launcher(processes, children);
    ApiBase base{ctx.data_dir, ctx.settings, ctx.service, ::getuid()};
    Api api(base, launcher, children);
    http::Server server(
        [&api](const http::Request& r, const http::Peer& p) { return api.handle(r, p); });
    api.connections = [&server] { return server.connections(); };

    LEURA_TRY(util::ensure_private_dir(ctx.data_dir));
    // The records exist before the first request opens them (store/sqlite.cpp creates a
    // missing database file, which is safe only while no other connection has it open).
    LEURA_TRY(ctx.records());
    const fs::path socket = o.socket.empty() ? default_socket_path(ctx) : o.socket;
    std::error_code ec;
    if (!socket.parent_path().empty() && !fs::exists(socket.parent_path(), ec)) {
        fs::create_directories(socket.parent_path(), ec);
        if (ec)
            return fail(ErrorKind::io,
                        "cannot create " + socket.parent_path().string() + ": " + ec.message());
    }
    // Without an access policy only the server's own user may connect; with one, anyone may,
    // and the policy decides what they may do.
    const bool policy = access_state(ctx).mode != access::PolicyState::Mode::off;
    LEURA_TRY(server.listen_unix(socket, policy ? 0666 : 0600));
    std::string where = "unix:" + socket.string();
    if (!o.listen.empty()) {
        LEURA_TRY_ASSIGN(hp, parse_listen(o.listen));
        const bool tls = !o.tls_cert.empty();
        // Tokens and session cookies cross this listener: in clear text only on loopback,
        // unless the operator says a network they trust carries it (or a proxy's TLS ends
        // on this host).
        if (!tls && !o.insecure_listen && !is_loopback(hp.first))
            return fail(ErrorKind::usage,
                        "--listen " + o.listen +
                            ": an address other than loopback needs TLS (--tls-cert and "
                            "--tls-key), or --insecure-listen to send tokens in clear text");
        http::TlsFiles files{o.tls_cert, o.tls_key};
        LEURA_TRY(server.listen_tcp(hp.first, hp.second, tls ? &files : nullptr));
        where += std::string(tls ? " https://" : " http://") +
                 (hp.first.find(':') != hp.first.npos ? "[" + hp.first + "]" : hp.first) + ":" +
                 std::to_string(server.tcp_port());
    }
    util::install_stop_signals();
    const int wake = util::stop_wake_fd();
    std::thread http_thread([&server] { server.run(); });
    if (o.ready) o.ready(where);
    log_line("listening on " + where);

    auto next_tick = std::chrono::steady_clock::now();
    while (util::stop_level() == 0) {
        children.reap();
        if (o.tick && std::chrono::steady_clock::now() >= next_tick) {
            next_tick = std::chrono::steady_clock::now() + k_tick_every;
            TickOptions t;
            t.now = util::unix_seconds(std::chrono::system_clock::now());
            config::Diagnostics diags;
            auto decided = tick(ctx, t, launcher, diags);
            if (!decided) log_line("tick: " + decided.error().message);
            for (const auto& d : diags.items())
                log_line("tick: " + d.message);
        }
        pollfd p{wake, POLLIN, 0};
        ::poll(&p, wake >= 0 ? 1 : 0, k_loop_ms);
    }

    log_line("stopping: no new connections; waiting for " + std::to_string(children.size()) +
             " running children");
    api.stopping = true;
    server.stop();
    http_thread.join();
    for (pid_t pid : children.pids())
        ::kill(pid, SIGTERM);
    // A second signal to the server is a second one to each run: stop now (as at a terminal).
    bool again = false;
    while (children.size() > 0) {
        children.reap();
        if (!again && util::stop_level() >= 2) {
            again = true;
            for (pid_t pid : children.pids())
                ::kill(pid, SIGTERM);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    log_line("stopped");
    return {};
}

} // namespace leura::app
