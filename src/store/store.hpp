// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/compression.hpp"
#include "store/sqlite.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace leura::store {

struct RunRecord {
    std::string id;
    std::string task;                     // the task file's absolute path
    std::optional<std::string> task_name; // its name in the task library, when run by name
    std::string task_hash;                // sha256 of the task file
    std::string inventory;
    std::string targets;
    std::string user;
    std::string args; // the command line, JSON array
    std::string started_at;
    std::optional<std::string> finished_at;
    std::string status = "running"; // store::RunStatus
    std::optional<int64_t> exit_code;
    int64_t hosts = 0;
    int64_t ok = 0, failed = 0, unreachable = 0, skipped = 0, interrupted = 0, rolled_back = 0;
    std::optional<std::string> archive;
    std::optional<std::string> task_text; // the task as run
    std::optional<std::string> plan;      // the waves, JSON, as `leura plan --json` prints them
    int64_t waves = 1;
    std::optional<std::string> resumes; // the interrupted run this one continues
    // The overrides given on the command line, JSON: {"concurrency":N,"vars":[["K","V"]],
    // "batches":"...","targets":"...","replace_targets":true}; retry and resume reuse them.
    std::optional<std::string> overrides;
    std::optional<std::string> tags; // the task's tags, JSON array (null for `exec`)
    // A workflow's stage runs as a run of its own: the workflow's run id and the stage's name
    // (app/workflow.hpp). `note`: why a stage did not run, or what it was (a rollback).
    std::optional<std::string> parent;
    std::optional<std::string> stage;
    std::optional<std::string> note;
    // What started the run when not a person at a command line: "schedule:NAME", ...
    std::optional<std::string> triggered_by;
};

// One saved content of a library task (`leura task history`).
struct TaskVersion {
    int64_t number = 0; // 1 = the task's oldest saved version
    std::string name;   // the task's library name
    std::string path;   // its file's absolute path when saved
    std::string sha256; // of content
    std::string content;
    std::string saved_at; // RFC 3339
    std::string saved_by; // the principal's name
    std::string source;   // new, edit, run
};

struct BatchRecord {
    std::string run_id;
    int64_t wave = 1;
    int64_t planned_hosts = 0;
    std::string hosts; // folded host list
    std::string started_at;
    std::optional<std::string> finished_at;
    int64_t ok = 0, failed = 0, unreachable = 0, skipped = 0, interrupted = 0, rolled_back = 0;
    int64_t failed_total = 0; // failures in the run up to and including this wave
    // pass, halt, interrupted (a stop cut the wave short: it is not finished, finished_at
    // stays null); null while running.
    std::optional<std::string> gate;
    std::string rollback = "none";     // none, ok, failed
    std::optional<std::string> reason; // why the gate halted
};

struct HostRecord {
    std::string run_id;
    std::string host;
    int64_t wave = 1;
    std::string status = "running"; // store::HostState
    std::optional<std::string> error_kind;
    std::optional<std::string> error;
    std::optional<int64_t> exit_code;
    std::optional<std::string> started_at;
    std::optional<std::string> finished_at;
    int64_t duration_ms = 0;
    int64_t steps_run = 0;
};

struct StepRecord {
    std::string run_id;
    std::string host;
    int64_t idx = 0; // 0-based position in the task
    std::string name;
    std::string status; // ok, failed
    std::optional<int64_t> exit_code;
    std::optional<std::string> signal;
    std::optional<std::string> error_kind;
    std::optional<std::string> error;
    std::string started_at;
    int64_t duration_ms = 0;
    int64_t bytes_out = 0, bytes_err = 0;
    std::string preview_out, preview_err;
    std::string phase = "steps"; // steps, verify, rollback
    // sha256 of the hex sha256s of stdout and of stderr, whole, as recorded (redacted).
    std::optional<std::string> output_sha256;
    // What the step wrote to $LEURA_OUTPUT, a JSON object of names to values (secret ones
    // redacted); null when it wrote nothing.
    std::optional<std::string> outputs;
    // Tries of a step with `retries`: the earlier ones' output is in the archive beside the
    // last one's (archive::step_member's attempt).
    int64_t attempts = 1;
};

