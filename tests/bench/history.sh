#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On demand (not in ctest): reading a large history. A database of RUNS runs of HOSTS hosts
# and STEPS steps each (10,000 x 50 x 5 = 2.5 million step rows with their previews), then the
# median, min and max of REPS timings of `runs` (plain, --host, --tag and two filters that match
# nothing), `show` (a run in the middle and `last`) and `logs` (one host's previews, one step's
# on every host) and `search` (a line one host printed once, a word in every step up to
# --limit, and that word on one host since a day). The target is under 100 ms each.
#   RUNS=10000 HOSTS=50 STEPS=5 REPS=5 tests/bench/history.sh
#   ZSTD=0   previews stored plain (null codec, as before schema 11) instead of as zstd frames
#            (libzstd through ctypes, level 3, as store/compression.cpp writes them); both are
#            in the output index. Run it both ways for the database size with and without zstd.
#   LEURA_BIN=/path/to/leura   the binary to time (default build/leura)
#   BENCH_DIR=/tmp/hist        keep the database there (and reuse it when it is already full)
# Recording 10,000 real runs would take hours, so leura makes the database (its real schema,
# migrated) and python3's sqlite3 fills it by named columns (so columns added later with
# defaults change nothing). No host is touched.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-10000} HOSTS=${HOSTS:-50} STEPS=${STEPS:-5} REPS=${REPS:-5} ZSTD=${ZSTD:-1}
LEURA=$(realpath "${LEURA_BIN:-build/leura}")
PY=/usr/bin/python3
[ -x "$LEURA" ] || { echo "history: no leura at $LEURA (set LEURA_BIN)" >&2; exit 2; }
"$PY" -c 'import sqlite3' 2>/dev/null || { echo "history: needs python3 with sqlite3" >&2; exit 2; }
if [ -n "${BENCH_DIR:-}" ]; then
  B=$BENCH_DIR
  mkdir -p "$B"
else
  B=$(mktemp -d /tmp/leura-bench-history.XXXXXX)
  trap 'rm -rf "$B"' EXIT
fi
export LEURA_HOME=$B/data HOME=$B/home LEURA_PAGER=cat
mkdir -p "$HOME"
DB=$LEURA_HOME/leura.db

"$LEURA" runs >/dev/null 2>&1 # creates the database at the current schema
[ -f "$DB" ] || { echo "history: leura made no database at $DB" >&2; exit 1; }

t0=$(date +%s)
"$PY" - "$DB" "$RUNS" "$HOSTS" "$STEPS" "$ZSTD" <<'PY'
import ctypes, ctypes.util, random, sqlite3, sys, time

db, RUNS, HOSTS, STEPS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ZSTD = sys.argv[5] != "0"
con = sqlite3.connect(db, isolation_level=None)
have = con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
if have == RUNS:
    print(f"# reusing {db} ({have} runs)")
    sys.exit(0)
if have:
    sys.exit(f"history: {db} holds {have} runs, not {RUNS}: remove it or use another BENCH_DIR")

def columns(table):
    return {row[1] for row in con.execute(f"PRAGMA table_info({table})")}

def inserter(table, names):
    missing = [n for n in names if n not in columns(table)]
    if missing:
        sys.exit(f"history: table {table} has no column {', '.join(missing)}: update this script")
    return (f"INSERT INTO {table} ({', '.join(names)}) "
            f"VALUES ({', '.join('?' * len(names))})")

RUN_COLS = ["id", "task", "task_name", "task_hash", "task_text", "inventory", "targets", "user",
            "args", "started_at", "finished_at", "status", "exit_code", "hosts", "ok", "failed",
            "archive", "plan", "waves", "tags"]
BATCH_COLS = ["run_id", "wave", "planned_hosts", "hosts", "started_at", "finished_at", "ok",
              "failed", "failed_total", "gate"]
HOST_COLS = ["run_id", "host", "wave", "status", "error_kind", "error", "exit_code",
             "started_at", "finished_at", "duration_ms", "steps_run", "seq"]
STEP_COLS = ["run_id", "host", "idx", "name", "status", "exit_code", "error_kind", "error",
             "started_at", "duration_ms", "bytes_out", "bytes_err", "preview_out", "preview_err",
             "phase", "attempts", "preview_codec", "text_id"]

