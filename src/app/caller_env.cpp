// SPDX-License-Identifier: Apache-2.0
#include "app/caller_env.hpp"
#include "config/env_source.hpp"
#include "util/random.hpp"
#include "util/read_file.hpp"
#include "util/strings.hpp"

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <vector>

namespace leura::app {

namespace {

// Questions are "NAME\n"; answers "-\n" (not set) or "+LEN\n" and LEN bytes.
constexpr size_t k_longest_name = 255;

socklen_t abstract_address(const std::string& name, sockaddr_un& addr) {
    std::memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path + 1, name.data(), name.size()); // sun_path[0] = 0: abstract
    return socklen_t(offsetof(sockaddr_un, sun_path) + 1 + name.size());
}

std::optional<ucred> peer_of(int fd) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return std::nullopt;
    return cred;
}

// Whether `ancestor` is `pid`'s parent, or its parent's, … (sudo runs the command as its child,
// or as its monitor's child with use_pty).
bool descends_from(pid_t pid, pid_t ancestor) {
    for (int depth = 0; depth < 8 && pid > 1; ++depth) {
        // A process that ends while it is read fails the read (ESRCH): not a descendant then.
        auto read = util::read_file("/proc/" + std::to_string(pid) + "/stat");
        if (!read) return false;
        const std::string& text = *read;
        size_t close = text.rfind(')');
        if (close == std::string::npos) return false;
        char state = 0;
        int ppid = 0;
        if (std::sscanf(text.c_str() + close + 1, " %c %d", &state, &ppid) != 2) return false;
        if (ppid == ancestor) return true;
        pid = ppid;
    }
    return false;
}

bool write_all(int fd, const std::string& s) {
    size_t done = 0;
    while (done < s.size()) {
        ssize_t n = ::send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += size_t(n);
    }
    return true;
}

std::string answer(const std::string& name) {
    if (!util::is_shell_identifier(name)) return "-\n";
    const char* v = std::getenv(name.c_str());
    if (!v) return "-\n";
    return "+" + std::to_string(std::strlen(v)) + "\n" + v;
}

struct Asker {
    util::UniqueFd fd;
    std::string buffer; // what came after the last answer
};

// One whole answer, from `a`'s socket (which times out): nullopt when not set or unreadable.
std::optional<std::string> ask(Asker& a, const std::string& name) {
    if (!util::is_shell_identifier(name) || name.size() > k_longest_name) return std::nullopt;
    if (!write_all(a.fd.get(), name + "\n")) return std::nullopt;
    auto fill = [&a]() {
        char buf[4096];
        ssize_t n = ::recv(a.fd.get(), buf, sizeof buf, 0);
        if (n <= 0) return false;
        a.buffer.append(buf, size_t(n));
        return true;
    };
    size_t eol;
    while ((eol = a.buffer.find('\n')) == std::string::npos)
        if (a.buffer.size() > 32 || !fill()) return std::nullopt;
    std::string head = a.buffer.substr(0, eol);
    a.buffer.erase(0, eol + 1);
    if (head == "-" || head.size() < 2 || head[0] != '+') return std::nullopt;
    char* end = nullptr;
    unsigned long long len = std::strtoull(head.c_str() + 1, &end, 10);
    if (*end != '\0' || len > (64u << 20)) return std::nullopt;
    while (a.buffer.size() < len)
        if (!fill()) return std::nullopt;
    std::string value = a.buffer.substr(0, len);
    a.buffer.erase(0, len);
    return value;
}

} // namespace

Result<CallerEnvServer> CallerEnvServer::open() {
    CallerEnvServer s;
    s.m_listen.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!s.m_listen) return fail(ErrorKind::io, std::string("socket: ") + std::strerror(errno));
    s.m_name = "leura-env-" + util::random_hex(16);
    sockaddr_un addr{};
    socklen_t len = abstract_address(s.m_name, addr);
    if (::bind(s.m_listen.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(s.m_listen.get(), 4) != 0)
        return fail(ErrorKind::io,
                    std::string("cannot listen for the service side: ") + std::strerror(errno));
    return s;
}

int CallerEnvServer::serve_until_exit(pid_t child, uid_t service_uid) {
    // The child's end wakes poll() at once where pidfds exist; else a short tick.
    util::UniqueFd exited(int(::syscall(SYS_pidfd_open, child, 0)));
    std::vector<Asker> peers;
    for (;;) {
        int status = 0;
        pid_t r = ::waitpid(child, &status, WNOHANG);
        if (r == child || (r < 0 && errno == ECHILD)) return status;
        std::vector<pollfd> fds{{m_listen.get(), POLLIN, 0}};
        if (exited) fds.push_back({exited.get(), POLLIN, 0});
        const size_t first_peer = fds.size();
        const size_t polled = peers.size(); // a peer accepted below waits for the next poll
        for (auto& p : peers)
            fds.push_back({p.fd.get(), POLLIN, 0});
        if (::poll(fds.data(), fds.size(), exited ? -1 : 100) < 0 && errno != EINTR) return status;
        if (fds[0].revents & POLLIN) {
            util::UniqueFd fd(::accept4(m_listen.get(), nullptr, nullptr, SOCK_CLOEXEC));
            auto cred = fd ? peer_of(fd.get()) : std::nullopt;
            // Anyone can see an abstract socket's name: only our own sudo's command is told.
            if (cred && cred->uid == service_uid && descends_from(cred->pid, child))
                peers.push_back({std::move(fd), {}});
        }
        std::vector<size_t> gone;
        for (size_t i = 0; i < polled; ++i) {
            if (!(fds[first_peer + i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[512];
            ssize_t n = ::recv(peers[i].fd.get(), buf, sizeof buf, MSG_DONTWAIT);
            if (n <= 0) {
                if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                gone.push_back(i);
                continue;
            }
            auto& in = peers[i].buffer;
            in.append(buf, size_t(n));
            size_t eol;
            while ((eol = in.find('\n')) != std::string::npos) {
                std::string name = in.substr(0, eol);
                in.erase(0, eol + 1);
                if (!write_all(peers[i].fd.get(), answer(name))) break;
            }
            if (in.size() > k_longest_name) gone.push_back(i);
        }
        for (auto i = gone.rbegin(); i != gone.rend(); ++i)
            peers.erase(peers.begin() + std::ptrdiff_t(*i));
    }
}

Status use_caller_env(const std::string& name, uid_t person) {
    auto asker = std::make_shared<Asker>();
    asker->fd.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    socklen_t len = abstract_address(name, addr);
    if (!asker->fd || ::connect(asker->fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0)
        return fail(ErrorKind::io, "cannot reach the environment of the person leura acts for: " +
                                       std::string(std::strerror(errno)));
    auto cred = peer_of(asker->fd.get());
    if (!cred || cred->uid != person)
        return fail(ErrorKind::denied, "the process offering an environment is not the person's "
                                       "leura acts for");
    timeval limit{10, 0};
    ::setsockopt(asker->fd.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(asker->fd.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    config::set_env_source([asker](const std::string& var) { return ask(*asker, var); });
    if (auto no_color = ask(*asker, "NO_COLOR")) ::setenv("NO_COLOR", no_color->c_str(), 1);
    return {};
}

} // namespace leura::app
