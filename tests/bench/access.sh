#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On demand (not in ctest): what the access checks cost `runs` and `show` on a database of RUNS
# runs (tests/bench/search_fill.cpp writes them, all started by "bench"). A throwaway account
# runs leura with no policy, with a policy that shows it every run (runs = "all"), and with one
# that shows it only its own (none of these: `runs` then checks every run and lists nothing).
# Medians of REPS. Needs root (useradd) and build/tests/leura_search_fill.
#   tests/bench/access.sh [RUNS=10000] [REPS=9]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-10000} REPS=${2:-9}
LEURA=$(realpath "${LEURA_BIN:-build/leura}")
FILL=$(realpath "${LEURA_FILL:-build/tests/leura_search_fill}")
[ -x "$FILL" ] || { echo "access: build it first: ninja -C build leura_search_fill" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "access: needs root (a throwaway account)" >&2; exit 2; }
user=lt-bench$$
B=$(mktemp -d /tmp/leura-bench-access.XXXXXX)
useradd -M -d "$B" -s /bin/sh "$user"
trap 'userdel "$user"; rm -rf "$B"' EXIT
mkdir -p "$B/data"
"$FILL" "$B/data/leura.db" "$RUNS" 20 3 0 >/dev/null
printf '[[grant]]\nid = "all"\nwho = ["user:%s"]\nallow = ["view"]\nruns = "all"\n' "$user" \
  > "$B/all.toml"
printf '[[grant]]\nid = "own"\nwho = ["user:%s"]\nallow = ["view"]\n' "$user" > "$B/own.toml"
chown -R "$user:$user" "$B"
chmod 0644 "$B"/*.toml

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
bench() { # label policy args...: median milliseconds of `leura args...` as the account
  local label=$1 policy=$2 i t0 t1; shift 2
  for i in $(seq 1 "$REPS"); do
    t0=$(date +%s%N)
    runuser -u "$user" -- env HOME="$B" LEURA_HOME="$B/data" ${policy:+LEURA_ACCESS_FILE=$policy} \
      "$LEURA" "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 ))
  done | median | xargs printf '%-44s %5s ms\n' "$label"
}
last=$(runuser -u "$user" -- env HOME="$B" LEURA_HOME="$B/data" "$LEURA" runs --json --limit 1 |
  sed -n 's/.*"run":"\([^"]*\)".*/\1/p')
echo "access checks on $RUNS runs, medians of $REPS:"
bench "runs (no policy)" "" runs
bench "runs (policy: every run visible)" "$B/all.toml" runs
bench "runs (policy: none visible, all checked)" "$B/own.toml" runs
bench "show $last (no policy)" "" show "$last"
bench "show $last (policy: visible)" "$B/all.toml" show "$last"
