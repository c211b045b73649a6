// SPDX-License-Identifier: Apache-2.0
// A command on a pooled session, driven without blocking. The loop is: open the channel,
// request exec, then on every wake-up feed stdin within the remote window and drain stdout
// and stderr into the sink. Two libssh 0.10 traps shape the end of it (docs/libssh.md §1.1,
// §1.3): after the remote EOF, channel reads no longer touch the socket, so the exit status
// is pulled with ssh_channel_get_exit_status(), which does; and that call's -1 is ambiguous,
// so the exact status and signal come from channel callbacks.
#include "ssh/libssh_internal.hpp"

#include <algorithm>
#include <array>
#include <fcntl.h>
#include <unistd.h>

namespace leura::ssh {

namespace {
// Output normally reaches the sink through on_data as packets are processed; drain() reads
// only what libssh buffered outside a pump, and notices EOF. This bounds one such read.
constexpr size_t k_max_read_per_pump = 1 << 20;
} // namespace

LibsshCommand::LibsshCommand(ssh_session session, std::string command, std::string stdin_data,
                             util::Snapshot stdin_file, std::chrono::milliseconds keepalive,
                             bool keep_stdin_open)
    : m_session(session), m_command(std::move(command)), m_stdin(std::move(stdin_data)),
      m_file(std::move(stdin_file)), m_file_done(!m_file), m_keep_stdin_open(keep_stdin_open),
      m_keepalive(keepalive) {}

LibsshCommand::~LibsshCommand() {
    // A channel freed while still open lives on in libssh until the peer confirms the close,
    // and packets arriving meanwhile would reach callbacks in this object (see jump.cpp).
    if (m_channel) ssh_remove_channel_callbacks(m_channel.get(), &m_callbacks);
}

// Output is taken as libssh processes each packet, whichever call made it read the socket.
// Reading it only through ssh_channel_read would leave a race: a read of stderr can process
// the last stdout packets into libssh's buffer after stdout was found empty, and with the
// socket drained no poll() would ever wake the loop for them.
int LibsshCommand::on_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr,
                           void* self) {
    auto* me = static_cast<LibsshCommand*>(self);
    me->m_last_heard = std::chrono::steady_clock::now();
    if (!me->m_sink) return 0; // outside pump(): leave it buffered for the next one
    if (!me->m_sink_error) {
        auto st = me->m_sink->write(is_stderr ? Stream::err : Stream::out,
                                    std::string_view(static_cast<const char*>(data), len));
        if (!st) me->m_sink_error = st.error();
    }
    return int(len);
}

void LibsshCommand::on_exit_status(ssh_session, ssh_channel, int status, void* self) {
    auto* me = static_cast<LibsshCommand*>(self);
    me->m_exit_known = true;
    me->m_exit_code = status;
}

void LibsshCommand::on_exit_signal(ssh_session, ssh_channel, const char* signal, int, const char*,
                                   const char*, void* self) {
    auto* me = static_cast<LibsshCommand*>(self);
    me->m_exit_known = true;
    me->m_exit_code = -1;
    me->m_exit_signal = signal ? signal : "?";
}

Error LibsshCommand::broken(const std::string& what) const {
    return Error(ErrorKind::connect, what + ": " + ssh_get_error(m_session));
}

Result<Step> LibsshCommand::pump(OutputSink& out) {
    ack_promptly(ssh_get_fd(m_session));
    m_sink = &out;
    auto r = run(out);
    m_sink = nullptr;
    if (r && m_sink_error) r = std::unexpected(*m_sink_error);
    if (!r) m_state = State::done;
    return r;
}

