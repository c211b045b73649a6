#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On demand (not in ctest): the host's CPU per step. One host runs a task of 1 and of 51 `true`
# steps; the sshd serving it sits in a cgroup of its own, whose CPU time is read around each
# run. (51-step CPU - 1-step CPU) / 50 is the cost of an extra step; the 1-step CPU is compared
# with `ssh host true` on the same sshd. Medians of REPS. Needs root (cgroup v2).
#   tests/bench/step_cost.sh [REPS=5] [LEURA_BIN=...]
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=${1:-5}
. tests/bench/lib.sh
bench_fleet steps 1
CG=$(mount -t cgroup2 | awk 'NR == 1 { print $3 }')/leura-step-cost-$$
mkdir "$CG"
trap 'fleet_down "$B/fleet"; for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do echo "$p" > "$(dirname "$CG")/cgroup.procs"; done; rmdir "$CG"; rm -rf "$B"' EXIT
cat "$B"/fleet/sshd.*.pid > "$CG/cgroup.procs"
usage() { sed -n 's/^usage_usec //p' "$CG/cpu.stat"; }
task_of() { # N: a task of N true steps
  for i in $(seq 1 "$1"); do printf '[[steps]]\nname = "s%d"\ncommand = "true"\n' "$i"; done > "$B/t$1.toml"
  echo "$B/t$1.toml"
}
one=$(task_of 1) many=$(task_of 51)
port=$(fleet_port "$B/fleet")
measure() { # prints the sshd cgroup's CPU microseconds for one command
  local before after
  before=$(usage)
  "$@" > /dev/null 2>&1 || { echo "step_cost: failed: $*" >&2; exit 1; }
  sleep 0.2 # the session's processes are done and accounted
  after=$(usage)
  echo $(( after - before ))
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
run() { "$LEURA" run "$1" -i "$B/fleet/inventory.toml" --known-hosts "$B/fleet/known_hosts"; }
ssh_true() {
  ssh -q -p "$port" -i "$B/fleet/client_key" -o UserKnownHostsFile="$B/fleet/known_hosts" \
    -o KexAlgorithms=curve25519-sha256 -o BatchMode=yes 127.0.1.1 true
}
: > "$B/one"; : > "$B/many"; : > "$B/ssh"
for _ in $(seq 1 "$REPS"); do
  measure run "$one" >> "$B/one"
  measure run "$many" >> "$B/many"
  measure ssh_true >> "$B/ssh"
done
o=$(median < "$B/one") m=$(median < "$B/many") s=$(median < "$B/ssh")
echo "host CPU, medians of $REPS: leura 1 step ${o} us, 51 steps ${m} us, ssh host true ${s} us"
echo "per extra step: $(( (m - o) / 50 )) us; 1-step leura / ssh true: $(awk "BEGIN { printf \"%.2f\", $o / $s }")"
