// SPDX-License-Identifier: Apache-2.0
// Each wave is one engine job over the wave's hosts (its steps, then its verify checks, on one
// connection per host); the gate judges it while it runs (hold) and when it ends. A halted
// wave may run the rollback steps, as a second job, on the wave's hosts that ran anything;
// later waves never start. Every event becomes a record as it happens (RunRecorder), so an
// interrupted or crashed run still has everything up to the moment it stopped.
#include "app/wave_runner.hpp"
#include "inventory/range.hpp"
#include "rollout/gate.hpp"
#include "store/status.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <poll.h>

namespace leura::app {

namespace {

using std::chrono::milliseconds;

class Waves {
public:
    Waves(const WaveSettings& s, const rollout::Plan& plan, WaveDeps& d)
        : m_s(s), m_plan(plan), m_d(d) {}

    WaveOutcome run();

private:
    exec::RunSummary run_job(const exec::Job& job, RunRecorder& recorder,
                             std::function<std::optional<std::string>()> hold = {});
    std::string run_rollback(int wave, const std::vector<size_t>& wave_hosts,
                             const std::vector<size_t>& hosts, std::vector<size_t>& rolled);
    void skip_waves_from(size_t k, ErrorKind kind, const std::string& reason);
    bool pause_for(milliseconds d);
    bool between_waves(size_t next);
    int stop_level() const { return m_d.stop.level ? m_d.stop.level() : 0; }
    void keep(const Status& st) {
        if (!st && !m_out.record_error) m_out.record_error = st.error();
    }

