# A host where nothing listens is unreachable with error kind "connect", after retries; the
# other hosts are unaffected.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
cat >> "$F/inventory.toml" <<INV
[[hosts]]
names = "127.0.1.250"
port = 1
INV
t=$(task t '
[[steps]]
command = "true"')
run_leura "$t" --json
expect_rc 1
grep -q '"event":"host_finished".*"host":"127.0.1.250","status":"unreachable","error":"connect"' "$T/out" ||
  { cat "$T/out"; fail "no unreachable event"; }
grep -q '"message":"connect to 127.0.1.250 port 1: Connection refused (3 attempts)"' "$T/out" || { cat "$T/out"; fail "message"; }
[ "$(grep -c '"event":"host_finished".*"status":"ok"' "$T/out")" = 2 ] || fail "2 hosts should succeed"
grep -q '"event":"run_finished".*"status":"failed","exit":1' "$T/out" || fail "run_finished"
