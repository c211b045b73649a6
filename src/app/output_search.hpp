// SPDX-License-Identifier: Apache-2.0
#pragma once

// `leura search`: the lines of recorded step output (the previews) that hold a pattern.
//
// A line matches when it holds PATTERN byte for byte (ASCII case ignored with
// `ignore_case`) at a word start: when PATTERN begins with a letter, a digit or a non-ASCII
// byte, the byte before the match is none of those. That is what the output index can answer
// (it keeps words, not substrings), so the index only narrows the steps to read and never
// changes the answer.
#include "app/context.hpp"
#include "util/error.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leura::app {

struct OutputSearchOptions {
    std::string pattern;
    std::optional<std::string> task; // substring of the task path, as `runs --task`
    std::optional<std::string> host; // a selector over host names, as `logs --host`
    std::optional<std::chrono::milliseconds> since;
    bool ignore_case = false;
    // The runs' archives instead of the previews: every byte each step printed, streamed
    // (never unpacked), without the index (slow: narrow it with task, host and since).
    bool full = false;
    int64_t limit = 100; // matching lines
};

struct OutputMatch {
    std::string run_id, task, host;
    int64_t step = 0; // 1-based
    std::string step_name;
    bool is_stderr = false;
    std::string line; // without its newline; as recorded (not escaped)
};

struct OutputSearchResult {
    std::vector<OutputMatch> hits;
    bool more = false; // stopped at the limit with lines left
};

// The FTS5 query for the steps whose output may hold `pattern`: its words (as the index's
// ascii tokenizer cuts them), each whole but the last, which may be a word's start when the
// pattern ends in one. "" when the pattern has no words (every step is read).
std::string index_query(std::string_view pattern);

// Each line of `text` that holds `pattern` (see above).
std::vector<std::string_view> matching_lines(std::string_view text, std::string_view pattern,
                                             bool ignore_case);

// The lines of a stream that comes in pieces (an archived step's output), each without its
// newline, to `line`; a line longer than k_max_line goes in pieces of that size.
class LineCutter {
public:
    static constexpr size_t k_max_line = 64 * 1024;
    explicit LineCutter(std::function<void(std::string_view)> line);
    void feed(std::string_view data);
    void end(); // the stream ended: its last line, when it had no newline

private:
    void flush();
    std::function<void(std::string_view)> m_line;
    std::string m_partial;
};

// Newest run first. Errors: usage (empty pattern, limit below 1), io, internal.
Result<OutputSearchResult> search_output(Context& ctx, const OutputSearchOptions& o);

} // namespace leura::app
