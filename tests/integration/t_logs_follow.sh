# `leura logs RUN --follow`: a live run's output while its hosts write it (the first line is
# shown before the run ends), whole lines under a header per host and step, stderr marked,
# --host and --stderr as without --follow; it ends when the run ends, with nothing lost
# (what was written between the last look and the archive comes from the archive). `show`
# during the run gives the running steps' bytes and time so far.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
t=$(task slow '
[[steps]]
name = "count"
command = "for i in 1 2 3; do echo tick $i $LEURA_HOST; echo warn $i >&2; sleep 0.2; w=0; while [ $i = 1 ] && [ ! -e '"$T"'/go ] && [ $w -lt 300 ]; do sleep 0.1; w=$((w+1)); done; done; printf no-newline"
[[steps]]
name = "after"
command = "echo done $LEURA_HOST"')
run_leura "$t" > /dev/null 2>&1 &
runner=$!
at_exit "kill $runner 2>/dev/null"
for _ in $(seq 1 50); do "$LEURA_BIN" runs --status running | grep -q slow && break; sleep 0.1; done
"$LEURA_BIN" logs last --follow > "$T/follow" 2> "$T/follow.err" &
follower=$!
at_exit "kill $follower 2>/dev/null"
# The first tick is on screen while the run still runs: its hosts wait (up to 30 s) for the
# file $T/go, made only once the follower has printed both hosts' first tick.
for _ in $(seq 1 300); do [ "$(grep -c '^tick 1 ' "$T/follow")" = 2 ] && break; sleep 0.1; done
[ "$(grep -c '^tick 1 ' "$T/follow")" = 2 ] || { cat "$T/follow"; fail "nothing followed while the run ran"; }
# show during the run: the running step's bytes so far and how long it has run.
"$LEURA_BIN" show last --no-pager > "$T/live-show"
grep -qE '^ +1 count +running +[0-9.]+m?s +out [1-9][0-9]* B, err [1-9][0-9]* B$' "$T/live-show" ||
  { cat "$T/live-show"; fail "show of a live run: no live bytes"; }
grep -qE '^  running +127\.0\.1\.[12] +[0-9.]+m?s' "$T/live-show" || fail "show: a running host's time"
touch "$T/go"
wait "$runner"
for _ in $(seq 1 50); do kill -0 "$follower" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$follower" 2>/dev/null || fail "--follow did not end with the run"
wait "$follower" || fail "--follow failed: $(cat "$T/follow.err")"
for h in 127.0.1.1 127.0.1.2; do
  # This host's lines, in order, whatever the other host's interleave.
  got=$(awk -v h="$h" '/^==> /{mine = index($0, "==> " h ":") == 1; next} mine' "$T/follow")
  [ "$(echo "$got" | grep -v stderr)" = "tick 1 $h
tick 2 $h
tick 3 $h
no-newline
done $h" ] || { cat "$T/follow"; fail "$h: followed output"; }
  [ "$(echo "$got" | grep -c '^\[stderr\] warn')" = 3 ] || { cat "$T/follow"; fail "$h: stderr lines"; }
done
grep -q '^==> 127.0.1.2: step 2 "after" <==$' "$T/follow" || fail "step header"
# A finished run: --follow prints it all and ends; filters as without --follow.
leura logs last --follow --host 127.0.1.2 --stderr
expect_rc 0
[ "$(cat "$T/out")" = '==> 127.0.1.2: step 1 "count" <==
warn 1
warn 2
warn 3' ] || { cat "$T/out"; fail "--follow --host --stderr on a finished run"; }
leura logs last --follow --full
expect_rc 2
expect_err "pick one"
