// SPDX-License-Identifier: Apache-2.0
#include "app/output_search.hpp"
#include "app/access_gate.hpp"
#include "archive/names.hpp"
#include "archive/tarball.hpp"
#include "inventory/selector.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <tuple>

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

// Where a member of a run's archive belongs in the output order: the host's start order, the
// step, stdout before stderr.
using Place = std::tuple<size_t, int64_t, bool>;
struct Member {
    Place place;
    const store::StepRecord* step;
};

// The matching lines of one run's archive, the first `keep` in output order (the archive's
// own order is the spool's, not the hosts').
Result<std::vector<OutputMatch>>
search_archive(store::Store& records, const store::RunRecord& run,
               const std::optional<std::vector<std::string>>& hosts, const OutputSearchOptions& o,
               size_t keep) {
    LEURA_TRY_ASSIGN(recorded, records.hosts(run.id));
    LEURA_TRY_ASSIGN(steps, records.steps(run.id, false));
    archive::HostDirs dirs;
    std::map<std::string, size_t> seq;
    for (const auto& h : recorded) {
        seq.emplace(h.host, seq.size());
        dirs.get(h.host);
    }
    std::map<std::string, Member> members;
    for (const auto& s : steps) {
        if (hosts && std::find(hosts->begin(), hosts->end(), s.host) == hosts->end()) continue;
        for (bool err : {false, true})
            members.emplace(archive::step_member(dirs.get(s.host), size_t(s.idx), s.name, err),
                            Member{{seq[s.host], s.idx, err}, &s});
    }
    std::map<Place, std::vector<std::string>> found;
    size_t count = 0;
    // A member's last line may lack its newline: it ends when the next member begins.
    std::shared_ptr<LineCutter> current;
    LEURA_TRY(archive::read_members(*run.archive, [&](const std::string& name) {
        if (current) current->end();
        current.reset();
        auto m = members.find(name);
        if (m == members.end()) return archive::MemberSink{};
        current = std::make_shared<LineCutter>([&, place = m->second.place](std::string_view l) {
            if (!line_matches(l, o.pattern, o.ignore_case)) return;
            found[place].emplace_back(l);
            if (++count <= keep) return;
            // Over the limit: the last place's last line goes (the first `keep` stay).
            auto last = std::prev(found.end());
            last->second.pop_back();
            if (last->second.empty()) found.erase(last);
            --count;
        });
        return archive::MemberSink([cutter = current](std::string_view d) { cutter->feed(d); });
    }));
    if (current) current->end();
    std::vector<OutputMatch> out;
    std::map<Place, const store::StepRecord*> step_at;
    for (const auto& [name, m] : members)
        step_at.emplace(m.place, m.step);
    for (auto& [place, lines] : found) {
        const store::StepRecord* s = step_at.at(place);
        for (auto& l : lines)
            out.push_back(
                {run.id, run.task, s->host, s->idx + 1, s->name, std::get<2>(place), std::move(l)});
    }
    return out;
}

} // namespace

LineCutter::LineCutter(std::function<void(std::string_view)> line) : m_line(std::move(line)) {}

void LineCutter::feed(std::string_view data) {
    while (!data.empty()) {
        size_t nl = data.find('\n');
        std::string_view piece = data.substr(0, nl);
        if (m_partial.size() + piece.size() > k_max_line) {
            piece = piece.substr(0, k_max_line - m_partial.size());
            m_partial += piece;
            flush();
            data.remove_prefix(piece.size());
            continue;
        }
        if (nl == std::string_view::npos) {
            m_partial += piece;
            return;
        }
        if (m_partial.empty()) {
            m_line(piece);
        } else {
            m_partial += piece;
            flush();
        }
        data.remove_prefix(nl + 1);
    }
}

void LineCutter::end() {
    if (!m_partial.empty()) flush();
}

void LineCutter::flush() {
    m_line(m_partial);
    m_partial.clear();
}

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
    // Only the output of runs the person acting may read (app/access_gate.hpp).
    std::map<std::string, bool> readable;
    auto may_read = [&](const std::string& run_id) {
        auto [it, fresh] = readable.try_emplace(run_id, true);
        if (fresh && access_state(ctx).mode != access::PolicyState::Mode::off) {
            auto run = records->run(run_id);
            it->second = run && may_see(ctx, *run, "logs");
        }
        return it->second;
    };
    if (o.full) {
        // Every run the filters keep, newest first, its archive read once; a line over the
        // limit says there are more.
        store::RunFilter runs;
        runs.task = o.task;
        runs.since = q.since;
        runs.stages = true;
        runs.limit = std::numeric_limits<int64_t>::max();
        LEURA_TRY_ASSIGN(chosen, records->runs(runs));
        for (const auto& run : chosen) {
            if (!run.archive || !may_read(run.id)) continue;
            size_t room = size_t(o.limit) + 1 - result.hits.size();
            LEURA_TRY_ASSIGN(hits, search_archive(*records, run, q.hosts, o, room));
            for (auto& h : hits)
                result.hits.push_back(std::move(h));
            if (int64_t(result.hits.size()) > o.limit) {
                result.hits.resize(size_t(o.limit));
                result.more = true;
                break;
            }
        }
        return result;
    }
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
        if (!may_read(s.run_id)) return true;
        return take(s, s.preview_out, false) && take(s, s.preview_err, true);
    }));
    return result;
}

} // namespace leura::app