    const WaveSettings& m_s;
    const rollout::Plan& m_plan;
    WaveDeps& m_d;
    WaveOutcome m_out;
    exec::OnceLedger m_once; // run_once steps, across the waves of this run
};

exec::RunSummary Waves::run_job(const exec::Job& job, RunRecorder& recorder,
                                std::function<std::optional<std::string>()> hold) {
    exec::EngineOptions eopt;
    eopt.concurrency = std::max<size_t>(1, m_s.concurrency);
    eopt.connect_timeout = m_s.connect_timeout;
    eopt.stop_grace = m_s.stop_grace;
    eopt.connect_attempts = m_s.connect_attempts;
    eopt.wake_fd = m_d.stop.wake_fd;
    eopt.stop_level = [this, &recorder] {
        return std::max(stop_level(), recorder.record_error() ? 1 : 0);
    };
    eopt.hold = std::move(hold);
    auto sum = exec::run(job, m_d.transport, m_d.reactor, recorder, recorder, eopt);
    if (recorder.record_error() && !m_out.record_error)
        m_out.record_error = recorder.record_error();
    return sum;
}

// The wave's rollback job on `hosts` (indexes into the wave's hosts); those it brought back
// are added to `rolled`.
std::string Waves::run_rollback(int wave, const std::vector<size_t>& wave_hosts,
                                const std::vector<size_t>& hosts, std::vector<size_t>& rolled) {
    if (hosts.empty()) return "none";
    std::vector<size_t> plan_hosts;
    for (size_t i : hosts)
        plan_hosts.push_back(wave_hosts[i]);
    WaveJob wj = m_d.make_job(plan_hosts, JobPhase::rollback, wave, false);
    wj.job.once = &m_once;
    RunRecorder recorder(m_d.store, m_d.spool, m_d.reporter, m_d.redactor, wj.job, wj.steps,
                         m_s.run_id, wave, true, false, m_s.data_dir);
    recorder.capture_values(m_d.values);
    auto sum = run_job(wj.job, recorder);
    for (const auto& [h, o] : recorder.outcomes()) {
        if (o.status != exec::HostStatus::ok) continue;
        rolled.push_back(hosts[h]);
    }
    return sum.failed + sum.unreachable + sum.skipped + sum.interrupted == 0 ? "ok" : "failed";
}

void Waves::skip_waves_from(size_t k, ErrorKind kind, const std::string& reason) {
    for (; k < m_plan.waves.size(); ++k) {
        for (size_t i : m_plan.waves[k].hosts) {
            store::HostRecord h;
            h.run_id = m_s.run_id;
            h.host = m_s.host_names[i];
            h.wave = int64_t(k + 1);
            h.status = to_string(store::HostState::skipped);
            h.error_kind = to_string(kind);
            h.error = reason;
            keep(m_d.store.upsert_host(h));
            ++m_out.totals.skipped;
        }
    }
}

// Waits `d` on the reactor's clock, returning early (false) when a stop request arrives.
bool Waves::pause_for(milliseconds d) {
    auto end = m_d.reactor.now() + d;
    while (stop_level() == 0) {
        auto left = std::chrono::duration_cast<milliseconds>(end - m_d.reactor.now());
        if (left.count() <= 0) return true;
        std::vector<pollfd> fds;
        if (m_d.stop.wake_fd >= 0) fds.push_back({m_d.stop.wake_fd, POLLIN, 0});
        // A second at a time: a stop source without a wake fd is still seen within one.
        m_d.reactor.wait(fds, std::min<milliseconds>(left, milliseconds(1000)));
    }
    return false;
}

// Pause or confirmation before wave `next` (0-based); false: do not go on.
bool Waves::between_waves(size_t next) {
    if (stop_level() > 0) return false;
    const auto& r = m_s.rollout;
    if (!r || next >= m_plan.waves.size()) return true;
    if (r->pause == config::Pause::duration) return pause_for(r->pause_for);
    if (r->pause == config::Pause::confirm && !m_s.yes && m_s.confirm)
        return m_s.confirm(int(next + 1), m_plan.waves.size(), m_plan.waves[next].hosts.size());
    return true;
}

WaveOutcome Waves::run() {
    const size_t n_waves = m_plan.waves.size();
    size_t run_hosts = 0;
    for (const auto& w : m_plan.waves)
        run_hosts += w.hosts.size();
    size_t run_failed = 0;
    const auto& r = m_s.rollout;
    const bool host_rollback = r && r->on_host_failure == config::OnHostFailure::rollback;
    for (size_t k = 0; k < n_waves; ++k) {
        int number = int(k + 1);
        if (k > 0 && !between_waves(k)) {
            if (stop_level() == 0) {
                m_out.declined = true;
                skip_waves_from(k, ErrorKind::halted,
                                "declined at the confirmation before wave " +
                                    std::to_string(number));
            } else {
                m_out.stopped = true;
                skip_waves_from(k, ErrorKind::interrupted,
                                "the run was stopped before wave " + std::to_string(number));
            }
            return m_out;
        }
        const auto& wave = m_plan.waves[k];
        std::vector<std::string> names;
        for (size_t i : wave.hosts)
            names.push_back(m_s.host_names[i]);
        store::BatchRecord b;
        b.run_id = m_s.run_id;
        b.wave = number;
        b.planned_hosts = int64_t(names.size());
        b.hosts = inventory::fold_hosts(names);
        b.started_at = util::now_rfc3339();
        keep(m_d.store.insert_batch(b));
        ui::BatchStart bs{number, n_waves, names, std::nullopt};
        if (r && r->on_failure != config::OnFailure::continue_)
            bs.failures_allowed =
                rollout::failures_allowed(*r, names.size(), run_failed, run_hosts);
        m_d.reporter.batch_started(bs);

        WaveJob wj = m_d.make_job(wave.hosts, JobPhase::wave, number, host_rollback);
        wj.job.once = &m_once;
        RunRecorder recorder(m_d.store, m_d.spool, m_d.reporter, m_d.redactor, wj.job, wj.steps,
                             m_s.run_id, number, false, m_s.digest_outputs, m_s.data_dir);
        recorder.capture_values(m_d.values);
        // The gate, asked before each host starts: once the failures so far exceed it, no
        // further host of the wave starts (unless on_failure = "continue").
        std::function<std::optional<std::string>()> hold;
        if (r && r->on_failure != config::OnFailure::continue_)
            hold = [&, run_failed]() -> std::optional<std::string> {
                const auto& e = recorder.ended();
                size_t failed = e.failed + e.unreachable + e.rolled_back;
                auto v = rollout::judge(*r, failed, names.size(), run_failed + failed, run_hosts);
                if (!v.halt) return std::nullopt;
                return "not started: the gate halted wave " + std::to_string(number) + " (" +
                       v.reason + ")";
            };
        auto sum = run_job(wj.job, recorder, std::move(hold));
        m_out.totals.add(sum);
        size_t wave_failed = sum.failed + sum.unreachable + sum.rolled_back;
        run_failed += wave_failed;
        // A stop that left hosts of the wave unfinished: the wave did not end, so it has no
        // verdict, and `resume` runs what is left of it.
        bool cut_short = sum.stopped && (sum.interrupted > 0 || sum.skipped > 0);

        rollout::Verdict verdict;
        if (r && !cut_short)
            verdict = rollout::judge(*r, wave_failed, names.size(), run_failed, run_hosts);
        std::string rollback = "none";
        if (verdict.halt && r->on_failure == config::OnFailure::continue_) {
            verdict.reason += "; on_failure = continue";
            verdict.halt = false;
        } else if (verdict.halt && r->on_failure == config::OnFailure::rollback &&
                   stop_level() == 0) {
            std::vector<size_t> rolled;
            rollback = run_rollback(number, wave.hosts, recorder.hosts_to_roll_back(), rolled);
            // Hosts that had succeeded are now rolled back, not ok; a failed host stays
            // failed: its failure is why the wave halted.
            for (size_t h : rolled) {
                if (recorder.outcomes().at(h).status != exec::HostStatus::ok) continue;
                keep(m_d.store.set_host_status(m_s.run_id, wj.job.hosts[h].name,
                                               to_string(store::HostState::rolled_back)));
                --sum.ok;
                --m_out.totals.ok;
                ++sum.rolled_back;
                ++m_out.totals.rolled_back;
            }
        }
        b.ok = int64_t(sum.ok);
        b.failed = int64_t(sum.failed);
        b.unreachable = int64_t(sum.unreachable);
        b.skipped = int64_t(sum.skipped);
        b.interrupted = int64_t(sum.interrupted);
        b.rolled_back = int64_t(sum.rolled_back);
        b.failed_total = int64_t(run_failed);
        b.gate = cut_short ? "interrupted" : verdict.halt ? "halt" : "pass";
        if (!cut_short) b.finished_at = util::now_rfc3339();
        b.rollback = rollback;
        if (cut_short)
            b.reason = "stopped before every host of the wave ended";
        else if (!verdict.reason.empty())
            b.reason = verdict.reason;
        keep(m_d.store.finish_batch(b));
        m_d.reporter.batch_finished({number, n_waves, sum.ok, sum.failed, sum.unreachable, *b.gate,
                                     rollback, b.reason.value_or(""), sum.skipped, sum.interrupted,
                                     sum.rolled_back});
        if (verdict.halt || sum.stopped || m_out.record_error) {
            m_out.halted = verdict.halt;
            m_out.stopped = sum.stopped;
            std::string why = verdict.halt
                                  ? "the run halted at wave " + std::to_string(number)
                                  : "the run was stopped in wave " + std::to_string(number);
            skip_waves_from(k + 1, verdict.halt ? ErrorKind::halted : ErrorKind::interrupted, why);
            return m_out;
        }
    }
    return m_out;
}

} // namespace

WaveOutcome run_waves(const WaveSettings& settings, const rollout::Plan& plan, WaveDeps& deps) {
    return Waves(settings, plan, deps).run();
}

} // namespace leura::app
