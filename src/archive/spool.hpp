// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "archive/names.hpp"
#include "util/error.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace leura::archive {

// One step's two output files, written as the output arrives.
class SpoolFile {
public:
    SpoolFile(int out_fd, int err_fd) : m_fd{out_fd, err_fd} {}
    ~SpoolFile();
    SpoolFile(const SpoolFile&) = delete;
    SpoolFile& operator=(const SpoolFile&) = delete;
    // Errors: io (e.g. the disk is full).
    Status write(bool is_stderr, std::string_view data);

private:
    int m_fd[2];
};

// The live run's output under spool/<run>/, laid out exactly as the archive will hold it, so
// packing is a walk of this folder.
class Spool {
public:
    static Result<Spool> create(std::filesystem::path dir);

    // The sanitized, unique folder name for a host (stable for the run); call it as hosts
    // start, so the names follow the recorded start order.
    std::string host_dir(const std::string& host);
    Result<std::unique_ptr<SpoolFile>> open(const std::string& host, size_t step_index,
                                            const std::string& step_name);
    // Before a retried step's next attempt: the output of attempt `attempt` moves to its own
    // members (step_member's attempt), an empty stream's file goes. Errors: io.
    Status set_aside(const std::string& host, size_t step_index, const std::string& step_name,
                     int attempt);
    std::filesystem::path path_of(const std::string& member) const { return m_dir / member; }
    const std::filesystem::path& dir() const { return m_dir; }

private:
    explicit Spool(std::filesystem::path dir) : m_dir(std::move(dir)) {}
    std::filesystem::path m_dir;
    HostDirs m_host_dirs;
};

// Head and tail of a stream within `budget` bytes: the whole text when it fits, else the first
// and last budget/2 bytes around a marker line saying how much was left out.
std::string preview_of(std::string_view data, size_t budget);
// The same for a file, reading only its head and tail.
Result<std::string> preview_file(const std::filesystem::path& file, size_t budget);

} // namespace leura::archive
