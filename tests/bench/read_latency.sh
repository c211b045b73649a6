#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On demand: how long the reading commands (`runs`, `show`, `logs`) take while a run of HOSTS
# loopback hosts records as fast as it can (each host runs STEPS short steps at once with
# output). Prints the median and the worst of each; the promise is that none waits behind the
# live run for more than 200 ms. Bounded: at most 100 reads of each.
#   tests/bench/read_latency.sh [HOSTS=200] [STEPS=10]
set -euo pipefail
cd "$(dirname "$0")/../.."
HOSTS=${1:-200} STEPS=${2:-10}
. tests/bench/lib.sh
bench_fleet read "$HOSTS"
export HOME=$B/home
mkdir -p "$HOME"
{
  for s in $(seq 1 "$STEPS"); do printf '[[steps]]\nname = "s%d"\ncommand = "seq 1 2000; sleep 0.2"\n' "$s"; done
} > "$B/task.toml"
# One finished run to read back while the next one records.
"$LEURA" run "$B/task.toml" -i "$B/fleet/inventory.toml" --known-hosts "$B/fleet/known_hosts" \
  --concurrency "$HOSTS" -q >/dev/null 2>&1
first=$("$LEURA" runs --json --limit 1 | sed -n 's/.*"run":"\([^"]*\)".*/\1/p')
"$LEURA" run "$B/task.toml" -i "$B/fleet/inventory.toml" --known-hosts "$B/fleet/known_hosts" \
  --concurrency "$HOSTS" -q >/dev/null 2>&1 &
run=$!
for cmd in "runs" "show $first" "logs $first --host 127.0.1.7"; do
  : > "$B/times"
  for _ in $(seq 1 100); do
    kill -0 "$run" 2>/dev/null || break
    t0=$(date +%s%N)
    # shellcheck disable=SC2086
    "$LEURA" $cmd >/dev/null 2>&1
    echo $(( ($(date +%s%N) - t0) / 1000000 )) >> "$B/times"
  done
  n=$(wc -l < "$B/times")
  [ "$n" -gt 0 ] || { echo "$cmd: the run ended before any read"; continue; }
  sort -n "$B/times" > "$B/sorted"
  echo "$cmd: $n reads during the run, median $(sed -n "$(( (n + 1) / 2 ))p" "$B/sorted") ms, worst $(tail -1 "$B/sorted") ms"
done
wait "$run" || true
