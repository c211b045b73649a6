// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace leura::ui {

struct RunStart {
    std::string run_id, task, inventory, user;
    size_t hosts = 0;
    size_t waves = 1;
};

struct HostDone {
    std::string host;
    int wave = 1;
    std::string status; // ok, failed, unreachable, skipped
    std::optional<std::string> error_kind;
    std::optional<std::string> error;
    std::optional<int64_t> exit_code;
    int64_t duration_ms = 0;
    size_t steps_run = 0, steps_total = 0;
    bool rollback = false; // the result of running the rollback steps on the host
};

struct BatchDone {
    int wave = 1;
    size_t waves = 1;
    size_t ok = 0, failed = 0, unreachable = 0;
    std::string gate = "pass"; // pass, halt, interrupted
    std::string rollback = "none";
    std::string reason; // why the gate halted
    size_t skipped = 0, interrupted = 0, rolled_back = 0;
};

struct RunEnd {
    std::string status; // ok, failed, halted, interrupted
    int exit_code = 0;
    std::string archive;
    size_t ok = 0, failed = 0, unreachable = 0, skipped = 0, interrupted = 0, rolled_back = 0;
    int64_t duration_ms = 0;
    std::string warning; // e.g. the archive could not be written
};

// A workflow's stage (app/workflow.hpp), as it starts and as it ends.
struct StageStart {
    std::string stage;
    size_t number = 1, stages = 1; // 1-based, in the order they run
    std::string stage_run;         // the stage's own run id
    size_t hosts = 0, waves = 1;
    std::string note; // e.g. "rollback" (a completed stage rolled back)
};
struct StageEnd {
    std::string stage;
    std::string status; // ok, failed, halted, interrupted, skipped
    std::string reason; // skipped: why ("stage db halted")
    std::string stage_run;
    std::string note;
    size_t ok = 0, failed = 0, unreachable = 0, skipped = 0, interrupted = 0, rolled_back = 0;
    int64_t duration_ms = 0;
};

// The one writer of the terminal during a run. Lines from concurrent hosts never interleave:
// the engine's single thread calls in.
class Reporter {
public:
    virtual ~Reporter() = default;
    virtual void run_started(const RunStart& r) = 0;
    virtual void batch_started(int wave, size_t waves, const std::vector<std::string>& hosts) = 0;
    virtual void host_finished(const HostDone& h) = 0;
    virtual void batch_finished(const BatchDone& b) = 0;
    virtual void run_finished(const RunEnd& r) = 0;
    // Between them, every event belongs to the stage (JSON events carry its name).
    virtual void stage_started(const StageStart&) {}
    virtual void stage_finished(const StageEnd&) {}
};

struct ReporterOptions {
    bool json = false;  // JSON Lines events on stdout, human text on stderr
    bool quiet = false; // only failures and the final line
    bool color = false;
    bool progress = false; // a live progress line on stderr (a TTY)
};

std::unique_ptr<Reporter> make_reporter(const ReporterOptions& options, std::FILE* out,
                                        std::FILE* err);

// Colour when the stream is a terminal and NO_COLOR is not set.
bool wants_color(std::FILE* stream);

} // namespace leura::ui
