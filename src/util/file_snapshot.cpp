// SPDX-License-Identifier: Apache-2.0
#include "util/file_snapshot.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace leura::util {

namespace {
bool same(const struct timespec& a, const struct timespec& b) {
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}
} // namespace

Result<Snapshot> FileSnapshot::open(const std::string& path, bool unlink) {
    // O_NONBLOCK: a FIFO named as a source must not hang the run before it starts.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return fail(ErrorKind::io, "cannot read " + path + ": " + std::strerror(errno));
    auto s = std::make_shared<FileSnapshot>(Key{}, path, fd);
    if (unlink) ::unlink(path.c_str());
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return fail(ErrorKind::io, "cannot read " + path + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) return fail(ErrorKind::io, path + " is not a regular file");
    auto digest = sha256_fd(fd, path);
    if (!digest) return std::unexpected(digest.error());
    s->m_digest = *digest;
    s->m_mtime = st.st_mtim;
    LEURA_TRY(s->unchanged());
    return s;
}

FileSnapshot::~FileSnapshot() {
    if (m_fd >= 0) ::close(m_fd);
}

Status FileSnapshot::unchanged() const {
    struct stat st {};
    if (::fstat(m_fd, &st) != 0)
        return fail(ErrorKind::io, "cannot read " + m_path + ": " + std::strerror(errno));
    if ((unsigned long long)st.st_size != m_digest.size)
        return fail(ErrorKind::io, m_path + " changed since the run started: it was " +
                                       std::to_string(m_digest.size) + " bytes when hashed, " +
                                       std::to_string(st.st_size) + " now");
    // Not the change time: a rename over the path or an unlink changes it too, and then this
    // descriptor still reads what was hashed.
    if (!same(st.st_mtim, m_mtime))
        return fail(ErrorKind::io, m_path + " changed since the run started (it was written to "
                                            "after leura hashed it)");
    return {};
}

Result<size_t> FileSnapshot::read_at(unsigned long long offset, char* buf, size_t len) const {
    if (offset >= m_digest.size) return size_t(0);
    len = size_t(std::min<unsigned long long>(len, m_digest.size - offset));
    for (;;) {
        ssize_t n = ::pread(m_fd, buf, len, off_t(offset));
        if (n >= 0) {
            if (n == 0)
                return fail(ErrorKind::io,
                            m_path + " changed since the run started: it shrank to " +
                                std::to_string(offset) + " of the " +
                                std::to_string(m_digest.size) + " bytes leura hashed");
            return size_t(n);
        }
        if (errno != EINTR)
            return fail(ErrorKind::io, "reading " + m_path + ": " + std::strerror(errno));
    }
}

} // namespace leura::util
