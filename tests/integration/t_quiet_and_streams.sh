# Streams, named: the run's report (host, wave and summary lines) on stdout so `| tee` keeps
# it, diagnostics on stderr; -q prints nothing at all when every host succeeded (cron mails
# only failures); --json keeps stdout for events; exec keeps stdout for the grouped output.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 3
ok=$(task ok '
[[steps]]
command = "echo fine"')
bad=$(task bad '
[[steps]]
command = "[ $LEURA_HOST != 127.0.1.2 ] || { echo broken >&2; exit 4; }"')

run_leura "$ok" -q
expect_rc 0
[ ! -s "$T/out" ] || { cat "$T/out"; fail "-q printed on stdout on success"; }
[ ! -s "$T/err" ] || { cat "$T/err"; fail "-q printed on stderr on success"; }

run_leura "$bad" -q
expect_rc 1
expect_out '^failed +127\.0\.1\.2 '
expect_out '^leura: failed: 2 ok, 1 failed, 0 unreachable, 0 skipped in .* \(run [0-9-]+[0-9a-f]+\)$'
not_out '^ok '
[ "$(wc -l < "$T/out")" = 2 ] || { cat "$T/out"; fail "-q on failure: the failed host and the summary only"; }
[ ! -s "$T/err" ] || { cat "$T/err"; fail "-q: stderr"; }

run_leura "$bad"
expect_rc 1
expect_out '^leura: run [0-9a-f-]+: .*bad.* on 3 hosts$'
[ "$(grep -c '^ok ' "$T/out")" = 2 ] || { cat "$T/out"; fail "host lines on stdout"; }
expect_out '^leura: failed: 2 ok, 1 failed'
expect_out '^leura: logs: leura logs '
[ ! -s "$T/err" ] || { cat "$T/err"; fail "a run without diagnostics printed on stderr"; }

run_leura "$bad" --json
expect_rc 1
! grep -qv '^{"event":"' "$T/out" || { cat "$T/out"; fail "--json: stdout must be events only"; }
expect_err '^leura: failed: 2 ok, 1 failed'

leura exec -i "$F/inventory.toml" --known-hosts "$F/known_hosts" -- 'echo same'
expect_rc 0
[ "$(head -1 "$T/out")" = "---------------- 127.0.1.[1-3] (3)" ] || { cat "$T/out"; fail "exec groups"; }
grep -q '^same$' "$T/out" || fail "exec output"
expect_err '^leura: ok: 3 ok'
not_out '^leura:'
