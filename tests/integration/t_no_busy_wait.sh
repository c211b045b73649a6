# While the handshake allowance is full, leura waits on its sockets instead of polling them
# with no timeout. 24 hosts behind a listener that takes the TCP connection and never speaks,
# 16 at a time: the first 16 time out, which narrows the allowance to 4, and then 4 run while
# the others wait for a slot; before the fix those seconds of waiting spun a core.
. "$(dirname "$0")/lib.sh"
silent_listener 127.0.1.9
port=$silent_port
printf '[defaults]\nuser = "nobody"\nport = %s\n' "$port" > "$T/inv.toml"
for i in $(seq 10 33); do
  printf '\n[[hosts]]\nnames = "silent%s"\naddress = "127.0.1.9"\n' "$i" >> "$T/inv.toml"
done
: > "$T/known_hosts"
t=$(task t '
[[steps]]
command = "true"')
TIMEFORMAT='%R %U %S'
# The same hosts all at once first: one round, nothing waits for a slot. It gives what the
# run itself costs (more under a sanitizer), for the comparison below.
{ time leura run "$t" -i "$T/inv.toml" --known-hosts "$T/known_hosts" --concurrency 24 \
    --connect-timeout 1s --connect-attempts 1; } 2> "$T/time0"
expect_rc 1
read -r wall0 user0 sys0 < "$T/time0"
{ time leura run "$t" -i "$T/inv.toml" --known-hosts "$T/known_hosts" --concurrency 16 \
    --connect-timeout 1s --connect-attempts 1; } 2> "$T/time"
expect_rc 1
[ "$(grep -c '^unreachable ' "$T/out")" = 24 ] || { cat "$T/out" "$T/err"; fail "24 hosts should be unreachable"; }
read -r wall user sys < "$T/time"
echo "all at once: wall $wall0 s, CPU $user0 + $sys0 s; 16 at a time: wall $wall s, CPU $user + $sys s"
# Three rounds of 1 s timeouts: 16, 4, 4 hosts (the allowance halves to its floor of 4).
awk -v w="$wall" 'BEGIN { exit !(w >= 2.5) }' || fail "expected three rounds of timeouts, took $wall s"
# Two more seconds of waiting cost next to nothing; spinning cost about a second of CPU.
awk -v u="$user" -v s="$sys" -v u0="$user0" -v s0="$sys0" 'BEGIN { exit !(u + s < u0 + s0 + 0.4) }' ||
  fail "leura used $user s user + $sys s sys CPU waiting $wall s ($user0 + $sys0 s in one round): it polls without waiting"
echo ok
