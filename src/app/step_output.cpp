// SPDX-License-Identifier: Apache-2.0
#include "app/step_output.hpp"

#include "archive/names.hpp"
#include "archive/tarball.hpp"

#include <algorithm>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace leura::app {

StepStream step_stream(const std::filesystem::path& data_dir, const RunView& view,
                       const store::StepRecord& step, bool is_stderr) {
    // The archive's host folders are the spool's, named in the recorded start order.
    archive::HostDirs dirs;
    for (const auto& h : view.hosts)
        dirs.get(h.host);
    StepStream s;
    s.member = archive::step_member(dirs.get(step.host), size_t(step.idx), step.name, is_stderr);
    s.spool_file = data_dir / "spool" / view.run.id / s.member;
    if (view.run.archive) s.archive = *view.run.archive;
    return s;
}

namespace {

// A live spool file: what is there now. A step that has written nothing yet has no file.
Result<StepBytes> read_spool(const std::filesystem::path& file, uint64_t from, uint64_t max) {
    StepBytes out;
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return out;
        return fail(ErrorKind::io, "cannot read " + file.string());
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return fail(ErrorKind::io, "cannot read " + file.string());
    }
    out.size = uint64_t(st.st_size);
    if (from < out.size) {
        out.data.resize(size_t(std::min(max, out.size - from)));
        ssize_t n = ::pread(fd, out.data.data(), out.data.size(), off_t(from));
        out.data.resize(n > 0 ? size_t(n) : 0);
    }
    ::close(fd);
    return out;
}

} // namespace

Result<StepBytes> read_step_stream(const StepStream& s, bool live, uint64_t from, uint64_t max) {
    if (live) return read_spool(s.spool_file, from, max);
    if (!s.archive) return fail(ErrorKind::not_found, "the run has no archive of its output");
    StepBytes out;
    auto read = archive::read_member(*s.archive, s.member, [&](std::string_view chunk) {
        const uint64_t at = out.size;
        out.size += chunk.size();
        if (out.size <= from || out.data.size() >= max) return;
        const size_t skip = from > at ? size_t(from - at) : 0;
        out.data.append(chunk.substr(skip, size_t(max - out.data.size())));
    });
    if (!read && read.error().kind != ErrorKind::not_found) return std::unexpected(read.error());
    return out;
}

} // namespace leura::app