Result<Step> LibsshCommand::run(OutputSink& out) {
    if (m_state == State::open) {
        if (!m_channel) {
            m_channel.reset(ssh_channel_new(m_session));
            if (!m_channel) return std::unexpected(broken("cannot create a channel"));
            m_callbacks.userdata = this;
            m_callbacks.channel_data_function = &LibsshCommand::on_data;
            m_callbacks.channel_exit_status_function = &LibsshCommand::on_exit_status;
            m_callbacks.channel_exit_signal_function = &LibsshCommand::on_exit_signal;
            ssh_callbacks_init(&m_callbacks);
            ssh_set_channel_callbacks(m_channel.get(), &m_callbacks);
        }
        int rc = ssh_channel_open_session(m_channel.get());
        if (rc == SSH_AGAIN) return Step::again;
        if (rc != SSH_OK) return std::unexpected(broken("opening a session channel"));
        m_state = State::exec;
    }
    if (m_state == State::exec) {
        int rc = ssh_channel_request_exec(m_channel.get(), m_command.c_str());
        if (rc == SSH_AGAIN) return Step::again;
        if (rc != SSH_OK) return std::unexpected(broken("starting the command"));
        m_state = State::running;
    }
    if (m_state == State::done) return Step::done;

    LEURA_TRY(feed_stdin());
    auto both_eof = drain(out);
    if (!both_eof) return std::unexpected(both_eof.error());
    // Reading may have taken in a window adjustment: send into it now, as no further socket
    // event will come while the host waits for this data.
    LEURA_TRY(feed_stdin());
    ssh_channel ch = m_channel.get();
    if (*both_eof && !m_exit_known && !ssh_channel_is_closed(ch)) {
        // Reads no longer poll the socket after EOF; this call does, and fires the callbacks.
        ssh_channel_get_exit_status(ch);
    }
    if ((*both_eof && m_exit_known) || ssh_channel_is_closed(ch)) {
        m_state = State::done;
        ssh_channel_close(ch);
        return Step::done;
    }
    if (!ssh_is_connected(m_session)) return std::unexpected(broken("connection lost"));
    LEURA_TRY(keep_alive());
    return Step::again;
}

std::optional<std::chrono::steady_clock::time_point> LibsshCommand::wake_at() const {
    if (m_state != State::running || m_keepalive.count() <= 0) return std::nullopt;
    return m_probe ? m_probe_sent + m_keepalive : m_last_heard + m_keepalive;
}

// libssh 0.10 has no client keepalive. Opening a channel is a request the server must answer
// (with a confirmation or a refusal, either proves it alive); the probe is closed at once.
Status LibsshCommand::keep_alive() {
    if (m_keepalive.count() <= 0) return {};
    auto now = std::chrono::steady_clock::now();
    if (!m_probe) {
        if (now - m_last_heard < m_keepalive) return {};
        m_probe.reset(ssh_channel_new(m_session));
        if (!m_probe) return {};
        m_probe_sent = now;
    }
    int rc = ssh_channel_open_session(m_probe.get());
    if (rc == SSH_AGAIN) {
        if (now - m_probe_sent < m_keepalive) return {};
        return fail(ErrorKind::connect, "the host stopped answering: no reply to a keepalive in " +
                                            std::to_string(m_keepalive.count() / 1000) + "s");
    }
    if (rc == SSH_OK) ssh_channel_close(m_probe.get());
    m_probe.reset();
    m_last_heard = now;
    return flush();
}

// ssh_channel_write only queues; without pushing the queue out here, a large upload can stall
// with the remote window spent and the data that would reopen it still in libssh's buffer.
Status LibsshCommand::flush() {
    if (ssh_blocking_flush(m_session, 0) == SSH_ERROR)
        return std::unexpected(broken("sending data"));
    return {};
}

