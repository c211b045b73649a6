// SPDX-License-Identifier: Apache-2.0
// Wires one run together: records (store), output (spool, then archive), terminal (reporter)
// around the engine, wave by wave. Each wave is one engine job over the wave's hosts (its
// steps, then its verify checks, on one connection per host); then the gate judges the wave.
// A halted wave may run the rollback steps, as a second job, on the wave's hosts that ran
// anything; later waves never start. Every event becomes a record as it happens, so an
// interrupted or crashed run still has everything up to the moment it stopped.
#include "app/run_task.hpp"
#include "app/custom_step.hpp"
#include "app/recorder.hpp"
#include "app/recovery.hpp"
#include "app/run_json.hpp"
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
#include <csignal>
#include <cstdio>
#include <map>
#include <poll.h>
#include <unistd.h>

namespace leura::app {

namespace fs = std::filesystem;

namespace {

struct StepSource {
    const config::Step* step;
    StepMeta meta;
};

// The steps of one job with where each lands in the records: steps and verify checks share
// one numbering; rollback steps come after both.
std::vector<StepSource> job_steps(const config::Task& t, bool rollback) {
    std::vector<StepSource> out;
    size_t idx = 0;
    auto add = [&](const std::vector<config::Step>& steps, const char* phase, bool keep) {
        for (const auto& s : steps) {
            if (keep)
                out.push_back({&s, {s.name, phase, idx, s.download ? &*s.download : nullptr}});
            ++idx;
        }
    };
    add(t.steps, "steps", !rollback);
    add(t.verify, "verify", !rollback);
    add(t.rollback, "rollback", rollback);
    return out;
}

// A local step sees the host's attributes as LEURA_ATTR_<NAME> (upper case, other characters
// as '_'), e.g. to tell a load balancer which pool the host is in.
void add_attrs(config::KeyValues& exports, const config::KeyValues& attrs) {
    for (const auto& [key, value] : attrs)
        exports.emplace_back(inventory::attr_variable(key), value);
}

// What an upload streams: the file itself, or a tar of a directory packed for this run, pinned
// when the run starts (util::FileSnapshot): every host gets exactly the bytes hashed here.
struct UploadSource {
    util::Snapshot file;
    std::string manifest; // directories: archive::Bundle::manifest_sha256
    const util::FileDigest& digest() const { return file->digest(); }
};
using Digests = std::map<const config::Step*, UploadSource>;

// The content of each upload, hashed once per run: the host checks what arrived against it,
// and a target that already has it is left alone. A directory's tar is unlinked as soon as it
// is open, so nothing is left behind however the run ends (kill -9 included).
Result<Digests> upload_digests(const config::Task& t, const fs::path& tmp) {
    Digests out;
    for (const auto* list : {&t.steps, &t.rollback})
        for (const auto& s : *list) {
            if (!s.upload) continue;
            UploadSource source;
            std::string path = s.upload->src.string();
            if (s.upload->directory) {
                path = (tmp / ("upload-" + util::random_hex(8) + ".tar")).string();
                auto bundle = archive::pack_directory(s.upload->src, path);
                if (bundle) source.manifest = bundle->manifest_sha256;
                auto snapshot = bundle ? util::FileSnapshot::open(path, true)
                                       : Result<util::Snapshot>(std::unexpected(bundle.error()));
                if (!snapshot) {
                    std::error_code ignored;
                    fs::remove(path, ignored);
                    return std::unexpected(snapshot.error());
                }
                source.file = *snapshot;
            } else {
                LEURA_TRY_ASSIGN(snapshot, util::FileSnapshot::open(path));
                source.file = snapshot;
            }
            out.emplace(&s, std::move(source));
        }
    return out;
}

// Remote steps that must not outlive their connection. Not uploads (the file follows the script
// on stdin: cut short, the upload fails and cleans up), not controller steps.
bool remote_shell_step(const config::Step& s) {
    return s.kind == config::StepKind::command || s.kind == config::StepKind::script ||
           s.kind == config::StepKind::download;
}

// Those and uploads run in the host's runner (exec/runner.hpp), which watches the connection
// for them, except downloads (their bytes are the channel's stdout, and a channel of their own
// keeps out whatever an earlier step's background job still writes to the runner's) and steps
// run as another user (through sudo on a channel of their own). Those off the runner keep a
// lifeline (exec::render_script) on their stdin.
bool in_runner(const config::Step& s) {
    return (remote_shell_step(s) || s.kind == config::StepKind::upload) &&
           s.kind != config::StepKind::download && s.run_as.empty();
}
bool has_lifeline(const config::Step& s) {
    return remote_shell_step(s) && !in_runner(s);
}

exec::StepPlan step_plan(const StepSource& s, const Digests& digests) {
    const config::Step& step = *s.step;
    exec::StepPlan plan;
    plan.name = s.meta.name;
    plan.timeout = step.timeout;
    plan.ignore_errors = step.ignore_errors;
    plan.retries = step.retries;
    plan.interval = step.interval;
    plan.local = step.kind == config::StepKind::local;
    plan.run_as = step.run_as;
    if (step.run_once) plan.once_key = std::to_string(s.meta.record_index);
    plan.keep_stdin_open = has_lifeline(step);
    plan.in_runner = in_runner(step);
    // Steps outside the runner run as another user: through sudo, their script sized when
    // stdin goes on after it (an upload's file, or the lifeline).
    bool sized = step.kind == config::StepKind::upload || plan.keep_stdin_open;
    if (!plan.run_as.empty())
        plan.command = exec::run_as_command(plan.run_as, sized ? exec::k_read_sized_script
                                                               : exec::k_read_script);
    else if (sized && !plan.in_runner)
        plan.command = exec::sized_command(); // a download, on a channel of its own
    plan.marked = sized && !plan.in_runner;
    if (step.kind == config::StepKind::upload && digests.count(&step)) {
        plan.precheck_command =
            plan.run_as.empty() ? exec::k_remote_command : exec::run_as_command(plan.run_as);
        plan.precheck_in_runner = plan.run_as.empty();
    }
    if (step.kind == config::StepKind::custom) {
        plan.custom = true;
        plan.command = util::shell_quote(step.custom_path); // run here, the request on stdin
    }
    return plan;
}

// The step's shell body: its own text, or the script an upload or a download runs.
std::string step_body(const config::Step& s, const Digests& digests) {
    if (s.upload) {
        const auto& d = digests.at(&s).digest();
        if (s.upload->directory) return exec::upload_dir_body(s.upload->dest, d, s.upload->owner);
        return exec::upload_body(s.upload->dest, d, s.upload->mode, s.upload->owner);
    }
    if (s.download) return exec::download_body(s.download->src);
    return s.body;
}

// Jump hosts log in with their own user (default: the invoking one) and the host's identity.
ssh::Endpoint endpoint_of(const inventory::Host& h) {
    ssh::Endpoint e{h.name, h.port, h.user, util::expand_tilde(h.identity), {}};
    if (h.jump.empty()) return e;
    // The inventory loader already refused a chain that does not parse.
    for (const auto& hop : config::parse_jump_chain(h.jump).value_or(std::vector<config::Login>{}))
        e.jumps.push_back({hop.host, hop.port.value_or(22), hop.user, e.identity, {}});
    return e;
}

exec::Job make_job(const Prepared& p, const RunOptions& o, const std::string& run_id,
                   const std::vector<size_t>& hosts, const std::vector<StepSource>& steps, int wave,
                   const Digests& digests) {
    exec::Job job;
    for (const auto& s : steps)
        job.steps.push_back(step_plan(s, digests));
    for (size_t i : hosts) {
        const inventory::Host* h = p.hosts[i];
        // Resume points index the task's steps; a rollback job always starts at its first.
        auto first = o.first_steps.find(h->name);
        bool rollback = !steps.empty() && std::string_view(steps[0].meta.phase) == "rollback";
        size_t first_step = first == o.first_steps.end() || rollback ? 0 : first->second;
        job.hosts.push_back({h->name, endpoint_of(*h), first_step});
    }
    job.remote_command = exec::k_remote_command;
    auto exports_for = [&p, &o, run_id, hosts, steps, wave](size_t host, size_t step) {
        const inventory::Host& h = *p.hosts[hosts[host]];
        const config::Step& s = *steps[step].step;
        config::KeyValues exports = {
            {"LEURA_HOST", h.name}, {"LEURA_RUN", run_id}, {"LEURA_BATCH", std::to_string(wave)}};
        if (s.kind == config::StepKind::local) add_attrs(exports, h.attrs);
        // Most specific last: the shell keeps the last export of a name.
        for (const auto* layer : {&h.vars, &p.task.vars, &p.task.secrets, &o.vars, &s.env})
            exports.insert(exports.end(), layer->begin(), layer->end());
        return exports;
    };
    job.render_script = [&p, &o, run_id, hosts, exports_for, steps, wave, &digests](size_t host,
                                                                                    size_t step) {
        const config::Step& s = *steps[step].step;
        if (s.kind == config::StepKind::custom) {
            const inventory::Host& h = *p.hosts[hosts[host]];
            CustomRequest request{run_id, wave, h.name, &h.attrs, {}, &p.task.secrets, &s};
            for (const auto* layer : {&h.vars, &p.task.vars, &o.vars})
                request.vars.insert(request.vars.end(), layer->begin(), layer->end());
            return custom_request(request);
        }
        bool lifeline = has_lifeline(s);
        std::string script = exec::render_script(exports_for(host, step), step_body(s, digests),
                                                 s.timeout, lifeline);
        // The runner sizes its scripts itself.
        return (s.upload || lifeline) && !in_runner(s) ? exec::sized_stdin(script) : script;
    };
    job.render_precheck = [exports_for, steps, &digests](size_t host, size_t step) {
        const config::Step& s = *steps[step].step;
        const auto& d = digests.at(&s);
        const auto& up = *s.upload;
        return exec::render_script(
            exports_for(host, step),
            up.directory ? exec::upload_dir_precheck(up.dest, d.manifest, up.owner)
                         : exec::upload_precheck(up.dest, d.digest().sha256, up.mode, up.owner),
            s.timeout);
    };
    job.expand_custom = [&p, exports_for, steps](size_t host, size_t step,
                                                 std::string_view answer) {
        const config::Step& s = *steps[step].step;
        CustomContext c{steps[step].meta.name, exports_for(host, step), s.run_as,
                        p.task.file.parent_path()};
        return read_custom_answer(answer, c);
    };
    job.stdin_file = [steps, &digests](size_t, size_t step) {
        const config::Step& s = *steps[step].step;
        return s.upload ? digests.at(&s).file : util::Snapshot();
    };
    return job;
}

std::vector<StepMeta> metas(const std::vector<StepSource>& steps) {
    std::vector<StepMeta> out;
    for (const auto& s : steps)
        out.push_back(s.meta);
    return out;
}

// Waits `d`, returning early (false) when a stop signal arrives.
bool pause_for(std::chrono::milliseconds d) {
    auto end = std::chrono::steady_clock::now() + d;
    while (util::stop_level() == 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        if (left.count() <= 0) return true;
        pollfd p{util::stop_wake_fd(), POLLIN, 0};
        ::poll(&p, p.fd >= 0 ? 1 : 0, int(std::min<long long>(left.count(), 60'000)));
    }
    return false;
}

bool ask_to_continue(int next_wave, size_t waves, size_t hosts) {
    std::fprintf(stderr, "leura: continue with wave %d/%zu (%zu host%s)? [y/N] ", next_wave, waves,
                 hosts, hosts == 1 ? "" : "s");
    std::fflush(stderr);
    char line[64] = {0};
    if (!std::fgets(line, sizeof line, stdin)) return false;
    return line[0] == 'y' || line[0] == 'Y';
}

class Runner {
public:
    Runner(const Prepared& p, const RunOptions& o, const std::optional<config::Rollout>& r,
           const rollout::Plan& plan, ui::Reporter& reporter, store::Store& store,
           archive::Spool& spool, std::string run_id, Digests digests)
        : m_p(p), m_o(o), m_r(r), m_plan(plan), m_reporter(reporter), m_store(store),
          m_spool(spool), m_run(std::move(run_id)), m_digests(std::move(digests)) {
        ssh::TransportOptions topt;
        topt.ssh_dir = util::home_dir() + "/.ssh";
        topt.known_hosts = o.known_hosts.empty() ? topt.ssh_dir + "/known_hosts"
                                                 : util::expand_tilde(o.known_hosts);
        topt.accept_new_host_keys = o.accept_new_host_keys;
        topt.local_user = util::user_name();
        topt.jump_connect_timeout = o.connect_timeout;
        topt.keepalive = o.keepalive;
        ssh::init_library();
        m_transport = ssh::make_libssh_transport(topt);
        m_reactor = exec::make_poll_reactor();
    }

    // Runs every wave the gates allow; fills the totals and the final status.
    void run();

    exec::RunSummary totals;
    bool halted = false;
    std::optional<Error> record_error;

private:
    exec::RunSummary run_job(const exec::Job& job, RunRecorder& recorder);
    std::string run_rollback(int wave, const std::vector<size_t>& wave_hosts,
                             const std::vector<size_t>& ran);
    void skip_waves_from(size_t k);
    bool between_waves(size_t next);

    const Prepared& m_p;
    const RunOptions& m_o;
    const std::optional<config::Rollout>& m_r;
    const rollout::Plan& m_plan;
    ui::Reporter& m_reporter;
    store::Store& m_store;
    archive::Spool& m_spool;
    std::string m_run;
    std::unique_ptr<ssh::Transport> m_transport;
    std::unique_ptr<exec::Reactor> m_reactor;
    util::Redactor m_redactor{m_p.task.secrets};
    Digests m_digests;
    exec::OnceLedger m_once; // run_once steps, across the waves of this run
};

exec::RunSummary Runner::run_job(const exec::Job& job, RunRecorder& recorder) {
    exec::EngineOptions eopt;
    size_t concurrency = m_o.concurrency;
    if (!m_o.concurrency_set && m_r && m_r->concurrency) concurrency = *m_r->concurrency;
    eopt.concurrency = std::max<size_t>(1, concurrency);
    eopt.connect_timeout = m_o.connect_timeout;
    eopt.stop_grace = m_o.stop_grace;
    eopt.connect_attempts = m_o.connect_attempts;
    eopt.wake_fd = util::stop_wake_fd();
    eopt.stop_level = [&recorder] {
        return std::max(util::stop_level(), recorder.record_error() ? 1 : 0);
    };
    auto sum = exec::run(job, *m_transport, *m_reactor, recorder, recorder, eopt);
    if (recorder.record_error() && !record_error) record_error = recorder.record_error();
    return sum;
}

std::string Runner::run_rollback(int wave, const std::vector<size_t>& wave_hosts,
                                 const std::vector<size_t>& ran) {
    if (ran.empty()) return "ok";
    std::vector<size_t> hosts;
    for (size_t i : ran)
        hosts.push_back(wave_hosts[i]);
    auto steps = job_steps(m_p.task, true);
    exec::Job job = make_job(m_p, m_o, m_run, hosts, steps, wave, m_digests);
    job.once = &m_once;
    RunRecorder recorder(m_store, m_spool, m_reporter, m_redactor, job, metas(steps), m_run, wave,
                         true);
    auto sum = run_job(job, recorder);
    return sum.failed + sum.unreachable + sum.skipped == 0 ? "ok" : "failed";
}

void Runner::skip_waves_from(size_t k) {
    for (; k < m_plan.waves.size(); ++k) {
        for (size_t i : m_plan.waves[k].hosts) {
            store::HostRecord h;
            h.run_id = m_run;
            h.host = m_p.hosts[i]->name;
            h.wave = int64_t(k + 1);
            h.status = "skipped";
            (void)m_store.upsert_host(h);
            ++totals.skipped;
        }
    }
}

// Pause or confirmation before wave `next` (0-based); false: do not go on.
bool Runner::between_waves(size_t next) {
    if (util::stop_level() > 0) return false;
    if (!m_r || next >= m_plan.waves.size()) return true;
    if (m_r->pause == config::Pause::duration) return pause_for(m_r->pause_for);
    if (m_r->pause == config::Pause::confirm && !m_o.yes)
        return ask_to_continue(int(next + 1), m_plan.waves.size(), m_plan.waves[next].hosts.size());
    return true;
}

void Runner::run() {
    const size_t n_waves = m_plan.waves.size();
    const size_t run_hosts = m_p.hosts.size();
    size_t run_failed = 0;
    auto steps = job_steps(m_p.task, false);
    for (size_t k = 0; k < n_waves; ++k) {
        if (k > 0 && !between_waves(k)) {
            if (util::stop_level() == 0) halted = true; // a confirmation was declined
            skip_waves_from(k);
            return;
        }
        const auto& wave = m_plan.waves[k];
        int number = int(k + 1);
        std::vector<std::string> names;
        for (size_t i : wave.hosts)
            names.push_back(m_p.hosts[i]->name);
        store::BatchRecord b;
        b.run_id = m_run;
        b.wave = number;
        b.planned_hosts = int64_t(names.size());
        b.hosts = inventory::fold_hosts(names);
        b.started_at = util::now_rfc3339();
        if (auto st = m_store.insert_batch(b); !st && !record_error) record_error = st.error();
        m_reporter.batch_started(number, n_waves, names);

        exec::Job job = make_job(m_p, m_o, m_run, wave.hosts, steps, number, m_digests);
        job.once = &m_once;
        RunRecorder recorder(m_store, m_spool, m_reporter, m_redactor, job, metas(steps), m_run,
                             number, false, m_p.task.adhoc);
        auto sum = run_job(job, recorder);
        totals.ok += sum.ok;
        totals.failed += sum.failed;
        totals.unreachable += sum.unreachable;
        totals.skipped += sum.skipped;
        size_t wave_failed = sum.failed + sum.unreachable;
        run_failed += wave_failed;

        rollout::Verdict verdict;
        if (m_r && !sum.stopped)
            verdict = rollout::judge(*m_r, wave_failed, names.size(), run_failed, run_hosts);
        std::string rollback = "none";
        if (verdict.halt && m_r->on_failure == config::OnFailure::continue_) {
            verdict.reason += "; on_failure = continue";
            verdict.halt = false;
        } else if (verdict.halt && m_r->on_failure == config::OnFailure::rollback) {
            rollback = run_rollback(number, wave.hosts, recorder.hosts_that_ran());
        }
        b.finished_at = util::now_rfc3339();
        b.ok = int64_t(sum.ok);
        b.failed = int64_t(sum.failed);
        b.unreachable = int64_t(sum.unreachable);
        b.failed_total = int64_t(run_failed);
        b.gate = verdict.halt ? "halt" : "pass";
        b.rollback = rollback;
        if (!verdict.reason.empty()) b.reason = verdict.reason;
        if (auto st = m_store.finish_batch(b); !st && !record_error) record_error = st.error();
        m_reporter.batch_finished({number, n_waves, sum.ok, sum.failed, sum.unreachable, *b.gate,
                                   rollback, verdict.reason});
        if (verdict.halt || sum.stopped || record_error) {
            halted = verdict.halt;
            skip_waves_from(k + 1);
            return;
        }
    }
}

} // namespace

Result<RunResult> run_task(const Prepared& p, const RunOptions& o,
                           const std::optional<config::Rollout>& rollout_spec,
                           const rollout::Plan& plan, ui::Reporter& reporter) {
    // A --var of a secret's name would replace the secret (and escape its redaction).
    for (const auto& [name, value] : o.vars)
        for (const auto& secret : p.task.secrets)
            if (secret.first == name)
                return fail(ErrorKind::usage,
                            "--var " + name + " would replace the task's secret " + name);
    fs::path data = util::data_dir();
    LEURA_TRY(util::ensure_private_dir(data));
    LEURA_TRY(util::ensure_private_dir(data / "archives"));
    LEURA_TRY(util::ensure_private_dir(data / "spool"));
    LEURA_TRY(util::ensure_private_dir(data / "tmp"));
    LEURA_TRY_ASSIGN(store, store::Store::open((data / "leura.db").string()));
    // A run that died holding this task's lock is found here, before the lock is judged.
    (void)recover_dead_runs(store, data); // a failure leaves it for the next start; not fatal
    // Ad-hoc commands (`leura exec`) share no task, so nothing to keep from overlapping.
    std::optional<util::FileLock> task_lock;
    if (!p.task.adhoc) {
        LEURA_TRY_ASSIGN(held, lock_task(data, p.task.file, o.lock_wait));
        task_lock = std::move(held);
    }
    LEURA_TRY_ASSIGN(digests, upload_digests(p.task, data / "tmp"));

    auto started = std::chrono::system_clock::now();
    auto clock_start = std::chrono::steady_clock::now();
    store::RunRecord run;
    run.id = util::new_run_id(started);
    run.task = p.task.file.string();
    run.task_hash = util::sha256_hex(p.task.text);
    run.task_text = p.task.text;
    run.inventory = p.inventory_file.string();
    run.targets = p.targets;
    run.user = util::user_name();
    run.args = util::json_string_array(o.argv);
    run.started_at = util::rfc3339(started);
    run.hosts = int64_t(p.hosts.size());
    run.plan = plan_json(p, plan, rollout_spec);
    run.waves = int64_t(plan.waves.size());
    run.resumes = o.resumes;
    LEURA_TRY_ASSIGN(run_lock, lock_run(data, run.id));
    if (task_lock) (void)task_lock->note(holder_note(run.id)); // a hint for whoever finds it held
    LEURA_TRY(store.insert_run(run));
    if (auto probe = store.probe_writes(run.id); !probe)
        return fail(ErrorKind::io, "the database " + (data / "leura.db").string() +
                                       " cannot take this run's records (" + probe.error().message +
                                       "); no host was touched");
    LEURA_TRY_ASSIGN(spool, archive::Spool::create(data / "spool" / run.id));

    reporter.run_started(
        {run.id, run.task, run.inventory, run.user, p.hosts.size(), plan.waves.size()});
    Runner runner(p, o, rollout_spec, plan, reporter, store, spool, run.id, std::move(digests));
    runner.run();
    const exec::RunSummary& sum = runner.totals;

    RunResult result{run.id, "ok", ExitCode::ok};
    if (util::stop_signal() != 0) {
        result.status = "interrupted";
        result.exit = util::stop_signal() == SIGTERM ? ExitCode::sigterm : ExitCode::sigint;
    } else if (runner.record_error) {
        result.status = "failed";
        result.exit = ExitCode::internal;
    } else if (runner.halted) {
        result.status = "halted";
        result.exit = ExitCode::halted;
    } else if (sum.failed + sum.unreachable > 0) {
        result.status = "failed";
        result.exit = ExitCode::hosts_failed;
    }
    run.finished_at = util::now_rfc3339();
    run.status = result.status;
    run.exit_code = to_int(result.exit);
    run.ok = int64_t(sum.ok);
    run.failed = int64_t(sum.failed);
    run.unreachable = int64_t(sum.unreachable);
    run.skipped = int64_t(sum.skipped);

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
    if (runner.record_error)
        end.warning = "records incomplete: " + runner.record_error->message;
    else if (!finished_ok)
        end.warning = "records incomplete: " + finished_ok.error().message;

    end.status = result.status;
    end.exit_code = to_int(result.exit);
    end.archive = run.archive.value_or("");
    end.ok = sum.ok;
    end.failed = sum.failed;
    end.unreachable = sum.unreachable;
    end.skipped = sum.skipped;
    end.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - clock_start)
                          .count();
    reporter.run_finished(end);
    return result;
}

} // namespace leura::app
