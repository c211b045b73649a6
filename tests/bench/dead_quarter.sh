#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On demand: one `true` step on HOSTS loopback hosts of which a quarter are dead in various
# ways (connection refused, black hole, a banner that never comes, endless chatter, and the
# rest of them live), with --connect-timeout TIMEOUT and one attempt. Prints the wall time:
# it should stay near one timeout, whatever the number of dead hosts.
#   tests/bench/dead_quarter.sh [HOSTS=200] [TIMEOUT=5s]
set -euo pipefail
cd "$(dirname "$0")/../.."
HOSTS=${1:-200} TIMEOUT=${2:-5s}
LEURA=$(realpath "${LEURA_BIN:-build/leura}")
. tests/fixtures/fleet.sh
B=$(mktemp -d /tmp/leura-bench-dead.XXXXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; fleet_down "$B/fleet"; rm -rf "$B"' EXIT
dead=$((HOSTS / 4)) live=$((HOSTS - HOSTS / 4))
FLEET_LOGLEVEL=ERROR fleet_up "$B/fleet" "$live" "KexAlgorithms curve25519-sha256" >/dev/null
port=$(fleet_port "$B/fleet")
key=$(cut -d' ' -f1,2 "$B/fleet/host_key.pub")
cp "$B/fleet/known_hosts" "$B/known_hosts"
declare -A addrs
for i in $(seq 1 "$dead"); do
  mode=$(( i % 4 ))
  a="127.0.3.$i"
  case $mode in 1) addrs[blackhole]+="$a," ;; 2) addrs[silent]+="$a," ;; 3) addrs[chatter]+="$a," ;; esac
  echo "[$a]:$port $key" >> "$B/known_hosts"
done
for mode in blackhole silent chatter; do
  [ -n "${addrs[$mode]:-}" ] || continue
  python3 tests/fixtures/faultd.py "$mode" "${addrs[$mode]%,}" "$port" "$B/$mode.pid" &
  pids+=($!)
done
sleep 1
sed "s|^names = \"127.0.1.\[1-$live\]\"|names = [\"127.0.1.[1-$live]\", \"127.0.3.[1-$dead]\"]|" \
  "$B/fleet/inventory.toml" > "$B/inv.toml"
grep -q "127.0.3" "$B/inv.toml"
printf '[[steps]]\ncommand = "true"\n' > "$B/t.toml"
export LEURA_HOME=$B/data
start=$(date +%s%N)
set +e
"$LEURA" run "$B/t.toml" -i "$B/inv.toml" --known-hosts "$B/known_hosts" -q \
  --connect-timeout "$TIMEOUT" --connect-attempts 1 > "$B/out" 2>&1
rc=$?
[ "$rc" != 2 ] || { cat "$B/out" "$B/inv.toml" >&2; }
set -e
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "hosts=$HOSTS live=$live dead=$dead (refused $((dead / 4)), black hole, silent, chatter) rc=$rc"
grep -c "^unreachable" "$B/out" | sed 's/^/unreachable=/'
echo "wall=${ms}ms connect_timeout=$TIMEOUT concurrency=100 (default)"
