// SPDX-License-Identifier: Apache-2.0
#include "exec/local_command.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace leura::exec {

namespace {

constexpr size_t k_max_read_per_pump = 1 << 20;

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : m_fd(fd) {}
    Fd(Fd&& o) noexcept : m_fd(o.release()) {}
    Fd& operator=(Fd&& o) noexcept {
        reset(o.release());
        return *this;
    }
    ~Fd() { reset(); }
    int get() const { return m_fd; }
    int release() { return std::exchange(m_fd, -1); }
    void reset(int fd = -1) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = fd;
    }

private:
    int m_fd = -1;
};

class LocalCommand final : public ssh::Command {
public:
    LocalCommand(const std::string& command, const std::string& stdin_data) {
        if (!start(command, stdin_data)) m_start_error = std::strerror(errno);
    }
    ~LocalCommand() override {
        if (m_pid > 0 && !m_reaped) {
            ::kill(-m_pid, SIGKILL);
            int status = 0;
            ::waitpid(m_pid, &status, 0);
        }
    }

    Result<ssh::Step> pump(ssh::OutputSink& out) override {
        if (!m_start_error.empty())
            return fail(ErrorKind::io, "cannot start a local step: " + m_start_error);
        feed_stdin();
        // Reap first, then drain: output written just before the exit is still read.
        if (!m_reaped) {
            int status = 0;
            if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
                m_reaped = true;
                if (WIFEXITED(status))
                    m_exit = WEXITSTATUS(status);
                else if (WIFSIGNALED(status))
                    m_signal = sigabbrev_np(WTERMSIG(status));
                ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, m_pidfd.get(), nullptr);
            }
        }
        size_t moved = 0;
        std::array<char, 65536> buf;
        for (int i = 0; i < 2; ++i) {
            while (m_out[i].get() >= 0 && moved < k_max_read_per_pump) {
                ssize_t n = ::read(m_out[i].get(), buf.data(), buf.size());
                if (n > 0) {
                    LEURA_TRY(out.write(i ? ssh::Stream::err : ssh::Stream::out,
                                        std::string_view(buf.data(), size_t(n))));
                    moved += size_t(n);
                } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                    ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, m_out[i].get(), nullptr);
                    m_out[i].reset();
                } else {
                    break;
                }
            }
        }
        // Done once the process has exited and its pipes are drained; a daemon it left behind
        // holding them open is not waited for.
        if (m_reaped && moved < k_max_read_per_pump) return ssh::Step::done;
        return ssh::Step::again;
    }
    int exit_code() const override { return m_exit; }
    std::string exit_signal() const override { return m_signal; }
    void abort() override {
        if (m_pid > 0 && !m_reaped) ::kill(-m_pid, SIGTERM);
    }
    std::optional<ssh::WaitFor> wait_for() const override {
        return ssh::WaitFor{m_epoll.get(), false};
    }

private:
    bool start(const std::string& command, const std::string& stdin_data) {
        int in[2], out[2], err[2];
        if (::pipe2(in, O_CLOEXEC) != 0) return false;
        Fd in_r(in[0]), in_w(in[1]);
        if (::pipe2(out, O_CLOEXEC) != 0) return false;
        Fd out_r(out[0]), out_w(out[1]);
        if (::pipe2(err, O_CLOEXEC) != 0) return false;
        Fd err_r(err[0]), err_w(err[1]);
        m_pid = ::fork();
        if (m_pid < 0) return false;
        if (m_pid == 0) {
            ::setpgid(0, 0);
            ::dup2(in_r.get(), 0);
            ::dup2(out_w.get(), 1);
            ::dup2(err_w.get(), 2);
            ::signal(SIGPIPE, SIG_DFL);
            ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::setpgid(m_pid, m_pid);
        in_r.reset();
        out_w.reset();
        err_w.reset();
        // Fed from pump() as the pipe takes it: a command that does not read its stdin (a
        // custom step's executable may not, or only later) must never block the event loop.
        ::fcntl(in_w.get(), F_SETFL, O_NONBLOCK);
        m_in = std::move(in_w);
        m_stdin = stdin_data;
        m_out[0] = std::move(out_r);
        m_out[1] = std::move(err_r);
        m_pidfd = Fd(int(::syscall(SYS_pidfd_open, m_pid, 0)));
        m_epoll = Fd(::epoll_create1(EPOLL_CLOEXEC));
        for (const Fd* fd : {&m_out[0], &m_out[1], &m_pidfd}) {
            if (fd->get() < 0) continue;
            if (fd != &m_pidfd) ::fcntl(fd->get(), F_SETFL, O_NONBLOCK);
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.fd = fd->get();
            ::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, fd->get(), &ev);
        }
        feed_stdin();
        if (m_in.get() >= 0) {
            epoll_event ev{};
            ev.events = EPOLLOUT;
            ev.data.fd = m_in.get();
            ::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, m_in.get(), &ev);
        }
        return true;
    }

    // Writes what the pipe takes now; closes it when all is sent or the command stopped
    // reading (EPIPE: SIGPIPE is ignored in leura).
    void feed_stdin() {
        while (m_in.get() >= 0 && m_sent < m_stdin.size()) {
            ssize_t n = ::write(m_in.get(), m_stdin.data() + m_sent, m_stdin.size() - m_sent);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) return;
            if (n <= 0) break;
            m_sent += size_t(n);
        }
        if (m_in.get() < 0) return;
        ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, m_in.get(), nullptr);
        m_in.reset();
        m_stdin.clear();
        m_stdin.shrink_to_fit();
    }

    pid_t m_pid = -1;
    bool m_reaped = false;
    int m_exit = -1;
    std::string m_signal;
    std::string m_start_error;
    Fd m_in;
    std::string m_stdin;
    size_t m_sent = 0;
    Fd m_out[2];
    Fd m_pidfd;
    Fd m_epoll;
};

} // namespace

std::unique_ptr<ssh::Command> spawn_local(const std::string& command,
                                          const std::string& stdin_data) {
    return std::make_unique<LocalCommand>(command, stdin_data);
}

} // namespace leura::exec
