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

struct BatchStart {
    int wave = 1;
    size_t waves = 1;
    std::vector<std::string> hosts;
    // How many of the wave's hosts may fail before its gate halts (the lesser of max_failed
    // and what max_failed_total leaves); none: the gate goes on whatever fails.
    std::optional<size_t> failures_allowed;
};

struct StepStart {
    std::string host, step;
    std::string phase; // steps, verify, rollback
};

struct StepDone {
    std::string host, step, phase;
    std::string status; // ok, failed, unchanged, skipped
    std::optional<int64_t> exit_code;
    int64_t duration_ms = 0;
    uint64_t bytes_out = 0, bytes_err = 0;
    int attempts = 1;
};

// The first Ctrl-C or SIGTERM (level 1: started hosts finish, up to `grace_ms`), or the second
// (level 2: running steps are ended now).
struct StopNotice {
    int level = 1;
    size_t running = 0;
    int64_t grace_ms = 0;
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
    virtual void batch_started(const BatchStart& b) = 0;
    virtual void step_started(const StepStart&) {}
    virtual void step_finished(const StepDone&) {}
    virtual void host_finished(const HostDone& h) = 0;
    virtual void stop_requested(const StopNotice&) {}
    virtual void batch_finished(const BatchDone& b) = 0;
    virtual void run_finished(const RunEnd& r) = 0;
    // Between them, every event belongs to the stage (JSON events carry its name).
    virtual void stage_started(const StageStart&) {}
    virtual void stage_finished(const StageEnd&) {}
};

struct ReporterOptions {
    bool json = false; // JSON Lines events on stdout, human text on stderr
    // -q: nothing at all when every host succeeded; else the failed hosts' lines and the
    // summary.
    bool quiet = false;
    bool host_lines = true; // a line per finished host (exec prints its grouped outputs instead)
    bool color = false;
    // Progress on stderr: redrawn in place when stderr is a terminal (`live`), else a
    // timestamped line every `plain_every` while hosts run (0: none).
    bool live = false;
    bool live_multiline = true; // false when stdout is not the terminal (a pipe to tee)
    int64_t plain_every_ms = 0;
};

std::unique_ptr<Reporter> make_reporter(const ReporterOptions& options, std::FILE* out,
                                        std::FILE* err);

// Colour when the stream is a terminal and NO_COLOR is not set.
bool wants_color(std::FILE* stream);

} // namespace leura::ui
