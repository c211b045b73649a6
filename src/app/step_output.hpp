// SPDX-License-Identifier: Apache-2.0
#pragma once

// One step's whole output on one stream, as `leura logs --full` and `--follow` read it: the
// spool file while its run runs, the archive's member once the run has ended. For the API's
// raw step output (byte ranges, and following a step as it writes).
#include "app/records.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace leura::app {

// Where the stream is: its member name, the live spool file and the run's archive.
struct StepStream {
    std::string member;                           // "hosts/<dir>/<NN>-<step>.stdout"
    std::filesystem::path spool_file;             // while the run runs
    std::optional<std::filesystem::path> archive; // once it has ended
};

StepStream step_stream(const std::filesystem::path& data_dir, const RunView& view,
                       const store::StepRecord& step, bool is_stderr);

// Bytes [from, from + max) of the stream and its size: from the spool file when `live`, else
// from the archive (a stream the step never wrote to is empty). Errors: not_found (a finished
// run without an archive), io.
struct StepBytes {
    std::string data;
    uint64_t size = 0;
};
Result<StepBytes> read_step_stream(const StepStream& s, bool live, uint64_t from, uint64_t max);

} // namespace leura::app
