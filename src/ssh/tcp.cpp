// SPDX-License-Identifier: Apache-2.0
#include "ssh/tcp.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace leura::ssh {

namespace {

void tune_socket(int fd) {
    int on = 1;
    // Without NODELAY, libssh's small writes meet delayed ACKs (docs/libssh.md §1.6).
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    // libssh 0.10 has no keepalive of its own; let the kernel find dead peers.
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    int idle = 30, interval = 10, count = 3;
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

} // namespace

void ack_promptly(int fd) {
    int on = 1;
    if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
}

TcpConnect::~TcpConnect() {
    if (m_fd >= 0) ::close(m_fd);
}

int TcpConnect::release() {
    int fd = m_fd;
    m_fd = -1;
    return fd;
}

Result<bool> TcpConnect::step() {
    if (!m_resolved) {
        m_resolved = true;
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICSERV;
        addrinfo* list = nullptr;
        std::string port = std::to_string(m_port);
        int rc = getaddrinfo(m_host.c_str(), port.c_str(), &hints, &list);
        if (rc != 0)
            return fail(ErrorKind::connect, "cannot resolve '" + m_host + "': " + gai_strerror(rc));
        for (addrinfo* a = list; a; a = a->ai_next) {
            auto* p = reinterpret_cast<const char*>(a->ai_addr);
            m_addrs.emplace_back(p, p + a->ai_addrlen);
        }
        freeaddrinfo(list);
        return start_next();
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err == 0) return true;
    m_last_error = std::strerror(err);
    return start_next();
}

Result<bool> TcpConnect::start_next() {
    while (m_next < m_addrs.size()) {
        const auto& addr = m_addrs[m_next++];
        auto* sa = reinterpret_cast<const sockaddr*>(addr.data());
        if (m_fd >= 0) ::close(m_fd);
        m_fd = ::socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (m_fd < 0) {
            m_last_error = std::strerror(errno);
            continue;
        }
        tune_socket(m_fd);
        if (::connect(m_fd, sa, socklen_t(addr.size())) == 0) return true;
        if (errno == EINPROGRESS) return false;
        m_last_error = std::strerror(errno);
    }
    return fail(ErrorKind::connect, "connect to " + m_host + " port " + std::to_string(m_port) +
                                        ": " +
                                        (m_last_error.empty() ? "no address" : m_last_error));
}

} // namespace leura::ssh
