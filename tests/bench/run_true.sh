#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On-demand benchmark (not part of ctest): a one-step `true` task on N loopback hosts, leura
# against `xargs -P C ssh` on the same fleet in the same run. Per repetition: wall time, client
# CPU (user+sys of the client and its children) and peak RSS; then medians.
#   tests/bench/run_true.sh [N=200] [REPS=3] [CONCURRENCY=64]
# The fleet is tests/fixtures/fleet.sh's (up to 254 loopback hosts), with curve25519-sha256
# pinned so both clients do the same key exchange. Needs the release binary in build/leura
# (tools/build.sh), or LEURA_BIN.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-200} REPS=${2:-3} C=${3:-64}
. tests/bench/lib.sh
bench_fleet true "$N"
F=$B/fleet
printf '[[steps]]\ncommand = "true"\n' > "$B/true.toml"
for i in $(seq 1 "$N"); do fleet_addr "$i"; done > "$B/hosts.txt"
cat > "$B/ssh_config" <<EOF
Host 127.*
    Port $(fleet_port "$F")
    User $(id -un)
    IdentityFile $F/client_key
    IdentitiesOnly yes
    UserKnownHostsFile $F/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    BatchMode yes
    LogLevel ERROR
    ConnectTimeout 10
EOF

measure() { # label cmd...: prints "label wall cpu rss_kb"
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$B/time" "$@" >"$B/stdout" 2>"$B/stderr" || true
  read -r wall user sys rss < "$B/time"
  echo "$label $wall $(echo "$user + $sys" | bc) $rss"
}
for _ in $(seq 1 "$REPS"); do
  measure leura "$LEURA" run "$B/true.toml" -i "$F/inventory.toml" \
    --known-hosts "$F/known_hosts" --concurrency "$C"
  grep -q "$N ok, 0 failed" "$B/stdout" ||
    { echo "leura run failed:" >&2; tail -3 "$B/stdout" "$B/stderr" >&2; }
  measure xargs-ssh xargs -a "$B/hosts.txt" -P "$C" -I{} ssh -F "$B/ssh_config" {} true
done | tee "$B/results"
echo "# medians over $REPS runs, $N hosts, concurrency $C: label wall_s client_cpu_s peak_rss_kb"
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
for l in leura xargs-ssh; do
  echo "$l $(grep "^$l " "$B/results" | cut -d' ' -f2 | median)" \
    "$(grep "^$l " "$B/results" | cut -d' ' -f3 | median)" \
    "$(grep "^$l " "$B/results" | cut -d' ' -f4 | median)"
done
