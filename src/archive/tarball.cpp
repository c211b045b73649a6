// SPDX-License-Identifier: Apache-2.0
#include "archive/tarball.hpp"
#include "archive/libarchive_handles.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace leura::archive {

namespace fs = std::filesystem;

namespace {

Error archive_error(struct archive* a, const std::string& what) {
    const char* msg = archive_error_string(a);
    return Error(ErrorKind::io, what + ": " + (msg ? msg : "unknown error"));
}

Status add_entry(struct archive* a, const std::string& name, int64_t size) {
    Entry entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), name.c_str());
    archive_entry_set_size(entry.get(), size);
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0600);
    archive_entry_set_mtime(entry.get(), time(nullptr), 0);
    if (archive_write_header(a, entry.get()) != ARCHIVE_OK)
        return std::unexpected(archive_error(a, "archive header for " + name));
    return {};
}

Status add_bytes(struct archive* a, const std::string& name, std::string_view data) {
    LEURA_TRY(add_entry(a, name, int64_t(data.size())));
    if (!data.empty() && archive_write_data(a, data.data(), data.size()) < 0)
        return std::unexpected(archive_error(a, "archiving " + name));
    return {};
}

Status add_file(struct archive* a, const std::string& name, const fs::path& file) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(ErrorKind::io, "cannot read " + file.string());
    struct stat st {};
    ::fstat(fd, &st);
    // The size goes in the header first; copy exactly that many bytes even if the file grew.
    int64_t left = st.st_size;
    Status status = add_entry(a, name, left);
    std::vector<char> buf(1 << 16);
    while (status && left > 0) {
        ssize_t n = ::read(fd, buf.data(), size_t(std::min<int64_t>(left, int64_t(buf.size()))));
        if (n <= 0) {
            status = fail(ErrorKind::io, "short read of " + file.string());
            break;
        }
        if (archive_write_data(a, buf.data(), size_t(n)) < 0)
            status = std::unexpected(archive_error(a, "archiving " + name));
        left -= n;
    }
    ::close(fd);
    return status;
}

} // namespace

const char* library_version() {
    return archive_version_details();
}

Status write_archive(const fs::path& out, const std::string& run_json, const fs::path& spool_dir) {
    fs::path tmp = out;
    tmp += ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(ErrorKind::io, "cannot create " + tmp.string() + ": " + std::strerror(errno));
    Writer a(archive_write_new());
    archive_write_add_filter_gzip(a.get());
    // Level 1: packing is on the run's critical path, and at level 6 deflate was half of
    // leura's CPU for hosts printing 1 MiB each (tests/bench); logs still shrink several-fold.
    archive_write_set_filter_option(a.get(), "gzip", "compression-level", "1");
    archive_write_set_format_pax_restricted(a.get());
    Status status;
    if (archive_write_open_fd(a.get(), fd) != ARCHIVE_OK)
        status = std::unexpected(archive_error(a.get(), "opening " + tmp.string()));
    if (status) status = add_bytes(a.get(), "run.json", run_json);

    std::vector<fs::path> files;
    std::error_code ec;
    if (status && fs::exists(spool_dir, ec)) {
        for (auto it = fs::recursive_directory_iterator(spool_dir, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
            if (it->is_regular_file(ec)) files.push_back(it->path());
        if (ec) status = fail(ErrorKind::io, "reading spool: " + ec.message());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        if (!status) break;
        status = add_file(a.get(), fs::relative(f, spool_dir).generic_string(), f);
    }
    if (status && archive_write_close(a.get()) != ARCHIVE_OK)
        status = std::unexpected(archive_error(a.get(), "finishing " + tmp.string()));
    a.reset();
    if (status && ::fsync(fd) != 0)
        status = fail(ErrorKind::io, "syncing " + tmp.string() + ": " + std::strerror(errno));
    ::close(fd);
    if (status && ::rename(tmp.c_str(), out.c_str()) != 0)
        status = fail(ErrorKind::io, "renaming to " + out.string() + ": " + std::strerror(errno));
    if (!status) ::unlink(tmp.c_str());
    return status;
}

namespace {

Result<Reader> open_reader(const fs::path& path) {
    Reader a(archive_read_new());
    archive_read_support_filter_gzip(a.get());
    archive_read_support_format_tar(a.get());
    if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK)
        return std::unexpected(archive_error(a.get(), "opening archive " + path.string()));
    return a;
}

} // namespace

Result<std::vector<std::string>> list_members(const fs::path& path) {
    LEURA_TRY_ASSIGN(a, open_reader(path));
    std::vector<std::string> names;
    archive_entry* entry = nullptr;
    int rc;
    while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK)
        names.emplace_back(archive_entry_pathname(entry));
    if (rc != ARCHIVE_EOF) return std::unexpected(archive_error(a.get(), "reading archive"));
    return names;
}

Status read_member(const fs::path& path, const std::string& member,
                   const std::function<void(std::string_view)>& sink) {
    LEURA_TRY_ASSIGN(a, open_reader(path));
    archive_entry* entry = nullptr;
    int rc;
    while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
        if (member != archive_entry_pathname(entry)) continue;
        std::vector<char> buf(1 << 16);
        for (;;) {
            la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
            if (n < 0) return std::unexpected(archive_error(a.get(), "reading " + member));
            if (n == 0) return {};
            sink(std::string_view(buf.data(), size_t(n)));
        }
    }
    if (rc != ARCHIVE_EOF) return std::unexpected(archive_error(a.get(), "reading archive"));
    return fail(ErrorKind::not_found, "no member " + member + " in " + path.string());
}

Status read_members(const fs::path& path,
                    const std::function<MemberSink(const std::string& member)>& open) {
    LEURA_TRY_ASSIGN(a, open_reader(path));
    archive_entry* entry = nullptr;
    std::vector<char> buf(1 << 16);
    int rc;
    while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
        std::string member = archive_entry_pathname(entry);
        MemberSink sink = open(member);
        if (!sink) continue; // libarchive skips the data on the next header
        for (;;) {
            la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
            if (n < 0) return std::unexpected(archive_error(a.get(), "reading " + member));
            if (n == 0) break;
            sink(std::string_view(buf.data(), size_t(n)));
        }
    }
    if (rc != ARCHIVE_EOF) return std::unexpected(archive_error(a.get(), "reading archive"));
    return {};
}

} // namespace leura::archive
