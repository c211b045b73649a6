// SPDX-License-Identifier: Apache-2.0
// The one translation unit that includes Boost.Beast (header-only; slow to compile).
#include "http/server.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <poll.h>
#include <set>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <thread>
#include <type_traits>
#include <unistd.h>

namespace leura::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;
using unix_socket = asio::local::stream_protocol;
using tcp = asio::ip::tcp;
using tls_stream = asio::ssl::stream<tcp::socket>;

namespace {

constexpr size_t k_header_limit = 16 * 1024;
constexpr size_t k_body_limit = 1024 * 1024;
constexpr int k_max_connections = 1024;
constexpr auto k_drain = std::chrono::seconds(5);
constexpr int k_read_timeout_seconds = 60;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return out;
}

bool convert(const bh::request<bh::string_body>& in, Request& out) {
    out.method = std::string(in.method_string());
    out.target = std::string(in.target());
    if (!parse_target(out.target, out.path, out.query)) return false;
    out.headers.clear();
    for (const auto& f : in)
        out.headers.emplace_back(lower(f.name_string()), std::string(f.value()));
    out.body = in.body();
    return true;
}

// A problem body the server writes itself, before any handler: the request could not be read.
std::string problem(int status, std::string_view title, std::string_view detail) {
    std::string d;
    for (char c : detail)
        if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) d += c;
    return "{\"type\":\"about:blank\",\"title\":\"" + std::string(title) +
           "\",\"status\":" + std::to_string(status) +
           ",\"code\":\"usage\",\"exit\":2,\"detail\":\"" + d + "\"}";
}

// The descriptor under a connection, plain or TLS.
template <class Stream> int fd_of(Stream& s) {
    return beast::get_lowest_layer(s).native_handle();
}

// Ends a connection: a TLS one says close_notify first, without waiting for the peer's.
void close_connection(unix_socket::socket& s) {
    beast::error_code ec;
    s.shutdown(unix_socket::socket::shutdown_both, ec);
}
void close_connection(tcp::socket& s) {
    beast::error_code ec;
    s.shutdown(tcp::socket::shutdown_both, ec);
}
void close_connection(tls_stream& s) {
    ::SSL_shutdown(s.native_handle());
    close_connection(s.next_layer());
}

} // namespace

struct Server::Impl {
    Handler handler;
    asio::io_context io;
    std::optional<unix_socket::acceptor> unix_acceptor;
    std::optional<tcp::acceptor> tcp_acceptor;
    std::optional<asio::ssl::context> tls; // the TCP listener's, when it speaks TLS
    std::filesystem::path unix_path;
    std::atomic<bool> stopping{false};
    mutable std::mutex mutex;
    std::condition_variable idle;
    std::set<int> open; // connections' descriptors, shut down on stop
    int count = 0;

    bool enter(int fd) {
        std::lock_guard lock(mutex);
        if (stopping || count >= k_max_connections) return false;
        open.insert(fd);
        ++count;
        return true;
    }
    void leave(int fd) {
        std::lock_guard lock(mutex);
        open.erase(fd);
        --count;
        idle.notify_all();
    }

    template <class Stream> void serve(Stream& sock, const Peer& peer);
    template <class Socket> void connection(Socket sock, Peer peer);
    template <class Acceptor> void accept_loop(Acceptor& acceptor);
};

// A connection's thread: on a TLS listener the handshake first (here, not in the accept loop,
// so that a slow or silent client holds up only its own thread; SO_RCVTIMEO bounds it).
template <class Socket> void Server::Impl::connection(Socket sock, Peer peer) {
    if constexpr (std::is_same_v<Socket, tcp::socket>) {
        if (tls) {
            tls_stream stream(std::move(sock), *tls);
            beast::error_code ec;
            stream.handshake(asio::ssl::stream_base::server, ec);
            if (ec) { // plain HTTP, a client that distrusts the certificate, a scanner
                close_connection(stream.next_layer());
                return;
            }
            peer.tls = true;
            serve(stream, peer);
            return;
        }
    }
    serve(sock, peer);
}

