# pause = "confirm" without a terminal and without --yes: exit 2, nothing touched. `retry`
# runs the task again on the failed hosts only.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 4
t=$(task t "
[rollout]
batches = [1, \"100%\"]
pause = \"confirm\"
on_failure = \"continue\"
[[steps]]
command = \"[ ! -e $T/broken.\$LEURA_HOST ]\"")
run_leura "$t" < /dev/null
expect_rc 2
expect_err "stdin is not a terminal: pass --yes"
! grep -q Accepted "$F/sshd.log" || fail "a host was touched"
leura runs --json
[ ! -s "$T/out" ] || fail "a run was recorded"

touch "$T/broken.127.0.1.3" "$T/broken.127.0.1.4"
run_leura "$t" --yes < /dev/null
expect_rc 1
id=$(last_run)
leura show "$id" --hosts failed
[ "$(tr '\n' ' ' < "$T/out")" = "127.0.1.3 127.0.1.4 " ] || { cat "$T/out"; fail "failed hosts"; }
rm "$T/broken.127.0.1.3"
leura retry "$id" --known-hosts "$F/known_hosts" --yes --json
expect_rc 1
grep -q '"event":"run_started".*"hosts":2' "$T/out" || fail "retry must select the 2 failed hosts"
grep -q '"host":"127.0.1.3","status":"ok"' "$T/out" || fail "127.0.1.3 should now pass"
grep -q '"host":"127.0.1.4","status":"failed"' "$T/out" || fail "127.0.1.4 still fails"
! grep -q '"host":"127.0.1.1"' "$T/out" || fail "retry ran a host that had succeeded"
expect_err "retrying 2 hosts of run $id"
