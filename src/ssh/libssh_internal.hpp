// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to src/ssh: the libssh-backed Connection and Command.

#include "ssh/handles.hpp"
#include "ssh/jump.hpp"
#include "ssh/tcp.hpp"
#include "ssh/transport.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace leura::ssh {

// Private keys are loaded once per run and shared by every session (one thread owns them all).
class KeyCache {
public:
    // The key, or an error (kind auth) saying why it could not be used.
    Result<ssh_key> get(const std::string& path);

private:
    std::map<std::string, Result<KeyPtr>> m_keys;
};

class LibsshConnection final : public Connection {
public:
    // `reach` empty: TCP to the endpoint; else the tunnel it gives (a jump host).
    LibsshConnection(Endpoint endpoint, const TransportOptions& options, KeyCache& keys,
                     TunnelOpener reach = {});
    ~LibsshConnection() override;

    Result<Step> connect() override;
    std::unique_ptr<Command> exec(std::string command, std::string stdin_data,
                                  bool keep_stdin_open = false) override;
    std::unique_ptr<Command> exec_with_file(std::string command, std::string stdin_data,
                                            util::Snapshot stdin_file) override;
    WaitFor wait_for() const override;
    bool dropped_in_handshake() const override { return m_dropped; }
    std::optional<Error> explain_timeout() const override;
    ssh_session session() const { return m_session.get(); }

private:
    enum class State { tcp, handshake, host_key, auth, ready, failed };

    Status start_session(int fd);
    Status check_host_key();
    Result<Step> authenticate();
    std::vector<std::string> identity_candidates() const;
    Result<Step> closed_in_auth(const std::string& offering) const;
    // The endpoint's own known_hosts file, else the transport's.
    const std::string& known_hosts_file() const {
        return m_endpoint.known_hosts.empty() ? m_options.known_hosts : m_endpoint.known_hosts;
    }
    Error ssh_failure(ErrorKind kind, const std::string& what) const;

    Endpoint m_endpoint;
    const TransportOptions& m_options;
    KeyCache& m_keys;
    State m_state = State::tcp;
    TcpConnect m_tcp;
    TunnelOpener m_reach;
    std::shared_ptr<TunnelStatus> m_tunnel; // why the tunnel ended, when there is one
    int m_fd = -1;                          // owned: libssh does not close a socket it was given
    SessionPtr m_session;
    // Authentication walks: agent (when SSH_AUTH_SOCK is set), then each identity file.
    std::vector<std::string> m_identities;
    size_t m_next_identity = 0;
    bool m_agent_tried = false;
    bool m_dropped = false; // see dropped_in_handshake()
    bool m_auth_in_progress = false;
    std::string m_auth_errors;
};

class LibsshCommand final : public Command {
public:
    LibsshCommand(ssh_session session, std::string command, std::string stdin_data,
                  util::Snapshot stdin_file, std::chrono::milliseconds keepalive,
                  bool keep_stdin_open = false);
    ~LibsshCommand() override;

    Result<Step> pump(OutputSink& out) override;
    int exit_code() const override { return m_exit_code; }
    std::string exit_signal() const override { return m_exit_signal; }
    void abort() override;
    Status send(std::string_view data) override;
    Status send_nudge(std::string_view data) override;
    Status send_file(util::Snapshot file) override;
    std::optional<std::chrono::steady_clock::time_point> wake_at() const override;

private:
    enum class State { open, exec, running, done };
    using TimePoint = std::chrono::steady_clock::time_point;

    Status keep_alive();

    Result<Step> run(OutputSink& out);
    Status feed_stdin();
    void stop_feeding(); // the command no longer reads its input
    Status flush();
    Result<bool> drain(OutputSink& out); // true once both streams hit EOF
    Error broken(const std::string& what) const;

    static int on_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr,
                       void* self);
    static void on_exit_status(ssh_session, ssh_channel, int status, void* self);
    static void on_exit_signal(ssh_session, ssh_channel, const char* signal, int core,
                               const char* errmsg, const char* lang, void* self);

    ssh_session m_session;
    ChannelPtr m_channel;
    ssh_channel_callbacks_struct m_callbacks{};
    std::string m_command;
    std::string m_stdin;
    size_t m_stdin_sent = 0;
    util::Snapshot m_file; // sent after m_stdin, a chunk at a time
    unsigned long long m_file_sent = 0;
    bool m_file_done = true;
    bool m_eof_sent = false;
    bool m_keep_stdin_open = false;
    bool m_eof_seen[2] = {false, false};
    State m_state = State::open;
    OutputSink* m_sink = nullptr; // set while pump() runs: where on_data sends output
    std::optional<Error> m_sink_error;
    bool m_exit_known = false;
    int m_exit_code = -1;
    std::string m_exit_signal;
    std::chrono::milliseconds m_keepalive;
    TimePoint m_last_heard = std::chrono::steady_clock::now();
    ChannelPtr m_probe; // a channel open in flight: the host's answer proves it alive
    TimePoint m_probe_sent;
};

} // namespace leura::ssh
