# SIGTERM (a systemd stop) ends a run like Ctrl-C does, with exit 143; a second signal aborts
# the running steps at once instead of waiting for them.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
t=$(task t '
[[steps]]
name = "long"
command = "sleep 30"')
set +e
"$LEURA_BIN" run "$t" -i "$F/inventory.toml" --known-hosts "$F/known_hosts" > "$T/out" 2> "$T/err" &
pid=$!
set -e
for _ in $(seq 1 100); do [ "$(grep -c "Accepted publickey" "$F/sshd.log")" = 2 ] && break; sleep 0.05; done
sleep 0.3
start=$(date +%s)
kill -TERM "$pid"; sleep 0.3; kill -TERM "$pid"
set +e; wait "$pid"; rc=$?; set -e
[ $(( $(date +%s) - start )) -lt 5 ] || fail "second signal did not abort"
expect_rc 143
expect_out "interrupted: 0 ok, 0 failed, 0 unreachable, 0 skipped, 2 interrupted"
leura show "$(last_run)"
expect_out "status +interrupted \(exit 143\)"
expect_out "1 long +interrupted"

# --grace: one signal lets running steps go on for that long, then ends them.
set +e
"$LEURA_BIN" run "$t" -i "$F/inventory.toml" --known-hosts "$F/known_hosts" --grace 1s \
  > "$T/out" 2> "$T/err" &
pid=$!
set -e
for _ in $(seq 1 100); do [ "$(grep -c "Accepted publickey" "$F/sshd.log")" = 4 ] && break; sleep 0.05; done
sleep 0.3
start=$(date +%s%N)
kill -TERM "$pid"
set +e; wait "$pid"; rc=$?; set -e
took=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$took" -ge 900 ] && [ "$took" -lt 6000 ] || fail "--grace 1s: the run ended after ${took}ms"
expect_rc 143
expect_out "interrupted: 0 ok, 0 failed, 0 unreachable, 0 skipped, 2 interrupted"
