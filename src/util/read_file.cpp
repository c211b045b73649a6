// SPDX-License-Identifier: Apache-2.0
#include "util/read_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace leura::util {

Result<std::string> read_file(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        return fail(err == ENOENT ? ErrorKind::not_found : ErrorKind::io,
                    "cannot read " + path.string() + ": " + std::strerror(err));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    std::string text;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) {
            int err = errno;
            if (err == EINTR) continue;
            return fail(ErrorKind::io, "cannot read " + path.string() + ": " + std::strerror(err));
        }
        text.append(buf, size_t(n));
    }
    return text;
}

} // namespace leura::util
