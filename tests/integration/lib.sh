# SPDX-License-Identifier: Apache-2.0
# Shared by every integration test: a private directory, a private data dir and HOME, the
# loopback fleet, and assertions. A failing test keeps its directory and says where.
set -euo pipefail

: "${LEURA_BIN:?set LEURA_BIN to the leura binary (ctest does)}"
: "${LEURA_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck source=../fixtures/fleet.sh
. "$LEURA_SOURCE_DIR/tests/fixtures/fleet.sh"

mkdir -p "${LEURA_TEST_ROOT:=/tmp/leura-tests}"
T=$(mktemp -d "$LEURA_TEST_ROOT/$(basename "$0" .sh).XXXXXX")
F=$T/fleet
export LEURA_HOME=$T/data HOME=$T/home
mkdir -p "$HOME"
unset SSH_AUTH_SOCK XDG_DATA_HOME NO_COLOR

# Extra clean-up a test registers: at_exit 'command ...'
AT_EXIT=()
at_exit() { AT_EXIT+=("$1"); }

finish() {
  local rc=$? c
  for c in "${AT_EXIT[@]}"; do eval "$c" || true; done
  fleet_down "$F"
  if [ "$rc" = 0 ]; then rm -rf "$T"; else echo "FAILED: kept $T (sshd.log, data, output)" >&2; fi
}
trap finish EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# ctest ends a test that runs over its time with a signal the exit trap may never see, and the
# fleet's sshd runs detached: a watcher ends the fleet once this test's shell is gone.
fleet_up_watched() {
  fleet_up "$@"
  local test_pid=$$ dir=$1
  ( trap '' HUP; while kill -0 "$test_pid" 2>/dev/null; do sleep 1; done; fleet_down "$dir" ) \
    >/dev/null 2>&1 </dev/null &
}

# fleet_settings: a config dir of this test's own whose config.toml points leura at the fleet
# ($F's known_hosts and inventory) and whose task library ($lib) starts empty.
fleet_settings() {
  export XDG_CONFIG_HOME=$T/config
  lib=$XDG_CONFIG_HOME/leura/runbooks
  mkdir -p "$lib"
  printf 'known_hosts = "%s"\ninventory = "%s"\n' "$F/known_hosts" "$F/inventory.toml" \
    > "$XDG_CONFIG_HOME/leura/config.toml"
}

# stand_in_monitor: after fleet_settings, the example monitor "svc" (runbooks/examples/monitors/
# stand-in-service.toml) and its reaction and escalation tasks, their stand-in service files
# under $T/svc (a file per host), the fleet's inventory theirs.
stand_in_monitor() {
  local ex=$LEURA_SOURCE_DIR/runbooks/examples f
  mkdir -p "$XDG_CONFIG_HOME/leura/monitors" "$T/svc"
  for f in start-stand-in notify-stand-in; do
    sed -e "s|/var/tmp/leura-demo-service|$T/svc|g" -e '/^inventory = /d' "$ex/$f.toml" > "$lib/$f.toml"
  done
  sed -e "s|/var/tmp/leura-demo-service|$T/svc|g" -e '/^inventory = /d' \
    "$ex/monitors/stand-in-service.toml" > "$XDG_CONFIG_HOME/leura/monitors/svc.toml"
}

# api METHOD PATH [curl args]: a request to `leura serve` over TCP at $URL when it is set, else
# on the socket $S; the body goes to $T/body, the headers to $T/headers, the status to $code.
api() {
  local method=$1 path=$2
  shift 2
  if [ -n "${URL:-}" ]; then
    code=$(curl -sS -X "$method" -o "$T/body" -D "$T/headers" -w '%{http_code}' "$@" "$URL$path")
  else
    code=$(curl -sS --unix-socket "$S" -X "$method" -o "$T/body" -D "$T/headers" \
      -w '%{http_code}' "$@" "http://leura$path")
  fi
}
expect_code() { [ "$code" = "$1" ] || fail "HTTP $code, expected $1: $(cat "$T/body")"; }
# field PYTHON-SUBSCRIPT: that part of the JSON in $T/body, as Python prints it.
field() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$1)" "$T/body"; }

# leura ARGS...: runs the binary, keeping stdout in $T/out, stderr in $T/err, status in $rc.
leura() {
  set +e
  "$LEURA_BIN" "$@" > "$T/out" 2> "$T/err"
  rc=$?
  set -e
}

