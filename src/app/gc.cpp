// SPDX-License-Identifier: Apache-2.0
// `leura gc` over the real records and files. The order of a deletion is files, then rows:
// a gc that dies between the two leaves rows whose files are gone, which the next gc finds
// and finishes; the other order would leave files no record names. Rows go in transactions
// of at most k_gc_runs_per_transaction runs (fewer when they hold many steps), with a short
// pause between them, so a `leura run` recording meanwhile waits for one short transaction
// at most (its busy timeout is 5 s, store/sqlite.cpp). Before each transaction the live runs
// are looked at again (a directory listing of locks/); when one started since, the choice is
// made again over fresh records, so a run that began meanwhile (a resume of a chosen run
// included) keeps what it needs.
#include "app/gc.hpp"
#include "util/file_lock.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <thread>
#include <unordered_map>

namespace leura::app {

namespace fs = std::filesystem;

namespace {

constexpr std::chrono::milliseconds k_pause{20};

// The ids of the runs whose lock a process holds (app/recovery.cpp names them
// locks/run-<id>.lock; a finished run's lock file is removed when released).
Result<std::set<std::string>> live_runs(const fs::path& data) {
    std::set<std::string> out;
    std::error_code ec;
    fs::directory_iterator it(data / "locks", ec), end;
    if (ec) return out; // no locks folder: nothing ever ran
    for (; it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (!name.starts_with("run-") || !name.ends_with(".lock")) continue;
        LEURA_TRY_ASSIGN(lock, util::FileLock::try_acquire(it->path()));
        if (!lock) out.insert(name.substr(4, name.size() - 9));
    }
    return out;
}

// A run id that is safe as one path component (the records could have been edited).
bool safe_name(const std::string& id) {
    if (id.empty() || id[0] == '.') return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    });
}

uint64_t tree_bytes(const fs::path& dir) {
    uint64_t n = 0;
    std::error_code ec;
    if (fs::is_regular_file(dir, ec)) return fs::file_size(dir, ec);
    fs::recursive_directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        std::error_code size_ec;
        if (it->is_regular_file(size_ec)) {
            auto size = it->file_size(size_ec);
            if (!size_ec) n += size;
        }
    }
    return n;
}

// The files of one run under the data dir: its archive (where the records say, when that is
// in archives/, and where leura puts it) and the events `leura serve` kept of it, then its
// spool and downloads folders.
struct RunFiles {
    std::vector<fs::path> files, folders;
};

RunFiles files_of(const fs::path& data, const store::RunSummary& run) {
    RunFiles f;
    if (!safe_name(run.id)) return f;
    fs::path archives = (data / "archives").lexically_normal();
    f.files.push_back(archives / (run.id + ".tar.gz"));
    if (run.archive) {
        fs::path recorded = fs::path(*run.archive).lexically_normal();
        if (recorded.parent_path() == archives && recorded != f.files.front())
            f.files.push_back(recorded);
    }
    f.files.push_back(data / "events" / (run.id + ".jsonl"));
    f.folders = {data / "spool" / run.id, data / "downloads" / run.id};
    return f;
}

// Removes the files; a failure (other than their absence) is an error naming the file.
Status remove_files(const RunFiles& f) {
    std::error_code ec;
    for (const auto& a : f.files)
        if (!fs::remove(a, ec) && ec)
            return fail(ErrorKind::io, "cannot remove " + a.string() + ": " + ec.message());
    for (const auto& d : f.folders)
        if (fs::remove_all(d, ec) == static_cast<std::uintmax_t>(-1) || ec)
            return fail(ErrorKind::io, "cannot remove " + d.string() + ": " + ec.message());
    return {};
}

uint64_t file_size_or_0(const fs::path& p) {
    std::error_code ec;
    auto n = fs::file_size(p, ec);
    return ec ? 0 : n;
}

// The database on disk: its file and its write-ahead log (which holds recent writes until a
// checkpoint copies them into the file).
uint64_t db_files(const fs::path& data) {
    return file_size_or_0(data / "leura.db") + file_size_or_0(data / "leura.db-wal");
}

struct Chosen {
    GcDeleted report;
    std::vector<store::RunSummary> members; // stages first, the workflow's run last
    bool measured = false;
};

// The policy's choice over fresh records.
Result<std::vector<Chosen>> choose(store::Store& store, const GcPolicy& policy,
                                   util::SystemTime now, const std::set<std::string>& live) {
    LEURA_TRY_ASSIGN(summaries, store.run_summaries());
    std::vector<GcRun> runs;
    std::unordered_map<std::string, const store::RunSummary*> by_id;
    for (const auto& s : summaries) {
        runs.push_back(
            {s.id, s.task, s.started_at, s.status, s.parent, s.resumes, live.count(s.id) > 0});
        by_id.emplace(s.id, &s);
    }
    std::vector<Chosen> out;
    for (const auto& c : choose_runs(runs, policy, now)) {
        Chosen ch;
        for (const auto& id : c.stages)
            ch.members.push_back(*by_id.at(id));
        ch.members.push_back(*by_id.at(c.id));
        const store::RunSummary& top = ch.members.back();
        ch.report.id = top.id;
        ch.report.task = top.task;
        ch.report.started_at = top.started_at;
        ch.report.status = top.status;
        ch.report.stages = c.stages.size();
        out.push_back(std::move(ch));
    }
    return out;
}

