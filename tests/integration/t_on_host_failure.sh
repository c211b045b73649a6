# Item 9 of issue 13: on_host_failure = "rollback": the one host that fails runs the rollback
# steps itself at once while the gate passes; the others are left alone; it is counted
# rolled back. A health check before "undrain" keeps a failing host out of rotation.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 4
mkdir -p "$T/log"
bad=$(fleet_addr 2)
t=$(task hostrb '
[rollout]
batches = ["100%"]
max_failed = 1
on_host_failure = "rollback"
[[steps]]
name = "deploy"
command = "echo deploy >> '"$T"'/log/$LEURA_HOST"
[[steps]]
name = "health"
command = "[ $LEURA_HOST != '"$bad"' ]"
[[steps]]
name = "undrain"
command = "echo undrain >> '"$T"'/log/$LEURA_HOST"
[[rollback]]
name = "restore"
command = "echo restore >> '"$T"'/log/$LEURA_HOST"')
run_leura "$t" --json
expect_rc 1
grep -q "1 rolled back" "$T/err" || { cat "$T/err"; fail "summary counts rolled back"; }
grep -q '"event":"batch_finished".*"gate":"pass".*"rolled_back":1' "$T/out" ||
  { cat "$T/out"; fail "gate must pass with 1 host rolled back"; }
[ "$(cat "$T/log/$bad")" = "$(printf 'deploy\nrestore')" ] || fail "bad host: $(cat "$T/log/$bad")"
for h in 1 3 4; do
  [ "$(cat "$T/log/$(fleet_addr $h)")" = "$(printf 'deploy\nundrain')" ] || fail "host $h"
done
leura show "$(last_run)" --hosts rolled_back
[ "$(cat "$T/out")" = "$bad" ] || fail "show --hosts rolled_back"

# The example rolling restart runs as documented.
leura run "$LEURA_SOURCE_DIR/runbooks/examples/rolling-restart.toml" -i "$F/inventory.toml" \
  --known-hosts "$F/known_hosts"
expect_rc 0
expect_out "ok: 4 ok, 0 failed"

# retry's default includes the host that failed and rolled itself back.
leura run "$t" --known-hosts "$F/known_hosts" -i "$F/inventory.toml"
id=$(last_run)
leura retry "$id" --known-hosts "$F/known_hosts"
expect_err "retrying 1 host of run $id"
