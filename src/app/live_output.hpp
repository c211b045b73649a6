// SPDX-License-Identifier: Apache-2.0
// `leura logs RUN --follow`: the output a live run's hosts write to its spool, read as it grows,
// then the rest from the archive once the run has ended, so nothing written between two polls
// and the packing is lost and nothing is printed twice.
#pragma once

#include "util/error.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace leura::app {

// One piece of new output: the member it belongs to ("hosts/<dir>/<NN>-<step>.stdout") and
// its parts.
struct OutputChunk {
    std::string member;
    std::string host_dir;
    int64_t step_number = 0; // 1-based, as in the member's name
    std::string step;        // the step's name as the member spells it
    bool is_stderr = false;
    std::string_view data;
};

class LiveOutput {
public:
    using Sink = std::function<void(const OutputChunk&)>;
    LiveOutput(std::filesystem::path spool_dir, std::filesystem::path archive)
        : m_spool(std::move(spool_dir)), m_archive(std::move(archive)) {}

    // New bytes in the spool since the last poll, members in name order. A step's file that
    // was replaced (a retry's next attempt) starts over. Earlier attempts' members are not
    // followed (their bytes were read while they were the step's). Errors: none (a spool
    // that is gone or not there yet is no output).
    void poll(const Sink& sink);
    // After the run ended: what the archive holds beyond what poll() passed on. Errors: io.
    Status drain(const Sink& sink);

private:
    struct Seen {
        uint64_t inode = 0;
        uint64_t offset = 0;
    };
    std::filesystem::path m_spool, m_archive;
    std::map<std::string, Seen> m_seen; // member -> how much was passed on
};

// Parses a step member's name; false for run.json and earlier attempts' members.
bool parse_step_member(const std::string& member, OutputChunk& into);

} // namespace leura::app
