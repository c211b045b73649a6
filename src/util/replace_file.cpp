// SPDX-License-Identifier: Apache-2.0
#include "util/replace_file.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace leura::util {

namespace fs = std::filesystem;

Status replace_file(const fs::path& file, const std::string& text, mode_t new_mode) {
    fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
    std::string tmpl = (dir / ("." + file.filename().string() + ".XXXXXX")).string();
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0)
        return fail(errno == EACCES ? ErrorKind::permission : ErrorKind::io,
                    "cannot write in " + dir.string() + ": " + std::strerror(errno));
    auto failed = [&](const std::string& what) {
        int e = errno;
        ::close(fd);
        ::unlink(tmpl.c_str());
        return fail(ErrorKind::io, what + " " + tmpl + ": " + std::strerror(e));
    };
    mode_t mode = new_mode;
    struct stat st {};
    bool existed = ::stat(file.c_str(), &st) == 0;
    if (existed) mode = st.st_mode & 07777;
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return failed("cannot write");
        done += size_t(n);
    }
    if (::fchmod(fd, mode) != 0) return failed("cannot set the mode of");
    if (existed && ::geteuid() == 0 && ::fchown(fd, st.st_uid, st.st_gid) != 0)
        return failed("cannot set the owner of");
    if (::fsync(fd) != 0) return failed("cannot sync");
    if (::close(fd) != 0) {
        ::unlink(tmpl.c_str());
        return fail(ErrorKind::io, "cannot close " + tmpl + ": " + std::strerror(errno));
    }
    if (::rename(tmpl.c_str(), file.c_str()) != 0) {
        int e = errno;
        ::unlink(tmpl.c_str());
        return fail(ErrorKind::io,
                    "cannot rename " + tmpl + " to " + file.string() + ": " + std::strerror(e));
    }
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return {};
}

} // namespace leura::util
