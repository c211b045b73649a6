# Item 4 of issue 13: a halted rollout continues once its cause is fixed (`resume`, with
# --retry-failed for the failed host); a changed task is refused unless --use-current;
# `retry --hosts skipped` runs the hosts a halt left out; `retry -t` narrows.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 6
mkdir -p "$T/log"
rollout='
[rollout]
batches = [1, "100%"]'
t=$(task roll "$rollout
[[steps]]
command = \"true\"")
leura plan "$t" -i "$F/inventory.toml" --json
bad=$(plan_wave_names 1)
touch "$T/broken"
body=$rollout'
[[steps]]
name = "deploy"
command = "{ [ $LEURA_HOST != '"$bad"' ] || [ ! -e '"$T"'/broken ]; } && echo deploy >> '"$T"'/log/$LEURA_HOST"'
t=$(task roll "$body")
run_leura "$t"
expect_rc 3
id=$(last_run)
[ "$(ls "$T/log" | wc -l)" = 0 ] || { ls "$T/log"; fail "only the failing host may have run"; }
leura show "$id" --hosts skipped
[ "$(wc -l < "$T/out")" = 5 ] || fail "wave 2 skipped"

# Without --retry-failed the failed host stays as it ended; wave 2 runs.
leura resume "$id" --known-hosts "$F/known_hosts"
expect_rc 0
expect_err "resuming run $id: 5 hosts in 1 wave \(it was halted\)"
[ "$(ls "$T/log" | wc -l)" = 5 ] || fail "wave 2 after resume"

# Again, halted; fix the cause; resume --retry-failed finishes every host.
rm -f "$T"/log/*
run_leura "$t"
expect_rc 3
id=$(last_run)
rm "$T/broken"
leura resume "$id" --retry-failed --known-hosts "$F/known_hosts"
expect_rc 0
expect_err "6 hosts in 2 waves"
[ "$(ls "$T/log" | wc -l)" = 6 ] || fail "every host after resume --retry-failed"

# A task changed since the run is refused, unless --use-current.
touch "$T/broken"
rm -f "$T"/log/*
run_leura "$t"
expect_rc 3
id=$(last_run)
rm "$T/broken"
printf '%s\n# edited\n' "$body" > "$t"
leura resume "$id" --known-hosts "$F/known_hosts"
expect_rc 2
expect_err "changed since run $id; resume runs the task as it was recorded"
leura resume "$id" --use-current --known-hosts "$F/known_hosts"
expect_rc 0

# retry --hosts skipped, and -t narrowing it.
printf '%s\n' "$body" > "$t"
touch "$T/broken"
rm -f "$T"/log/*
run_leura "$t"
expect_rc 3
id=$(last_run)
second=$(ls "$F" >/dev/null; for h in 1 2 3; do [ "$(fleet_addr $h)" != "$bad" ] && { fleet_addr $h; break; }; done)
leura retry "$id" --hosts skipped -t "$second" --known-hosts "$F/known_hosts"
expect_rc 0
expect_err "retrying the skipped hosts of run $id that -t $second selects"
expect_out "on 1 host"
[ "$(ls "$T/log")" = "$second" ] || { ls "$T/log"; fail "retry -t must narrow"; }
leura retry "$id" --hosts skipped --known-hosts "$F/known_hosts"
expect_rc 0
[ "$(ls "$T/log" | wc -l)" = 5 ] || fail "retry --hosts skipped"
