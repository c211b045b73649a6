#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On-demand benchmark (not part of ctest): a one-step `true` task on N loopback hosts, leura
# against `xargs -P C ssh` on the same fleet in the same run. Per repetition: wall time, client
# CPU (user+sys of the client and its children) and peak RSS; then medians.
#   tests/bench/run_true.sh [N=200] [REPS=3] [CONCURRENCY=64]
# The fleet is ../shared/fleet (one sshd for up to thousands of 127.x hosts), with
# curve25519-sha256 pinned so both clients do the same key exchange. Needs the release binary
# in build/leura (tools/build.sh), or LEURA_BIN.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-200} REPS=${2:-3} C=${3:-64}
LEURA=$(realpath "${LEURA_BIN:-build/leura}")
FLEET=${FLEET:-../shared/fleet/fleet}
B=$(mktemp -d /tmp/leura-bench.XXXXXX)
trap '"$FLEET" down --dir "$B/fleet" >/dev/null 2>&1; rm -rf "$B"' EXIT
"$FLEET" up "$N" --dir "$B/fleet" --kex curve25519-sha256 --port "${BENCH_PORT:-2299}" 2>/dev/null
printf '[[steps]]\ncommand = "true"\n' > "$B/true.toml"
export LEURA_HOME=$B/data

measure() { # label cmd...: prints "label wall cpu rss_kb"
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$B/time" "$@" >/dev/null 2>"$B/stderr" || true
  read -r wall user sys rss < "$B/time"
  echo "$label $wall $(echo "$user + $sys" | bc) $rss"
}
for _ in $(seq 1 "$REPS"); do
  measure leura "$LEURA" run "$B/true.toml" -i "$B/fleet/inventory.toml" \
    --known-hosts "$B/fleet/known_hosts" --concurrency "$C"
  grep -q "$N ok, 0 failed" "$B/stderr" || { echo "leura run failed:" >&2; tail -3 "$B/stderr" >&2; }
  measure xargs-ssh xargs -a "$B/fleet/hosts.txt" -P "$C" -I{} ssh -F "$B/fleet/ssh_config" {} true
done | tee "$B/results"
echo "# medians over $REPS runs, $N hosts, concurrency $C: label wall_s client_cpu_s peak_rss_kb"
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
for l in leura xargs-ssh; do
  echo "$l $(grep "^$l " "$B/results" | cut -d' ' -f2 | median)" \
    "$(grep "^$l " "$B/results" | cut -d' ' -f3 | median)" \
    "$(grep "^$l " "$B/results" | cut -d' ' -f4 | median)"
done
