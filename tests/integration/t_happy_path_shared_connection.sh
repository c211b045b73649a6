# 5 hosts, two steps each: every host succeeds, and both steps of a host ran over one SSH
# connection (same client port in $SSH_CONNECTION).
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 5
t=$(task hello '
[[steps]]
name = "first"
command = "echo conn=${SSH_CONNECTION%% [0-9]*.*} $SSH_CONNECTION"
[[steps]]
name = "second"
script = "echo $SSH_CONNECTION"')
run_leura "$t"
expect_rc 0
expect_out "5 ok, 0 failed, 0 unreachable"
[ "$(grep -c '^ok ' "$T/out")" = 5 ] || fail "expected 5 ok lines"
id=$(last_run)
for i in 1 2 3 4 5; do
  h=127.0.1.$i
  "$LEURA_BIN" logs "$id" --host "$h" --step first --full > "$T/a"
  "$LEURA_BIN" logs "$id" --host "$h" --step second --full > "$T/b"
  port_a=$(awk '{print $3}' "$T/a"); port_b=$(awk '{print $2}' "$T/b")
  server=$(awk '{print $3}' "$T/b")
  [ -n "$port_a" ] && [ "$port_a" = "$port_b" ] || fail "$h: steps used ports '$port_a' and '$port_b'"
  [ "$server" = "$h" ] || fail "$h: step ran on '$server'"
done
# Exactly 5 logins reached sshd for 10 steps.
logins=$(grep -c "Accepted publickey" "$F/sshd.log")
[ "$logins" = 5 ] || fail "sshd saw $logins logins, expected 5"
