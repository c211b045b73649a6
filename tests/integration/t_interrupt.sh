# SIGINT during a run: no new host starts, running steps finish, everything is recorded, the
# run is marked interrupted, exit 130.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 4
t=$(task t '
[[steps]]
name = "slow"
command = "sleep 2; echo done"
[[steps]]
name = "next"
command = "echo next"')
set +e
"$LEURA_BIN" run "$t" -i "$F/inventory.toml" --known-hosts "$F/known_hosts" --concurrency 2 > "$T/out" 2> "$T/err" &
pid=$!
set -e
for _ in $(seq 1 100); do grep -q "Accepted" "$F/sshd.log" 2>/dev/null && break; sleep 0.05; done
sleep 0.5
kill -INT "$pid"
set +e; wait "$pid"; rc=$?; set -e
expect_rc 130
# The 2 hosts that had started run their remaining step within the grace; no new host starts.
expect_out "interrupted: 2 ok, 0 failed, 0 unreachable, 2 skipped"
leura runs --json
grep -q '"status":"interrupted","exit":130' "$T/out" || { cat "$T/out"; fail "run not recorded as interrupted"; }
id=$(last_run)
leura show "$id"
expect_out '^  skipped +127\.0\.1\.\[[0-9,-]+\] \(2\): the run was stopped before this host started$'
grep -Eq "1 slow +exit 0" "$T/out" || { cat "$T/out"; fail "running step should have finished"; }
grep -Eq "2 next +exit 0" "$T/out" || { cat "$T/out"; fail "started hosts should finish their steps"; }
grep -q "the run was stopped before this host started" "$T/out" || { cat "$T/out"; fail "reason"; }
