# run_once: over two waves of four hosts, the step runs on exactly one host; every other host
# records it as skipped, naming the host that ran it, and goes on to its later steps.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 4
t=$(task once "
[[steps]]
name = \"migrate\"
run_once = true
command = 'sleep 0.3; echo \$LEURA_HOST >> $T/once.log'
[[steps]]
name = \"after\"
command = 'test -s $T/once.log && echo saw migration'")
run_leura "$t" --batches 1,100%
expect_rc 0
[ "$(wc -l < "$T/once.log")" = 1 ] || fail "run_once ran $(wc -l < "$T/once.log") times"
ran_on=$(cat "$T/once.log")
leura show "$(last_run)"
expect_out "migrate +skipped .*run_once: ran on $ran_on"
[ "$(grep -c 'migrate *skipped' "$T/out")" = 3 ] || { cat "$T/out"; fail "expected 3 skipped"; }
leura logs "$(last_run)" --step after
[ "$(grep -c 'saw migration' "$T/out")" = 4 ] || fail "a host ran 'after' before the migration"
