#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On demand (not in ctest): `leura search` over a big database. leura_search_fill writes RUNS
# runs of HOSTS hosts and STEPS steps of log-like output (about KIB KiB a step) through leura's
# own store, as runs record them (compressed previews, the output index); then the median of
# REPS timings of: a string in one step of one run, a word in every step (stopped at --limit
# 100), that word on one host in the last day, and a pattern without words (no index: reads
# every step). No host is touched.
#   tests/bench/search.sh [RUNS=1000] [HOSTS=5] [STEPS=3] [KIB=8] [REPS=5]
# Needs build/leura and build/tests/leura_search_fill (ninja -C build leura leura_search_fill).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-1000} HOSTS=${2:-5} STEPS=${3:-3} KIB=${4:-8} REPS=${5:-5}
LEURA=$(realpath "${LEURA_BIN:-build/leura}")
FILL=$(realpath "${LEURA_FILL:-build/tests/leura_search_fill}")
[ -x "$FILL" ] || { echo "search: build it first: ninja -C build leura_search_fill" >&2; exit 2; }
B=$(mktemp -d /tmp/leura-bench-search.XXXXXX)
trap 'rm -rf "$B"' EXIT
export LEURA_HOME=$B/data HOME=$B/home
mkdir -p "$HOME" "$LEURA_HOME"

t0=$(date +%s%N)
"$FILL" "$LEURA_HOME/leura.db" "$RUNS" "$HOSTS" "$STEPS" "$KIB"
t1=$(date +%s%N)
steps=$((RUNS * HOSTS * STEPS))
"$LEURA" runs >/dev/null # recovers nothing; checkpoints nothing: the size is the file's
size=$(du -b "$LEURA_HOME"/leura.db* | awk '{ s += $1 } END { print s }')
echo "filled: $RUNS runs x $HOSTS hosts x $STEPS steps = $steps steps of ~$KIB KiB" \
     "in $(( (t1 - t0) / 1000000 )) ms; database $((size / 1024 / 1024)) MiB"

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
time_ms() { # cmd...: milliseconds of one run (its output dropped)
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
bench() { # label cmd...
  local label=$1 i
  shift
  printf '%-44s %6s ms (median of %d)\n' "$label" \
    "$(for i in $(seq "$REPS"); do time_ms "$@"; done | median)" "$REPS"
}
needle=needle-$((RUNS / 2))
"$LEURA" search "$needle" | grep -q "web-1 step 1" || { echo "search: the needle is not found" >&2; exit 1; }
bench "search $needle (one step)" "$LEURA" search "$needle"
bench "search oom (every step; --limit 100)" "$LEURA" search oom
bench "search 'disk usage' --host web-3" "$LEURA" search 'disk usage' --host web-3
bench "search = --limit 10 (no words: no index)" "$LEURA" search "=" --limit 10
bench "search zzz-none (no match)" "$LEURA" search zzz-none
