// SPDX-License-Identifier: Apache-2.0
#include "app/output_search.hpp"
#include "inventory/selector.hpp"
#include "util/time.hpp"

namespace leura::app {

namespace {

// A byte the index's ascii tokenizer keeps in a word.
bool word_byte(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

unsigned char fold(unsigned char c, bool ignore_case) {
    return ignore_case && c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

bool holds_at(std::string_view line, size_t at, std::string_view pattern, bool ignore_case) {
    for (size_t i = 0; i < pattern.size(); ++i)
        if (fold(line[at + i], ignore_case) != fold(pattern[i], ignore_case)) return false;
    return true;
}

bool line_matches(std::string_view line, std::string_view pattern, bool ignore_case) {
    bool at_word_start = word_byte(pattern.front());
    for (size_t at = 0; at + pattern.size() <= line.size(); ++at) {
        if (at_word_start && at > 0 && word_byte(line[at - 1])) continue;
        if (holds_at(line, at, pattern, ignore_case)) return true;
    }
    return false;
}

} // namespace

std::string index_query(std::string_view pattern) {
    std::string query;
    size_t i = 0;
    while (i < pattern.size()) {
        if (!word_byte(pattern[i])) {
            ++i;
            continue;
        }
        size_t end = i;
        while (end < pattern.size() && word_byte(pattern[end]))
            ++end;
        // Words are letters, digits and non-ASCII bytes: no quote to escape inside "...".
        query +=
            (query.empty() ? "\"" : " AND \"") + std::string(pattern.substr(i, end - i)) + "\"";
        if (end == pattern.size()) query += '*';
        i = end;
    }
    return query;
}

std::vector<std::string_view> matching_lines(std::string_view text, std::string_view pattern,
                                             bool ignore_case) {
    std::vector<std::string_view> out;
    if (pattern.empty()) return out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (line_matches(line, pattern, ignore_case)) out.push_back(line);
        start = end + 1;
    }
    return out;
}

Result<OutputSearchResult> search_output(Context& ctx, const OutputSearchOptions& o) {
    if (o.pattern.empty()) return fail(ErrorKind::usage, "the pattern is empty");
    if (o.pattern.find('\n') != std::string::npos)
        return fail(ErrorKind::usage, "the pattern spans lines; search matches within one line");
    if (o.limit < 1) return fail(ErrorKind::usage, "--limit must be at least 1");
    store::OutputQuery q;
    q.match = index_query(o.pattern);
    q.task = o.task;
    if (o.since) q.since = util::rfc3339(ctx.clock() - *o.since);
    LEURA_TRY_ASSIGN(records, ctx.records());
    if (o.host) {
        // What `logs --host` takes, over every host the records name: a host no run had
        // selects nothing, and so matches nothing.
        LEURA_TRY_ASSIGN(names, records->recorded_hosts());
        auto picked = inventory::select_names(names, *o.host);
        if (!picked && picked.error().message.find("unknown group or host") == std::string::npos)
            return fail(ErrorKind::usage, "--host '" + *o.host + "': " + picked.error().message);
        q.hosts = picked ? *picked : std::vector<std::string>{};
    }
    OutputSearchResult result;
    auto take = [&](const store::StepOutput& s, const std::string& text, bool is_stderr) {
        for (auto line : matching_lines(text, o.pattern, o.ignore_case)) {
            if (int64_t(result.hits.size()) == o.limit) {
                result.more = true;
                return false;
            }
            result.hits.push_back(
                {s.run_id, s.task, s.host, s.idx + 1, s.name, is_stderr, std::string(line)});
        }
        return true;
    };
    LEURA_TRY(records->step_outputs(q, [&](const store::StepOutput& s) {
        return take(s, s.preview_out, false) && take(s, s.preview_err, true);
    }));
    return result;
}

} // namespace leura::app