expect_rc() {
  [ "$rc" = "$1" ] || { echo "--- stdout"; cat "$T/out"; echo "--- stderr"; cat "$T/err"; fail "exit status $rc, expected $1"; } >&2
}
expect_out() { grep -qE -- "$1" "$T/out" || { cat "$T/out" >&2; fail "stdout lacks /$1/"; }; }
expect_err() { grep -qE -- "$1" "$T/err" || { cat "$T/err" >&2; fail "stderr lacks /$1/"; }; }
not_out() { ! grep -qE -- "$1" "$T/out" || { cat "$T/out" >&2; fail "stdout has /$1/"; }; }

# The status of the run whose `show --json` is in $T/out (its top-level one).
run_status() {
  /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("status", ""))' "$T/out" 2>/dev/null
}

# wait_status RUN STATUS TENTHS: until `show RUN` says STATUS (the run starts detached).
wait_status() {
  local i
  for i in $(seq 1 "$3"); do
    leura show "$1" --json
    # The run's own status: a host's or a step's "status" says nothing of the run's.
    [ "$rc" = 0 ] && [ "$(run_status)" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

# wait_finished RUN TENTHS: until RUN is recorded and no longer running (it ended somehow).
wait_finished() {
  local i
  for i in $(seq 1 "$2"); do
    leura show "$1" --json
    [ "$rc" = 0 ] && [ -n "$(run_status)" ] && [ "$(run_status)" != running ] && return 0
    sleep 0.1
  done
  return 1
}

# A listener on loopback ADDR that takes TCP connections and never says a word (a hung
# host); it lives until the test ends. Sets $silent_port: silent_listener ADDR
silent_listener() {
  local addr=$1 pid
  /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket()
s.bind((sys.argv[1], 0))
s.listen(128)
print(s.getsockname()[1], flush=True)
time.sleep(60)
' "$addr" > "$T/silent.port" &
  pid=$!
  at_exit "kill $pid"
  for _ in $(seq 1 50); do [ -s "$T/silent.port" ] && break; sleep 0.1; done
  silent_port=$(cat "$T/silent.port")
  [ -n "$silent_port" ] || fail "the silent listener did not start"
}

# A task file under $T with the given TOML body; prints its path.
task() {
  local name=$1 body=$2
  printf '%s\n' "$body" > "$T/$name.toml"
  echo "$T/$name.toml"
}

# The run id of the newest run.
last_run() { "$LEURA_BIN" runs --json --limit 1 | sed -n 's/.*"run":"\([^"]*\)".*/\1/p'; }

# sqlite3 is not needed: the records are read back through leura itself or run.json.
run_leura() { leura run "$@" -i "$F/inventory.toml" --known-hosts "$F/known_hosts"; }

# An inventory of the fleet's first CLUSTERS*SIZE hosts in clusters c1.. of SIZE hosts, cluster
# cK in zone az((K-1)%3+1): rollout_inventory FILE CLUSTERS SIZE
rollout_inventory() {
  local file=$1 clusters=$2 size=$3 c i h=0
  sed -n '/^\[defaults\]/,/^$/p' "$F/inventory.toml" > "$file"
  for c in $(seq 1 "$clusters"); do
    for i in $(seq 1 "$size"); do
      h=$((h + 1))
      printf '[[hosts]]\nnames = "%s"\ngroups = ["fleet"]\nattrs = { cluster = "c%d", az = "az%d" }\n\n' \
        "$(fleet_addr "$h")" "$c" $(( (c - 1) % 3 + 1 )) >> "$file"
    done
  done
}

# The host names of wave K in `leura plan --json` output (in $T/out), one per line.
plan_wave_names() {
  sed 's/{"wave":/\n&/g' "$T/out" | grep "^{\"wave\":$1," |
    sed 's/.*"names":\[\([^]]*\)\].*/\1/' | tr ',' '\n' | tr -d '"'
}

# running_run_inside STEP_NO STEP_NAME COUNT: waits (up to 15 s) until the run in progress has
# COUNT hosts inside that step, and prints its id ("" if that never happens).
running_run_inside() {
  local id= _
  for _ in $(seq 1 150); do
    id=$("$LEURA_BIN" runs --status running --json 2>/dev/null | sed -n 's/.*"run":"\([^"]*\)".*/\1/p')
    [ -n "$id" ] && [ "$("$LEURA_BIN" show "$id" | grep -c " $1 $2  *running")" = "$3" ] &&
      { echo "$id"; return 0; }
    sleep 0.1
  done
}
