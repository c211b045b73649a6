# A step over its timeout ends the remote command and fails only that host.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 3
t=$(task t "
[[steps]]
name = \"maybe slow\"
timeout = \"1s\"
script = '''
if [ \$LEURA_HOST = 127.0.1.2 ]; then echo \$\$ > $T/slow.pid; exec sleep 60; fi
echo fast
'''")
start=$(date +%s)
run_leura "$t"
took=$(( $(date +%s) - start ))
expect_rc 1
expect_out '^failed +127\.0\.1\.2 .*step "maybe slow" timed out after 1000ms'
expect_out "2 ok, 1 failed"
[ "$took" -lt 15 ] || fail "run took ${took}s"
pid=$(cat "$T/slow.pid")
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$pid" 2>/dev/null || fail "remote command $pid still running after the timeout"
leura show "$(last_run)"
expect_out '1 maybe slow +timeout'
