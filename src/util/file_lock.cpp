// SPDX-License-Identifier: Apache-2.0
#include "util/file_lock.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace leura::util {

Result<std::optional<FileLock>> FileLock::try_acquire(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(ErrorKind::io,
                    "cannot open lock " + path.string() + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return std::optional<FileLock>(FileLock(fd));
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return std::optional<FileLock>();
    return fail(ErrorKind::io, "cannot lock " + path.string() + ": " + std::strerror(err));
}

Result<std::optional<FileLock>> FileLock::acquire(const std::filesystem::path& path,
                                                  std::chrono::milliseconds wait,
                                                  const std::function<bool()>& give_up) {
    auto end = std::chrono::steady_clock::now() + wait;
    while (true) {
        LEURA_TRY_ASSIGN(lock, try_acquire(path));
        if (lock || std::chrono::steady_clock::now() >= end || (give_up && give_up())) return lock;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

std::string FileLock::read_note(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
    if (this != &other) {
        this->~FileLock();
        m_fd = other.m_fd;
        m_remove = std::move(other.m_remove);
        other.m_fd = -1;
        other.m_remove.clear();
    }
    return *this;
}

FileLock::~FileLock() {
    if (m_fd < 0) return;
    if (!m_remove.empty()) ::unlink(m_remove.c_str());
    ::close(m_fd);
    m_fd = -1;
}

Status FileLock::note(std::string_view text) {
    if (::ftruncate(m_fd, 0) != 0 ||
        ::pwrite(m_fd, text.data(), text.size(), 0) != ssize_t(text.size()))
        return fail(ErrorKind::io, std::string("cannot write lock note: ") + std::strerror(errno));
    return {};
}

} // namespace leura::util
