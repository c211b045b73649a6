// SPDX-License-Identifier: Apache-2.0
// The jump host's thread: connect (non-blocking, as the engine does), then pump every
// tunnel. The pump is hand-written because libssh 0.10.6's ssh_connector stalls on transfers
// of a few MB (docs/libssh.md §1.5). Channel data is taken in the data callback, like
// LibsshCommand does, so packets processed while serving one tunnel are never left in
// another tunnel's buffer with no poll() to wake for them.
#include "ssh/jump.hpp"
#include "ssh/libssh_internal.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

namespace leura::ssh {

namespace {

// Bytes a tunnel holds for its socket before it stops taking channel data; past that the
// SSH window is not grown, so the remote side waits (backpressure, bounded memory).
constexpr size_t k_buffer_cap = 256 * 1024;
constexpr size_t k_chunk = 64 * 1024;

std::string hop_name(const Endpoint& e) {
    return e.host + (e.port == 22 ? "" : ":" + std::to_string(e.port));
}

} // namespace

void TunnelStatus::set(Error e) {
    std::lock_guard lock(m_mutex);
    if (!m_error) m_error = std::move(e);
}

std::optional<Error> TunnelStatus::get() const {
    std::lock_guard lock(m_mutex);
    return m_error;
}

class JumpHost::Worker {
public:
    Worker(Endpoint hop, const TransportOptions& options, TunnelOpener reach)
        : m_hop(std::move(hop)), m_options(options), m_reach(std::move(reach)) {}

    void run(JumpHost& owner);
    const Endpoint& hop() const { return m_hop; } // set once, before the thread starts

private:
    struct TunnelState {
        Request request;
        ChannelPtr channel;
        ssh_channel_callbacks_struct callbacks{};
        bool open = false;
        bool shut_down = false; // the socket was told the remote side ended
        bool socket_eof = false;
        std::string to_socket;
        std::string to_channel;
    };

    bool adopt(JumpHost& owner);
    void drive_connect();
    bool pump(TunnelState& t);
    bool pump_all();
    void fail(TunnelState& t, const Error& e);
    void fail_all(const Error& e);
    void close(TunnelState& t);
    std::vector<pollfd> poll_set(int wake_fd) const;
    int poll_timeout() const;
    Error hop_error(const Error& e) const;

    static int on_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr,
                       void* self);

    Endpoint m_hop;
    const TransportOptions& m_options;
    TunnelOpener m_reach;
    KeyCache m_keys; // this thread's own: keys are not shared across threads
    std::unique_ptr<LibsshConnection> m_conn;
    bool m_ready = false;
    std::chrono::steady_clock::time_point m_deadline;
    std::optional<Error> m_failure; // the last connect's; connect errors allow another try
    std::vector<std::unique_ptr<TunnelState>> m_tunnels;
};

Error JumpHost::Worker::hop_error(const Error& e) const {
    return Error(e.kind, "jump host " + hop_name(m_hop) + ": " + e.message);
}

int JumpHost::Worker::on_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr,
                              void* self) {
    auto* t = static_cast<TunnelState*>(self);
    if (is_stderr) return int(len); // a direct-tcpip channel has none; drop it if sent
    if (t->to_socket.size() >= k_buffer_cap) return 0; // stays in libssh's buffer, window shut
    t->to_socket.append(static_cast<const char*>(data), len);
    return int(len);
}

void JumpHost::Worker::close(TunnelState& t) {
    // libssh keeps a freed channel that is still open until the peer confirms the close, and
    // hands it the packets that arrive meanwhile: without this, to callbacks in a TunnelState
    // that is gone (a crash seen when a host's connection ended with a channel still open).
    if (t.channel) ssh_remove_channel_callbacks(t.channel.get(), &t.callbacks);
    t.channel.reset(); // frees the channel; libssh sends the close
    if (t.request.fd >= 0) ::close(t.request.fd);
    t.request.fd = -1;
}

void JumpHost::Worker::fail(TunnelState& t, const Error& e) {
    t.request.status->set(e);
    close(t);
}

void JumpHost::Worker::fail_all(const Error& e) {
    for (auto& t : m_tunnels)
        fail(*t, e);
    m_tunnels.clear();
}

