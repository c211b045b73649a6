# A jump host that takes the TCP connection and then says nothing: the hosts behind it fail
# naming the jump host, not as if they themselves had timed out.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
silent_listener 127.0.1.9
port=$silent_port
sed "s/^identity = .*/&\njump = \"127.0.1.9:$port\"/" "$F/inventory.toml" > "$T/inv.toml"
grep -q '^jump = ' "$T/inv.toml" || fail "inventory not rewritten"
t=$(task t '
[[steps]]
command = "true"')
leura run "$t" -i "$T/inv.toml" --known-hosts "$F/known_hosts" --connect-timeout 2s --connect-attempts 1
expect_rc 1
[ "$(grep -c '^unreachable ' "$T/out")" = 2 ] || { cat "$T/out"; fail "both hosts should be unreachable"; }
grep '^unreachable ' "$T/out" | grep -v "jump host 127.0.1.9:$port" && fail "a host was blamed instead of its jump host"
echo ok