# Previews as leura writes them: a zstd frame each (ZSTD_compress puts the content size in the
# header, which leura reads first), nothing for no bytes; or plain bytes under a null codec.
if ZSTD:
    lib = ctypes.CDLL(ctypes.util.find_library("zstd") or "libzstd.so.1")
    lib.ZSTD_compressBound.restype = ctypes.c_size_t
    lib.ZSTD_compressBound.argtypes = [ctypes.c_size_t]
    lib.ZSTD_compress.restype = ctypes.c_size_t
    lib.ZSTD_compress.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p,
                                  ctypes.c_size_t, ctypes.c_int]
    lib.ZSTD_isError.argtypes = [ctypes.c_size_t]
def stored(data):
    if not ZSTD or not data:
        return data
    cap = lib.ZSTD_compressBound(len(data))
    buf = ctypes.create_string_buffer(cap)
    n = lib.ZSTD_compress(buf, cap, data, len(data), 3)
    if lib.ZSTD_isError(n):
        sys.exit("history: zstd failed")
    return buf.raw[:n]
CODEC = "zstd" if ZSTD else None
INDEX = ("INSERT INTO step_text (rowid, text) "
         "VALUES (?1, CAST(?2 AS TEXT) || char(10) || CAST(?3 AS TEXT))")
ins_run, ins_batch = inserter("runs", RUN_COLS), inserter("batches", BATCH_COLS)
ins_host, ins_step = inserter("hosts", HOST_COLS), inserter("steps", STEP_COLS)

rng = random.Random(20261122)
GROUPS = ["web", "db", "cache", "api", "batch"]
# 20 tasks: (library name, host group, tags, step names)
TASKS = [
    ("web/deploy", "web", ["web", "deploy"]), ("web/restart", "web", ["web", "restart"]),
    ("web/rotate-logs", "web", ["web", "logs"]), ("web/cert-renew", "web", ["web", "tls"]),
    ("db/backup", "db", ["db", "backup", "nightly"]), ("db/vacuum", "db", ["db", "maintenance"]),
    ("db/failover-check", "db", ["db", "audit"]), ("db/patch", "db", ["db", "patch"]),
    ("cache/flush", "cache", ["cache"]), ("cache/warm", "cache", ["cache", "deploy"]),
    ("cache/patch", "cache", ["cache", "patch"]), ("api/deploy", "api", ["api", "deploy"]),
    ("api/restart", "api", ["api", "restart"]), ("api/config-push", "api", ["api", "config"]),
    ("batch/cleanup", "batch", ["batch", "logs"]), ("batch/deploy", "batch", ["batch", "deploy"]),
    ("ops/disk-audit", "web", ["ops", "audit"]), ("ops/kernel-patch", "db", ["ops", "patch"]),
    ("ops/ntp-check", "api", ["ops", "audit"]), ("ops/security-scan", "cache", ["ops", "security"]),
]
STEP_NAMES = ["check", "fetch", "apply", "restart", "verify"]
STEP_NAMES += [f"step{k + 1}" for k in range(len(STEP_NAMES), STEPS)]
STEP_NAMES = STEP_NAMES[:STEPS]

def hosts_of(group):
    return [f"{group}{i + 1:03d}.dc{1 + i % 3}" for i in range(HOSTS)]

def task_text(name, tags):
    steps = "".join(f'\n[[steps]]\nname = "{s}"\ncommand = "/usr/local/bin/{name.replace("/", "-")}'
                    f' --{s} --env prod --timeout 300 \\"$LEURA_HOST\\""\ntimeout = "5m"\n'
                    for s in STEP_NAMES)
    return (f"# {name}: run by the on-call rotation; see the runbook in the wiki.\n"
            f'description = "{name}: {" ".join(tags)} across the fleet"\n'
            f"tags = [{', '.join(chr(34) + t + chr(34) for t in tags)}]\n"
            f'targets = "{name.split("/")[0]}"\n\n[rollout]\nbatches = [1, "100%"]\n'
            f'max_failed = "10%"\n' + steps)

def log_lines(n_bytes, seed):
    r = random.Random(seed)
    words = ["reading", "package", "lists", "unpacking", "setting", "up", "config", "service",
             "restarted", "checksum", "ok", "bytes", "connection", "pool", "ready", "upstream",
             "synced", "files", "changed", "rotated", "compressed", "status", "healthy"]
    out, size = [], 0
    while size < n_bytes:
        line = (f"2026-11-22T03:{r.randrange(60):02d}:{r.randrange(60):02d}Z {{host}} "
                f"[{r.choice(['info', 'info', 'info', 'notice', 'debug'])}] "
                + " ".join(r.choice(words) for _ in range(r.randrange(4, 14)))
                + f" ({r.randrange(100000)})\n")
        out.append(line)
        size += len(line)
    return "".join(out)

