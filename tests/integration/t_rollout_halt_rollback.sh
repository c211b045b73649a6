# A host failing in wave 2 halts the rollout (exit 3): rollback runs on wave 2's hosts only,
# waves 3 and 4 never start, and every verdict is recorded.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 40
rollout_inventory "$T/inv.toml" 8 5
rollout='
[rollout]
batches = [5, 10, 20, "100%"]
spread = ["az"]
on_failure = "rollback"'
t=$(task t "inventory = \"$T/inv.toml\"
$rollout
[[steps]]
command = \"true\"
[[rollback]]
command = \"true\"")
leura plan "$t" --json
plan_wave_names 2 | sort > "$T/wave2"
bad=$(head -1 "$T/wave2")
t=$(task t "inventory = \"$T/inv.toml\"
$rollout
[[steps]]
name = \"deploy\"
command = \"[ \$LEURA_HOST != $bad ]\"
[[rollback]]
name = \"undo\"
command = \"echo undone on \$LEURA_HOST batch \$LEURA_BATCH\"")
leura run "$t" --known-hosts "$F/known_hosts" --json
expect_rc 3
[ "$(grep -c '"event":"batch_started"' "$T/out")" = 2 ] || fail "waves 3-4 must not start"
grep -q '"event":"batch_finished".*"wave":1,"ok":5,"failed":0,"unreachable":0,"gate":"pass","rollback":"none"' "$T/out" || fail "wave 1"
# The 4 hosts that had succeeded are rolled back; the failed one stays failed (the cause).
grep -q '"event":"batch_finished".*"wave":2,"ok":0,"failed":1,"unreachable":0,"gate":"halt","rollback":"ok".*"skipped":0,"interrupted":0,"rolled_back":4' "$T/out" || { cat "$T/out"; fail "wave 2"; }
grep -q '"event":"run_finished".*"ok":5,"failed":1,"unreachable":0,"skipped":30,"interrupted":0,"rolled_back":4' "$T/out" || { cat "$T/out"; fail "run counts"; }
grep -q '"event":"run_finished".*"status":"halted","exit":3' "$T/out" || fail "run_finished"
expect_err "wave 2/4: 0 ok, 1 failed, 0 unreachable, 4 rolled back; gate halt: 1 of 5 hosts failed in this wave, over max_failed = 0; rollback ok"
id=$(last_run)
leura show "$id"
[ "$(grep -cE '^       *[0-9]+ rollback: undo' "$T/out")" = 5 ] || { cat "$T/out"; fail "rollback must run on wave 2's 5 hosts"; }
[ "$("$LEURA_BIN" show "$id" --hosts skipped | wc -l)" = 30 ] || fail "waves 3-4 hosts (30) must be recorded as skipped"
expect_out '^  skipped +127\.0\.1\.\[11-20\] \(10\): the run halted at wave 2$'
expect_out "status +halted \(exit 3\)"
# Each host rolled back is marked so in show's host lines; the failed one is not.
[ "$(grep -cE '^  rolled back +127\.0\.1\.' "$T/out")" = 4 ] || { cat "$T/out"; fail "show marks 4 hosts rolled back"; }
grep -qE "^  failed +$(echo "$bad" | sed 's/\./\\./g') " "$T/out" || { cat "$T/out"; fail "show: the failed host"; }
# Rollback ran on exactly wave 2's hosts.
for h in $(cat "$T/wave2"); do
  "$LEURA_BIN" logs "$id" --host "$h" --step undo | grep -qx "undone on $h batch 2" || fail "no rollback on $h"
done
leura show "$id" --hosts failed
[ "$(cat "$T/out")" = "$bad" ] || fail "--hosts failed"
leura show "$id" --hosts rolled_back
[ "$(sort "$T/out")" = "$(grep -vx "$bad" "$T/wave2")" ] || { cat "$T/out"; fail "--hosts rolled_back"; }
leura runs --json
grep -q '"rolled_back":4' "$T/out" || { cat "$T/out"; fail "runs --json counts rolled-back hosts"; }
