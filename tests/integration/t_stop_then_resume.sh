# Items 1 and 2 of issue 13: Ctrl-C (and SIGTERM) mid-wave. No new host starts after the
# signal; the hosts already started run their remaining steps, the `always` undrain included,
# within the grace; the wave is not recorded finished or passed; `resume` then runs every host
# that never started, once. The state files on the hosts show each step ran exactly once.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 6
mkdir -p "$T/log"
t=$(task job '
[[steps]]
name = "drain"
command = "echo drain >> '"$T"'/log/$LEURA_HOST"
[[steps]]
name = "restart"
command = "w=0; while [ ! -e '"$T"'/go ] && [ $w -lt 300 ]; do sleep 0.1; w=$((w+1)); done; echo restart >> '"$T"'/log/$LEURA_HOST"
[[steps]]
name = "undrain"
always = true
command = "echo undrain >> '"$T"'/log/$LEURA_HOST"')

# A host inside "restart" waits (up to 30 s) for the file $T/go: the signal comes while two hosts
# are inside it whatever the machine's speed, and they finish once the test makes the file.
for sig in INT TERM; do
  rm -f "$T"/log/* "$T/go"
  "$LEURA_BIN" run "$t" -i "$F/inventory.toml" --known-hosts "$F/known_hosts" --concurrency 2 \
    --json > "$T/run.out" 2> "$T/run.err" &
  pid=$!
  at_exit "kill -9 $pid 2>/dev/null"
  id=$(running_run_inside 2 restart 2)
  [ -n "$id" ] || fail "the run never reached step 2"
  kill -"$sig" "$pid"
  for _ in $(seq 1 100); do grep -q "stopping: no new host starts" "$T/run.err" && break; sleep 0.1; done
  touch "$T/go"
  set +e; wait "$pid"; rc=$?; set -e
  [ "$sig" = INT ] && expect_rc 130 || expect_rc 143
  grep -q "interrupted: 2 ok, 0 failed, 0 unreachable, 4 skipped" "$T/run.err" ||
    { cat "$T/run.err"; fail "$sig: summary"; }
  grep -q '"event":"batch_finished".*"gate":"interrupted"' "$T/run.out" ||
    { cat "$T/run.out"; fail "$sig: the wave must not pass its gate"; }
  [ "$(ls "$T/log" | wc -l)" = 2 ] || fail "$sig: a host started after the signal"
  for f in "$T"/log/*; do
    [ "$(cat "$f")" = "$(printf 'drain\nrestart\nundrain')" ] || fail "$sig: $f: $(cat "$f")"
  done
  leura show "$id"
  expect_out "gate interrupted"
  grep -qE '^  skipped +127\.0\.1\.\[[0-9,-]+\] \(4\): ' "$T/out" || { cat "$T/out"; fail "$sig: 4 skipped"; }

  leura resume "$id" --known-hosts "$F/known_hosts"
  expect_rc 0
  expect_err "resuming run $id: 4 hosts in 1 wave"
  [ "$(ls "$T/log" | wc -l)" = 6 ] || fail "$sig: resume did not reach every host"
  for f in "$T"/log/*; do
    [ "$(cat "$f")" = "$(printf 'drain\nrestart\nundrain')" ] || fail "$sig after resume: $f"
  done
  leura resume "$id" --known-hosts "$F/known_hosts"
  expect_rc 2
  expect_err "was resumed by run"
done

# A grace too short for the step: the host is interrupted (its own state), and counted so.
rm -f "$T"/log/* "$T/go"
"$LEURA_BIN" run "$t" -i "$F/inventory.toml" --known-hosts "$F/known_hosts" --concurrency 2 \
  --grace 100ms --json > "$T/run.out" 2> "$T/run.err" &
pid=$!
id=$(running_run_inside 2 restart 2)
kill -INT "$pid"
set +e; wait "$pid"; rc=$?; set -e
expect_rc 130
touch "$T/go"
grep -q "interrupted: 0 ok, 0 failed, 0 unreachable, 4 skipped, 2 interrupted" "$T/run.err" ||
  { cat "$T/run.err"; fail "grace: summary"; }
grep -q '"event":"run_finished".*"interrupted":2' "$T/run.out" || fail "grace: JSON counts"
leura show "$id" --hosts interrupted
[ "$(wc -l < "$T/out")" = 2 ] || fail "show --hosts interrupted"
leura runs --json
grep -q '"interrupted":2' "$T/out" || fail "runs --json"
# The interrupted step's outcome is unknown: resume asks, unless told.
leura resume "$id" --known-hosts "$F/known_hosts"
expect_rc 2
expect_err "whether it did its work is unknown"
leura resume "$id" --known-hosts "$F/known_hosts" --rerun-unknown
expect_rc 0
[ "$(ls "$T/log" | wc -l)" = 6 ] || fail "grace: resume did not reach every host"
