// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/error.hpp"

#include <string>
#include <vector>

namespace leura::ssh {

// Asks the kernel to ACK what arrives next at once. OpenSSH's sshd sends an unsolicited packet
// after authentication (hostkeys-00@openssh.com) that needs no answer; a delayed ACK for it
// then holds the server's next small packet behind Nagle for ~40 ms (the channel open
// reply). Linux clears quick-ACK mode by itself, so this is called before each read.
// Harmless on a socket that is not TCP (a jump host's socketpair).
void ack_promptly(int fd);

// A non-blocking TCP connect that walks every address of a name (libssh 0.10 tries only the
// first). Owns its socket until release().
class TcpConnect {
public:
    TcpConnect(std::string host, int port) : m_host(std::move(host)), m_port(port) {}
    ~TcpConnect();
    TcpConnect(const TcpConnect&) = delete;
    TcpConnect& operator=(const TcpConnect&) = delete;

    // true: connected; false: in progress, poll fd() for writing. Errors: connect.
    Result<bool> step();
    int fd() const { return m_fd; }
    // Hands the connected socket over; the caller closes it.
    int release();

private:
    Result<bool> start_next();

    std::string m_host;
    int m_port;
    std::vector<std::vector<char>> m_addrs; // sockaddr bytes, in resolver order
    size_t m_next = 0;
    int m_fd = -1;
    bool m_resolved = false;
    std::string m_last_error;
};

} // namespace leura::ssh
