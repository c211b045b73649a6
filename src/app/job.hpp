// SPDX-License-Identifier: Apache-2.0
#pragma once

// How a task becomes the engine's jobs: which steps a job has and where each lands in the
// records, what each step runs and how (runner, channel, sudo, controller), and the upload
// sources pinned for the run.
#include "app/prepare.hpp"
#include "app/recorder.hpp"
#include "app/run_task.hpp"
#include "app/step_values.hpp"
#include "exec/engine.hpp"
#include "util/file_snapshot.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace leura::app {

struct StepSource {
    const config::Step* step;
    StepMeta meta;
    bool after_failure = false; // a host's own rollback (on_host_failure = "rollback")
};

enum class JobPhase { wave, rollback };

// The steps of one job with where each lands in the records: steps and verify checks share
// one numbering; rollback steps come after both. A wave job with `host_rollback` carries the
// rollback steps too, run only by a host that failed.
std::vector<StepSource> job_steps(const config::Task& t, JobPhase phase, bool host_rollback);

// What an upload streams: the file itself, or a tar of a directory packed for this run, pinned
// when the run starts (util::FileSnapshot): every host gets exactly the bytes hashed here.
struct UploadSource {
    util::Snapshot file;
    std::string manifest; // directories: archive::Bundle::manifest_sha256
    const util::FileDigest& digest() const { return file->digest(); }
};
using Digests = std::map<const config::Step*, UploadSource>;

// The content of each upload, hashed once per run (a directory's tar packed under `tmp`).
Result<Digests> upload_digests(const config::Task& t, const std::filesystem::path& tmp);

// The engine's job for `hosts` (indexes into p.hosts) and `steps`; `wave` is LEURA_BATCH.
// With `values`, command, script and local steps get $LEURA_OUTPUT and see the values their
// host's earlier steps wrote as LEURA_OUT_<NAME>.
exec::Job make_job(const Prepared& p, const RunOptions& o, const std::string& run_id,
                   const std::vector<size_t>& hosts, const std::vector<StepSource>& steps, int wave,
                   const Digests& digests, const RunValues* values = nullptr);

std::vector<StepMeta> metas(const std::vector<StepSource>& steps);

} // namespace leura::app