// Takes new requests; false once the owner asked the thread to end.
bool JumpHost::Worker::adopt(JumpHost& owner) {
    std::vector<Request> fresh;
    {
        std::lock_guard lock(owner.m_mutex);
        if (owner.m_stop) return false;
        fresh.swap(owner.m_requests);
    }
    for (auto& r : fresh) {
        auto t = std::make_unique<TunnelState>();
        t->request = std::move(r);
        m_tunnels.push_back(std::move(t));
    }
    if (m_tunnels.empty() || m_conn) return true;
    // Authentication and host key failures are final for the run; a connect error may pass.
    if (m_failure && m_failure->kind != ErrorKind::connect) {
        fail_all(*m_failure);
        return true;
    }
    m_failure.reset();
    m_conn = std::make_unique<LibsshConnection>(m_hop, m_options, m_keys, m_reach);
    m_deadline = std::chrono::steady_clock::now() + m_options.jump_connect_timeout;
    return true;
}

void JumpHost::Worker::drive_connect() {
    auto r = m_conn->connect();
    if (r && *r == Step::done) {
        m_ready = true;
        return;
    }
    if (r && std::chrono::steady_clock::now() < m_deadline) return;
    Error e = r ? Error(ErrorKind::connect,
                        "connect timed out after " +
                            std::to_string(m_options.jump_connect_timeout.count()) + "ms")
                : r.error();
    m_failure = hop_error(e);
    fail_all(*m_failure);
    m_conn.reset();
}

// Moves what it can in both directions; true when anything moved.
bool JumpHost::Worker::pump(TunnelState& t) {
    ssh_session s = m_conn->session();
    bool moved = false;
    if (!t.open) {
        if (!t.channel) {
            t.channel.reset(ssh_channel_new(s));
            if (!t.channel) {
                fail(t, hop_error(Error(ErrorKind::internal, "cannot create a channel")));
                return true;
            }
            ssh_callbacks_init(&t.callbacks);
            t.callbacks.userdata = &t;
            t.callbacks.channel_data_function = on_data;
            ssh_set_channel_callbacks(t.channel.get(), &t.callbacks);
        }
        int rc = ssh_channel_open_forward(t.channel.get(), t.request.host.c_str(), t.request.port,
                                          "127.0.0.1", 0);
        if (rc == SSH_AGAIN) return false;
        if (rc != SSH_OK) {
            fail(t, hop_error(Error(ErrorKind::connect,
                                    "cannot reach " + t.request.host + " port " +
                                        std::to_string(t.request.port) + ": " + ssh_get_error(s))));
            return true;
        }
        t.open = true;
        t.request.status->set_open();
        moved = true;
    }
    std::array<char, k_chunk> buf;
    if (t.to_socket.size() < k_buffer_cap) {
        // Picks up what the callback left buffered (and processes new packets for everyone).
        int n = ssh_channel_read_nonblocking(t.channel.get(), buf.data(), buf.size(), 0);
        if (n == SSH_ERROR) {
            fail(t, hop_error(Error(ErrorKind::connect, ssh_get_error(s))));
            return true;
        }
        if (n > 0) t.to_socket.append(buf.data(), size_t(n));
    }
    if (!t.to_socket.empty()) {
        ssize_t w = ::send(t.request.fd, t.to_socket.data(), t.to_socket.size(), MSG_NOSIGNAL);
        if (w > 0) {
            t.to_socket.erase(0, size_t(w));
            moved = true;
        } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
            t.socket_eof = true; // the session on the other end is gone
        }
    }
    if (t.to_socket.empty() && !t.shut_down &&
        (ssh_channel_is_eof(t.channel.get()) || ssh_channel_is_closed(t.channel.get()))) {
        ::shutdown(t.request.fd, SHUT_WR);
        t.shut_down = true;
        moved = true;
    }
    if (t.to_channel.empty() && !t.socket_eof) {
        ssize_t n = ::read(t.request.fd, buf.data(), buf.size());
        if (n > 0) {
            t.to_channel.assign(buf.data(), size_t(n));
            moved = true;
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            t.socket_eof = true;
        }
    }
    if (!t.to_channel.empty() && !ssh_channel_is_closed(t.channel.get())) {
        uint32_t window = ssh_channel_window_size(t.channel.get());
        size_t n = std::min<size_t>(window, t.to_channel.size());
        if (n > 0) {
            int w = ssh_channel_write(t.channel.get(), t.to_channel.data(), uint32_t(n));
            if (w == SSH_ERROR) {
                fail(t, hop_error(Error(ErrorKind::connect, ssh_get_error(s))));
                return true;
            }
            if (w > 0) {
                t.to_channel.erase(0, size_t(w));
                moved = true;
            }
        }
    }
    if (t.socket_eof) {
        close(t); // the session riding on it ended; nothing more to carry
        moved = true;
    }
    return moved;
}

