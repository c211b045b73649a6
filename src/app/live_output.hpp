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
#include <set>
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

    // New bytes in the spool since the last poll, members in name order. When a retry sets a
    // step's file aside (".attempt<K>") and starts it over, the rest of the file that was being
    // followed is passed on first, then any attempt set aside whole since, then the new file
    // from its start: nothing is lost or repeated however the polls fall. Errors: none (a
    // spool that is gone or not there yet is no output).
    void poll(const Sink& sink);
    // After the run ended: what the archive holds beyond what poll() passed on, by the same
    // rule. Errors: io.
    Status drain(const Sink& sink);

private:
    struct Seen {
        uint64_t inode = 0;
        uint64_t offset = 0;     // bytes of the followed file passed on
        std::set<int> set_aside; // the attempts already set aside at the last look
        bool waited = false;     // the file was replaced and its set-aside copy not listed yet
    };
    // Passes `member` on from byte `from` as the chunk `as`; returns the offset reached.
    using Reader =
        std::function<Result<uint64_t>(const std::string& member, uint64_t from, OutputChunk as)>;
    // The attempts set aside since the last look, in attempt order: the first one is the file
    // that was being followed (its rest), later ones whole. True when there were any.
    static Result<bool> pass_on_set_aside(Seen& seen, const std::map<int, std::string>& attempts,
                                          const OutputChunk& as, const Reader& read);

    std::filesystem::path m_spool, m_archive;
    std::map<std::string, Seen> m_seen; // step member -> how much was passed on
};

// Parses a step member's name; false for run.json and earlier attempts' members.
bool parse_step_member(const std::string& member, OutputChunk& into);
// "hosts/<dir>/<NN>-<step>.attempt<K>.<stream>", an earlier attempt of the step member
// "hosts/<dir>/<NN>-<step>.<stream>": K and that member; 0 when `member` is no such attempt.
int parse_attempt_member(const std::string& member, std::string& step_member);

} // namespace leura::app
