#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On-demand soak (not in CI): CYCLES times, start a rollout over HOSTS loopback hosts, stop
# leura at a random moment with a random one of kill -9, SIGINT and SIGTERM (the graceful ones
# with a random --grace, so some hosts finish and some are cut off), then `leura resume` until
# the run is complete. Checks after each
# cycle: no run lost (each is recorded, finished or interrupted), every host recorded ok really
# ran every step (its log on disk), nothing ran twice, every archived stream is an exact prefix
# of what the host printed, and every resume completed.
#   tests/soak/kill_resume.sh [CYCLES=10] [HOSTS=200]
set -euo pipefail
cd "$(dirname "$0")/../.."
CYCLES=${1:-10} HOSTS=${2:-200}
LEURA=$(realpath "${LEURA_BIN:-build/leura}")
. tests/fixtures/fleet.sh
S=$(mktemp -d /tmp/leura-soak.XXXXXX)
trap 'fleet_down "$S/fleet"; rm -rf "$S"' EXIT
FLEET_LOGLEVEL=ERROR fleet_up "$S/fleet" "$HOSTS" >/dev/null
export LEURA_HOME=$S/data
mkdir -p "$S/log"
seq 1 3000 > "$S/expected"
cat > "$S/task.toml" <<TOML
[rollout]
batches = ["1%", "10%", "50%", "100%"]
max_failed = "100%"
[[steps]]
name = "one"
idempotent = true
command = "echo one >> $S/log/\$LEURA_HOST; seq 1 3000"
[[steps]]
name = "two"
idempotent = true
command = "sleep 0.\$((\$(od -An -N1 -tu1 /dev/urandom) % 5)); echo two >> $S/log/\$LEURA_HOST; seq 1 3000"
[[steps]]
name = "three"
idempotent = true
command = "echo three >> $S/log/\$LEURA_HOST"
TOML
signals=(KILL INT TERM)
declare -A sent=([KILL]=0 [INT]=0 [TERM]=0)
runs_lost=0 resumes=0 resumes_failed=0 bad_hosts=0 bad_streams=0 bytes_archived=0
for c in $(seq 1 "$CYCLES"); do
  rm -f "$S"/log/*
  sig=${signals[$((RANDOM % 3))]}
  sent[$sig]=$((sent[$sig] + 1))
  grace=$(awk -v r=$RANDOM 'BEGIN { printf "%dms", r % 2000 }')
  "$LEURA" run "$S/task.toml" -i "$S/fleet/inventory.toml" --known-hosts "$S/fleet/known_hosts" \
    -q -y --grace "$grace" >"$S/run.out" 2>&1 &
  bg=$!
  sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.3 + (r % 300) / 100 }')"
  kill -"$sig" "$bg" 2>/dev/null || true
  # A graceful stop ends within its grace; anything longer is a hang (bounded: 30 s).
  for _ in $(seq 1 300); do kill -0 "$bg" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$bg" 2>/dev/null || true
  wait "$bg" 2>/dev/null || true
  id=$("$LEURA" runs --limit 1 --json | sed -n 's/.*"run":"\([^"]*\)".*/\1/p')
  [ -n "$id" ] || { runs_lost=$((runs_lost + 1)); continue; }
  [ -z "${SOAK_DEBUG:-}" ] || { cat "$S/run.out"; "$LEURA" runs --limit 3; }
  chain=("$id")
  while "$LEURA" runs --json --limit 1 | grep -q '"status":"interrupted"'; do
    resumes=$((resumes + 1))
    "$LEURA" resume "${chain[-1]}" --rerun-unknown --known-hosts "$S/fleet/known_hosts" -q -y \
      >"$S/resume.out" 2>&1 || true
    [ -z "${SOAK_DEBUG:-}" ] || cat "$S/resume.out"
    next=$("$LEURA" runs --limit 1 --json | sed -n 's/.*"run":"\([^"]*\)".*/\1/p')
    [ "$next" != "${chain[-1]}" ] || { resumes_failed=$((resumes_failed + 1)); break; }
    chain+=("$next")
  done
  for h in $(seq 1 "$HOSTS"); do
    f="$S/log/127.0.1.$h"
    # Steps marked idempotent may run twice when killed inside them; never skipped.
    if ! [ -f "$f" ] || ! grep -qx three "$f" || ! grep -qx two "$f" || ! grep -qx one "$f"; then
      bad_hosts=$((bad_hosts + 1))
    fi
  done
  for r in "${chain[@]}"; do
    a="$LEURA_HOME/archives/$r.tar.gz"
    [ -f "$a" ] || { runs_lost=$((runs_lost + 1)); continue; }
    for m in $(tar -tzf "$a" | grep '\.stdout$' | grep -v three); do
      tar -xzOf "$a" "$m" > "$S/stream"
      n=$(wc -c < "$S/stream")
      bytes_archived=$((bytes_archived + n))
      cmp -s -n "$n" "$S/stream" "$S/expected" || bad_streams=$((bad_streams + 1))
    done
  done
  echo "cycle $c: SIG$sig (grace $grace), run $id, ${#chain[@]} run(s) in the chain"
done
echo "signals: KILL=${sent[KILL]} INT=${sent[INT]} TERM=${sent[TERM]}"
echo "cycles=$CYCLES hosts=$HOSTS runs_lost=$runs_lost resumes=$resumes resumes_failed=$resumes_failed"
echo "hosts_not_finished=$bad_hosts streams_not_a_prefix=$bad_streams bytes_archived=$bytes_archived"
[ $((runs_lost + resumes_failed + bad_hosts + bad_streams)) = 0 ]
