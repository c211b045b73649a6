// SPDX-License-Identifier: Apache-2.0
// GET /v1/runs/ID/hosts/HOST/steps/N/output: a step's whole output on one stream, byte ranges
// of it (Range: bytes=...), and with ?follow=1 the output as the step writes it, until it ends.
#include "app/access_gate.hpp"
#include "app/api.hpp"
#include "app/exit_code.hpp"
#include "app/step_output.hpp"
#include "app/tokens.hpp"
#include "store/store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

namespace leura::app {

namespace fs = std::filesystem;

namespace {

// What one answer holds at most: a bigger range is answered in part (206 with the part's
// Content-Range), and a client asks for the rest; a whole output without a Range streams.
constexpr uint64_t k_max_part = 64ull << 20;
constexpr auto k_follow_poll = std::chrono::milliseconds(250);

// A single byte range (RFC 9110 §14.1.2): first-last, first-, or -suffix. Anything else
// (several ranges, another unit, a bad number) is ignored, as the RFC lets a server do.
struct ByteRange {
    std::optional<uint64_t> first, last, suffix;
};
std::optional<ByteRange> parse_range(const std::string* header) {
    if (!header || header->rfind("bytes=", 0) != 0) return std::nullopt;
    const std::string spec = header->substr(6);
    const size_t dash = spec.find('-');
    if (dash == spec.npos || spec.find(',') != spec.npos) return std::nullopt;
    auto number = [](const std::string& s) -> std::optional<uint64_t> {
        if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != s.npos)
            return std::nullopt;
        return std::strtoull(s.c_str(), nullptr, 10);
    };
    ByteRange r;
    const std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
    if (a.empty()) {
        r.suffix = number(b);
        if (!r.suffix || *r.suffix == 0) return std::nullopt;
        return r;
    }
    r.first = number(a);
    if (!r.first) return std::nullopt;
    if (!b.empty()) {
        r.last = number(b);
        if (!r.last || *r.last < *r.first) return std::nullopt;
    }
    return r;
}

const store::StepRecord* find_step(const std::vector<store::StepRecord>& steps,
                                   const std::string& host, long n) {
    for (const auto& s : steps)
        if (s.host == host && s.idx + 1 == n) return &s;
    return nullptr;
}

} // namespace

http::Response Api::step_output(Context& ctx, const std::string& id, const std::string& host,
                                const std::string& step, const http::Request& r,
                                const Token& token) {
    const std::string stream = r.param("stream").value_or("stdout");
    if (stream != "stdout" && stream != "stderr")
        return problem(400, "usage", to_int(ExitCode::usage), "stream must be stdout or stderr");
    const std::string follow = r.param("follow").value_or("0");
    if (follow != "0" && follow != "1")
        return problem(400, "usage", to_int(ExitCode::usage), "follow must be 0 or 1");
    char* end = nullptr;
    const long n = std::strtol(step.c_str(), &end, 10);
    if (step.empty() || *end || n < 1)
        return problem(400, "usage", to_int(ExitCode::usage),
                       "a step is named by its number, from 1");
    auto view = load_run(ctx, id, false);
    if (!view) return problem(view.error());
    if (token && !token_scope_allows(*token, "logs", task_name_of(view->run)))
        return problem(403, "denied", to_int(ExitCode::refused),
                       "token " + token->id + " does not allow 'logs' on task " +
                           task_name_of(view->run));
    if (auto ok = require_run(ctx, view->run, "logs"); !ok) return problem(ok.error());
    const store::StepRecord* s = find_step(view->steps, host, n);
    if (!s)
        return problem(404, "not_found", to_int(ExitCode::usage),
                       "run " + view->run.id + " has no step " + step + " on host " + host);
    const bool live = view->run.status == "running";
    const StepStream where = step_stream(ctx.data_dir, *view, *s, stream == "stderr");
    const auto range = parse_range(r.header("range"));

    http::Response res;
    res.header("Content-Type", "text/plain; charset=utf-8");
    res.header("X-Content-Type-Options", "nosniff");
    res.header("Cache-Control", "no-store");
    if (follow == "1") {
        // From the range's first byte (a client that lost its connection resumes there),
        // what is written as it is written, until the step has ended and all of it was sent.
        const uint64_t from = range && range->first ? *range->first : 0;
        const fs::path db = ctx.data_dir / "leura.db";
        const std::string run_id = view->run.id;
        res.stream = [this, where, from, db, run_id, host, n](const http::ChunkWriter& write) {
            uint64_t at = from;
            auto send_new = [&](const StepStream& source, bool from_spool) -> bool { // false: stop
                for (;;) {
                    auto part = read_step_stream(source, from_spool, at, 1 << 20);
                    if (!part || part->data.empty()) return bool(part);
                    if (!write(part->data)) return false;
                    at += part->data.size();
                }
            };
            for (;;) {
                if (stopping || !write("")) return;
                auto store = store::Store::open_read_only(db.string());
                if (!store) return;
                auto run = store->run(run_id);
                auto steps = store->steps(run_id, false, host);
                if (!run || !steps) return;
                const store::StepRecord* now = find_step(*steps, host, n);
                const bool running = run->status == "running";
                const bool step_done = now && now->status != "running";
                if (!running) {
                    // The rest: from the archive the run was packed into (the spool is gone
                    // once it is written), or the spool of a run that died unpacked.
                    StepStream packed = where;
                    if (run->archive) packed.archive = *run->archive;
                    std::error_code ec;
                    send_new(packed, !packed.archive && fs::exists(where.spool_file, ec));
                    return;
                }
                if (!send_new(where, true)) return;
                if (step_done) {
                    send_new(where, true); // what came between the read and the record
                    return;
                }
                std::this_thread::sleep_for(k_follow_poll);
            }
        };
        return res;
    }
    res.header("Accept-Ranges", "bytes");
    if (!range) {
        if (!live) {
            // Streamed from the archive: an output of gigabytes is never held whole.
            res.stream = [where](const http::ChunkWriter& write) {
                for (uint64_t at = 0;;) {
                    auto part = read_step_stream(where, false, at, 1 << 20);
                    if (!part || part->data.empty() || !write(part->data)) return;
                    at += part->data.size();
                }
            };
            return res;
        }
        auto part = read_step_stream(where, true, 0, k_max_part);
        if (!part) return problem(part.error());
        res.body = std::move(part->data);
        return res;
    }
    // One read gives the part and the size; only a suffix range needs the size first (an
    // archive member is read through to its end either way).
    uint64_t first = range->first.value_or(0);
    if (range->suffix) {
        auto sized = read_step_stream(where, live, 0, 0);
        if (!sized) return problem(sized.error());
        first = sized->size - std::min(sized->size, *range->suffix);
    }
    const uint64_t want = std::min(range->last ? *range->last - first + 1 : k_max_part, k_max_part);
    auto part = read_step_stream(where, live, first, want);
    if (!part) return problem(part.error());
    const uint64_t size = part->size;
    if (first >= size) { // an empty output has no range to give
        http::Response bad = problem(416, "usage", to_int(ExitCode::usage),
                                     "the output has " + std::to_string(size) +
                                         " bytes; the range starts beyond them");
        bad.header("Content-Range", "bytes */" + std::to_string(size));
        return bad;
    }
    res.status = 206;
    res.header("Content-Range", "bytes " + std::to_string(first) + "-" +
                                    std::to_string(first + part->data.size() - 1) + "/" +
                                    (live ? std::string("*") : std::to_string(size)));
    res.body = std::move(part->data);
    return res;
}

} // namespace leura::app
