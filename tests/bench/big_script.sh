#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On demand (not in ctest): how a step's start grows with its script's size. One host runs one
# step whose script is SIZE of `:` lines then `true`, with and without a timeout; the wall time
# of the run, median of REPS, for each size, and ms per MiB (linear growth keeps it flat).
#   tests/bench/big_script.sh [REPS=3] [SIZES_KIB="64 1024 4096 16384"]
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=${1:-3}
SIZES=${2:-64 1024 4096 16384}
. tests/bench/lib.sh
bench_fleet script 1
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ms() { local s e; s=$(date +%s%N); "$@" > /dev/null 2>&1 || { echo "big_script: failed" >&2; exit 1; }; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
printf '%-10s %-9s %10s %10s\n' "script" "timeout" "wall ms" "ms/MiB"
for kib in $SIZES; do
  awk -v n=$(( kib * 1024 / 80 )) 'BEGIN { for (i = 0; i < n; i++) printf ": %077d\n", i; print "true" }' > "$B/s.sh"
  for timed in no yes; do
    { printf '[[steps]]\nscript_file = "s.sh"\n'; [ $timed = yes ] && printf 'timeout = "600s"\n'; } > "$B/t.toml"
    for _ in $(seq 1 "$REPS"); do
      ms "$LEURA" run "$B/t.toml" -i "$B/fleet/inventory.toml" --known-hosts "$B/fleet/known_hosts"
    done | median > "$B/m"
    m=$(cat "$B/m")
    printf '%-10s %-9s %10s %10s\n' "${kib} KiB" "$timed" "$m" "$(awk "BEGIN { printf \"%.0f\", $m * 1024 / $kib }")"
  done
done
