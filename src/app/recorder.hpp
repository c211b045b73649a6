// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/step_values.hpp"
#include "archive/spool.hpp"
#include "config/task.hpp"
#include "exec/engine.hpp"
#include "store/store.hpp"
#include "ui/reporter.hpp"
#include "util/redact.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace leura::app {

// Where a host's download lands: the dest (already anchored when the task loaded) with {host}
// as a sanitized file name component, or by default <data>/downloads/<run>/<host>/<file name>.
std::filesystem::path download_path(const config::Download& d, const std::string& host,
                                    const std::string& run, const std::filesystem::path& data);

// Where a job's step goes in the records: its row index in `steps` and its phase.
struct StepMeta {
    std::string name;
    std::string phase; // steps, verify, rollback
    size_t record_index = 0;
    const config::Download* download = nullptr; // stdout goes to the download's destination
    const config::Step* step = nullptr;         // its secret_outputs
};

// Turns the engine's events for one job (a wave, or a wave's rollback) into records as they
// happen, output into spool files, and host results into reporter lines. For a rollback the
// host rows keep the wave's verdict; only the rollback's step rows are added.
class RunRecorder final : public exec::EventSink, public exec::OutputStore {
public:
    RunRecorder(store::Store& store, archive::Spool& spool, ui::Reporter& reporter,
                const util::Redactor& redactor, const exec::Job& job, std::vector<StepMeta> steps,
                std::string run_id, int wave, bool rollback, bool digest_outputs = false,
                std::filesystem::path data_dir = {});

    void host_started(size_t h) override;
    void step_started(size_t h, size_t step) override;
    void step_finished(const exec::StepOutcome& o) override;
    void host_finished(const exec::HostOutcome& o) override;
    void stop_requested(int level, size_t running, std::chrono::milliseconds grace) override;
    void settle() override;
    ~RunRecorder() override;
    Result<std::unique_ptr<ssh::OutputSink>> open(size_t h, size_t step) override;

    // Steps' $LEURA_OUTPUT values: cut from their stderr, recorded with the step, and kept in
    // `values` for the host's later steps. Null: none taken (the line stays output).
    void capture_values(RunValues* values) { m_values = values; }

    // The first failure to write a record; the run stops starting hosts after one.
    const std::optional<Error>& record_error() const { return m_error; }
    // Hosts of this job that ran at least one step.
    const std::vector<size_t>& hosts_that_ran() const { return m_ran; }
    // Hosts a wave's rollback should run on: those that ran a step, were not rolled back
    // already (on_host_failure), and did not fail on their host key or login (a rollback
    // would fail there the same way).
    std::vector<size_t> hosts_to_roll_back() const;
    // The hosts that ended so far, by outcome (the gate judges a wave while it runs).
    const exec::RunSummary& ended() const { return m_ended; }
    // How each host of the job ended (only those that did).
    const std::map<size_t, exec::HostOutcome>& outcomes() const { return m_outcomes; }

private:
    const std::string& name(size_t h) const { return m_job.hosts[h].name; }
    std::string preview(size_t h, size_t step, bool is_stderr);
    store::StepRecord step_record(size_t h, size_t step);
    void keep(const Status& s);

    std::filesystem::path m_data_dir; // downloads without a dest go under it
    store::Store& m_store;
    archive::Spool& m_spool;
    ui::Reporter& m_reporter;
    const util::Redactor& m_redactor;
    const exec::Job& m_job;
    std::vector<StepMeta> m_steps;
    std::string m_run;
    int m_wave;
    bool m_rollback;
    std::vector<std::string> m_step_started;
    std::vector<size_t> m_ran;
    exec::RunSummary m_ended;
    std::map<size_t, exec::HostOutcome> m_outcomes;
    std::map<std::filesystem::path, size_t> m_download_owner; // a dest is one host's in a run
    // Only `exec` groups hosts by output; hashing every task's output would cost CPU per byte.
    bool m_digest_outputs;
    std::map<size_t, std::string> m_output_digest; // host -> its last step's, when it ended
    std::optional<Error> m_error;
    RunValues* m_values = nullptr;
    std::map<size_t, ValueCut> m_cuts; // host -> its current step's value line
    std::map<std::pair<size_t, size_t>, int> m_attempts_opened; // (host, step) -> outputs opened
};

} // namespace leura::app
