// SPDX-License-Identifier: Apache-2.0
// Wires one run together: records (store), output (spool, then archive), terminal (reporter)
// around the engine. The engine reports typed events; RunRecorder turns each into a database
// write as it happens and a line for the reporter, so an interrupted or crashed run still
// has everything up to the moment it stopped.
#include "app/run_task.hpp"
#include "app/run_json.hpp"
#include "archive/names.hpp"
#include "archive/spool.hpp"
#include "archive/tarball.hpp"
#include "exec/engine.hpp"
#include "exec/script.hpp"
#include "ssh/libssh_transport.hpp"
#include "store/store.hpp"
#include "util/json.hpp"
#include "util/paths.hpp"
#include "util/sha256.hpp"
#include "util/signals.hpp"
#include "util/time.hpp"

#include <csignal>

namespace leura::app {

namespace fs = std::filesystem;

namespace {

constexpr size_t k_preview_budget = 16 * 1024;

std::string now_text() {
    return util::rfc3339(std::chrono::system_clock::now());
}

class SpoolOutput final : public ssh::OutputSink {
public:
    explicit SpoolOutput(std::unique_ptr<archive::SpoolFile> file) : m_file(std::move(file)) {}
    Status write(ssh::Stream stream, std::string_view data) override {
        return m_file->write(stream == ssh::Stream::err, data);
    }

private:
    std::unique_ptr<archive::SpoolFile> m_file;
};

class RunRecorder final : public exec::EventSink, public exec::OutputStore {
public:
    RunRecorder(store::Store& store, archive::Spool& spool, ui::Reporter& reporter,
                const exec::Job& job, std::string run_id)
        : m_store(store), m_spool(spool), m_reporter(reporter), m_job(job),
          m_run(std::move(run_id)), m_step_started(job.hosts.size()) {}

    void host_started(size_t h) override {
        store::HostRecord r;
        r.run_id = m_run;
        r.host = name(h);
        r.started_at = now_text();
        keep(m_store.upsert_host(r));
        m_spool.host_dir(r.host); // name its folder in start order; see archive::HostDirs
    }
    void step_started(size_t h, size_t) override { m_step_started[h] = now_text(); }
    void step_finished(const exec::StepOutcome& o) override {
        store::StepRecord r;
        r.run_id = m_run;
        r.host = name(o.host);
        r.idx = int64_t(o.step);
        r.name = m_job.steps[o.step].name;
        r.status = o.ok ? "ok" : "failed";
        if (o.exit_code >= 0) r.exit_code = o.exit_code;
        if (!o.exit_signal.empty()) r.signal = o.exit_signal;
        if (o.error) {
            r.error_kind = to_string(o.error->kind);
            r.error = o.error->message;
        }
        r.started_at = m_step_started[o.host];
        r.duration_ms = o.duration.count();
        r.bytes_out = int64_t(o.bytes_out);
        r.bytes_err = int64_t(o.bytes_err);
        r.preview_out = preview(o.host, o.step, false);
        r.preview_err = preview(o.host, o.step, true);
        keep(m_store.insert_step(r));
    }
    void host_finished(const exec::HostOutcome& o) override {
        store::HostRecord r;
        r.run_id = m_run;
        r.host = name(o.host);
        r.status = exec::to_string(o.status);
        if (o.error) {
            r.error_kind = to_string(o.error->kind);
            r.error = o.error->message;
        }
        if (o.steps_run > 0 && o.exit_code >= 0) r.exit_code = o.exit_code;
        r.finished_at = now_text();
        r.duration_ms = o.duration.count();
        r.steps_run = int64_t(o.steps_run);
        keep(m_store.upsert_host(r));

        ui::HostDone d;
        d.host = r.host;
        d.status = r.status;
        d.error_kind = r.error_kind;
        d.error = r.error;
        d.exit_code = r.exit_code;
        d.duration_ms = r.duration_ms;
        d.steps_run = o.steps_run;
        d.steps_total = m_job.steps.size();
        m_reporter.host_finished(d);
    }
    Result<std::unique_ptr<ssh::OutputSink>> open(size_t h, size_t step) override {
        LEURA_TRY_ASSIGN(file, m_spool.open(name(h), step, m_job.steps[step].name));
        return std::make_unique<SpoolOutput>(std::move(file));
    }

    // The first failure to write a record; the run stops starting hosts after one.
    const std::optional<Error>& record_error() const { return m_error; }

private:
    const std::string& name(size_t h) const { return m_job.hosts[h].name; }
    std::string preview(size_t h, size_t step, bool is_stderr) {
        std::string dir = m_spool.host_dir(name(h));
        auto p = archive::preview_file(
            m_spool.path_of(archive::step_member(dir, step, m_job.steps[step].name, is_stderr)),
            k_preview_budget);
        return p ? *p : std::string();
    }
    void keep(const Status& s) {
        if (!s && !m_error) m_error = s.error();
    }

