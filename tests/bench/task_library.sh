#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On demand (not in ctest): the task library at size. A library of TASKS tasks (20 folders,
# three steps each, a tenth of them about nginx) and a database with RUNS runs of them; then
# the median of REPS timings of `leura task list` and `leura task search WORD`.
#   tests/bench/task_library.sh [TASKS=1000] [RUNS=10000] [REPS=5] [WORD=nginx]
# Runs through leura would need a fleet and minutes, so leura makes the database (its real
# schema, migrated) and sqlite3 fills `runs` in one statement. No host is touched.
set -euo pipefail
cd "$(dirname "$0")/../.."
TASKS=${1:-1000} RUNS=${2:-10000} REPS=${3:-5} WORD=${4:-nginx}
LEURA=$(realpath "${LEURA_BIN:-build/leura}")
command -v sqlite3 >/dev/null || { echo "task_library: needs the sqlite3 command" >&2; exit 2; }
B=$(mktemp -d /tmp/leura-bench-library.XXXXXX)
trap 'rm -rf "$B"' EXIT
export LEURA_HOME=$B/data HOME=$B/home
mkdir -p "$HOME" "$B/runbooks"
cd "$B"

for i in $(seq 0 $((TASKS - 1))); do
  dir=runbooks/team$((i % 20))
  mkdir -p "$dir"
  if [ $((i % 10)) = 0 ]; then what="reload nginx"; tag=web; else what="rotate the logs"; tag=ops; fi
  cat > "$dir/task$i.toml" <<TOML
# task $i: $what on the hosts it selects.
description = "task $i: $what"
tags = ["$tag", "team$((i % 20))"]

[[steps]]
name = "check"
command = "test -d /etc"

[[steps]]
name = "do"
command = "echo $what on \$LEURA_HOST"

[[steps]]
name = "verify"
script = '''
#!/bin/sh
set -e
echo done
'''
TOML
done

"$LEURA" runs >/dev/null 2>&1 # creates the database at the current schema
sqlite3 "$LEURA_HOME/leura.db" <<SQL
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $RUNS)
INSERT INTO runs (id, task, task_name, task_hash, inventory, targets, user, args, started_at,
                  finished_at, status, exit_code, hosts, ok, tags)
SELECT printf('20260101-%06d-%04x', i, i % 65536),
       printf('$B/runbooks/team%d/task%d.toml', (i % $TASKS) % 20, i % $TASKS),
       printf('team%d/task%d', (i % $TASKS) % 20, i % $TASKS),
       hex(randomblob(32)), '/inv.toml', '', 'bench', '["leura","run"]',
       strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', printf('+%d seconds', i * 60)),
       strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', printf('+%d seconds', i * 60 + 5)),
       CASE WHEN i % 7 = 0 THEN 'failed' ELSE 'ok' END, CASE WHEN i % 7 = 0 THEN 1 ELSE 0 END,
       10, 10, '["ops"]'
FROM n;
SQL

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
time_ms() { # cmd...: milliseconds of one run (its output dropped)
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
rows=$("$LEURA" task list | tail -n +2 | wc -l)
hits=$("$LEURA" task search "$WORD" | tail -n +2 | wc -l)
[ "$rows" = "$TASKS" ] || { echo "task_library: task list showed $rows tasks" >&2; exit 1; }
list=$(for _ in $(seq 1 "$REPS"); do time_ms "$LEURA" task list; done | median)
search=$(for _ in $(seq 1 "$REPS"); do time_ms "$LEURA" task search "$WORD"; done | median)
echo "# $TASKS tasks, $(sqlite3 "$LEURA_HOME/leura.db" 'SELECT COUNT(*) FROM runs') runs; median of $REPS"
echo "task list            ${list} ms"
echo "task search $WORD    ${search} ms ($hits tasks match)"