template <class Stream> void Server::Impl::serve(Stream& sock, const Peer& peer) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    for (;;) {
        bh::request_parser<bh::string_body> parser;
        parser.header_limit(k_header_limit);
        parser.body_limit(k_body_limit);
        bh::read(sock, buffer, parser, ec);
        if (ec == bh::error::end_of_stream || stopping) break;
        if (ec) {
            int status = 400;
            std::string title = "Bad Request";
            if (ec == bh::error::body_limit) status = 413, title = "Content Too Large";
            if (ec == bh::error::header_limit)
                status = 431, title = "Request Header Fields Too Large";
            // Nothing was read at all (the peer connected and left): nothing to answer.
            if (ec == asio::error::eof || ec == asio::error::connection_reset) break;
            // Nothing more came within the read timeout: the connection goes quietly.
            if (ec == asio::error::would_block || ec == asio::error::try_again ||
                ec == asio::error::timed_out)
                break;
            bh::response<bh::string_body> res{bh::status(status), 11};
            res.set(bh::field::content_type, "application/problem+json");
            res.body() = problem(status, title, ec.message());
            res.keep_alive(false);
            res.prepare_payload();
            bh::write(sock, res, ec);
            break;
        }
        const auto& in = parser.get();
        Request req;
        Response res;
        if (!convert(in, req)) {
            res.status = 400;
            res.header("Content-Type", "application/problem+json");
            res.body = problem(400, "Bad Request", "the request target is not a path");
        } else {
            try {
                res = handler(req, peer);
            } catch (const std::exception& e) {
                res = Response{};
                res.status = 500;
                res.header("Content-Type", "application/problem+json");
                res.body = problem(500, "Internal Server Error", e.what());
            }
        }
        if (res.stream) {
            bh::response<bh::empty_body> head{bh::status(res.status), 11};
            for (const auto& [k, v] : res.headers)
                head.set(k, v);
            head.set(bh::field::connection, "close");
            bh::response_serializer<bh::empty_body> sr{head};
            bh::write_header(sock, sr, ec);
            if (ec) break;
            const int fd = fd_of(sock);
            res.stream([&](std::string_view data) {
                if (stopping) return false;
                if (data.empty()) {
                    // Nothing to send: is the client still there? (A write would tell only
                    // once there is something to write.)
                    pollfd p{fd, POLLRDHUP, 0};
                    return ::poll(&p, 1, 0) == 0 || !(p.revents & (POLLRDHUP | POLLHUP | POLLERR));
                }
                asio::write(sock, asio::buffer(data.data(), data.size()), ec);
                return !ec;
            });
            break;
        }
        const bool keep = in.keep_alive() && !stopping;
        bh::response<bh::string_body> out{bh::status(res.status), 11};
        for (const auto& [k, v] : res.headers)
            out.set(k, v);
        out.body() = std::move(res.body);
        out.keep_alive(keep);
        out.prepare_payload();
        bh::write(sock, out, ec);
        if (ec || !keep) break;
    }
    close_connection(sock);
}

template <class Acceptor> void Server::Impl::accept_loop(Acceptor& acceptor) {
    while (!stopping) {
        beast::error_code ec;
        auto sock = acceptor.accept(ec);
        if (stopping) break;
        if (ec) {
            if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor ||
                ec == asio::error::invalid_argument)
                break;
            // EMFILE and the like: wait a little rather than spin.
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            continue;
        }
        const int fd = sock.native_handle();
        Peer peer;
        // Before anything else: a run started from here must not inherit it (the launcher
        // also closes what slipped through between accept and this).
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        // A client that sends nothing (an idle keep-alive, a slow sender) gives its thread back
        // after a while; a stream's writes are not bounded by this.
        timeval read_timeout{k_read_timeout_seconds, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &read_timeout, sizeof read_timeout);
        if constexpr (std::is_same_v<Acceptor, unix_socket::acceptor>) {
            peer.address = "unix";
            ucred cred{};
            socklen_t len = sizeof cred;
            if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) peer.uid = cred.uid;
        } else {
            beast::error_code e2;
            auto ep = sock.remote_endpoint(e2);
            if (!e2) peer.address = ep.address().to_string() + ":" + std::to_string(ep.port());
        }
        if (!enter(fd)) continue; // the socket closes as it goes out of scope
        std::thread([this, s = std::move(sock), peer, fd]() mutable {
            connection(std::move(s), std::move(peer));
            leave(fd);
        }).detach();
    }
}

Server::Server(Handler handler) : m(std::make_unique<Impl>()) {
    m->handler = std::move(handler);
}

Server::~Server() {
    stop();
    if (!m->unix_path.empty()) ::unlink(m->unix_path.c_str());
}

