// SPDX-License-Identifier: Apache-2.0
#pragma once

// A local file pinned for a run: opened once, hashed from that descriptor, and read later from
// the same descriptor with pread, so every host is sent exactly the bytes that were hashed. A
// file replaced by a rename since still sends the content that was hashed; a file written in
// place shows it in its size and modification time, which unchanged() compares.

#include "util/error.hpp"
#include "util/sha256.hpp"

#include <memory>
#include <string>
#include <sys/types.h>

namespace leura::util {

class FileSnapshot {
public:
    // Opens and hashes `path`; with `unlink`, removes it once open (a temporary file of leura's
    // own, gone however the run ends). Errors: io (cannot open or read; not a regular file).
    static Result<std::shared_ptr<const FileSnapshot>> open(const std::string& path,
                                                            bool unlink = false);
    ~FileSnapshot();
    FileSnapshot(const FileSnapshot&) = delete;
    FileSnapshot& operator=(const FileSnapshot&) = delete;

    const std::string& path() const { return m_path; }
    const FileDigest& digest() const { return m_digest; }
    unsigned long long size() const { return m_digest.size; }
    // Up to `len` bytes at `offset`, of the hashed size at most. 0 before size(): the file
    // shrank. Errors: io, naming the file and what changed.
    Result<size_t> read_at(unsigned long long offset, char* buf, size_t len) const;
    // Ok while the file is as it was hashed (same size and modification time).
    Status unchanged() const;

    struct Key {}; // only open() makes one
    FileSnapshot(Key, std::string path, int fd) : m_path(std::move(path)), m_fd(fd) {}

private:
    std::string m_path;
    int m_fd = -1;
    FileDigest m_digest;
    struct timespec m_mtime {};
};

using Snapshot = std::shared_ptr<const FileSnapshot>;

} // namespace leura::util
