#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On demand (not in ctest): how fast `leura __complete` answers, the shell's wait on each TAB.
# Makes an inventory of HOSTS hosts (entries of 100 names as ranges, in groups rack-N and dc-N,
# with an az attribute; the same hosts one a line in a plain text inventory; and as one TOML
# entry each, the slowest form to read: toml++ parses the whole file on every TAB), a
# task library of TASKS tasks, and a database of RUNS runs of 20 hosts and 3 steps written
# through leura's own store (leura_search_fill); then prints the median of REPS timings of
# each completion. The goal: within 100 ms on 100,000 hosts and 10,000 runs.
#   tests/bench/completion.sh [HOSTS=100000] [RUNS=10000] [TASKS=500] [REPS=9]
# Needs build/leura and build/tests/leura_search_fill (ninja -C build leura leura_search_fill).
set -euo pipefail
cd "$(dirname "$0")/../.."
HOSTS=${1:-100000} RUNS=${2:-10000} TASKS=${3:-500} REPS=${4:-9}
LEURA=$(realpath "${LEURA_BIN:-build/leura}")
FILL=$(realpath "${LEURA_FILL:-build/tests/leura_search_fill}")
[ -x "$FILL" ] || { echo "completion: build it first: ninja -C build leura_search_fill" >&2; exit 2; }
B=$(mktemp -d /tmp/leura-bench-completion.XXXXXX)
trap 'rm -rf "$B"' EXIT
export LEURA_HOME=$B/data HOME=$B/home
mkdir -p "$HOME" "$LEURA_HOME" "$B/work/inventories" "$B/work/runbooks"
cd "$B/work"

t0=$(date +%s%N)
# Entries of 100 names: web-000001 .. as web-[000001-000100], racks of 100, 10 dcs, 3 zones.
awk -v n="$HOSTS" 'BEGIN {
  print "[defaults]\nuser = \"ops\"\n"
  for (i = 0; i * 100 < n; i++) {
    last = (i + 1) * 100 > n ? n : (i + 1) * 100
    printf "[[hosts]]\nnames = \"web-[%06d-%06d]\"\ngroups = [\"rack-%d\", \"dc-%d\"]\nattrs = { az = \"az%d\" }\n\n", i * 100 + 1, last, i, i % 10, i % 3
  }
}' > inventories/big.toml
# The same hosts, one entry each.
awk -v n="$HOSTS" 'BEGIN {
  for (i = 1; i <= n; i++)
    printf "[[hosts]]\nnames = \"web-%06d\"\ngroups = [\"rack-%d\"]\nattrs = { az = \"az%d\" }\n\n", i, int((i - 1) / 100), i % 3
}' > inventories/flat.toml
# The same hosts as a plain text inventory, one a line.
seq -f "web-%06g" 1 "$HOSTS" > inventories/plain.txt
for i in $(seq 1 "$TASKS"); do
  d=runbooks/team$((i % 20))
  mkdir -p "$d"
  printf 'description = "task %d"\ninventory = "big"\n[[steps]]\ncommand = "true"\n' "$i" > "$d/task$i.toml"
done
"$FILL" "$LEURA_HOME/leura.db" "$RUNS" 20 3 0
t1=$(date +%s%N)
echo "made: $HOSTS hosts (big.toml $(($(stat -c %s inventories/big.toml) / 1024)) KiB," \
     "flat.toml $(($(stat -c %s inventories/flat.toml) / 1024 / 1024)) MiB), $TASKS tasks," \
     "$RUNS runs x 20 hosts x 3 steps in $(( (t1 - t0) / 1000000 )) ms"

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
time_ms() { # cmd...: milliseconds of one run, with its output read as a shell would
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
bench() { # label args...: `leura __complete args...` (the first run's cache kept for the rest)
  local label=$1 i n
  shift
  n=$(( $("$LEURA" __complete "$@" | wc -l) - 1 ))
  printf '%-52s %5s ms  (%d candidates; median of %d)\n' "$label" \
    "$(for i in $(seq "$REPS"); do time_ms "$LEURA" __complete "$@"; done | median)" "$n" "$REPS"
}
last=$("$LEURA" __complete show "" | sed -n "1s/\t.*//p")
bench "subcommands: ru" ru
bench "tasks: run team1" run team1
bench "tasks: run (every task)" run ""
bench "hosts: run -i big -t '' (folded)" run -i big -t ""
bench "hosts: run -i big -t web-0421" run -i big -t web-0421
bench "hosts: run -i big -t 'rack-7,web-0000'" run -i big -t "rack-7,web-0000"
bench "hosts: run team1/task1 -t az (task's inventory)" run team1/task1 -t az
bench "hosts: run -i flat -t web-0421 (one entry a host)" run -i flat -t web-0421
XDG_CACHE_HOME=/proc/none bench "  the same, no cache (first TAB after a change)" run -i flat -t web-0421
bench "hosts: run -i inventories/plain.txt -t web-0421" run -i inventories/plain.txt -t web-0421
bench "hosts: ssh-config -i big web-09999" ssh-config -i big web-09999
bench "runs: show '' (newest 200)" show ""
bench "runs: show 20260101-0050 (a prefix)" show 20260101-0050
bench "run's hosts: logs LAST --host ''" logs "$last" --host ""
bench "run's steps: logs LAST --step ''" logs "$last" --step ""