// A run as `leura gc` weighs it: no task text, plan or counts.
struct RunSummary {
    std::string id;
    std::string task;
    std::string started_at;
    std::string status;
    std::optional<std::string> parent;  // the workflow run of a stage run
    std::optional<std::string> resumes; // the run this one continues
    std::optional<std::string> archive;
};

// The records counted for /metrics.
struct RecordCounts {
    std::map<std::string, int64_t> runs_by_status;
    std::map<std::string, int64_t> hosts_by_status; // every run's hosts
    // Finished runs: how many, their total duration in milliseconds, and how many took at
    // most each of k_duration_bounds_s seconds (cumulative, as a Prometheus histogram).
    int64_t finished_runs = 0;
    int64_t finished_ms = 0;
    std::vector<int64_t> finished_at_most;
    // Runs started on someone's behalf in the last ten minutes whose process has not claimed
    // them yet: the queue.
    int64_t queued = 0;
};
inline constexpr int64_t k_duration_bounds_s[] = {1, 5, 15, 60, 300, 900, 3600, 14400};

// A run's rows, by table.
struct RunRows {
    int64_t runs = 0, batches = 0, hosts = 0, steps = 0;
    RunRows& operator+=(const RunRows& o) {
        runs += o.runs, batches += o.batches, hosts += o.hosts, steps += o.steps;
        return *this;
    }
};

struct RunFilter {
    std::optional<std::string> task; // substring of the task path
    std::optional<std::string> status;
    std::optional<std::string> since; // RFC 3339; runs started at or after
    std::optional<std::string> tag;   // runs whose task had this tag (exactly) when it ran
    std::optional<std::string> user;  // runs started by this user
    // Runs (or a workflow's stage runs) that had one of these hosts: exact names, or SQLite
    // GLOB patterns (* ? [...]). Both empty: any host.
    std::vector<std::string> host_names, host_globs;
    bool stages = false; // a workflow's stage runs too (listed under their parent)
    // Only runs listed after this one (a page's cursor): started before it, or at the same
    // instant with a smaller id, as the list is ordered.
    std::optional<std::pair<std::string, std::string>> after; // started_at, id
    int64_t limit = 20;
    // When set, only the runs it keeps, and `limit` counts those (the access policy's
    // may_see). It sees every field but task_text and plan, which are read only for the runs
    // kept: a caller who sees few of many runs does not pay for reading them all whole.
    std::function<bool(const RunRecord&)> keep;
};

// A run as shell completion offers it.
struct RunChoice {
    std::string id;
    std::string task; // its library name, else its path
    std::string status;
    std::string started_at;
};

// One entry of the audit log (schema 13, store/audit.cpp): who did what to which resource, and
// whether it was allowed. Append-only; each entry is chained to the one before by `hash`.
struct AuditEntry {
    int64_t id = 0;        // set by append_audit: 1, 2, 3... with no gaps
    std::string at;        // RFC 3339 UTC with milliseconds, as the other tables
    std::string actor;     // the principal, "user:alice"
    std::string via;       // cli, sudo, socket, token, schedule, monitor
    std::string action;    // view, logs, run, edit, admin, exec, schedule, or a command name
    std::string resource;  // "task:web/deploy", "inventory:prod", "run:<id>", "policy"...
    std::string inventory; // "" when none
    int64_t host_count = 0;
    std::string decision = "allow"; // allow, deny
    std::string rule;               // the deciding rule's id and file:line; "" when none
    std::optional<std::string> run_id;
    std::string detail;    // free text: say, a policy's sha256 before and after an edit
    std::string prev_hash; // set by append_audit: the previous entry's hash, 64 zeros first
    std::string hash;      // set by append_audit: audit_hash() of this entry
};

