# Verify checks run after the steps with retries; a failing check counts as a failure. The
# threshold boundary is exact: with max_failed = "50%", 2 of 4 failing continues, 3 of 4 halts.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 8
mk() { # FAILS-IN-WAVE-1 -> a task whose verify fails on that many hosts of wave 1
  task t "
[rollout]
batches = [4, 8]
max_failed = \"50%\"
[[steps]]
command = \"true\"
[[verify]]
name = \"healthy\"
retries = 2
interval = \"100ms\"
script = '''
echo try >> $T/tries.\$LEURA_HOST
case \$LEURA_HOST in $1) exit 1;; esac
'''"
}
t=$(mk "127.0.1.1|127.0.1.2")
run_leura "$t" --json
expect_rc 1
[ "$(grep -c '"event":"batch_started"' "$T/out")" = 2 ] || fail "2 of 4 failing must not halt"
[ "$(wc -l < "$T/tries.127.0.1.1")" = 3 ] || fail "verify must be tried 1 + 2 retries"
[ "$(wc -l < "$T/tries.127.0.1.3")" = 1 ] || fail "a passing check runs once"
id=$(last_run)
leura show "$id"
expect_out "1 ok, 1 verify: healthy +exit 1|2 verify: healthy +exit 1"
rm -f "$T"/tries.*
t=$(mk "127.0.1.1|127.0.1.2|127.0.1.3")
run_leura "$t" --json
expect_rc 3
[ "$(grep -c '"event":"batch_started"' "$T/out")" = 1 ] || fail "3 of 4 failing must halt"
grep -q '"gate":"halt","rollback":"none","reason":"3 of 4 hosts failed in this wave, over max_failed = 50%"' "$T/out" || { cat "$T/out"; fail "reason"; }
