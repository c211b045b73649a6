#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The benchmark against the peers, on demand (never in CI): installs pdsh, pssh, clustershell
# and ansible-core from Debian, builds leura, then runs tests/bench/bench.py with these
# arguments (defaults: W1 and W2 at 100, 500 and 1,000 hosts, W3 and W4 at 100, one host
# serially; medians of 3). Needs root (a network namespace and cgroups). About 25 minutes.
#   tests/bench/run.sh --sizes 100 --reps 5 --workloads W1 --out /tmp/w1.md
# Host CPU (issue 12: within 10 % of `ssh host true`), sshd on a core of its own:
#   tests/bench/run.sh --sizes 300 --workloads W1,W2 --tools leura,xargs --reps 5 --split-cores
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/deps.sh
peers=(pdsh pssh clustershell ansible-core time)
missing=()
for p in "${peers[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
tools/build.sh
exec python3 tests/bench/bench.py "$@"
