# pause = "confirm" on a terminal asks before each later wave: "y" goes on, anything else halts
# (exit 3) with the later waves skipped. `script` gives leura a real pty.
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || fail "needs script(1) from bsdutils"
fleet_up_watched "$F" 3
t=$(task t '
[rollout]
batches = [1, "100%"]
pause = "confirm"
[[steps]]
command = "true"')
cmd="$LEURA_BIN run $t -i $F/inventory.toml --known-hosts $F/known_hosts"
set +e
(sleep 2; printf 'y\r') | script -qec "$cmd" /dev/null > "$T/tty_yes" 2>&1; rc_yes=$?
(sleep 2; printf 'n\r') | script -qec "$cmd" /dev/null > "$T/tty_no" 2>&1; rc_no=$?
set -e
grep -q "continue with wave 2/2 (2 hosts)? \[y/N\]" "$T/tty_yes" || { cat "$T/tty_yes"; fail "no prompt"; }
[ "$rc_yes" = 0 ] || { cat "$T/tty_yes"; fail "answering y: exit $rc_yes"; }
grep -q "ok: 3 ok" "$T/tty_yes" || fail "all 3 hosts should run"
[ "$rc_no" = 3 ] || { cat "$T/tty_no"; fail "answering n: exit $rc_no, expected 3"; }
grep -q "halted: 1 ok, 0 failed, 0 unreachable, 2 skipped" "$T/tty_no" || { cat "$T/tty_no"; fail "halt summary"; }
