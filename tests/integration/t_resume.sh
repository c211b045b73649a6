# Resume after kill -9: hosts that finished are not run again, hosts that had not started run
# every step, and hosts caught inside a step are refused until that step is idempotent or
# --rerun-unknown says so; then they continue from that step. Nothing runs twice.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 4
mkdir -p "$T/log"
body='
[[steps]]
name = "one"
command = "echo one >> '"$T"'/log/$LEURA_HOST"
[[steps]]
name = "two"
command = "[ -e '"$T"'/fast ] || sleep 20; echo two >> '"$T"'/log/$LEURA_HOST"
[[steps]]
name = "three"
command = "echo three >> '"$T"'/log/$LEURA_HOST"'
t=$(task job "$body")

# start_and_kill TASK: runs TASK on 4 hosts, 2 at a time, and kills -9 once 2 are in step two.
start_and_kill() {
  "$LEURA_BIN" run "$1" -i "$F/inventory.toml" --known-hosts "$F/known_hosts" \
    --concurrency 2 >/dev/null 2>&1 &
  local bg=$! id
  at_exit "kill -9 $bg 2>/dev/null"
  id=$(running_run_inside 2 two 2)
  kill -9 "$bg"
  wait "$bg" 2>/dev/null || true
  echo "$id"
}

id=$(start_and_kill "$t")
[ -n "$id" ] || fail "the run never reached step two"
leura runs --json
grep -q "\"run\":\"$id\".*\"failed\":0,.*\"interrupted\":2" "$T/out" ||
  { cat "$T/out"; fail "the dead run's hosts count as interrupted, not failed"; }
leura resume "$id" --known-hosts "$F/known_hosts"
expect_rc 2
expect_err "inside a step when run $id stopped, so whether it did its work is unknown: 127.0.1.1 \(step 2 \"two\"\), 127.0.1.2 \(step 2 \"two\"\)"

touch "$T/fast"
leura resume "$id" --rerun-unknown --known-hosts "$F/known_hosts"
expect_rc 0
expect_err "resuming run $id: 4 hosts in 1 wave"
new=$(last_run)
[ "$new" != "$id" ] || fail "no new run"
for h in 1 2 3 4; do
  [ "$(cat "$T/log/127.0.1.$h")" = "$(printf 'one\ntwo\nthree')" ] ||
    fail "127.0.1.$h ran: $(tr '\n' ' ' < "$T/log/127.0.1.$h")"
done
leura show "$new"
expect_out "resumes +$id"
expect_out "ok +127.0.1.1"
not_out " 1 one .*127.0.1.1" # host 1's step one was not recorded again
leura resume "$id" --known-hosts "$F/known_hosts"
expect_rc 2
expect_err "run $id was resumed by run $new"

# An idempotent step runs again without asking.
rm -f "$T/fast" "$T"/log/*
t2=$(task job2 "$(printf '%s\n' "$body" | sed 's/^name = "two"$/name = "two"\nidempotent = true/')")
id2=$(start_and_kill "$t2")
touch "$T/fast"
leura resume "$id2" --known-hosts "$F/known_hosts"
expect_rc 0
[ "$(cat "$T/log/127.0.1.3")" = "$(printf 'one\ntwo\nthree')" ] || fail "127.0.1.3 after resume"
