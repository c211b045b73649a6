// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to src/ssh: jump hosts, done in-process. libssh 0.10 has no ProxyJump of its own
// (docs/libssh.md §1.5), so a jump host is an ordinary session on a thread of its own that
// opens a direct-tcpip channel per target and copies bytes between the channel and one end of
// a socketpair; the target's session runs on the other end in the engine's loop, unaware.
// One thread and one session per jump host, shared by every host behind it.

#include "ssh/transport.hpp"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace leura::ssh {

// Why a tunnel ended early, written by the jump host's thread and read by the session
// riding on it when its socket reports EOF.
class TunnelStatus {
public:
    explicit TunnelStatus(std::string hop = {}) : m_hop(std::move(hop)) {}
    void set(Error e);
    std::optional<Error> get() const;
    // The jump host opened the way to the target (its direct-tcpip channel is open).
    void set_open() { m_open = true; }
    bool is_open() const { return m_open; }
    const std::string& hop() const { return m_hop; } // the jump host, for messages

private:
    mutable std::mutex m_mutex;
    std::optional<Error> m_error;
    std::atomic<bool> m_open{false};
    std::string m_hop;
};

struct Tunnel {
    int fd = -1; // the caller's end of the socketpair; the caller closes it
    std::shared_ptr<TunnelStatus> status;
};

// Gives a session its socket: a tunnel through a jump host. Empty: a TCP connect.
using TunnelOpener = std::function<Result<Tunnel>()>;

class KeyCache;

class JumpHost {
public:
    // `reach`: how the jump host itself is reached (empty: directly over TCP).
    JumpHost(Endpoint hop, const TransportOptions& options, TunnelOpener reach);
    ~JumpHost(); // ends every tunnel and joins the thread
    JumpHost(const JumpHost&) = delete;
    JumpHost& operator=(const JumpHost&) = delete;

    // Thread-safe; never blocks. The channel to host:port is opened on the jump host's thread
    // (connecting the jump host first if needed); bytes written to the fd before then wait in
    // the socketpair.
    Result<Tunnel> open_tunnel(const std::string& host, int port);

private:
    struct Request {
        int fd;
        std::string host;
        int port;
        std::shared_ptr<TunnelStatus> status;
    };
    class Worker; // the thread's state; defined in jump.cpp

    void wake();

    std::mutex m_mutex;
    std::vector<Request> m_requests;
    bool m_stop = false;
    int m_wake[2] = {-1, -1};
    std::unique_ptr<Worker> m_worker;
    std::thread m_thread;
};

} // namespace leura::ssh
