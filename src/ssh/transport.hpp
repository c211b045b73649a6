// SPDX-License-Identifier: Apache-2.0
#pragma once

// The seam between the engine and SSH. Everything here is non-blocking: the engine polls the
// fd a connection names and calls it again when the fd is ready or a deadline passes. The
// libssh implementation lives behind make_libssh_transport(); tests drive the engine with an
// in-memory fake of these same interfaces.

#include "util/error.hpp"
#include "util/file_snapshot.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leura::ssh {

struct Endpoint {
    std::string host; // name or address; also the known_hosts key
    int port = 22;
    std::string user;
    // Private key files, tried after the agent's keys; empty: ~/.ssh/id_*.
    std::vector<std::string> identities;
    // Jump hosts in order: the first is reached directly, each next one through the one
    // before, and this endpoint through the last. Hops have no jumps of their own.
    std::vector<Endpoint> jumps;
    bool identities_only = false; // IdentitiesOnly: no agent keys
    std::string known_hosts;      // empty: TransportOptions::known_hosts
    // How long connecting may take; 0: the engine's connect timeout.
    std::chrono::milliseconds connect_timeout{0};
};

// What a connection waits for before it can make progress. fd < 0: ready at once (fakes).
struct WaitFor {
    int fd = -1;
    bool write = false;
};

enum class Stream { out, err };

// Receives a command's output as it arrives; the engine streams it to disk.
class OutputSink {
public:
    virtual ~OutputSink() = default;
    virtual Status write(Stream stream, std::string_view data) = 0;
    // The step succeeded: make what was written final (a download renamed into place). An
    // error fails the step.
    virtual Status finish() { return {}; }
};

enum class Step { again, done };

// One remote command on a connection. Owned by the engine; destroyed before its connection.
class Command {
public:
    virtual ~Command() = default;
    // Opens the channel, sends stdin, moves output to `out`. done: exit status is known.
    // Errors: connect (the connection broke), io (the sink failed).
    virtual Result<Step> pump(OutputSink& out) = 0;
    // Exit code once done; -1 when the command died of a signal (see exit_signal()).
    virtual int exit_code() const = 0;
    virtual std::string exit_signal() const = 0;
    // Ends the remote command (a TERM signal where the server allows it) and closes the channel.
    virtual void abort() = 0;
    // More stdin, for a command started with keep_stdin_open (exec::Runner feeds its scripts
    // this way); sent from the next pump().
    virtual Status send(std::string_view data) {
        (void)data;
        return fail(ErrorKind::internal, "this command takes no more input");
    }
    // More stdin that starts nothing new (exec::Runner's nudges): the keepalive goes on
    // counting from the host's last word.
    virtual Status send_nudge(std::string_view data) { return send(data); }
    // The same with a local file's bytes as they were hashed, streamed as the remote window
    // allows. A file that changed since ends the command with an io error.
    virtual Status send_file(util::Snapshot file) {
        (void)file;
        return fail(ErrorKind::internal, "this command takes no more input");
    }
    // What to poll while this command runs, when it is not its connection's socket.
    virtual std::optional<WaitFor> wait_for() const { return std::nullopt; }
    // When pump() must run even if nothing arrives (a keepalive check is due).
    virtual std::optional<std::chrono::steady_clock::time_point> wake_at() const {
        return std::nullopt;
    }
};

class Connection {
public:
    virtual ~Connection() = default;
    // TCP connect, key exchange, host key check, authentication. done: ready for commands.
    // Errors: connect, host_key, host_key_changed, auth.
    virtual Result<Step> connect() = 0;
    // Starts `command` with `stdin_data` fed to it, then closed unless `keep_stdin_open` (a
    // lifeline: the host sees it close when the connection dies); progress comes from pump().
    virtual std::unique_ptr<Command> exec(std::string command, std::string stdin_data,
                                          bool keep_stdin_open = false) = 0;
    // The same, with the hashed bytes of `stdin_file` sent after `stdin_data`, streamed as the
    // remote window allows (an upload never sits in memory whole).
    virtual std::unique_ptr<Command> exec_with_file(std::string command, std::string stdin_data,
                                                    util::Snapshot stdin_file) = 0;
    virtual WaitFor wait_for() const = 0;
    // After connect() failed: the server closed or reset the connection before the key
    // exchange finished, as sshd does to handshakes beyond its MaxStartups. Worth retrying soon,
    // with fewer handshakes at once.
    virtual bool dropped_in_handshake() const { return false; }
    // After connect() ran out of time: the cause when it is not this host (a jump host that
    // failed, or never opened the way to it). nullopt: the host itself was too slow.
    virtual std::optional<Error> explain_timeout() const { return std::nullopt; }
};

struct TransportOptions {
    std::string known_hosts; // the user's file; strict checking against it
    bool accept_new_host_keys = false;
    std::string ssh_dir;    // for the default identities; ~ already expanded
    std::string local_user; // login name when an endpoint gives none
    // How long a jump host may take to connect before the hosts behind it fail (the engine
    // keeps its own deadline for each host).
    std::chrono::milliseconds jump_connect_timeout{10000};
    // A command that hears nothing from its host for this long sends a probe (a channel open,
    // which the server must answer); no answer within the same time ends it with a connect
    // error. TCP keepalive cannot see a host whose kernel still acks but whose sshd is stuck.
    std::chrono::milliseconds keepalive{15000};
};

class Transport {
public:
    virtual ~Transport() = default;
    virtual std::unique_ptr<Connection> open(const Endpoint& endpoint) = 0;
};

} // namespace leura::ssh