Status LibsshCommand::feed_stdin() {
    if (m_eof_sent) return {};
    ssh_channel ch = m_channel.get();
    for (;;) {
        if (m_stdin_sent == m_stdin.size() && !m_file_done) {
            // Refill from the file only once the last chunk has gone: memory stays one chunk.
            // Exactly the bytes that were hashed go, and a file changed in place since is
            // caught before the first and after the last (the host's CRC check catches the
            // rest): never a hang on a file that shrank, never a tail that grew.
            if (m_file_sent == 0) LEURA_TRY(m_file->unchanged());
            m_stdin.resize(1 << 16);
            LEURA_TRY_ASSIGN(n, m_file->read_at(m_file_sent, m_stdin.data(), m_stdin.size()));
            m_stdin.resize(n);
            m_stdin_sent = 0;
            m_file_sent += n;
            if (m_file_sent == m_file->size()) {
                LEURA_TRY(m_file->unchanged());
                m_file_done = true;
                m_file.reset();
            }
            if (n == 0) continue;
        }
        if (m_stdin_sent == m_stdin.size()) break;
        uint32_t window = ssh_channel_window_size(ch);
        if (window == 0) return flush();
        size_t n = std::min({size_t(window), m_stdin.size() - m_stdin_sent, size_t(32768)});
        int rc = ssh_channel_write(ch, m_stdin.data() + m_stdin_sent, uint32_t(n));
        if (rc == SSH_ERROR && ssh_is_connected(m_session)) {
            // The command ended without reading all its input (an upload whose body failed
            // first) and its channel is closing ("Remote channel is closed": libssh refuses
            // writes once the peer's close arrived, even with output still unread, when
            // ssh_channel_is_closed() is not yet true). Not a broken connection: its own
            // status tells how it ended; a dead session shows in run().
            stop_feeding();
            return {};
        }
        if (rc == SSH_ERROR) return std::unexpected(broken("sending the script"));
        if (rc == 0) return flush();
        m_stdin_sent += size_t(rc);
    }
    if (!m_eof_sent) {
        if (m_keep_stdin_open) return {}; // the lifeline: open until the channel closes
        if (ssh_channel_send_eof(ch) == SSH_ERROR)
            return std::unexpected(broken("closing the script's input"));
        m_eof_sent = true;
        m_stdin_sent = 0;
        m_stdin.clear();
        m_stdin.shrink_to_fit();
    }
    return {};
}

void LibsshCommand::stop_feeding() {
    m_file.reset();
    m_file_done = true;
    m_eof_sent = true;
    m_stdin.clear();
    m_stdin_sent = 0;
}

Result<bool> LibsshCommand::drain(OutputSink& out) {
    std::array<char, 32768> buf;
    size_t moved = 0;
    for (int is_stderr = 0; is_stderr < 2; ++is_stderr) {
        while (!m_eof_seen[is_stderr] && moved < k_max_read_per_pump) {
            int n = ssh_channel_read_nonblocking(m_channel.get(), buf.data(), uint32_t(buf.size()),
                                                 is_stderr);
            if (n == SSH_EOF) {
                m_eof_seen[is_stderr] = true;
            } else if (n == SSH_ERROR) {
                return std::unexpected(broken("reading output"));
            } else if (n == 0) {
                break;
            } else {
                LEURA_TRY(out.write(is_stderr ? Stream::err : Stream::out,
                                    std::string_view(buf.data(), size_t(n))));
                moved += size_t(n);
            }
        }
    }
    return m_eof_seen[0] && m_eof_seen[1];
}

Status LibsshCommand::send(std::string_view data) {
    LEURA_TRY(send_nudge(data));
    // Quiet while idle is not silence from a dead host: the keepalive counts from now.
    m_last_heard = std::chrono::steady_clock::now();
    return {};
}

Status LibsshCommand::send_nudge(std::string_view data) {
    if (!m_keep_stdin_open || m_eof_sent || m_state == State::done)
        return fail(ErrorKind::internal, "the command's input is closed");
    if (m_stdin_sent == m_stdin.size()) {
        m_stdin.clear();
        m_stdin_sent = 0;
    }
    m_stdin.append(data);
    return {};
}

Status LibsshCommand::send_file(util::Snapshot file) {
    if (!m_keep_stdin_open || m_eof_sent || m_state == State::done || !m_file_done)
        return fail(ErrorKind::internal, "the command's input is closed");
    m_file = std::move(file);
    m_file_sent = 0;
    m_file_done = !m_file;
    m_last_heard = std::chrono::steady_clock::now();
    return {};
}

void LibsshCommand::abort() {
    if (!m_channel || m_state == State::done) return;
    ssh_channel ch = m_channel.get();
    if (m_state == State::running && ssh_channel_is_open(ch)) {
        // sshd delivers "signal" requests to the command (OpenSSH >= 7.9); closing alone would
        // leave a process that never writes running on the host.
        ssh_channel_request_send_signal(ch, "TERM");
        ssh_channel_close(ch);
    }
    m_state = State::done;
}

} // namespace leura::ssh
