# A host's steps run one after another in one shell on the host (the runner, exec/runner.hpp):
# each step still gets its own output (a last line without newline, stderr, binary bytes),
# exit status, environment, directory and an stdin at EOF; a step that kills the runner fails
# alone, and the next step gets a new runner.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
t=$(task runner '
[[steps]]
name = "leave state"
script = """
echo "runner $$"
cd /tmp && export LEURA_T_LEAK=1 && umask 077
printf "no newline at the end"
printf "to stderr" >&2
"""
[[steps]]
name = "fresh state"
script = """
echo "runner $$"
echo "pwd=$(pwd) leak=${LEURA_T_LEAK-none} umask=$(umask)"
"""
[[steps]]
name = "stdin is empty"
command = "cat; echo read-eof"
[[steps]]
name = "binary"
command = "printf \u0027\\000\\001\\n\\377\u0027; printf \u0027\\n0123456789abcdef0123456789abcdef 0\\n\u0027"
[[steps]]
name = "fails"
command = "exit 7"
ignore_errors = true
[[steps]]
name = "kills its runner"
command = "echo before; (sleep 0.3; kill -9 $$) >/dev/null 2>&1 &"
[[steps]]
name = "idle"
local = "sleep 1"
[[steps]]
name = "after"
command = "echo \"runner $$\"; echo done"
[[steps]]
name = "too slow"
command = "sleep 30"
timeout = "1s"')
run_leura "$t"
expect_rc 1
expect_out "0 ok, 2 failed"
expect_out 'step "too slow" timed out after 1000ms' 
id=$(last_run)
logs() { "$LEURA_BIN" logs "$id" --host 127.0.1.1 --step "$1" --full --stdout; }
r1=$(logs "leave state" | sed -n 's/^runner //p')
r2=$(logs "fresh state" | sed -n 's/^runner //p')
r8=$(logs "after" | sed -n 's/^runner //p')
[ -n "$r1" ] && [ "$r1" = "$r2" ] || fail "steps 1 and 2 ran in shells '$r1' and '$r2', not one runner"
[ -n "$r8" ] && [ "$r8" != "$r1" ] || fail "after its runner was killed, a step ran in '$r8'"
logs "leave state" > "$T/s1"
grep -q "no newline at the end" "$T/s1" || fail "step 1 lost its last line: $(cat "$T/s1")"
[ "$("$LEURA_BIN" logs "$id" --host 127.0.1.1 --step "leave state" --full --stderr)" = "to stderr" ] || fail "step 1 stderr"
home_pwd=$(logs "fresh state" | sed -n 's/^pwd=\([^ ]*\) .*/\1/p')
[ "$home_pwd" != /tmp ] || fail "step 2 started in step 1's directory"
logs "fresh state" | grep -q "leak=none umask=0022" || fail "step 2 saw step 1's state: $(logs "fresh state")"
logs "stdin is empty" | grep -q "^read-eof$" || fail "cat did not see EOF"
# The archived output is byte-exact, markers cut off, a marker-like line kept.
archive=$(ls "$LEURA_HOME"/archives/*"$id"*.tar.gz 2>/dev/null | head -1)
[ -f "$archive" ] || fail "no archive for $id in $LEURA_HOME/archives"
mkdir "$T/x" && tar -xzf "$archive" -C "$T/x"
bin=$(find "$T/x" -path "*127.0.1.1*" -name "*binary*" -name "*out*" | head -1)
[ -f "$bin" ] || bin=$(find "$T/x" -path "*127.0.1.1*" | grep -i "04" | grep -i out | head -1)
[ -f "$bin" ] || { find "$T/x" >&2; fail "no stdout of the binary step in the archive"; }
printf '\000\001\n\377\n0123456789abcdef0123456789abcdef 0\n' | cmp - "$bin" || fail "binary output differs"
"$LEURA_BIN" show "$id" > "$T/show"
grep -qE "fails .*(exit 7|failed)" "$T/show" || { cat "$T/show" >&2; fail "exit 7 not recorded"; }
grep -qE "too slow .*timeout" "$T/show" || { cat "$T/show" >&2; fail "timeout not recorded"; }
logs "kills its runner" | grep -q "^before" || fail "output before the kill was lost"

# A step that kills its runner (its shell, as far as it knows) was killed by a signal: a
# failure that ignore_errors (about exit statuses) does not cover, of kind "signal".
t=$(task kill '
[[steps]]
name = "kills its runner"
command = "echo before; kill -9 $$"
ignore_errors = true
[[steps]]
name = "never"
command = "echo never"
[[steps]]
name = "signal from a command"
command = "true"')
run_leura "$t" --json
expect_rc 1
grep -q '"error_kind":"signal"' "$T/out" || grep -q '"error":{"kind":"signal"' "$T/out" || grep -q '"signal"' "$T/out" || { cat "$T/out"; fail "no signal kind in the events"; }
leura show "$(last_run)"
expect_out "kills its runner .*killed by signal KILL"
not_out "never +exit 0"
# A command a signal killed, under the step's sh: 128 + 9 is a signal too, not "exit 137".
t=$(task kill2 '
[[steps]]
name = "killed child"
command = "sh -c \u0027kill -9 $$\u0027"
ignore_errors = true
[[steps]]
name = "never"
command = "echo never"')
run_leura "$t"
expect_rc 1
expect_out 'step "killed child" killed by signal KILL'
echo ok
