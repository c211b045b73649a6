# One run per task at a time: a second start is refused with exit 5 naming the holder, or
# queues with --wait. A run killed with -9 leaves nothing running on its hosts (the lifeline),
# is found by the next leura, marked interrupted with its hosts, its half-done step kept as
# running (outcome unknown), and its output archived.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
t=$(task long '
[[steps]]
name = "mark"
command = "echo started"
[[steps]]
name = "wait"
command = "sleep 15 & echo $$ $! > '"$T"'/wait-$LEURA_HOST.pids; wait"')

"$LEURA_BIN" run "$t" -i "$F/inventory.toml" --known-hosts "$F/known_hosts" >"$T/bg.out" 2>&1 &
bg=$!
at_exit "kill -9 $bg 2>/dev/null"
id=$(running_run_inside 2 wait 2)
[ -n "$id" ] || fail "the background run never had both hosts in step 2"

run_leura "$t"
expect_rc 5
expect_err "$t is being run by run $id \(pid $bg\); pass --wait to queue behind it"
start=$(date +%s%N)
run_leura "$t" --wait 1s
expect_rc 5
expect_err "still held after --wait"
expect_err "^leura: waiting up to 1.0s for run $id \(pid $bg\) to finish $t \(--wait\); Ctrl-C gives up$"
[ $(( ($(date +%s%N) - start) / 1000000 )) -ge 900 ] || fail "--wait 1s did not wait"

kill -9 "$bg"
wait "$bg" 2>/dev/null || true
# The lifeline: with leura gone, each step's shell and its child end on the host.
for h in 127.0.1.1 127.0.1.2; do
  for pid in $(cat "$T/wait-$h.pids"); do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$pid" 2>/dev/null || fail "$h: process $pid of the killed run still runs"
  done
done
leura runs
expect_out "$id .*interrupted"
leura show "$id"
expect_out "interrupted +127.0.1.1"
expect_out "1 mark +exit 0"
expect_out "2 wait +running" # running when leura died: its outcome is unknown
leura logs "$id" --step mark --full
expect_out "^started$"
[ ! -d "$LEURA_HOME/spool/$id" ] || fail "the spool was not packed"

# The lock went with the dead process: the task runs again, and --wait queues behind a run.
t2=$(task short '
[[steps]]
command = "sleep 1.5"')
"$LEURA_BIN" run "$t2" -i "$F/inventory.toml" --known-hosts "$F/known_hosts" >/dev/null 2>&1 &
bg2=$!
at_exit "kill -9 $bg2 2>/dev/null"
sleep 0.5
run_leura "$t2" --wait 30s
expect_rc 0
wait "$bg2" || fail "the first short run failed"
[ "$("$LEURA_BIN" runs --json | grep -c "short.toml")" = 2 ] || fail "expected two short runs"
