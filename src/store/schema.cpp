// SPDX-License-Identifier: Apache-2.0
// Schema versions live in PRAGMA user_version. Each migration moves the database up by one
// version inside one transaction; a database newer than this binary is refused, not guessed at.
#include "store/store.hpp"

#include <string>
#include <vector>

namespace leura::store {

namespace {

const std::vector<const char*> k_migrations = {
    // 1: runs, batches, hosts, steps.
    R"sql(
CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    task TEXT NOT NULL,
    task_hash TEXT NOT NULL,
    task_text TEXT,
    inventory TEXT NOT NULL,
    targets TEXT NOT NULL,
    user TEXT NOT NULL,
    args TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    exit_code INTEGER,
    hosts INTEGER NOT NULL DEFAULT 0,
    ok INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    unreachable INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    archive TEXT
);
CREATE INDEX runs_started ON runs(started_at);
CREATE TABLE batches (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    wave INTEGER NOT NULL,
    planned_hosts INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    ok INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    unreachable INTEGER NOT NULL DEFAULT 0,
    gate TEXT,
    PRIMARY KEY (run_id, wave)
);
CREATE TABLE hosts (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    host TEXT NOT NULL,
    wave INTEGER NOT NULL DEFAULT 1,
    status TEXT NOT NULL,
    error_kind TEXT,
    error TEXT,
    exit_code INTEGER,
    started_at TEXT,
    finished_at TEXT,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    steps_run INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL,
    PRIMARY KEY (run_id, host)
);
CREATE TABLE steps (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    host TEXT NOT NULL,
    idx INTEGER NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    exit_code INTEGER,
    signal TEXT,
    error_kind TEXT,
    error TEXT,
    started_at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    bytes_out INTEGER NOT NULL,
    bytes_err INTEGER NOT NULL,
    preview_out BLOB NOT NULL,
    preview_err BLOB NOT NULL,
    PRIMARY KEY (run_id, host, idx)
);
)sql",
    // 2: rollouts: the plan with the run, gate verdicts and rollbacks per batch, step phases.
    R"sql(
ALTER TABLE runs ADD COLUMN plan TEXT;
ALTER TABLE runs ADD COLUMN waves INTEGER NOT NULL DEFAULT 1;
ALTER TABLE batches ADD COLUMN hosts TEXT;
ALTER TABLE batches ADD COLUMN failed_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN rollback TEXT NOT NULL DEFAULT 'none';
ALTER TABLE batches ADD COLUMN reason TEXT;
ALTER TABLE steps ADD COLUMN phase TEXT NOT NULL DEFAULT 'steps';
)sql",
    // 3: resume: a run that continues an interrupted one names it.
    R"sql(
ALTER TABLE runs ADD COLUMN resumes TEXT;
)sql",
    // 4: a host's start order comes from an index, not a count of the run's hosts (which made
    // recording a 10,000-host run quadratic).
    R"sql(
CREATE INDEX hosts_run_seq ON hosts(run_id, seq);
)sql",
    // 5: a digest of a step's whole output (both streams, as recorded): `exec` groups hosts by
    // it, not by the previews, which cannot tell outputs apart in the middle.
    R"sql(
ALTER TABLE steps ADD COLUMN output_sha256 TEXT;
)sql",
    // 6: interrupted and rolled-back hosts are counted apart from failed and ok ones; the
    // overrides a run was given (--concurrency, --var, --batches, -t), which retry and resume
    // reuse.
    R"sql(
ALTER TABLE runs ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN rolled_back INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN overrides TEXT;
ALTER TABLE batches ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN rolled_back INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
)sql",
    // 7: the task's name in the library (null for a task run by path, and for `exec`).
    R"sql(
ALTER TABLE runs ADD COLUMN task_name TEXT;
)sql",
    // 8: the task library's history: each distinct content of a task, saved by `task new`,
    // `task edit` and runs of it by name; the task's tags with each run (`runs --tag`); and
    // runs by task, for the last run of every task in one query (`task list`).
    R"sql(
CREATE TABLE task_versions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('new', 'edit', 'run'))
);
CREATE INDEX task_versions_name ON task_versions(name, id);
ALTER TABLE runs ADD COLUMN tags TEXT;
CREATE INDEX runs_task_started ON runs(task, started_at);
)sql",
    // 9: workflows: a stage runs as a run of its own under the workflow's (parent, stage; a
    // stage that did not run says why in note); the values a step wrote to $LEURA_OUTPUT.
    R"sql(
