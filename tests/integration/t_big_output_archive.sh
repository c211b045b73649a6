# 1 MiB+ of output per host: archived byte-exact, previewed as head and tail.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 3
t=$(task t '
[[steps]]
name = "lots"
command = "seq 1 200000; echo to-stderr >&2"')
run_leura "$t"
expect_rc 0
seq 1 200000 > "$T/expected"
[ "$(stat -c %s "$T/expected")" -gt 1048576 ] || fail "fixture too small"
id=$(last_run)
for i in 1 2 3; do
  "$LEURA_BIN" logs "$id" --host "127.0.1.$i" --full --stdout > "$T/got" && "$LEURA_BIN" logs "$id" --host "127.0.1.$i" --full --stderr > "$T/got_err"
  cmp "$T/expected" "$T/got" || fail "127.0.1.$i: archived output differs"
  [ "$(cat "$T/got_err")" = to-stderr ] || fail "stderr differs"
done
leura logs "$id" --host 127.0.1.2
expect_out '^1$'
expect_out '^200000$'
expect_out '^\[\.\.\. [0-9]+ bytes omitted \.\.\.\]$'
[ "$(stat -c %s "$T/out")" -lt 17000 ] || fail "preview over budget"
# The archive is a plain tar.gz that tar reads, with sanitized names only.
archive=$(ls "$LEURA_HOME"/archives/*.tar.gz)
tar -tzf "$archive" > "$T/members"
grep -qx "run.json" "$T/members" || fail "no run.json"
grep -qx "hosts/127.0.1.1/01-lots.stdout" "$T/members" || { cat "$T/members"; fail "member names"; }
tar -xzOf "$archive" run.json | grep -q '"status":"ok"' || fail "run.json"
[ "$(stat -c %a "$archive")" = 600 ] || fail "archive mode"
[ "$(stat -c %a "$LEURA_HOME/leura.db")" = 600 ] || fail "database mode"
[ "$(stat -c %a "$LEURA_HOME")" = 700 ] || fail "data dir mode"
[ -z "$(ls "$LEURA_HOME/spool")" ] || fail "spool left behind"
