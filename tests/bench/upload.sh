#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On-demand benchmark (not part of ctest): upload a file of MiB mebibytes to one loopback host
# with a leura `upload` step and with scp, in the same run; wall times and leura's peak RSS.
#   tests/bench/upload.sh [MiB=100] [REPS=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
MIB=${1:-100} REPS=${2:-3}
. tests/bench/lib.sh
bench_fleet upload 1
port=$(fleet_port "$B/fleet")
head -c $((MIB * 1024 * 1024)) /dev/urandom > "$B/file.bin"
for r in $(seq 1 "$REPS"); do
  printf '[[steps]]\nupload = { src = "file.bin", dest = "%s/leura-%s.bin" }\n' "$B" "$r" > "$B/t$r.toml"
  /usr/bin/time -f "leura %e s, cpu %U+%S s, peak RSS %M KB" "$LEURA" run "$B/t$r.toml" -i "$B/fleet/inventory.toml" \
    --known-hosts "$B/fleet/known_hosts" >/dev/null 2>"$B/err"; tail -1 "$B/err"
  cmp -s "$B/file.bin" "$B/leura-$r.bin" || echo "leura: content differs!"
  /usr/bin/time -f "scp   %e s, cpu %U+%S s" scp -q -P "$port" -i "$B/fleet/client_key" \
    -o UserKnownHostsFile="$B/fleet/known_hosts" -o BatchMode=yes \
    -o KexAlgorithms=curve25519-sha256 "$B/file.bin" "127.0.1.1:$B/scp-$r.bin" 2>&1 | tail -1
  rm -f "$B/leura-$r.bin" "$B/scp-$r.bin"
done