ALTER TABLE runs ADD COLUMN parent TEXT;
ALTER TABLE runs ADD COLUMN stage TEXT;
ALTER TABLE runs ADD COLUMN note TEXT;
CREATE INDEX runs_parent ON runs(parent);
ALTER TABLE steps ADD COLUMN outputs TEXT;
)sql",
    // 10: how many times a step with `retries` was tried (the earlier tries' output is in the
    // archive beside the last one's).
    R"sql(
ALTER TABLE steps ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
)sql",
    // 11: previews compressed, and searchable (step_text.cpp). Rows from before keep their
    // plain bytes under a null codec; they go into the index as they are, here, by the same
    // expression insert_step() uses.
    R"sql(
ALTER TABLE steps ADD COLUMN preview_codec TEXT;
ALTER TABLE steps ADD COLUMN text_id INTEGER;
CREATE UNIQUE INDEX steps_text_id ON steps(text_id) WHERE text_id IS NOT NULL;
CREATE VIRTUAL TABLE step_text USING fts5(text, content='', detail=none, columnsize=0,
                                          tokenize='ascii');
UPDATE steps SET text_id = rowid WHERE length(CAST(preview_out AS BLOB)) > 0
                                    OR length(CAST(preview_err AS BLOB)) > 0;
INSERT INTO step_text (rowid, text)
    SELECT text_id, CAST(preview_out AS TEXT) || char(10) || CAST(preview_err AS TEXT)
    FROM steps WHERE text_id IS NOT NULL;
)sql",
    // 12: history reads in milliseconds at 10,000 runs (tests/bench/history.sh): the runs list
    // in its ORDER BY with every filter column, so `last` stops at the first row and filters
    // are checked without reading a run's row (recovery's status = 'running' runs on every
    // command); parent only where set, so the planner no longer picks it for parent IS NULL;
    // resumed_by (every `show`); the runs a host was in (`runs --host`).
    R"sql(
DROP INDEX runs_started;
CREATE INDEX runs_list ON runs(started_at, id, status, parent, tags, user, task);
DROP INDEX runs_parent;
CREATE INDEX runs_parent ON runs(parent) WHERE parent IS NOT NULL;
CREATE INDEX runs_resumes ON runs(resumes) WHERE resumes IS NOT NULL;
CREATE INDEX hosts_host ON hosts(host, run_id);
)sql",
    // 13: the audit log (audit.cpp): who did what to which resource, allowed or denied, each
    // row chained to the one before by a SHA-256, and no row changed or deleted through SQL
    // (triggers; `leura gc` keeps it). run_id is no foreign key: gc deletes runs, not audit.
    R"sql(
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    via TEXT NOT NULL,
    action TEXT NOT NULL,
    resource TEXT NOT NULL,
    inventory TEXT NOT NULL DEFAULT '',
    host_count INTEGER NOT NULL DEFAULT 0,
    decision TEXT NOT NULL CHECK (decision IN ('allow', 'deny')),
    rule TEXT NOT NULL DEFAULT '',
    run_id TEXT,
    detail TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_at ON audit(at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
)sql",
    // 14: schedules (schedule_fires.cpp). One row per fire, keyed by the schedule and the
    // instant it was due, so two tickers can never start one fire twice; missed, skipped and
    // shifted fires are rows too. A run records what started it (triggered_by), and a run
    // started on someone's behalf claims its principal from a pending row by a one-time token.
    R"sql(