// The entry's hash: lower-case hex SHA-256 of its prev_hash and every field but `hash`, each
// length-prefixed so that no field can shift into another (docs/data.md gives the layout).
std::string audit_hash(const AuditEntry& e);
// The prev_hash of the first entry.
inline const std::string k_audit_genesis(64, '0');

struct AuditFilter {
    std::optional<std::string> since;    // RFC 3339; entries at or after
    std::optional<std::string> actor;    // exactly this actor ("user:alice")
    std::optional<std::string> decision; // allow, deny
    std::optional<int64_t> before_id;    // entries older than this one (a page's cursor)
    int64_t limit = 50;
};

// What verify_audit found: `count` entries chained, ending at `latest`; or the first that does
// not chain (`broken`, with `problem` saying how), counted up to the one before it.
struct AuditCheck {
    int64_t count = 0;
    std::string latest; // the last good entry's hash (64 zeros when none)
    std::optional<int64_t> broken;
    std::string problem;
    AuditEntry entry; // the broken entry as stored
};

// The schema version this leura creates and migrates databases to.
int latest_schema_version();
// Which steps' output `step_outputs` reads.
struct OutputQuery {
    // An FTS5 query over the output index (schema v11: the previews' words, by the `ascii`
    // tokenizer, detail=none: no phrases, NEAR or column filters); "" reads every step.
    std::string match;
    std::optional<std::string> task;               // substring of the run's task path
    std::optional<std::vector<std::string>> hosts; // only these hosts
    std::optional<std::string> since;              // RFC 3339; runs started at or after
    // A match in at most this many steps is read by one sorted query; a commoner one (or no
    // match) by walking the runs newest first, a batch at a time. The same steps come back in
    // the same order either way; tests set it low to walk small databases.
    int64_t few_steps = 4096;
    // The newest runs are read whole, without the index, until this many steps were read: a
    // word common enough to fill a page is found there at once (an FTS5 prefix query over
    // millions of entries costs 300 ms however few it returns). 0: the index alone.
    int64_t unindexed_steps = 1000;
};

// One step's output as `step_outputs` gives it: the previews in plain bytes.
struct StepOutput {
    std::string run_id;
    std::string task; // the run's task path
    std::string run_started_at;
    std::string host;
    int64_t idx = 0;
    std::string name;
    std::string preview_out, preview_err;
};

// The run records. A write is one short BEGIN IMMEDIATE transaction, made as the event happens,
// so a crash loses nothing already reported; between begin_batch() and end_batch() writes share
// one transaction instead (the recorder batches finished steps and hosts that way).
// One fire of a schedule (schema 14, store/schedule_fires.cpp), keyed by (schedule,
// scheduled_at): the instant it was due, in Unix seconds.
struct FireRecord {
    std::string schedule;
    int64_t scheduled_at = 0;
    int64_t due_at = 0; // scheduled_at plus the jitter
    int64_t shift = 0;  // > 0: its wall-clock time did not exist; moved on by this many seconds
    // started, skipped_overlap, missed, failed, queued, replaced, dry_run
    std::string status;
    std::optional<std::string> run_id;
    std::optional<int64_t> pid;
    std::string decided_at;
    std::string detail;
};

// A run started on someone's behalf: the starter writes this, and the child claims it once by
// the token it got on an inherited descriptor (only the token's hash is stored).
struct PendingRun {
    std::string token_hash;
    std::string principal;    // "schedule:NAME"
    std::string triggered_by; // the same, for schedules
    std::string run_id;
    std::string created_at;
};

// An API token (store/tokens.cpp): "leura_<id>_<secret>" is shown once; the store keeps the
// whole token's sha256. Empty `actions` or `tasks` (JSON arrays): all of the creator's.
struct TokenRecord {
    std::string id;   // public, 8 hex digits: how lists, revocation and the audit name it
    std::string name; // what it is for
    std::string hash;
    std::string creator; // "user:alice"
    int64_t creator_uid = 0;
    std::string created_at, expires_at; // RFC 3339
    std::string actions = "[]", tasks = "[]";
    std::optional<std::string> revoked_at, last_used_at;
};