bool JumpHost::Worker::pump_all() {
    bool moved = false;
    for (auto& t : m_tunnels)
        if (t->request.fd >= 0) moved |= pump(*t);
    std::erase_if(m_tunnels, [](const auto& t) { return t->request.fd < 0; });
    ssh_blocking_flush(m_conn->session(), 0);
    if (!ssh_is_connected(m_conn->session())) {
        m_failure = hop_error(Error(ErrorKind::connect, "connection lost"));
        fail_all(*m_failure); // the channels go before their session
        m_conn.reset();
        m_ready = false;
        return false;
    }
    return moved;
}

std::vector<pollfd> JumpHost::Worker::poll_set(int wake_fd) const {
    std::vector<pollfd> fds{{wake_fd, POLLIN, 0}};
    if (!m_conn) return fds;
    WaitFor w = m_conn->wait_for();
    bool take_channel_data = !m_ready;
    for (const auto& t : m_tunnels) {
        if (!m_ready || t->request.fd < 0) continue;
        short events = 0;
        if (t->open && t->to_channel.empty() && !t->socket_eof) events |= POLLIN;
        if (!t->to_socket.empty()) events |= POLLOUT;
        if (events) fds.push_back({t->request.fd, events, 0});
        if (t->to_socket.size() < k_buffer_cap) take_channel_data = true;
    }
    // A readable session that nobody can take data from would spin the loop.
    short events = short((take_channel_data ? POLLIN : 0) | (w.write ? POLLOUT : 0));
    if (w.fd >= 0 && events) fds.push_back({w.fd, events, 0});
    return fds;
}

void JumpHost::Worker::run(JumpHost& owner) {
    while (adopt(owner)) {
        if (m_conn && !m_ready) drive_connect();
        if (m_conn && m_ready) {
            // Moving bytes can make more movable (a window grows, a socket drains); the bound
            // keeps one busy tunnel from starving the wake pipe.
            for (int round = 0; round < 16 && m_conn && pump_all(); ++round) {
            }
        }
        auto fds = poll_set(owner.m_wake[0]);
        // The timeout is a safety net and the connect deadline's tick, not the pump's pace.
        int timeout = m_conn && !m_ready ? 50 : 200;
        if (::poll(fds.data(), fds.size(), timeout) > 0 && (fds[0].revents & POLLIN)) {
            char drain[64];
            while (::read(owner.m_wake[0], drain, sizeof drain) > 0) {
            }
        }
    }
    fail_all(hop_error(Error(ErrorKind::interrupted, "closed")));
    m_conn.reset();
}

JumpHost::JumpHost(Endpoint hop, const TransportOptions& options, TunnelOpener reach)
    : m_worker(std::make_unique<Worker>(std::move(hop), options, std::move(reach))) {
    if (::pipe2(m_wake, O_NONBLOCK | O_CLOEXEC) != 0) {
        m_wake[0] = m_wake[1] = -1;
        return; // open_tunnel reports it
    }
    // Signals belong to the engine's thread, which turns them into stop requests.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    m_thread = std::thread([this] { m_worker->run(*this); });
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

JumpHost::~JumpHost() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    wake();
    if (m_thread.joinable()) m_thread.join();
    for (auto& r : m_requests)
        ::close(r.fd);
    for (int fd : m_wake)
        if (fd >= 0) ::close(fd);
}

void JumpHost::wake() {
    if (m_wake[1] < 0) return;
    [[maybe_unused]] auto n = ::write(m_wake[1], "x", 1); // a full pipe already means "wake"
}

Result<Tunnel> JumpHost::open_tunnel(const std::string& host, int port) {
    if (!m_thread.joinable()) return fail(ErrorKind::internal, "jump host thread not running");
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
        return fail(ErrorKind::connect, std::string("socketpair: ") + std::strerror(errno));
    auto status = std::make_shared<TunnelStatus>(hop_name(m_worker->hop()));
    {
        std::lock_guard lock(m_mutex);
        m_requests.push_back({sv[0], host, port, status});
    }
    wake();
    return Tunnel{sv[1], status};
}

} // namespace leura::ssh