// What a chosen run holds: its rows and its files' bytes.
Status measure(store::Store& store, const fs::path& data, Chosen& ch) {
    if (ch.measured) return {};
    ch.measured = true;
    for (const auto& m : ch.members) {
        LEURA_TRY_ASSIGN(rows, store.count_run_rows(m.id));
        ch.report.rows += rows;
        RunFiles f = files_of(data, m);
        for (const auto& a : f.files)
            (a.extension() == ".jsonl" ? ch.report.other_bytes : ch.report.archive_bytes) +=
                file_size_or_0(a);
        for (const auto& d : f.folders)
            ch.report.other_bytes += tree_bytes(d);
    }
    return {};
}

Result<GcPolicy> policy_of(const Context& ctx, const GcOptions& o) {
    GcPolicy p;
    if (o.keep)
        p.keep = *o.keep;
    else if (!ctx.settings.text("retention").empty())
        p.keep = ctx.settings.duration("retention");
    else
        return fail(ErrorKind::usage,
                    "gc needs an age: `leura gc --keep 90d` deletes the runs started more than "
                    "90 days ago (the newest " +
                        std::to_string(o.keep_runs.value_or(ctx.settings.count("retention_runs"))) +
                        " of each task stay), or set retention = \"90d\" in config.toml; "
                        "--dry-run lists them first");
    p.keep_runs = o.keep_runs.value_or(ctx.settings.count("retention_runs"));
    if (p.keep_runs < 0) return fail(ErrorKind::usage, "--keep-runs must be 0 or more");
    return p;
}

void add(GcReport& r, const GcDeleted& d) {
    r.archive_bytes += d.archive_bytes;
    r.other_bytes += d.other_bytes;
    r.runs.push_back(d);
}

} // namespace

Result<GcReport> collect_garbage(Context& ctx, const GcOptions& o) {
    GcReport report;
    LEURA_TRY_ASSIGN(policy, policy_of(ctx, o));
    report.policy = policy;
    report.dry_run = o.dry_run;
    const fs::path& data = ctx.data_dir;
    LEURA_TRY_ASSIGN(records, ctx.records()); // dead runs are recovered first
    store::Store& store = *records;
    LEURA_TRY_ASSIGN(live, live_runs(data));
    if (o.vacuum && !o.dry_run && !live.empty())
        return fail(ErrorKind::usage, "--vacuum rewrites the whole database, and run " +
                                          *live.begin() +
                                          " is recording into it now; run gc --vacuum later");
    LEURA_TRY_ASSIGN(db_before, store.used_bytes());
    report.db_before = report.db_after = db_before;
    report.file_before = report.file_after = db_files(data);
    LEURA_TRY_ASSIGN(chosen, choose(store, policy, ctx.clock(), live));
    if (o.dry_run) {
        for (auto& c : chosen) {
            LEURA_TRY(measure(store, data, c));
            add(report, c.report);
            report.rows += c.report.rows;
        }
        return report;
    }
    std::set<std::string> done;
    size_t next = 0;
    while (next < chosen.size()) {
        if (report.transactions) std::this_thread::sleep_for(k_pause);
        LEURA_TRY_ASSIGN(now_live, live_runs(data));
        bool started = std::any_of(now_live.begin(), now_live.end(),
                                   [&](const std::string& id) { return !live.count(id); });
        live = std::move(now_live);
        if (started) { // choose again over fresh records: the new run may need some
            LEURA_TRY_ASSIGN(again, choose(store, policy, ctx.clock(), live));
            std::erase_if(again, [&](const Chosen& c) { return done.count(c.report.id) > 0; });
            chosen = std::move(again);
            next = 0;
            continue;
        }
        std::vector<std::string> ids;
        std::vector<size_t> taken;
        int64_t steps = 0;
        for (; next < chosen.size() && taken.size() < k_gc_runs_per_transaction; ++next) {
            Chosen& c = chosen[next];
            LEURA_TRY(measure(store, data, c));
            if (!taken.empty() && steps + c.report.rows.steps > k_gc_steps_per_transaction) break;
            Status removed;
            for (const auto& m : c.members)
                if (removed) removed = remove_files(files_of(data, m));
            if (!removed) { // its rows stay, for a later gc
                report.warnings.push_back("run " + c.report.id +
                                          " kept: " + removed.error().message);
                done.insert(c.report.id);
                continue;
            }
            for (const auto& m : c.members)
                ids.push_back(m.id);
            steps += c.report.rows.steps;
            taken.push_back(next);
        }
        if (ids.empty()) continue;
        LEURA_TRY_ASSIGN(rows, store.delete_runs(ids));
        report.rows += rows;
        ++report.transactions;
        for (size_t i : taken) {
            add(report, chosen[i].report);
            done.insert(chosen[i].report.id);
        }
    }
    // Entries taken out of the output index free their space only when its segments merge.
    if (report.transactions > 0) LEURA_TRY(store.compact_index());
    if (o.vacuum) {
        LEURA_TRY(store.vacuum());
        report.vacuumed = true;
    }
    LEURA_TRY_ASSIGN(db_after, store.used_bytes());
    report.db_after = db_after;
    report.file_after = db_files(data);
    return report;
}

uint64_t data_size(const fs::path& data_dir) {
    return db_files(data_dir) + tree_bytes(data_dir / "archives");
}

std::optional<std::string> size_warning(const Context& ctx) {
    uint64_t limit = ctx.settings.size("warn_size");
    if (limit == 0) return std::nullopt;
    uint64_t size = data_size(ctx.data_dir);
    if (size <= limit) return std::nullopt;
    return "the records in " + ctx.data_dir.string() + " (database and archives) take " +
           util::human_bytes(size) + ", over warn_size (" + ctx.settings.text("warn_size") +
           "); `leura gc --keep 90d --dry-run` shows what pruning old runs would free";
}

} // namespace leura::app