// Monitors (store/monitors.cpp): each host's persisted state, each check, each decision.
struct MonitorHostRow {
    std::string monitor, host, state, results;
    int64_t ok_streak = 0, failed_reactions = 0;
    std::string reactions; // start times, comma-separated
    std::optional<std::string> reaction_run;
    int64_t last_escalation = 0, ack_until = 0;
    bool flapping = false;
    int64_t changed_at = 0;
};
struct MonitorCheckRow {
    std::string monitor;
    int64_t round_at = 0;
    std::string host, result;
    std::optional<int64_t> exit_code;
    int64_t duration_ms = 0;
    std::string output; // the head of stdout and stderr, a few hundred bytes
};
struct MonitorDecisionRow {
    int64_t id = 0;
    std::string monitor, host;
    int64_t at = 0;
    std::string state, decision, reason;
    std::optional<std::string> run_id;
};

// An Idempotency-Key of `leura serve` (store/idempotency.cpp): the digest of the request that
// first used it, and the run it started once it did (none while it is starting).
struct IdempotencyClaim {
    bool claimed = false; // this call took the key: go on and start the run
    std::string digest;
    std::optional<std::string> run_id;
};

// One Alertmanager alert as a monitor last received it (store/monitors.cpp).
struct MonitorAlertRow {
    std::string monitor, fingerprint, host, status, starts_at;
    int64_t received_at = 0;
};

class Store {
public:
    // Opens or creates the database and brings its schema to the current version.
    static Result<Store> open(const std::string& path);
    // Opens an existing database to read only: no migration, no recovery, no file created.
    // Errors: io (missing, unreadable), config (a schema newer than this leura).
    static Result<Store> open_read_only(const std::string& path);

    Status insert_run(const RunRecord& run);
    Status finish_run(const RunRecord& run); // status, exit code, end, counts, archive
    Status insert_batch(const BatchRecord& batch);
    Status finish_batch(const BatchRecord& batch); // counts, gate, rollback, reason, end
    Status upsert_host(const HostRecord& host);
    // Only the status (a wave's rollback brought the host back: rolled_back).
    Status set_host_status(const std::string& run_id, const std::string& host,
                           const std::string& status);
    // Previews are stored zstd-compressed and their words put in the output index, in the
    // same transaction; a step recorded again (running, then finished) leaves the index first.
    Status insert_step(const StepRecord& step);
    // Opens a batch unless one is open; end_batch() commits it (nothing to do without one).
    Status begin_batch();
    Status end_batch();
    // Writes a wave, a host and a step of `run_id` the way a run does, then rolls them back:
    // b-tree pages a run's records will go to are read and written before any host is
    // touched, so a damaged database fails the run up front rather than its hosts halfway.
    Status probe_writes(const std::string& run_id);
    // A dead run's hosts still recorded as running become interrupted.
    Status interrupt_hosts(const std::string& run_id, const std::string& at);

    // A run id from a unique prefix. Errors: not_found, usage (ambiguous, with candidates).
    Result<std::string> resolve_run(const std::string& prefix);
    Result<RunRecord> run(const std::string& id);
    Result<bool> run_exists(const std::string& id);
    Result<std::vector<RunRecord>> runs(const RunFilter& filter);
    Result<std::vector<HostRecord>> hosts(const std::string& run_id);
    // host_glob: only hosts matching it (SQLite GLOB: * ? and [...], case-sensitive).
    Result<std::vector<StepRecord>> steps(const std::string& run_id, bool previews = true,
                                          const std::string& host_glob = {});
    Result<std::vector<BatchRecord>> batches(const std::string& run_id);
    // The runs that resume `id` (`leura resume` of it), oldest first.
    Result<std::vector<std::string>> resumed_by(const std::string& id);

