// SPDX-License-Identifier: Apache-2.0
// Wires one run together: records (store), output (spool, then archive), terminal (reporter),
// the SSH transport and the stop signals around the wave runner (app/wave_runner.hpp), and
// the run's outcome into its record and exit status.
#include "app/run_task.hpp"
#include "app/job.hpp"
#include "app/outcome.hpp"
#include "app/recorder.hpp"
#include "app/recovery.hpp"
#include "app/run_json.hpp"
#include "app/task_versions.hpp"
#include "app/wave_runner.hpp"
#include "app/waves.hpp"
#include "archive/bundle.hpp"
#include "archive/tarball.hpp"
#include "config/login.hpp"
#include "exec/script.hpp"
#include "inventory/range.hpp"
#include "rollout/gate.hpp"
#include "ssh/libssh_transport.hpp"
#include "util/file_snapshot.hpp"
#include "util/json.hpp"
#include "util/paths.hpp"
#include "util/random.hpp"
#include "util/sha256.hpp"
#include "util/signals.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <poll.h>
#include <set>
#include <unistd.h>

namespace leura::app {

namespace fs = std::filesystem;

namespace {

std::string known_hosts_path(const RunOptions& o) {
    return o.known_hosts.empty() ? util::home_dir() + "/.ssh/known_hosts"
                                 : util::expand_tilde(o.known_hosts);
}

// Missing is fine (no host is known yet: strict checking then refuses each, or
// --accept-new-host-keys records them); present but unreadable or not a file is a mistake.
Status check_known_hosts(const std::string& path) {
    std::error_code ec;
    auto st = fs::status(path, ec);
    if (ec || st.type() == fs::file_type::not_found) return {};
    if (st.type() != fs::file_type::regular)
        return fail(ErrorKind::usage, "known_hosts file " + path + " is not a regular file");
    if (::access(path.c_str(), R_OK) != 0)
        return fail(ErrorKind::usage,
                    "cannot read the known_hosts file " + path + ": " + std::strerror(errno));
    return {};
}

// Between waves with pause = "confirm": the person at the terminal decides.
bool ask_to_continue(int next_wave, size_t waves, size_t hosts) {
    std::fprintf(stderr, "leura: continue with wave %d/%zu (%zu host%s)? [y/N] ", next_wave, waves,
                 hosts, hosts == 1 ? "" : "s");
    std::fflush(stderr);
    char line[64] = {0};
    if (!std::fgets(line, sizeof line, stdin)) return false;
    return line[0] == 'y' || line[0] == 'Y';
}

} // namespace

ssh::TransportOptions transport_options(const RunOptions& o) {
    ssh::TransportOptions topt;
    topt.ssh_dir = util::home_dir() + "/.ssh";
    topt.known_hosts = known_hosts_path(o);
    topt.accept_new_host_keys = o.accept_new_host_keys;
    topt.local_user = util::user_name();
    topt.jump_connect_timeout = o.connect_timeout;
    topt.keepalive = o.keepalive;
    return topt;
}

Result<RunResult> run_task(Context& ctx, const Prepared& p, const RunOptions& o,
                           const std::optional<config::Rollout>& rollout_spec,
                           const rollout::Plan& plan, ui::Reporter& reporter) {
    // A --var of a secret's name would replace the secret (and escape its redaction).
    for (const auto& [name, value] : o.vars)
        for (const auto& secret : p.task.secrets)
            if (secret.first == name)
                return fail(ErrorKind::usage,
                            "--var " + name + " would replace the task's secret " + name);
    const fs::path& data = ctx.data_dir;
    LEURA_TRY(util::ensure_private_dir(data));
    LEURA_TRY(util::ensure_private_dir(data / "archives"));
    LEURA_TRY(util::ensure_private_dir(data / "spool"));
    LEURA_TRY(util::ensure_private_dir(data / "tmp"));
    // A run that died holding this task's lock is found here (Context::records recovers dead
    // runs), before the lock is judged.
    LEURA_TRY_ASSIGN(records, ctx.records());
    store::Store& store = *records;
    // Ad-hoc commands (`leura exec`) share no task, so nothing to keep from overlapping.
    std::optional<util::FileLock> task_lock;
    if (!p.task.adhoc && !o.parent) { // a stage's workflow holds it
        LEURA_TRY_ASSIGN(held, lock_task(data, p.task.file, o.lock_wait, o.on_lock_wait));
        task_lock = std::move(held);
    }
    LEURA_TRY_ASSIGN(digests, upload_digests(p.task, data / "tmp"));
    // An unreadable known_hosts file fails every host at its key check: say so before any
    // step (a local drain included) runs anywhere.
    // Each host (and jump host) names its own file (app/connections.hpp); each is checked once.
    std::set<std::string> files;
    for (const auto& c : p.connections) {
        files.insert(c.endpoint.known_hosts);
        for (const auto& hop : c.endpoint.jumps)
            files.insert(hop.known_hosts);
    }
    for (const auto& f : files)
        LEURA_TRY(check_known_hosts(f));

    auto started = std::chrono::system_clock::now();
    auto clock_start = std::chrono::steady_clock::now();
    store::RunRecord run;
    run.id = o.run_id ? *o.run_id : util::new_run_id(started);
    run.task = p.task.file.string(); // absolute (app::prepare)
    if (!p.task_name.empty()) run.task_name = p.task_name;
    run.task_hash = util::sha256_hex(p.task.text);
    run.task_text = p.task.text;
    run.inventory = p.inventory_file.string();
    run.targets = p.targets;
    run.user = ctx.identity.name;
    run.args = util::json_string_array(o.argv);
    run.started_at = util::rfc3339(started);
    run.hosts = int64_t(p.hosts.size());
    run.plan = plan_json(p, plan, rollout_spec);
    run.waves = int64_t(plan.waves.size());
    run.resumes = o.resumes;
    run.overrides = o.overrides;
    if (!p.task.adhoc) run.tags = util::json_string_array(p.task.tags);
    run.parent = o.parent;
    run.stage = o.stage;
    run.note = o.note;
    run.triggered_by = o.triggered_by;
    // An id this process minted may still be another process's (16 random bits, same
    // second): one whose lock is held or that is recorded already is minted again.
    auto run_lock = lock_run(data, run.id);
    for (int tries = 0; !o.run_id && tries < 20; ++tries) {
        if (run_lock) {
            LEURA_TRY_ASSIGN(taken, store.run_exists(run.id));
            if (!taken) break;
        }
        run.id = util::new_run_id(started);
        run_lock = lock_run(data, run.id);
    }
    if (!run_lock) return std::unexpected(run_lock.error());
    if (task_lock) (void)task_lock->note(holder_note(run.id)); // a hint for whoever finds it held
    LEURA_TRY(store.insert_run(run));
    if (auto probe = store.probe_writes(run.id); !probe)
        return fail(ErrorKind::io, "the database " + (data / "leura.db").string() +
                                       " cannot take this run's records (" + probe.error().message +
                                       "); no host was touched");
    // The task's history: this content, unless it is the newest saved already. Not being able
    // to save it costs the history a version, not the run: a warning at the end says so.
    std::optional<std::string> version_warning;
    if (!p.task_name.empty())
        if (auto saved =
                save_task_version(ctx, p.task_name, p.task.file, p.task.text, VersionSource::ran);
            !saved)
            version_warning = "task version not saved (" + saved.error().message + ")";
    LEURA_TRY_ASSIGN(spool, archive::Spool::create(data / "spool" / run.id));

    reporter.run_started(
        {run.id, run.task, run.inventory, run.user, p.hosts.size(), plan.waves.size()});
    ssh::init_library();
    auto transport = ssh::make_libssh_transport(transport_options(o));
    auto reactor = exec::make_poll_reactor();
    util::Redactor redactor(p.task.secrets);

    WaveSettings settings;
    settings.run_id = run.id;
    for (const auto* h : p.hosts)
        settings.host_names.push_back(h->name);
    settings.rollout = rollout_spec;
    settings.concurrency = o.concurrency;
    if (!o.concurrency_set && rollout_spec && rollout_spec->concurrency)
        settings.concurrency = *rollout_spec->concurrency;
    settings.connect_timeout = o.connect_timeout;
    settings.stop_grace = o.stop_grace;
    settings.connect_attempts = o.connect_attempts;
    settings.yes = o.yes;
    settings.digest_outputs = p.task.adhoc;
    settings.data_dir = data;
    settings.confirm = ask_to_continue;
    const std::string run_id = run.id;
    RunValues values;
    values.token = util::random_hex(16);
    values.by_host = o.initial_values;
    WaveDeps deps{*transport,
                  *reactor,
                  store,
                  spool,
                  reporter,
                  redactor,
                  [&](const std::vector<size_t>& hosts, JobPhase phase, int wave, bool host_rb) {
                      auto steps = job_steps(p.task, phase, host_rb);
                      return WaveJob{make_job(p, o, run_id, hosts, steps, wave, digests, &values),
                                     metas(steps)};
                  },
                  ctx.stop,
                  &values};
    WaveOutcome waves = run_waves(settings, plan, deps);
    const exec::RunSummary& sum = waves.totals;

    RunVerdict verdict = run_verdict(waves, util::stop_signal());
    RunResult result;
    result.run_id = run.id;
    result.status = to_string(verdict.status);
    result.exit = verdict.exit;
    result.totals = sum;
    result.values = std::move(values.by_host);
    run.finished_at = util::now_rfc3339();
    run.status = result.status;
    run.exit_code = to_int(result.exit);
    run.ok = int64_t(sum.ok);
    run.failed = int64_t(sum.failed);
    run.unreachable = int64_t(sum.unreachable);
    run.skipped = int64_t(sum.skipped);
    run.interrupted = int64_t(sum.interrupted);
    run.rolled_back = int64_t(sum.rolled_back);

    ui::RunEnd end;
    fs::path archive_path = data / "archives" / (run.id + ".tar.gz");
    auto json = run_json(store, run, spool);
    Status packed = json ? archive::write_archive(archive_path, *json, spool.dir())
                         : Status(std::unexpected(json.error()));
    if (packed) {
        run.archive = archive_path.string();
        std::error_code ec;
        fs::remove_all(spool.dir(), ec);
    } else {
        end.warning = "archive not written (" + packed.error().message + "); output kept in " +
                      spool.dir().string();
    }
    Status finished_ok = store.finish_run(run);
    if (waves.record_error)
        end.warning = "records incomplete: " + waves.record_error->message;
    else if (!finished_ok)
        end.warning = "records incomplete: " + finished_ok.error().message;
    if (version_warning) end.warning += (end.warning.empty() ? "" : "; ") + *version_warning;

    end.status = result.status;
    end.exit_code = to_int(result.exit);
    end.archive = run.archive.value_or("");
    end.ok = sum.ok;
    end.failed = sum.failed;
    end.unreachable = sum.unreachable;
    end.skipped = sum.skipped;
    end.interrupted = sum.interrupted;
    end.rolled_back = sum.rolled_back;
    end.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - clock_start)
                          .count();
    result.duration_ms = end.duration_ms;
    reporter.run_finished(end);
    return result;
}

} // namespace leura::app
