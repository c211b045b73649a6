// SPDX-License-Identifier: Apache-2.0
#include "archive/spool.hpp"
#include "archive/names.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace leura::archive {

namespace fs = std::filesystem;

SpoolFile::~SpoolFile() {
    for (int fd : m_fd)
        if (fd >= 0) ::close(fd);
}

Status SpoolFile::write(bool is_stderr, std::string_view data) {
    int fd = m_fd[is_stderr ? 1 : 0];
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(ErrorKind::io,
                        std::string("writing output to the spool: ") + std::strerror(errno));
        }
        data.remove_prefix(size_t(n));
    }
    return {};
}

Result<Spool> Spool::create(fs::path dir) {
    std::error_code ec;
    fs::create_directories(dir / "hosts", ec);
    if (ec) return fail(ErrorKind::io, "cannot create spool " + dir.string() + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);
    ::chmod((dir / "hosts").c_str(), 0700);
    return Spool(std::move(dir));
}

std::string Spool::host_dir(const std::string& host) {
    return m_host_dirs.get(host);
}

Result<std::unique_ptr<SpoolFile>> Spool::open(const std::string& host, size_t step_index,
                                               const std::string& step_name) {
    std::string dir = host_dir(host);
    fs::path host_path = m_dir / "hosts" / dir;
    if (::mkdir(host_path.c_str(), 0700) != 0 && errno != EEXIST)
        return fail(ErrorKind::io,
                    "cannot create " + host_path.string() + ": " + std::strerror(errno));
    int fds[2] = {-1, -1};
    for (int i = 0; i < 2; ++i) {
        fs::path p = m_dir / step_member(dir, step_index, step_name, i == 1);
        fds[i] = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fds[i] < 0) {
            int saved = errno;
            if (i == 1) ::close(fds[0]);
            return fail(ErrorKind::io, "cannot create " + p.string() + ": " + std::strerror(saved));
        }
    }
    return std::make_unique<SpoolFile>(fds[0], fds[1]);
}

Status Spool::set_aside(const std::string& host, size_t step_index, const std::string& step_name,
                        int attempt) {
    std::string dir = host_dir(host);
    for (bool is_stderr : {false, true}) {
        fs::path from = m_dir / step_member(dir, step_index, step_name, is_stderr);
        std::error_code ec;
        if (fs::file_size(from, ec) == 0 && !ec) {
            fs::remove(from, ec);
            continue;
        }
        fs::path to = m_dir / step_member(dir, step_index, step_name, is_stderr, attempt);
        if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT)
            return fail(ErrorKind::io, "cannot keep attempt " + std::to_string(attempt) +
                                           "'s output: " + to.string() + ": " +
                                           std::strerror(errno));
    }
    return {};
}

std::string preview_of(std::string_view data, size_t budget) {
    if (data.size() <= budget) return std::string(data);
    size_t half = budget / 2;
    size_t omitted = data.size() - 2 * half;
    return std::string(data.substr(0, half)) + "\n[... " + std::to_string(omitted) +
           " bytes omitted ...]\n" + std::string(data.substr(data.size() - half));
}

Result<std::string> preview_file(const fs::path& file, size_t budget) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(ErrorKind::io, "cannot read " + file.string());
    struct stat st {};
    ::fstat(fd, &st);
    size_t size = size_t(st.st_size);
    auto read_at = [fd](size_t offset, size_t n) {
        std::string buf(n, '\0');
        size_t got = 0;
        while (got < n) {
            ssize_t r = ::pread(fd, buf.data() + got, n - got, off_t(offset + got));
            if (r <= 0) break;
            got += size_t(r);
        }
        buf.resize(got);
        return buf;
    };
    std::string out;
    if (size <= budget) {
        out = read_at(0, size);
    } else {
        size_t half = budget / 2;
        out = read_at(0, half) + "\n[... " + std::to_string(size - 2 * half) +
              " bytes omitted ...]\n" + read_at(size - half, half);
    }
    ::close(fd);
    return out;
}

} // namespace leura::archive
