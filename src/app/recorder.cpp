// SPDX-License-Identifier: Apache-2.0
#include "app/recorder.hpp"
#include "archive/names.hpp"
#include "util/paths.hpp"
#include "util/sha256.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <utility>

namespace leura::app {

namespace {

constexpr size_t k_preview_budget = 16 * 1024;

// Output on its way to the spool passes the redactor, so the spool, the previews read from it
// and the archive packed from it never hold a secret. With `digest`, what it writes is hashed
// as it goes, and the digest left there when the step's output ends (store::StepRecord).
class SpoolOutput final : public ssh::OutputSink {
public:
    SpoolOutput(std::unique_ptr<archive::SpoolFile> file, const util::Redactor& redactor,
                std::string* digest, ValueCut* cut = nullptr)
        : m_file(std::move(file)), m_digest(digest),
          m_cut(cut), m_streams{util::RedactingStream(redactor,
                                                      [this](std::string_view d) {
                                                          if (m_digest) m_hash[0].update(d);
                                                          return m_file->write(false, d);
                                                      }),
                                util::RedactingStream(redactor, [this](std::string_view d) {
                                    if (m_digest) m_hash[1].update(d);
                                    return m_file->write(true, d);
                                })} {}
    ~SpoolOutput() override {
        if (m_cut)
            (void)m_cut->finish([this](std::string_view d) { return m_streams[1].write(d); });
        for (auto& s : m_streams)
            (void)s.finish();
        if (m_digest) *m_digest = util::sha256_hex(m_hash[0].finish_hex() + m_hash[1].finish_hex());
    }
    Status write(ssh::Stream stream, std::string_view data) override {
        if (stream == ssh::Stream::err && m_cut)
            return m_cut->take(data, [this](std::string_view d) { return m_streams[1].write(d); });
        return m_streams[stream == ssh::Stream::err ? 1 : 0].write(data);
    }

private:
    std::unique_ptr<archive::SpoolFile> m_file;
    std::string* m_digest; // null: no digest wanted
    ValueCut* m_cut;       // null: no value line to take out
    util::Sha256 m_hash[2];
    util::RedactingStream m_streams[2];
};

// A download's stdout goes to "<dest>.part", renamed into place when the step succeeds
// (checked: a failed rename fails the step) and removed otherwise. Its stderr goes to the
// spool like any step's.
class DownloadOutput final : public ssh::OutputSink {
public:
    DownloadOutput(int fd, std::filesystem::path dest, std::unique_ptr<ssh::OutputSink> spool)
        : m_fd(fd), m_dest(std::move(dest)), m_spool(std::move(spool)) {
        m_part = m_dest;
        m_part += ".part";
    }
    ~DownloadOutput() override {
        if (m_fd >= 0) ::close(m_fd);
        if (!m_done) ::unlink(m_part.c_str());
    }
    Status write(ssh::Stream stream, std::string_view data) override {
        if (stream == ssh::Stream::err) return m_spool->write(stream, data);
        while (!data.empty()) {
            ssize_t n = ::write(m_fd, data.data(), data.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0)
                return fail(ErrorKind::io,
                            std::string("writing the download: ") + std::strerror(errno));
            data.remove_prefix(size_t(n));
        }
        return {};
    }
    Status finish() override {
        int fd = std::exchange(m_fd, -1);
        if (::close(fd) != 0)
            return fail(ErrorKind::io,
                        "writing the download " + m_part.string() + ": " + std::strerror(errno));
        if (::rename(m_part.c_str(), m_dest.c_str()) != 0)
            return fail(ErrorKind::io, "the download could not be put in place at " +
                                           m_dest.string() + ": " + std::strerror(errno));
        m_done = true;
        return {};
    }

private:
    int m_fd;
    std::filesystem::path m_dest, m_part;
    bool m_done = false;
    std::unique_ptr<ssh::OutputSink> m_spool;
};

} // namespace

std::filesystem::path download_path(const config::Download& d, const std::string& host,
                                    const std::string& run, const std::filesystem::path& data) {
    std::string safe = archive::sanitize_component(host);
    if (d.dest.empty())
        return data / "downloads" / run / safe / std::filesystem::path(d.src).filename();
    std::string out = d.dest;
    for (size_t at; (at = out.find("{host}")) != std::string::npos;)
        out.replace(at, 6, safe);
    return util::expand_tilde(out);
}

RunRecorder::RunRecorder(store::Store& store, archive::Spool& spool, ui::Reporter& reporter,
                         const util::Redactor& redactor, const exec::Job& job,
                         std::vector<StepMeta> steps, std::string run_id, int wave, bool rollback,
                         bool digest_outputs, std::filesystem::path data_dir)
    : m_data_dir(std::move(data_dir)), m_store(store), m_spool(spool), m_reporter(reporter),
      m_redactor(redactor), m_job(job), m_steps(std::move(steps)), m_run(std::move(run_id)),
      m_wave(wave), m_rollback(rollback), m_step_started(job.hosts.size()),
      m_digest_outputs(digest_outputs) {}

void RunRecorder::keep(const Status& s) {
    if (!s && !m_error) m_error = s.error();
}

// Outcomes (finished steps and hosts) are written in one transaction per turn of the engine's
// loop, committed before it waits (settle) or before the next start record. A start record is
// written at once, before the step's command leaves: should leura die, a step that may have
// run is never missing from the records. Dying between an outcome and its commit leaves that
// step recorded as running (outcome unknown), which is what resume then reports.
void RunRecorder::settle() {
    keep(m_store.end_batch());
}

RunRecorder::~RunRecorder() {
    settle();
}

void RunRecorder::host_started(size_t h) {
    m_spool.host_dir(name(h)); // name its folder in start order; see archive::HostDirs
    if (m_rollback) return;
    settle();
    store::HostRecord r;
    r.run_id = m_run;
    r.host = name(h);
    r.wave = m_wave;
    r.started_at = util::now_rfc3339();
    keep(m_store.upsert_host(r));
}

// Which step of which host of this run a record is about.
store::StepRecord RunRecorder::step_record(size_t h, size_t step) {
    const StepMeta& m = m_steps[step];
    store::StepRecord r;
    r.run_id = m_run;
    r.host = name(h);
    r.idx = int64_t(m.record_index);
    r.name = m.name;
    r.phase = m.phase;
    return r;
}

// Recorded before the step runs: should leura die now, the step's outcome is known to be
// unknown (status running), which is what `resume` must not guess at.
void RunRecorder::step_started(size_t h, size_t step) {
    settle();
    m_step_started[h] = util::now_rfc3339();
    store::StepRecord r = step_record(h, step);
    r.status = "running";
    r.started_at = m_step_started[h];
    keep(m_store.insert_step(r));
    m_reporter.step_started({name(h), m_steps[step].name, m_steps[step].phase});
}

void RunRecorder::stop_requested(int level, size_t running, std::chrono::milliseconds grace) {
    m_reporter.stop_requested({level, running, int64_t(grace.count())});
}

std::string RunRecorder::preview(size_t h, size_t step, bool is_stderr) {
    const StepMeta& m = m_steps[step];
    auto p =
        archive::preview_file(m_spool.path_of(archive::step_member(
                                  m_spool.host_dir(name(h)), m.record_index, m.name, is_stderr)),
                              k_preview_budget);
    return p ? *p : std::string();
}

void RunRecorder::step_finished(const exec::StepOutcome& o) {
    store::StepRecord r = step_record(o.host, o.step);
    r.status = o.ok ? "ok" : "failed";
    if (o.exit_code >= 0) r.exit_code = o.exit_code;
    if (!o.exit_signal.empty()) r.signal = o.exit_signal;
    if (o.error) {
        r.error_kind = to_string(o.error->kind);
        r.error = m_redactor.apply(o.error->message);
    }
    r.started_at = m_step_started[o.host];
    r.duration_ms = o.duration.count();
    r.bytes_out = int64_t(o.bytes_out);
    r.bytes_err = int64_t(o.bytes_err);
    r.attempts = std::max(1, o.attempts);
    r.preview_out = preview(o.host, o.step, false);
    r.preview_err = preview(o.host, o.step, true);
    if (auto d = m_output_digest.find(o.host); d != m_output_digest.end() && !d->second.empty())
        r.output_sha256 = std::exchange(d->second, {});
    if (o.unchanged) r.status = "unchanged";
    if (auto cut = m_cuts.find(o.host); cut != m_cuts.end()) {
        r.bytes_err = std::max<int64_t>(0, r.bytes_err - int64_t(cut->second.cut_bytes()));
        if (cut->second.seen()) {
            StepValues v = parse_values(cut->second);
            const config::Step* s = m_steps[o.step].step;
            static const std::vector<std::string> none;
            if (!v.values.empty()) {
                r.outputs = values_json(v.values, s ? s->secret_outputs : none);
                auto& mine = m_values->by_host[name(o.host)];
                for (auto& [k, value] : v.values)
                    mine[k] = value;
            }
            if (!v.problems.empty()) {
                std::string note;
                for (const auto& p : v.problems)
                    note += (note.empty() ? "" : "; ") + p;
                r.error = r.error ? *r.error + "; " + note : note;
            }
        }
        m_cuts.erase(cut);
    }
    if (!o.ran_on.empty()) {
        r.status = "skipped";
        r.error = "run_once: ran on " + o.ran_on;
    }
    keep(m_store.begin_batch());
    keep(m_store.insert_step(r));
    m_reporter.step_finished({r.host, r.name, r.phase, r.status, r.exit_code, r.duration_ms,
                              uint64_t(r.bytes_out), uint64_t(r.bytes_err), o.attempts});
}

std::vector<size_t> RunRecorder::hosts_to_roll_back() const {
    std::vector<size_t> out;
    for (size_t h : m_ran) {
        const auto& o = m_outcomes.at(h);
        if (o.status == exec::HostStatus::rolled_back) continue;
        auto kind = o.error ? o.error->kind : ErrorKind::internal;
        if (kind == ErrorKind::host_key || kind == ErrorKind::host_key_changed ||
            kind == ErrorKind::auth)
            continue;
        out.push_back(h);
    }
    return out;
}

void RunRecorder::host_finished(const exec::HostOutcome& o) {
    if (o.steps_run > 0) m_ran.push_back(o.host);
    m_outcomes[o.host] = o;
    ++m_ended.of(o.status);
    ui::HostDone d;
    d.host = name(o.host);
    d.wave = m_wave;
    d.status = exec::to_string(o.status);
    if (o.error) {
        d.error_kind = to_string(o.error->kind);
        d.error = m_redactor.apply(o.error->message);
    }
    if (o.steps_run > 0 && o.exit_code >= 0) d.exit_code = o.exit_code;
    d.duration_ms = o.duration.count();
    d.steps_run = o.steps_run;
    d.steps_total = m_job.steps.size();
    d.rollback = m_rollback;
    if (!m_rollback) {
        store::HostRecord r;
        r.run_id = m_run;
        r.host = d.host;
        r.wave = m_wave;
        r.status = d.status;
        r.error_kind = d.error_kind;
        r.error = d.error;
        r.exit_code = d.exit_code;
        r.finished_at = util::now_rfc3339();
        r.duration_ms = d.duration_ms;
        r.steps_run = int64_t(o.steps_run);
        keep(m_store.begin_batch());
        keep(m_store.upsert_host(r));
    }
    m_reporter.host_finished(d);
}

Result<std::unique_ptr<ssh::OutputSink>> RunRecorder::open(size_t h, size_t step) {
    const StepMeta& m = m_steps[step];
    // A retried step's next attempt: the one before keeps its output, beside this one's.
    int& opened = m_attempts_opened[{h, step}];
    if (opened > 0 && !m.download) keep(m_spool.set_aside(name(h), m.record_index, m.name, opened));
    ++opened;
    LEURA_TRY_ASSIGN(file, m_spool.open(name(h), m.record_index, m.name));
    ValueCut* cut = nullptr;
    if (m_values && !m.download) {
        m_cuts.erase(h); // a retry's attempt starts over
        cut = &m_cuts.emplace(h, ValueCut(m_values->token)).first->second;
    }
    auto spool = std::make_unique<SpoolOutput>(
        std::move(file), m_redactor, m_digest_outputs ? &m_output_digest[h] : nullptr, cut);
    if (!m.download) return spool;
    std::filesystem::path dest = download_path(*m.download, name(h), m_run, m_data_dir);
    auto [owner, fresh] = m_download_owner.try_emplace(dest, h);
    if (!fresh && owner->second != h)
        return fail(ErrorKind::io, "the download's dest " + dest.string() + " is also " +
                                       name(owner->second) + "'s: each host needs its own");
    std::error_code ec;
    if (std::filesystem::is_directory(dest, ec))
        return fail(ErrorKind::io, "the download's dest " + dest.string() +
                                       " is a directory; name the file to write");
    std::filesystem::create_directories(dest.parent_path(), ec);
    std::filesystem::path part = dest;
    part += ".part";
    int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return fail(ErrorKind::io, "cannot write " + part.string() + ": " + std::strerror(errno));
    return std::make_unique<DownloadOutput>(fd, std::move(dest), std::move(spool));
}

} // namespace leura::app
