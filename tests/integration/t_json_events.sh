# One schema for every --json event (docs/events.schema.json): every line real runs print
# validates against it — a plain run, a failing host, a halted rollout with rollback, a
# workflow, exec's output groups (bytes that are not UTF-8 become U+FFFD), a validation error and
# a lock refusal (one error object on stdout each).
. "$(dirname "$0")/lib.sh"
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null ||
  fail "python3-jsonschema is not installed (tools/deps.sh installs it)"
fleet_up_watched "$F" 4
schema=$LEURA_SOURCE_DIR/docs/events.schema.json
events=$T/events
mkdir -p "$events"
n=0
keep() { n=$((n + 1)); cp "$T/out" "$events/$n.jsonl"; }

t=$(task rollout '
[rollout]
batches = ["1", "100%"]
max_failed = "0"
[[steps]]
name = "work"
command = "echo working; [ $LEURA_HOST != 127.0.1.2 ] || exit 4"
[[rollback]]
name = "undo"
command = "echo undone"')
run_leura "$t" --json -t 127.0.1.1
expect_rc 0
keep
run_leura "$t" --json --batches 2,100%
expect_rc 3
keep
grep -q '"event":"batch_finished".*"gate":"halt"' "$T/out" || fail "a halted gate expected"

wf=$(task wf '
[[stages]]
name = "first"
targets = "127.0.1.[1-2]"
[[stages.steps]]
name = "a"
command = "true"
[[stages]]
name = "second"
[[stages.steps]]
name = "b"
command = "false"')
run_leura "$wf" --json
expect_rc 1
keep
grep -q '"event":"stage_finished"' "$T/out" || fail "stage events expected"

leura exec -i "$F/inventory.toml" --known-hosts "$F/known_hosts" --json -- \
  'printf "bad \377 byte\n"; echo err >&2'
expect_rc 0
keep
grep -q '"event":"output_group".*"stdout":"bad \\ufffd byte\\n"' "$T/out" ||
  grep -q '"event":"output_group".*"stdout":"bad � byte\\n"' "$T/out" ||
  { cat "$T/out"; fail "invalid UTF-8 must become U+FFFD in JSON"; }
"$LEURA_BIN" logs "$(last_run)" --host 127.0.1.1 --stdout | od -c | grep -q '377' ||
  fail "logs must keep the bytes exact"

bad=$(task bad '
[[steps]]
comand = "true"')
run_leura "$bad" --json
expect_rc 2
keep
[ "$(wc -l < "$T/out")" = 1 ] || fail "one error object expected"
expect_out '"event":"error".*"kind":"config".*"problems":\[\{"file":"[^"]*bad.toml","line":3,"column":1,'

# A command line leura cannot read, given --json: one error event too, whatever the reason.
for bad_line in "--dryrun" "--concurrency 0" "--batches"; do
  # shellcheck disable=SC2086
  run_leura "$t" --json $bad_line
  expect_rc 2
  keep
  [ "$(wc -l < "$T/out")" = 1 ] || fail "one error object expected for $bad_line"
  expect_out '^\{"event":"error",.*"kind":"usage","exit":2,'
done

slow=$(task slow '
[[steps]]
command = "sleep 6"')
run_leura "$slow" -t 127.0.1.1 > /dev/null 2>&1 &
holder=$!
at_exit "kill $holder 2>/dev/null"
for _ in $(seq 1 300); do "$LEURA_BIN" runs --status running | grep -q slow && break; sleep 0.1; done
leura run "$slow" -i "$F/inventory.toml" --known-hosts "$F/known_hosts" -t 127.0.1.1 --json
expect_rc 5
keep
expect_out '"event":"error".*"kind":"locked","exit":5'
wait "$holder" || true

seen=$(/usr/bin/python3 "$LEURA_SOURCE_DIR/tests/integration/validate_events.py" "$schema" "$events"/*.jsonl) ||
  fail "an event does not match the schema"
for e in run_started batch_started step_finished host_finished batch_finished run_finished \
  stage_started stage_finished output_group error; do
  echo "$seen" | grep -qx "$e" || fail "no $e event was checked"
done
# The check can fail: a field the schema does not know is refused.
echo '{"event":"run_finished","surprise":1}' > "$T/extra.jsonl"
! /usr/bin/python3 "$LEURA_SOURCE_DIR/tests/integration/validate_events.py" "$schema" "$T/extra.jsonl" 2>/dev/null ||
  fail "the validator accepted an unknown field"
