// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/diagnostic.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace leura::config {

using KeyValues = std::vector<std::pair<std::string, std::string>>;
using KeyPaths = std::vector<std::pair<std::string, std::filesystem::path>>;

// command and script run on the host; local runs on the controller, once per host, with the
// host in its environment (e.g. to drain it from a load balancer).
enum class StepKind { command, script, local, upload, download, custom };

// upload = { src = "files/app.tar", dest = "/opt/app/app.tar", mode = "0644", owner = "app" }
struct Upload {
    std::filesystem::path src; // a regular file, resolved against the task's folder
    std::string dest;          // an absolute path on the host
    std::string mode;          // octal such as "0644"; empty: the remote umask decides
    std::string owner;         // "user" or "user:group"; empty: the login (or run_as) user
    bool directory = false;    // src is a directory: dest becomes an exact copy of the tree
};

// The rules an upload's owner and mode follow, wherever the upload comes from (a task file, or
// a custom step's answer): owner ^[a-z_][a-z0-9_.-]*(:[a-z_][a-z0-9_.-]*)?$ (it reaches chown);
// mode ^0?[0-7]{3}$, normalized to four digits (nullopt: not a mode).
bool is_upload_owner(std::string_view s);
std::optional<std::string> normalize_upload_mode(std::string_view s);

// download = { src = "/var/log/app.log", dest = "logs/{host}/app.log" }
struct Download {
    std::string src; // an absolute path on the host
    // Local; relative to the task file; "{host}" becomes the host's name; empty: the run's
    // folder. Without {host}, only one host may download (app::prepare checks).
    std::string dest;
    SourcePos dest_pos;
};

struct Step {
    std::string name;
    StepKind kind = StepKind::command;
    std::string body; // the command line, or the script text (script_file already read)
    // The file `script_file` named, as found from the task's folder: read on the controller.
    std::filesystem::path script_file;
    std::optional<std::chrono::milliseconds> timeout;
    KeyValues env;
    bool ignore_errors = false;
    bool run_once = false;   // on one host of the whole run; the others wait for it, then go on
    bool idempotent = false; // safe to run again when a resume cannot know whether it ran
    // Runs on every host that started, even after an earlier step failed or the run was
    // stopped within --grace (the undrain / cleanup step).
    bool always = false;
    // The shell that runs the body on the host ("bash", "sh", ...); empty: the task's, else
    // the script's own #! line, else sh.
    std::string shell;
    std::string run_as; // run through `sudo -n -u USER` on the host; empty: the login user
    std::optional<Upload> upload;     // with StepKind::upload
    std::optional<Download> download; // with StepKind::download
    // With StepKind::custom: `body` is NAME, `custom_path` the leura-step-NAME executable
    // found for it, `with_json` the step's `with` table as a JSON object.
    std::string custom_path;
    std::string with_json = "{}";
    // Values this step writes to $LEURA_OUTPUT that are secrets: recorded and shown redacted,
    // and redacted from the output of the stages after it.
    std::vector<std::string> secret_outputs;
    int retries = 0;                          // extra attempts after a failure (verify checks)
    std::chrono::milliseconds interval{1000}; // wait between attempts
    SourcePos pos;                            // where the [[steps]] table starts
};

// A number of hosts, or a percentage of them: `3`, `"3"`, `"5%"`, `"2.5%"`.
struct Amount {
    bool percent = false;
    double value = 0; // hosts, or percent in [0, 100]
    bool operator==(const Amount&) const = default;
};
// "5", "5%", "2.5%"; nullopt for anything else (negative, empty, over 100%, garbage).
std::optional<Amount> parse_amount(const std::string& text);
// "1%,5%,50%,100%" or "1,10,100%" (the --batches flag); nullopt when any item is bad.
std::optional<std::vector<Amount>> parse_amounts(const std::string& csv);

enum class OnFailure { stop, rollback, continue_ };
// What a host that fails a step or a verify check does at once, whatever the gate decides.
enum class OnHostFailure { none, rollback };
enum class Pause { none, confirm, duration };