Status Server::listen_unix(const std::filesystem::path& path, unsigned mode) {
    if (path.string().size() >= sizeof(sockaddr_un{}.sun_path))
        return fail(ErrorKind::usage, "socket path " + path.string() + " is too long (" +
                                          std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                                          " bytes at most)");
    // A socket file there: another server if something answers, else a stale one to replace.
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return fail(ErrorKind::io, path.string() + " exists and is not a socket");
        unix_socket::socket probe(m->io);
        beast::error_code ec;
        probe.connect(unix_socket::endpoint(path.string()), ec);
        if (!ec) return fail(ErrorKind::locked, "a server already listens on " + path.string());
        ::unlink(path.c_str());
    }
    beast::error_code ec;
    m->unix_acceptor.emplace(m->io);
    m->unix_acceptor->open(unix_socket(), ec);
    // The file is created by bind with the umask's mode; a tight umask around it means no
    // moment where another user could connect before the chmod.
    const mode_t old = ::umask(0177);
    if (!ec) m->unix_acceptor->bind(unix_socket::endpoint(path.string()), ec);
    ::umask(old);
    if (!ec) m->unix_acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        m->unix_acceptor.reset();
        return fail(ErrorKind::io, "cannot listen on " + path.string() + ": " + ec.message());
    }
    ::fcntl(m->unix_acceptor->native_handle(), F_SETFD, FD_CLOEXEC);
    m->unix_path = path;
    if (::chmod(path.c_str(), mode) != 0)
        return fail(ErrorKind::io, "chmod " + path.string() + ": " + std::strerror(errno));
    return {};
}

namespace {

// TLS 1.2 or later with OpenSSL's default ciphers for those; the chain and key are read once,
// and a key that is not the certificate's is refused here, not at the first handshake.
Result<asio::ssl::context> tls_context(const TlsFiles& files) {
    asio::ssl::context ctx(asio::ssl::context::tls_server);
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    beast::error_code ec;
    ctx.use_certificate_chain_file(files.cert.string(), ec);
    if (ec)
        return fail(ErrorKind::config, "--tls-cert " + files.cert.string() +
                                           ": not a PEM certificate chain OpenSSL reads (" +
                                           ec.message() + ")");
    ctx.use_private_key_file(files.key.string(), asio::ssl::context::pem, ec);
    if (ec)
        return fail(ErrorKind::config, "--tls-key " + files.key.string() +
                                           ": not a PEM private key for that certificate (" +
                                           ec.message() + ")");
    return ctx;
}

} // namespace

Status Server::listen_tcp(const std::string& host, uint16_t port, const TlsFiles* tls) {
    if (tls) {
        auto ctx = tls_context(*tls);
        if (!ctx) return std::unexpected(ctx.error());
        m->tls.emplace(std::move(*ctx));
    }
    beast::error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (ec) return fail(ErrorKind::usage, "'" + host + "' is not an IP address");
    tcp::endpoint ep(address, port);
    m->tcp_acceptor.emplace(m->io);
    m->tcp_acceptor->open(ep.protocol(), ec);
    if (!ec) m->tcp_acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) m->tcp_acceptor->bind(ep, ec);
    if (!ec) m->tcp_acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        m->tcp_acceptor.reset();
        return fail(ErrorKind::io,
                    "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
    }
    ::fcntl(m->tcp_acceptor->native_handle(), F_SETFD, FD_CLOEXEC);
    return {};
}

uint16_t Server::tcp_port() const {
    if (!m->tcp_acceptor) return 0;
    beast::error_code ec;
    auto ep = m->tcp_acceptor->local_endpoint(ec);
    return ec ? 0 : ep.port();
}

int Server::connections() const {
    std::lock_guard lock(m->mutex);
    return m->count;
}

void Server::run() {
    std::vector<std::thread> loops;
    if (m->unix_acceptor) loops.emplace_back([this] { m->accept_loop(*m->unix_acceptor); });
    if (m->tcp_acceptor) loops.emplace_back([this] { m->accept_loop(*m->tcp_acceptor); });
    for (auto& t : loops)
        t.join();
    // Every connection's descriptor was shut down: readers wake, writers fail, and a stream
    // finds its writer refusing. They end; the Impl they use must outlive them.
    std::unique_lock lock(m->mutex);
    while (!m->idle.wait_for(lock, k_drain, [this] { return m->count == 0; }))
        for (int fd : m->open)
            ::shutdown(fd, SHUT_RDWR);
}

void Server::stop() {
    {
        std::lock_guard lock(m->mutex);
        if (m->stopping.exchange(true)) return;
        // shutdown() wakes a thread blocked in accept() or read() on Linux; close() would not.
        for (int fd : m->open)
            ::shutdown(fd, SHUT_RDWR);
    }
    if (m->unix_acceptor) ::shutdown(m->unix_acceptor->native_handle(), SHUT_RDWR);
    if (m->tcp_acceptor) ::shutdown(m->tcp_acceptor->native_handle(), SHUT_RDWR);
}

bool parse_request(std::string_view bytes, Request& out) {
    bh::request_parser<bh::string_body> parser;
    parser.header_limit(k_header_limit);
    parser.body_limit(k_body_limit);
    parser.eager(true);
    beast::error_code ec;
    size_t used = parser.put(asio::buffer(bytes.data(), bytes.size()), ec);
    (void)used;
    if (ec || !parser.is_done()) return false;
    return convert(parser.get(), out);
}

} // namespace leura::http