CREATE TABLE schedule_fires (
    schedule TEXT NOT NULL,
    scheduled_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    shift INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    run_id TEXT,
    pid INTEGER,
    decided_at TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (schedule, scheduled_at)
);
CREATE TABLE pending_runs (
    token_hash TEXT PRIMARY KEY,
    principal TEXT NOT NULL,
    triggered_by TEXT NOT NULL,
    run_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
ALTER TABLE runs ADD COLUMN triggered_by TEXT;
CREATE TABLE monitor_hosts (
    monitor TEXT NOT NULL,
    host TEXT NOT NULL,
    state TEXT NOT NULL,
    results TEXT NOT NULL DEFAULT '',
    ok_streak INTEGER NOT NULL DEFAULT 0,
    failed_reactions INTEGER NOT NULL DEFAULT 0,
    reactions TEXT NOT NULL DEFAULT '',
    reaction_run TEXT,
    last_escalation INTEGER NOT NULL DEFAULT 0,
    ack_until INTEGER NOT NULL DEFAULT 0,
    flapping INTEGER NOT NULL DEFAULT 0,
    changed_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (monitor, host)
);
CREATE TABLE monitor_checks (
    monitor TEXT NOT NULL,
    round_at INTEGER NOT NULL,
    host TEXT NOT NULL,
    result TEXT NOT NULL,
    exit_code INTEGER,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    output TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (monitor, round_at, host)
);
CREATE TABLE monitor_decisions (
    id INTEGER PRIMARY KEY,
    monitor TEXT NOT NULL,
    host TEXT NOT NULL,
    at INTEGER NOT NULL,
    state TEXT NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    run_id TEXT
);
CREATE INDEX monitor_decisions_host ON monitor_decisions(monitor, host, id);
)sql",
    // 15: API tokens (store/tokens.cpp). Only a token's sha256 is kept; its rights are its
    // scopes within its creator's rights at each use.
    R"sql(
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    creator TEXT NOT NULL,
    creator_uid INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    actions TEXT NOT NULL DEFAULT '[]',
    tasks TEXT NOT NULL DEFAULT '[]',
    revoked_at TEXT,
    last_used_at TEXT
);
)sql",
    // 16: what `leura serve` must remember across restarts: the Idempotency-Key of each run it
    // started (a day long), and the last of each Alertmanager alert a monitor was fed, so that
    // a notification sent again is not counted again. A monitor's checks get an id of their
    // own: alerts are results too, and several may arrive within one second.
    R"sql(
CREATE TABLE monitor_checks_16 (
    id INTEGER PRIMARY KEY,
    monitor TEXT NOT NULL,
    round_at INTEGER NOT NULL,
    host TEXT NOT NULL,
    result TEXT NOT NULL,
    exit_code INTEGER,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    output TEXT NOT NULL DEFAULT ''
);
INSERT INTO monitor_checks_16 (monitor, round_at, host, result, exit_code, duration_ms, output)
    SELECT monitor, round_at, host, result, exit_code, duration_ms, output FROM monitor_checks
    ORDER BY round_at, host;
DROP TABLE monitor_checks;
ALTER TABLE monitor_checks_16 RENAME TO monitor_checks;
CREATE INDEX monitor_checks_host ON monitor_checks(monitor, host, id);
CREATE TABLE api_idempotency (
    key TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    run_id TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE monitor_alerts (
    monitor TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    host TEXT NOT NULL,
    status TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (monitor, fingerprint)
);
)sql",
};

} // namespace

int latest_schema_version() {
    return int(k_migrations.size());
}

Status Store::migrate() {
    {
        // Scoped: a statement left open keeps a read transaction, and BEGIN IMMEDIATE cannot
        // then wait for another process's write (SQLite answers busy at once).
        auto version = Stmt::prepare(*m_db, "PRAGMA user_version");
        if (!version) return std::unexpected(version.error());
        LEURA_TRY(version->step());
        m_version = int(version->integer(0));
    }
    int latest = int(k_migrations.size());
    if (m_version > latest)
        return fail(ErrorKind::config, "the database has schema version " +
                                           std::to_string(m_version) + ", newer than this leura (" +
                                           std::to_string(latest) + "); upgrade leura");
    while (m_version < latest) {
        LEURA_TRY_ASSIGN(tx, Transaction::begin(*m_db));
        // Another process may have migrated while this one waited for the write lock. Scoped:
        // a statement still open makes DROP INDEX fail ("database table is locked").
        {
            auto again = Stmt::prepare(*m_db, "PRAGMA user_version");
            if (!again) return std::unexpected(again.error());
            LEURA_TRY(again->step());
            m_version = int(again->integer(0));
        }
        if (m_version >= latest) break;
        LEURA_TRY(m_db->exec(k_migrations[size_t(m_version)]));
        LEURA_TRY(m_db->exec("PRAGMA user_version = " + std::to_string(m_version + 1)));
        LEURA_TRY(tx.commit());
        ++m_version;
    }
    return {};
}

} // namespace leura::store