// The [rollout] table (docs/rollouts.md). Absent: the run is one wave with no gate.
struct Rollout {
    std::vector<Amount> batches = {{true, 1}, {true, 5}, {true, 50}, {true, 100}};
    // The attribute whose hosts share a wave; "none": no grouping. Written in the file
    // (affinity_set), it must be an attribute some selected host has (app::prepare checks);
    // the default is not, so a fleet without clusters plans host by host.
    std::string affinity = "cluster";
    bool affinity_set = false;
    SourcePos affinity_pos;
    std::vector<std::string> spread; // each must be an attribute some selected host has
    std::vector<SourcePos> spread_pos;
    Amount max_failed{false, 0};            // per wave; the gate halts when failures EXCEED it
    std::optional<Amount> max_failed_total; // across the run so far
    OnFailure on_failure = OnFailure::stop;
    OnHostFailure on_host_failure = OnHostFailure::none;
    Pause pause = Pause::none;
    std::chrono::milliseconds pause_for{0}; // with Pause::duration
    std::optional<size_t> concurrency;
    SourcePos pos;
};

struct Stage;

// What `leura exec` records as the task of an ad-hoc command: it has no file.
inline constexpr const char* k_adhoc_task = "leura exec";

struct Task {
    std::filesystem::path file; // k_adhoc_task for `leura exec`
    bool adhoc = false;         // made from a command line: no file, no task lock
    std::string text;           // the file as read, for the archive and the task hash
    std::string description;
    std::string inventory; // a name under inventories/ or a path; may be empty
    std::string targets;   // a selector; empty means every host
    std::vector<std::string> tags;
    std::string shell; // default for every step's `shell`
    KeyValues vars;
    // [secrets]: name -> value, read from the environment or an owner-only file when the task
    // loads. Exported to scripts like vars; redacted from every record and every output.
    KeyValues secrets;
    // The files `secrets` read, by secret name: read on the controller.
    KeyPaths secret_files;
    std::vector<Step> steps;
    std::vector<Step> verify;   // [[verify]]: run after the steps on each host of a wave
    std::vector<Step> rollback; // [[rollback]]: run on a halted wave's hosts that ran steps
    std::optional<Rollout> rollout;
    // A workflow stage's values from the stages before it that its steps read as files
    // (LEURA_<STAGE>_<NAME>_FILE -> "host value" lines; app/workflow.hpp). Never from a file.
    KeyValues value_files;
    // [[stages]]: a workflow (then steps, verify, rollback and rollout belong to the stages).
    std::vector<Stage> stages;
    size_t parallel = 1; // stages at once, of those whose dependencies allow it
    // rollback_stages = "completed": when a stage halts with on_failure = "rollback", the
    // stages that completed are rolled back too, newest first.
    bool rollback_completed = false;
};

// One [[stages]] table of a workflow (docs/rollouts.md, "Workflows"; app/workflow.hpp runs them).
struct Stage {
    std::string name;
    SourcePos pos;
    std::string targets; // a selector; empty: the task's (or the library task's) targets
    // task = "library/name": that task's steps, verify, rollback, rollout, vars and targets
    // (the stage's own rollout, vars and targets over them); resolved by app::prepare.
    std::string task_ref;
    SourcePos task_ref_pos;
    // The stage's own steps, verify checks, rollback steps, [stages.rollout], vars and shell;
    // its file and text are the workflow's.
    Task body;
    // The stages this one follows: their names, as written, or the stage before it (none for
    // the first) when `after` is not written.
    std::vector<std::string> after;
    std::vector<SourcePos> after_pos;
    bool when_failed = false; // when = "failed": runs only when a stage it follows failed
};

// The stages in an order that runs each after those it follows (file order among equals).
// Requires a graph without cycles, which load_task checks.
std::vector<size_t> stage_order(const std::vector<Stage>& stages);
// The index of the stage named `name`; npos when none is.
size_t stage_index(const std::vector<Stage>& stages, std::string_view name);

// A `shell` value: a name or an absolute path of letters, digits and `/-_.`, without "..".
bool is_shell_name(std::string_view s);

// Reads and validates a task file. Every problem goes to `diags` (syntax, unknown keys with a
// "did you mean", wrong types, bad durations, missing script files); the task is returned only
// when there were none.
std::optional<Task> load_task(const std::filesystem::path& file, Diagnostics& diags);

// "90s", "5m", "1h30m", "250ms", "2h", "7d"; a bare number is seconds.
// At most k_max_duration: anything longer is a typo, and would overflow a clock deadline.
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text);
inline constexpr std::chrono::milliseconds k_max_duration{365LL * 24 * 3600 * 1000};

} // namespace leura::config
