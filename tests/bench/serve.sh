#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On demand (not in ctest): `leura serve` under load. While a run on HOSTS loopback hosts
# records (a task of STEPS short steps, started through the API), GET /v1/runs at RATE
# requests/s and POST /v1/runs (one-host tasks, in turn) at a tenth of it for SECONDS, over TCP with a
# token, with IDLE open event streams on the side; then p50/p99 latency of each, and the same
# GET on an idle server for comparison (tests/bench/serve_load.py).
#   tests/bench/serve.sh [HOSTS=200] [RATE=100] [SECONDS=20] [IDLE=200] [STEPS=20] [POST_RATE=RATE/10]
set -euo pipefail
cd "$(dirname "$0")/../.."
HOSTS=${1:-200} RATE=${2:-100} SECS=${3:-20} IDLE=${4:-200} STEPS=${5:-20} POSTS=${6:-$((${2:-100} / 10))}
. tests/bench/lib.sh
bench_fleet serve "$HOSTS"
export XDG_CONFIG_HOME=$B/config
mkdir -p "$XDG_CONFIG_HOME/leura/runbooks"
printf 'known_hosts = "%s"\ninventory = "%s"\n' "$B/fleet/known_hosts" "$B/fleet/inventory.toml" \
  > "$XDG_CONFIG_HOME/leura/config.toml"
for i in $(seq 1 "$STEPS"); do printf '[[steps]]\nname = "s%d"\ncommand = "sleep 0.2"\n' "$i"; done \
  > "$XDG_CONFIG_HOME/leura/runbooks/fleet.toml"
# One task per concurrent POST: a task runs once at a time (its lock), so the POSTs rotate.
for i in $(seq 0 49); do
  printf '[[steps]]\nname = "one"\ncommand = "true"\n' > "$XDG_CONFIG_HOME/leura/runbooks/one-$i.toml"
done
"$LEURA" serve --socket "$B/api.sock" --listen 127.0.0.1:0 --no-tick > "$B/serve.out" 2> "$B/serve.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; fleet_down "$B/fleet"; rm -rf "$B"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$B/serve.out" && break; sleep 0.1; done
URL=$(sed -n 's/.* \(http:\/\/127.0.0.1:[0-9]*\).*/\1/p' "$B/serve.out")
TOKEN=$("$LEURA" token create --name bench --expires 1h 2> /dev/null)
/usr/bin/python3 tests/bench/serve_load.py "$URL" "$TOKEN" "$RATE" "$SECS" "$IDLE" "$HOSTS" "$POSTS"