    store::Store& m_store;
    archive::Spool& m_spool;
    ui::Reporter& m_reporter;
    const exec::Job& m_job;
    std::string m_run;
    std::vector<std::string> m_step_started;
    std::optional<Error> m_error;
};

exec::Job make_job(const Prepared& p, const RunOptions& o, const std::string& run_id) {
    exec::Job job;
    for (const auto& s : p.task.steps)
        job.steps.push_back({s.name, s.timeout, s.ignore_errors});
    for (const auto* h : p.hosts)
        job.hosts.push_back(
            {h->name, {h->name, h->port, h->user, util::expand_tilde(h->identity)}});
    job.remote_command = exec::k_remote_command;
    job.render_script = [&p, &o, run_id](size_t host, size_t step) {
        const inventory::Host& h = *p.hosts[host];
        const config::Step& s = p.task.steps[step];
        config::KeyValues exports = {
            {"LEURA_HOST", h.name}, {"LEURA_RUN", run_id}, {"LEURA_BATCH", "1"}};
        // Most specific last: the shell keeps the last export of a name.
        for (const auto* layer : {&h.vars, &p.task.vars, &o.vars, &s.env})
            exports.insert(exports.end(), layer->begin(), layer->end());
        return exec::render_script(exports, s.body, s.timeout);
    };
    return job;
}

std::string args_json(const std::vector<std::string>& argv) {
    std::vector<std::string> items;
    for (const auto& a : argv)
        items.push_back(util::json_string(a));
    return util::json_array(items);
}

} // namespace

Result<RunResult> run_task(const Prepared& p, const RunOptions& o, ui::Reporter& reporter) {
    fs::path data = util::data_dir();
    LEURA_TRY(util::ensure_private_dir(data));
    LEURA_TRY(util::ensure_private_dir(data / "archives"));
    LEURA_TRY(util::ensure_private_dir(data / "spool"));
    LEURA_TRY_ASSIGN(store, store::Store::open((data / "leura.db").string()));

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
    run.args = args_json(o.argv);
    run.started_at = util::rfc3339(started);
    run.hosts = int64_t(p.hosts.size());
    LEURA_TRY(store.insert_run(run));

    LEURA_TRY_ASSIGN(spool, archive::Spool::create(data / "spool" / run.id));
    exec::Job job = make_job(p, o, run.id);
    std::vector<std::string> names;
    for (const auto& h : job.hosts)
        names.push_back(h.name);

    reporter.run_started({run.id, run.task, run.inventory, run.user, names.size(), 1});
    LEURA_TRY(store.insert_batch(run.id, 1, int64_t(names.size()), run.started_at));
    reporter.batch_started(1, names);

    ssh::TransportOptions topt;
    topt.ssh_dir = util::home_dir() + "/.ssh";
    topt.known_hosts =
        o.known_hosts.empty() ? topt.ssh_dir + "/known_hosts" : util::expand_tilde(o.known_hosts);
    topt.accept_new_host_keys = o.accept_new_host_keys;
    topt.local_user = util::user_name();
    ssh::init_library();
    auto transport = ssh::make_libssh_transport(topt);
    auto reactor = exec::make_poll_reactor();

    RunRecorder recorder(store, spool, reporter, job, run.id);
    exec::EngineOptions eopt;
    eopt.concurrency = std::max<size_t>(1, o.concurrency);
    eopt.connect_timeout = o.connect_timeout;
    eopt.connect_attempts = o.connect_attempts;
    eopt.wake_fd = util::stop_wake_fd();
    eopt.stop_level = [&recorder] {
        return std::max(util::stop_level(), recorder.record_error() ? 1 : 0);
    };
    exec::RunSummary sum = exec::run(job, *transport, *reactor, recorder, recorder, eopt);

    RunResult result{run.id, "ok", ExitCode::ok};
    if (util::stop_signal() != 0) {
        result.status = "interrupted";
        result.exit = util::stop_signal() == SIGTERM ? ExitCode::sigterm : ExitCode::sigint;
    } else if (recorder.record_error()) {
        result.status = "failed";
        result.exit = ExitCode::internal;
    } else if (sum.failed + sum.unreachable > 0) {
        result.status = "failed";
        result.exit = ExitCode::hosts_failed;
    }
    auto finished = std::chrono::system_clock::now();
    (void)store.finish_batch(run.id, 1, util::rfc3339(finished), int64_t(sum.ok),
                             int64_t(sum.failed), int64_t(sum.unreachable));

    run.finished_at = util::rfc3339(finished);
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
    if (recorder.record_error())
        end.warning = "records incomplete: " + recorder.record_error()->message;
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
    reporter.batch_finished({1, sum.ok, sum.failed, sum.unreachable, "pass", "none"});
    reporter.run_finished(end);
    return result;
}

} // namespace leura::app