OUT_POOL = [log_lines(rng.randrange(200, 2000), k) for k in range(97)]
WARN_POOL = [log_lines(rng.randrange(60, 300), 1000 + k).replace("[info]", "[warn]")
             for k in range(13)]
# Runs every ten minutes up to an hour ago, so that "the last day" holds the newest 138.
BASE = int(time.time()) - RUNS * 600 - 3600
def rfc3339(t_ms):
    s = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t_ms // 1000))
    return f"{s}.{t_ms % 1000:03d}Z"
def run_id(t_ms, salt):
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime(t_ms // 1000)) + f"-{salt:04x}"

con.execute("PRAGMA synchronous=OFF")
con.execute("PRAGMA foreign_keys=OFF")
con.execute("BEGIN")
steps_done = 0
text_id = 0
for i in range(RUNS):
    name, group, tags = TASKS[rng.randrange(len(TASKS))]
    hosts = hosts_of(group)
    start = (BASE + i * 600) * 1000 + rng.randrange(1000)
    rid = run_id(start, rng.randrange(65536))
    failing = set(rng.sample(range(HOSTS), rng.randrange(1, 4))) if rng.random() < 0.08 else set()
    clock = start + 300
    host_rows, step_rows, index_rows = [], [], []
    for seq, host in enumerate(hosts):
        h_start = clock + seq * 7
        t = h_start
        for idx, step in enumerate(STEP_NAMES):
            dur = rng.randrange(40, 4000)
            out = OUT_POOL[(i * 31 + seq * 7 + idx) % len(OUT_POOL)].replace("{host}", host)
            err = WARN_POOL[(i + seq) % len(WARN_POOL)].replace("{host}", host) \
                if (i + seq + idx) % 11 == 0 else ""
            failed = seq in failing and idx == STEPS - 1
            if failed:
                err += f"{host}: {step}: health check failed: HTTP 503 from 127.0.0.1:8080\n"
            if i == RUNS // 2 and seq == HOSTS // 2 and idx == 0:
                out += f"one-of-a-kind-{i}: printed once in the whole history\n"
            text_id += 1
            out_b, err_b = out.encode(), err.encode()
            step_rows.append((rid, host, idx, step, "failed" if failed else "ok",
                              1 if failed else 0, "exit" if failed else None,
                              f'step "{step}" exited with 1' if failed else None, rfc3339(t), dur,
                              len(out), len(err), stored(out_b), stored(err_b), "steps", 1,
                              CODEC, text_id))
            index_rows.append((text_id, out_b, err_b))
            t += dur + 5
        bad = seq in failing
        host_rows.append((rid, host, 1 if seq == 0 else 2, "failed" if bad else "ok",
                          "exit" if bad else None,
                          f'step "{STEP_NAMES[-1]}" exited with 1' if bad else None,
                          1 if bad else 0, rfc3339(h_start), rfc3339(t), t - h_start, STEPS, seq))
    end = max(r[8] for r in host_rows)
    n_bad = len(failing)
    folded = f"{group}[001-{HOSTS:03d}].dc[1-3]"
    plan = ('{"hosts":%d,"affinity":"","waves":2,"plan":[{"wave":1,"hosts":1,"names":["%s"]},'
            '{"wave":2,"hosts":%d,"folded":"%s","names":[%s]}],"warnings":[],'
            '"targets":{"task":"%s","flag":null,"replaced":false,"selector":"%s"}}'
            % (HOSTS, hosts[0], HOSTS - 1, folded, ",".join(f'"{h}"' for h in hosts[1:]),
               group, group))
    con.execute(ins_run, (
        rid, f"/srv/runbooks/{name}.toml", name, f"{rng.getrandbits(256):064x}",
        task_text(name, tags), "/srv/inventory/prod.toml", group,
        rng.choice(["alice", "bob", "carol", "deploy-bot"]),
        f'["leura","run","{name}","-y"]', rfc3339(start), end,
        "failed" if n_bad else "ok", 1 if n_bad else 0, HOSTS, HOSTS - n_bad, n_bad,
        f"/var/lib/leura/archives/{rid}.tar.gz", plan, 2,
        "[" + ",".join(f'"{t}"' for t in tags) + "]"))
    con.execute(ins_batch, (rid, 1, 1, hosts[0], rfc3339(start + 300), rfc3339(start + 900),
                            1, 0, 0, "pass"))
    con.execute(ins_batch, (rid, 2, HOSTS - 1, folded, rfc3339(start + 900), end,
                            HOSTS - 1 - n_bad, n_bad, n_bad, "pass"))
    con.executemany(ins_host, host_rows)
    con.executemany(ins_step, step_rows)
    con.executemany(INDEX, index_rows)
    steps_done += len(step_rows)
    if (i + 1) % 500 == 0:
        con.execute("COMMIT")
        con.execute("BEGIN")
con.execute("COMMIT")
con.execute("INSERT INTO step_text (step_text) VALUES ('optimize')")
con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
print(f"# filled {db}: {RUNS} runs, {RUNS * HOSTS} hosts, {steps_done} steps")
PY
t1=$(date +%s)
echo "# database built in $((t1 - t0)) s"

# What to ask for: a run in the middle, one of its hosts, a tag of one task in twenty.
MID=$("$PY" -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(
  'SELECT id FROM runs ORDER BY started_at LIMIT 1 OFFSET ?', (int(sys.argv[2]) // 2,)
  ).fetchone()[0])" "$DB" "$RUNS")
MIDHOST=$("$PY" -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(
  'SELECT host FROM hosts WHERE run_id=? ORDER BY seq LIMIT 1 OFFSET ?',
  (sys.argv[2], int(sys.argv[3]) // 2)).fetchone()[0])" "$DB" "$MID" "$HOSTS")
HOST=web007.dc1 TAG=backup

# name|command...: each is run once and must succeed with output, then timed REPS times.
CASES=(
  "runs|runs"
  "runs --host $HOST|runs --host $HOST"
  "runs --tag $TAG|runs --tag $TAG"
  "show MID --no-pager|show $MID --no-pager"
  "show last --no-pager|show last --no-pager"
  "logs MID --host $MIDHOST|logs $MID --host $MIDHOST"
  "logs MID --step 3|logs $MID --step 3"
  "search one-of-a-kind (1 hit)|search one-of-a-kind-$((RUNS / 2))"
  "search upstream --limit 100|search upstream --limit 100"
  "search upstream --host H --since 1d|search upstream --host $HOST --since 1d"
  "runs --host nosuch.dc9 (0 hits)|runs --host nosuch.dc9"
  "runs --tag nosuchtag (0 hits)|runs --tag nosuchtag"
)
ms_of() { # cmd...: wall milliseconds of one run, output dropped
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000 ))
}
size=$(( $(stat -c %s "$DB") + $(stat -c %s "$DB-wal" 2>/dev/null || echo 0) ))
echo "# $RUNS runs x $HOSTS hosts x $STEPS steps; database $(( size / 1048576 )) MiB" \
  "(previews $([ "$ZSTD" = 0 ] && echo plain || echo zstd));" \
  "MID=$MID; median of $REPS (ms)"
printf '%-34s %8s %8s %8s  %s\n' COMMAND MEDIAN MIN MAX TARGET
for c in "${CASES[@]}"; do
  label=${c%%|*}
  read -r -a args <<< "${c#*|}"
  out=$("$LEURA" "${args[@]}" 2>&1) || true
  if [[ "$label" != *"0 hits"* ]] && { [ -z "$out" ] || [[ "$out" == leura:\ error* ]]; }; then
    echo "history: 'leura ${args[*]}' failed: ${out:0:200}" >&2
    exit 1
  fi
  us=$(for _ in $(seq 1 "$REPS"); do ms_of "$LEURA" "${args[@]}"; done | sort -n)
  read -r med min max < <(echo "$us" | awk '{ v[NR] = $1 } END {
    printf "%.1f %.1f %.1f\n", v[int((NR + 1) / 2)] / 1000, v[1] / 1000, v[NR] / 1000 }')
  verdict=ok
  awk -v m="$med" 'BEGIN { exit !(m >= 100) }' && verdict=SLOW
  printf '%-34s %8s %8s %8s  %s\n' "$label" "$med" "$min" "$max" "$verdict"
done
if [ -n "${BENCH_DIR:-}" ]; then echo "# database kept: $DB"; fi
