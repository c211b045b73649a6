// SPDX-License-Identifier: Apache-2.0
#include "app/recovery.hpp"
#include "app/run_json.hpp"
#include "archive/tarball.hpp"
#include "store/status.hpp"
#include "util/paths.hpp"
#include "util/sha256.hpp"
#include "util/signals.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <cstdlib>
#include <unistd.h>

namespace leura::app {

namespace fs = std::filesystem;

namespace {

fs::path locks_dir(const fs::path& data) {
    return data / "locks";
}

fs::path run_lock_path(const fs::path& data, const std::string& run_id) {
    return locks_dir(data) / ("run-" + run_id + ".lock");
}

// One lock per task file, whatever path it was named by.
fs::path task_lock_path(const fs::path& data, const fs::path& task) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(task, ec);
    std::string key = util::sha256_hex((ec ? task : canonical).string()).substr(0, 16);
    return locks_dir(data) / ("task-" + key + ".lock");
}

} // namespace

std::string holder_note(const std::string& run_id) {
    return "run " + run_id + " (pid " + std::to_string(::getpid()) + ")";
}

Result<util::FileLock> lock_task(const fs::path& data, const fs::path& task,
                                 std::optional<std::chrono::milliseconds> wait,
                                 const std::function<void(const std::string&)>& waiting) {
    LEURA_TRY(util::ensure_private_dir(locks_dir(data)));
    fs::path path = task_lock_path(data, task);
    auto lock = util::FileLock::try_acquire(path);
    if (lock && !*lock && wait) {
        std::string holder = util::FileLock::read_note(path);
        if (waiting)
            waiting("waiting up to " + util::human_duration_ms(wait->count()) + " for " +
                    (holder.empty() ? "another leura" : holder) + " to finish " + task.string() +
                    " (--wait); Ctrl-C gives up");
        lock = util::FileLock::acquire(path, *wait, [] { return util::stop_level() > 0; });
    }
    if (!lock) return std::unexpected(lock.error());
    if (*lock) return std::move(**lock);
    std::string holder = util::FileLock::read_note(path);
    return fail(ErrorKind::locked,
                task.string() + " is being run by " + (holder.empty() ? "another leura" : holder) +
                    (wait ? "; still held after --wait" : "; pass --wait to queue behind it"));
}

Result<std::optional<std::string>> task_lock_holder(const fs::path& data, const fs::path& task) {
    LEURA_TRY(util::ensure_private_dir(locks_dir(data)));
    const fs::path path = task_lock_path(data, task);
    LEURA_TRY_ASSIGN(lock, util::FileLock::try_acquire(path));
    if (lock) return std::optional<std::string>();
    return std::optional<std::string>(util::FileLock::read_note(path));
}

Result<util::FileLock> lock_run(const fs::path& data, const std::string& run_id) {
    LEURA_TRY(util::ensure_private_dir(locks_dir(data)));
    fs::path path = run_lock_path(data, run_id);
    LEURA_TRY_ASSIGN(lock, util::FileLock::try_acquire(path));
    if (!lock) return fail(ErrorKind::internal, "run " + run_id + " is locked already");
    LEURA_TRY(lock->note(holder_note(run_id)));
    lock->remove_when_released(path);
    return std::move(*lock);
}

std::optional<pid_t> pid_in_note(const std::string& note) {
    const size_t at = note.find("(pid ");
    if (at == note.npos) return std::nullopt;
    const long v = std::strtol(note.c_str() + at + 5, nullptr, 10);
    if (v <= 1) return std::nullopt;
    return pid_t(v);
}

Result<std::optional<pid_t>> live_run_pid(const fs::path& data, const std::string& run_id) {
    const fs::path path = run_lock_path(data, run_id);
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::optional<pid_t>();
    LEURA_TRY_ASSIGN(lock, util::FileLock::try_acquire(path));
    if (lock) return std::optional<pid_t>();
    return pid_in_note(util::FileLock::read_note(path));
}

Result<std::vector<std::string>> recover_dead_runs(store::Store& store, const fs::path& data) {
    store::RunFilter filter;
    filter.status = "running";
    filter.limit = 1000;
    LEURA_TRY_ASSIGN(running, store.runs(filter));
    std::vector<std::string> recovered;
    for (auto& run : running) {
        fs::path path = run_lock_path(data, run.id);
        LEURA_TRY_ASSIGN(lock, util::FileLock::try_acquire(path));
        if (!lock) continue; // alive
        run.status = to_string(store::RunStatus::interrupted);
        run.finished_at = util::now_rfc3339();
        LEURA_TRY(store.interrupt_hosts(run.id, *run.finished_at));
        LEURA_TRY_ASSIGN(hosts, store.hosts(run.id));
        for (const auto& h : hosts) {
            using store::HostState;
            auto state = store::parse_host_state(h.status);
            run.ok += state == HostState::ok;
            run.failed += state == HostState::failed;
            run.unreachable += state == HostState::unreachable;
            run.skipped += state == HostState::skipped;
            run.interrupted += state == HostState::interrupted;
            run.rolled_back += state == HostState::rolled_back;
        }
        LEURA_TRY_ASSIGN(spool, archive::Spool::create(data / "spool" / run.id));
        fs::path archive = data / "archives" / (run.id + ".tar.gz");
        LEURA_TRY(util::ensure_private_dir(data / "archives"));
        LEURA_TRY_ASSIGN(json, run_json(store, run, spool));
        if (archive::write_archive(archive, json, spool.dir())) {
            run.archive = archive.string();
            std::error_code ec;
            fs::remove_all(spool.dir(), ec);
        }
        LEURA_TRY(store.finish_run(run));
        std::error_code ec;
        fs::remove(path, ec);
        recovered.push_back(run.id);
    }
    return recovered;
}

} // namespace leura::app
