// SPDX-License-Identifier: Apache-2.0
#include "archive/bundle.hpp"
#include "archive/libarchive_handles.hpp"
#include "util/sha256.hpp"

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace leura::archive {

namespace fs = std::filesystem;

namespace {

struct Item {
    std::string name; // "./a/b", or "." for the top
    fs::path path;
    struct stat st {};
};

Error writer_error(struct archive* a, const std::string& what) {
    const char* msg = archive_error_string(a);
    return Error(ErrorKind::io, what + ": " + (msg ? msg : "unknown error"));
}

Result<std::vector<Item>> walk(const fs::path& dir) {
    std::vector<Item> items;
    Item top{".", dir, {}};
    if (::lstat(dir.c_str(), &top.st) != 0 || !S_ISDIR(top.st.st_mode))
        return fail(ErrorKind::config, "cannot read directory " + dir.string());
    items.push_back(top);
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        Item item{"./" + it->path().lexically_relative(dir).string(), it->path(), {}};
        if (::lstat(item.path.c_str(), &item.st) != 0)
            return fail(ErrorKind::io, "cannot read " + item.path.string());
        if (item.name.find('\n') != std::string::npos)
            return fail(ErrorKind::config,
                        "cannot upload " + item.path.string() + ": its name has a newline");
        if (!S_ISREG(item.st.st_mode) && !S_ISDIR(item.st.st_mode))
            return fail(ErrorKind::config,
                        "cannot upload " + item.path.string() +
                            ": directory uploads carry regular files and directories only");
        items.push_back(std::move(item));
    }
    if (ec)
        return fail(ErrorKind::io, "cannot read directory " + dir.string() + ": " + ec.message());
    std::sort(items.begin(), items.end(),
              [](const Item& a, const Item& b) { return a.name < b.name; });
    return items;
}

Status write_item(struct archive* a, const Item& item) {
    Entry entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), item.name.c_str());
    archive_entry_set_perm(entry.get(), item.st.st_mode & 07777);
    archive_entry_set_mtime(entry.get(), item.st.st_mtim.tv_sec, item.st.st_mtim.tv_nsec);
    bool dir = S_ISDIR(item.st.st_mode);
    archive_entry_set_filetype(entry.get(), dir ? AE_IFDIR : AE_IFREG);
    archive_entry_set_size(entry.get(), dir ? 0 : item.st.st_size);
    if (archive_write_header(a, entry.get()) != ARCHIVE_OK)
        return std::unexpected(writer_error(a, "packing " + item.path.string()));
    if (dir) return {};
    int fd = ::open(item.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(ErrorKind::io, "cannot read " + item.path.string());
    // Exactly the size in the header, even if the file changes meanwhile.
    int64_t left = item.st.st_size;
    std::vector<char> buf(1 << 16);
    Status status;
    while (status && left > 0) {
        ssize_t n = ::read(fd, buf.data(), size_t(std::min<int64_t>(left, int64_t(buf.size()))));
        if (n <= 0)
            status = fail(ErrorKind::io, "short read of " + item.path.string());
        else if (archive_write_data(a, buf.data(), size_t(n)) < 0)
            status = std::unexpected(writer_error(a, "packing " + item.path.string()));
        else
            left -= n;
    }
    ::close(fd);
    return status;
}

} // namespace

Result<Bundle> pack_directory(const fs::path& dir, const fs::path& out) {
    LEURA_TRY_ASSIGN(items, walk(dir));
    Bundle bundle;
    std::vector<std::string> shape;
    std::string contents;
    for (const auto& item : items) {
        char mode[16];
        std::snprintf(mode, sizeof mode, "%o", unsigned(item.st.st_mode & 07777));
        shape.push_back(std::string(S_ISREG(item.st.st_mode) ? "f " : "d ") + mode + " " +
                        item.name + "\n");
        if (!S_ISREG(item.st.st_mode)) continue;
        LEURA_TRY_ASSIGN(digest, util::sha256_file(item.path.string()));
        contents += digest.sha256 + "  " + item.name + "\n";
        ++bundle.files;
    }
    std::sort(shape.begin(), shape.end()); // as LC_ALL=C sort does
    std::string manifest;
    for (const auto& line : shape)
        manifest += line;
    bundle.manifest_sha256 = util::sha256_hex(manifest + contents);

    int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return fail(ErrorKind::io, "cannot create " + out.string());
    Writer a(archive_write_new());
    archive_write_set_format_pax_restricted(a.get());
    if (archive_write_open_fd(a.get(), fd) != ARCHIVE_OK) {
        ::close(fd);
        return std::unexpected(writer_error(a.get(), "writing " + out.string()));
    }
    Status status;
    for (const auto& item : items)
        if (status) status = write_item(a.get(), item);
    if (archive_write_close(a.get()) != ARCHIVE_OK && status)
        status = std::unexpected(writer_error(a.get(), "writing " + out.string()));
    ::close(fd);
    if (!status) return std::unexpected(status.error());
    return bundle;
}

} // namespace leura::archive