    // Calls `each` with the steps the query selects, newest run first, then in the hosts'
    // start order and step order, until it returns false. With `match`, the steps that may
    // hold its words, a superset the caller checks the text of: every step of the newest
    // runs (`unindexed_steps`), then those whose index entry matches. Errors: usage (an FTS5
    // query it cannot parse), io, internal.
    Status step_outputs(const OutputQuery& query,
                        const std::function<bool(const StepOutput&)>& each);
    // Takes run `run_id`'s steps (not its stages') out of the output index, reading their
    // previews back for FTS5's 'delete' (a contentless index keeps no text of its own). Call
    // it before deleting a run's rows, in the same transaction when there is one (inside a
    // batch it joins the batch); a row already out is skipped, so calling it twice is safe.
    Status unindex_run(const std::string& run_id);
    // Every host name any run recorded, sorted.
    Result<std::vector<std::string>> recorded_hosts();
    // Merges the output index into one segment: entries taken out (unindex_run) free their
    // space only when merged, and a run's many small writes leave many segments (about 1.6x
    // the merged size). Costs a rewrite of the whole index: for `leura gc`, not for a run.
    Status compact_index();
    // Runs (not stage runs) whose id starts with `prefix`, newest first, at most `limit`.
    Result<std::vector<RunChoice>> run_choices(const std::string& prefix, int64_t limit);
    // The names of run `run_id`'s steps, in task order, each once.
    Result<std::vector<std::string>> step_names(const std::string& run_id);
    // A workflow's stage runs, in the order they started.
    Result<std::vector<RunRecord>> stage_runs(const std::string& parent);
    // The newest run of each task path, keyed by the path (one query, for `task list`).
    Result<std::unordered_map<std::string, RunRecord>> last_runs();

    // Saves `v` as the newest version of task v.name, unless the newest saved one already
    // has v.sha256 (one transaction: two savers cannot both add it). v.number is ignored.
    // Returns whether a version was added.
    Result<bool> save_task_version(const TaskVersion& v);
    // The saved versions of task `name`, oldest first, numbered from 1; `content` false leaves
    // the contents out.
    Result<std::vector<TaskVersion>> task_versions(const std::string& name, bool content = true);

    // The audit log (store/audit.cpp). append_audit sets e's id, prev_hash and hash from the
    // newest entry inside one BEGIN IMMEDIATE transaction (the open batch's, when there is
    // one), so entries that processes append at once still form one chain; it returns e so
    // completed. Errors: internal (a decision other than allow or deny, an empty actor,
    // action or resource), io.
    Result<AuditEntry> append_audit(AuditEntry e);
    // Entries the filter selects, newest first.
    Result<std::vector<AuditEntry>> list_audit(const AuditFilter& filter);
    // Every entry from the first, each checked against its own fields and the one before it.
    Result<AuditCheck> verify_audit();

    // Schedules (store/schedule_fires.cpp). claim_fire inserts the row unless its key exists:
    // true when this call claimed the fire, false when another ticker did.
    Result<bool> claim_fire(const FireRecord& f);
    Status update_fire(const FireRecord& f); // status, run_id, pid, detail
    // The latest scheduled_at recorded for `schedule`, if any.
    Result<std::optional<int64_t>> last_fire_at(const std::string& schedule);
    // Newest first; an empty `schedule` means every schedule.
    Result<std::vector<FireRecord>> list_fires(const std::string& schedule, int64_t limit);
    Status insert_pending_run(const PendingRun& p);
    // The pending run with this token hash, deleted as it is read: a token works once.
    Result<std::optional<PendingRun>> take_pending_run(const std::string& token_hash);

    // API tokens (store/tokens.cpp).
    Status insert_token(const TokenRecord& t);
    Result<std::optional<TokenRecord>> token(const std::string& id);
    Result<std::vector<TokenRecord>> tokens(); // oldest first
    // Sets revoked_at unless it is set; false when there is no such token.
    Result<bool> revoke_token(const std::string& id, const std::string& at);
    Status touch_token(const std::string& id, const std::string& at);

