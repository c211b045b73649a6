// SPDX-License-Identifier: Apache-2.0
#pragma once

// An exclusive flock(2) on a file: the kernel releases it when the holder exits, however it
// exits (kill -9 included), so a lock never outlives its process and needs no clean-up.

#include "util/error.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace leura::util {

class FileLock {
public:
    // The lock on `path` (created 0600), or nullopt when another process holds it.
    static Result<std::optional<FileLock>> try_acquire(const std::filesystem::path& path);
    // Waits up to `wait` for it, checking every 100 ms; `give_up` ends the wait early (a
    // stop signal). nullopt: still held at the end.
    static Result<std::optional<FileLock>> acquire(const std::filesystem::path& path,
                                                   std::chrono::milliseconds wait,
                                                   const std::function<bool()>& give_up);
    // What the holder wrote with note(); empty when nothing or unreadable.
    static std::string read_note(const std::filesystem::path& path);

    FileLock(FileLock&& other) noexcept : m_fd(other.m_fd), m_remove(std::move(other.m_remove)) {
        other.m_fd = -1;
        other.m_remove.clear();
    }
    FileLock& operator=(FileLock&& other) noexcept;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    ~FileLock();

    // Replaces the file's content: who holds the lock, for whoever finds it held.
    Status note(std::string_view text);
    // Deletes the file when the lock is released normally (a lock that only proves its holder
    // is alive has no use after that; after a crash the file stays, and says so).
    void remove_when_released(std::filesystem::path path) { m_remove = std::move(path); }

private:
    explicit FileLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
    std::filesystem::path m_remove;
};

} // namespace leura::util
