# Reading history back: `last` and `last~N` name runs; logs prints stderr on stdout marked
# (so a pipe keeps the errors), --stdout/--stderr pick one stream exactly; --host takes the
# range and selector syntax leura prints.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 4
t=$(task t '
[[steps]]
name = "say"
command = "echo out-$LEURA_HOST; echo err-$LEURA_HOST >&2; printf tail >&2"')
run_leura "$t"
expect_rc 0
first=$(last_run)
run_leura "$t" -t 127.0.1.1
second=$(last_run)
[ "$first" != "$second" ] || fail "two runs expected"

leura show last
expect_rc 0
expect_out "$second"
leura show last~1
expect_out "$first"
leura show last~2
expect_rc 2
expect_err "there are not 3 runs: 'last~2' names none"

leura logs last~1 --host '127.0.1.[2-3]'
expect_rc 0
[ "$(cat "$T/out")" = '==> 127.0.1.2: step 1 "say" <==
out-127.0.1.2
[stderr] err-127.0.1.2
[stderr] tail
==> 127.0.1.3: step 1 "say" <==
out-127.0.1.3
[stderr] err-127.0.1.3
[stderr] tail' ] || { cat "$T/out"; fail "marked stderr, range selector"; }
[ ! -s "$T/err" ] || fail "logs wrote on stderr"

leura logs "$first" --host 127.0.1.4 --stderr
[ "$(cat "$T/out")" = "err-127.0.1.4
tail" ] || { cat "$T/out"; fail "--stderr: exactly the stream"; }
leura logs "$first" --host '127.0.1.1,127.0.1.4' --stdout --full
[ "$(cat "$T/out")" = '==> 127.0.1.1: step 1 "say" <==
out-127.0.1.1
==> 127.0.1.4: step 1 "say" <==
out-127.0.1.4' ] || { cat "$T/out"; fail "--stdout --full over a list"; }
leura logs "$first" --stdout --stderr
expect_rc 2
leura logs "$first" --host 127.0.9.9
expect_rc 2
expect_err "has no step output on host '127.0.9.9'"