    // Monitors (store/monitors.cpp).
    Result<std::vector<MonitorHostRow>> monitor_hosts(const std::string& monitor);
    // A round's outcome in one transaction: each host's new state, its check and its decision.
    Status record_round(const std::vector<MonitorHostRow>& states,
                        const std::vector<MonitorCheckRow>& checks,
                        const std::vector<MonitorDecisionRow>& decisions);
    Status put_monitor_host(const MonitorHostRow& row);
    // Newest first; an empty host: every host of the monitor.
    Result<std::vector<MonitorDecisionRow>>
    monitor_decisions(const std::string& monitor, const std::string& host, int64_t limit);
    Result<std::vector<MonitorCheckRow>> monitor_checks(const std::string& monitor,
                                                        const std::string& host, int64_t limit);

    // Records `alert` unless the monitor's last of that fingerprint had the same status and
    // start (a notification repeated): true when it is new. Resolved alerts a week old go.
    Result<bool> note_monitor_alert(const MonitorAlertRow& alert);

    // Idempotency-Keys (store/idempotency.cpp). Takes `key` for a request whose body hashes to
    // `digest` unless a claim younger than `expired_before` holds it: then that claim is
    // answered. Older claims are deleted on the way, and so are claims still without a run
    // made before `abandoned_before` (their server died while starting it).
    Result<IdempotencyClaim>
    claim_idempotency_key(const std::string& key, const std::string& digest, const std::string& now,
                          const std::string& expired_before, const std::string& abandoned_before);
    // The run the claim started; none: the start failed and the key is free again.
    Status settle_idempotency_key(const std::string& key, const std::optional<std::string>& run_id);

    // What /metrics counts over the records (store/metrics.cpp): runs and hosts by status,
    // and how long finished runs took.
    Result<RecordCounts> record_counts();

    // Deleting records (store/prune.cpp). Every run's rows leave through delete_run_rows(),
    // so whatever indexes them (a full-text index over the previews) is kept in step there.

    // Every run, stage runs included, oldest first.
    Result<std::vector<RunSummary>> run_summaries();
    // How many rows delete_run_rows(run_id) would delete.
    Result<RunRows> count_run_rows(const std::string& run_id);
    // Deletes run `run_id`'s rows from every table (its steps, hosts, waves, then the run);
    // not its stage runs, which are runs of their own. Inside the open batch when there is
    // one, else in a transaction of its own. A run that is not recorded deletes nothing.
    Result<RunRows> delete_run_rows(const std::string& run_id);
    // delete_run_rows() for each of `run_ids`, in one transaction: all of them or none.
    Result<RunRows> delete_runs(const std::vector<std::string>& run_ids);
    // Bytes of the database's pages that hold data (free pages left by deletions are not
    // counted: later writes reuse them).
    Result<int64_t> used_bytes();
    // Rewrites the database without its free pages, then empties the write-ahead log.
    // Writers of other processes wait meanwhile (their busy timeout, 5 s, may run out on a
    // big database). Errors: io (busy, disk full: VACUUM needs room for a copy).
    Status vacuum();

    int schema_version() const { return m_version; }

private:
    explicit Store(Db db) : m_db(std::make_unique<Db>(std::move(db))) {}
    Status migrate();
    // `sql` is a string literal: its statement is prepared once and kept (preparing cost about
    // as much as the write).
    Status write(const char* sql, const std::function<void(Stmt&)>& bind);
    // The kept statement for `sql` (a string literal), run once with `bind`; no transaction.
    Status run_kept(const char* sql, const std::function<void(Stmt&)>& bind);
    Result<Stmt*> kept(const char* sql);
    // `body` in the open batch, else in a transaction of its own.
    Status in_transaction(const std::function<Status()>& body);
    // The output index: a step's entry out (from the previews it was made of), or in.
    Status unindex(int64_t text_id, const std::string& out, const std::string& err);
    Status unindex_step(const StepRecord& step);
    Result<std::string> plain_preview(const Stmt& row, int codec_col, int col);

    std::unique_ptr<Db> m_db; // on the heap: kept statements point at it, and a Store moves
    std::unordered_map<const char*, Stmt> m_writes;
    std::optional<Transaction> m_batch;
    Zstd m_zstd;
    int m_version = 0;
};

} // namespace leura::store
