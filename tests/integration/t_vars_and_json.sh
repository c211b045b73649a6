# Variables reach scripts as shell-quoted exports, literally, whatever they contain; --var wins
# over the task's [vars], and hosts see LEURA_HOST/LEURA_RUN. --json emits the documented events.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
t=$(task t "
[vars]
plain = \"task value\"
nasty = \"it's \\\"\$(touch $T/pwned)\\\" \`touch $T/pwned\` ; \$HOME\"
[[steps]]
name = \"show\"
env = { STEP_ONLY = \"yes\" }
command = 'printf \"%s|%s|%s|%s|%s\\n\" \"\$plain\" \"\$nasty\" \"\$STEP_ONLY\" \"\$LEURA_HOST\" \"\$LEURA_RUN\"'")
run_leura "$t" --var plain=override --json
expect_rc 0
[ ! -e "$T/pwned" ] || fail "a variable was executed"
id=$(last_run)
"$LEURA_BIN" logs "$id" --host 127.0.1.2 > "$T/got"
expected="override|it's \"\$(touch $T/pwned)\" \`touch $T/pwned\` ; \$HOME|yes|127.0.1.2|$id"
[ "$(cat "$T/got")" = "$expected" ] || { echo "got:      $(cat "$T/got")"; echo "expected: $expected"; fail "variables"; }
# Events: one JSON object per line, in order, with the documented fields.
leura run "$t" -i "$F/inventory.toml" --known-hosts "$F/known_hosts" --json
expect_rc 0
events=$(sed -n 's/^{"event":"\([a-z_]*\)".*/\1/p' "$T/out" | uniq | tr '\n' ' ')
[ "$events" = "run_started batch_started step_finished host_finished step_finished host_finished batch_finished run_finished " ] || fail "events: $events"
[ "$(wc -l < "$T/out")" = 8 ] || fail "expected 8 lines"
grep -q '"event":"step_finished",.*"host":"127.0.1.1","step":".*","phase":"steps","status":"ok","exit":0,"duration_ms":[0-9]*,"bytes_out":[0-9]*,"bytes_err":0,"attempts":1,"seq":[0-9]*}' "$T/out" || fail "step_finished"
grep -q '"event":"run_finished",.*"duration_ms":[0-9]*,"seq":[0-9]*}' "$T/out" || fail "run_finished duration"
grep -q '^{"event":"run_started","run":"[0-9]\{8\}-[0-9]\{6\}-[0-9a-f]\{4\}","ts":"[0-9T:.-]*Z","task":".*","inventory":".*","hosts":2,"waves":1,"user":"' "$T/out" || fail "run_started"
grep -q '"event":"host_finished",.*"wave":1,"host":"127.0.1.1","status":"ok","error":null,.*"exit":0,"duration_ms":[0-9]*,"seq":[0-9]*}' "$T/out" || fail "host_finished"
grep -q '"event":"batch_finished",.*"wave":1,"ok":2,"failed":0,"unreachable":0,"gate":"pass","rollback":"none"' "$T/out" || fail "batch_finished"
grep -q '"event":"run_finished",.*"status":"ok","exit":0,"archive":".*\.tar\.gz"' "$T/out" || fail "run_finished"
# The values never reach a command line: sshd's exec request is always the same.
grep -q "touch" "$F/sshd.log" && fail "values in sshd log" || true
