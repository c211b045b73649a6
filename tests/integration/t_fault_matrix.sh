# The network fault matrix, all in one run: each broken host ends in its own recorded outcome,
# bounded in time, and the healthy slow host still succeeds. Faults: connection refused, a
# black hole (accept queue full), a banner that never comes, endless lines before the banner,
# authentication refused, a changed host key, the connection cut mid-command (its sshd session
# killed) and a host that stops answering mid-command (its sshd session stopped).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || fail "python3 missing: apt-get install -y python3"
fleet_up_watched "$F" 5
port=$(fleet_port "$F")
for mode in blackhole silent chatter; do
  case $mode in blackhole) a=127.0.2.2 ;; silent) a=127.0.2.3 ;; chatter) a=127.0.2.4 ;; esac
  python3 "$LEURA_SOURCE_DIR/tests/fixtures/faultd.py" "$mode" "$a" "$port" "$T/faultd-$mode.pid" &
  at_exit "kill $! 2>/dev/null"
done
for mode in blackhole silent chatter; do
  for _ in $(seq 1 50); do [ -s "$T/faultd-$mode.pid" ] && break; sleep 0.1; done
done
ssh-keygen -q -t ed25519 -N '' -f "$T/stranger_key"
ssh-keygen -q -t ed25519 -N '' -f "$T/other_host_key"
sed "s|^\[127.0.1.5\]:$port .*|[127.0.1.5]:$port $(cut -d' ' -f1,2 "$T/other_host_key.pub")|" \
  "$F/known_hosts" > "$T/known_hosts"
for a in 127.0.2.1 127.0.2.2 127.0.2.3 127.0.2.4; do
  echo "[$a]:$port $(cut -d' ' -f1,2 "$F/host_key.pub")" >> "$T/known_hosts"
done
{
  sed -n '/^\[defaults\]/,/^$/p' "$F/inventory.toml"
  printf '[[hosts]]\nnames = ["127.0.1.1", "127.0.1.2", "127.0.1.3", "127.0.1.5"]\n'
  printf '[[hosts]]\nnames = "127.0.1.4"\nidentity = "%s"\n' "$T/stranger_key"
  printf '[[hosts]]\nnames = "127.0.2.[1-4]"\n'
} > "$T/inv.toml"

t=$(task faults "
[[steps]]
name = \"work\"
script = '''
case \$LEURA_HOST in
  127.0.1.1) for i in \$(seq 1 20); do echo \"line \$i\"; sleep 0.1; done ;;
  127.0.1.2) echo \$PPID > $T/cut.pid; sleep 30 ;;
  127.0.1.3) echo \$PPID > $T/stop.pid; sleep 30 ;;
esac
'''")
# Cut one session and stop another once their commands run; the stopped one is killed after.
(
  for _ in $(seq 1 100); do [ -s "$T/cut.pid" ] && [ -s "$T/stop.pid" ] && break; sleep 0.1; done
  kill -9 "$(cat "$T/cut.pid")"
  kill -STOP "$(cat "$T/stop.pid")"
) &
at_exit "[ -s $T/stop.pid ] && kill -9 \$(cat $T/stop.pid) 2>/dev/null"
start=$(date +%s)
leura run "$t" -i "$T/inv.toml" --known-hosts "$T/known_hosts" --json \
  --connect-timeout 3s --connect-attempts 1 --keepalive 2s
elapsed=$(( $(date +%s) - start ))
expect_rc 1
outcome() { # outcome HOST STATUS KIND [MESSAGE]
  grep "\"host\":\"$1\"" "$T/out" | grep -q "\"status\":\"$2\",\"error\":$3" ||
    { grep "\"host\":\"$1\"" "$T/out" >&2; fail "$1: expected $2 / $3"; }
  [ -z "${4:-}" ] || grep "\"host\":\"$1\"" "$T/out" | grep -qE "$4" ||
    { grep "\"host\":\"$1\"" "$T/out" >&2; fail "$1: message lacks /$4/"; }
}
outcome 127.0.1.1 ok null
outcome 127.0.1.2 failed '"connect"'
outcome 127.0.1.3 failed '"connect"' "stopped answering: no reply to a keepalive in 2s"
outcome 127.0.1.4 unreachable '"auth"'
outcome 127.0.1.5 unreachable '"host_key_changed"'
outcome 127.0.2.1 unreachable '"connect"' "Connection refused"
outcome 127.0.2.2 unreachable '"connect"' "timed out after 3000ms"
outcome 127.0.2.3 unreachable '"connect"' "timed out after 3000ms"
outcome 127.0.2.4 unreachable '"connect"'
# Every fault is bounded: one connect timeout and one keepalive round, not their sum over hosts.
[ "$elapsed" -lt 15 ] || fail "the run took ${elapsed}s"
leura show "$(last_run)"
expect_out "failed +127.0.1.3 .*stopped answering"
