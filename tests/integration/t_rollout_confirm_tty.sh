# pause = "confirm" on a terminal asks before each later wave: "y" goes on, anything else stops
# the rollout (exit 3) with the later waves skipped, recorded `declined`, which resume continues.
# `script` gives leura a real pty.
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
grep -q "declined: 1 ok, 0 failed, 0 unreachable, 2 skipped" "$T/tty_no" ||
  { cat "$T/tty_no"; fail "declined summary"; }
declined=$(last_run)
leura runs --status declined --json
expect_out "\"run\":\"$declined\""
expect_out '"status":"declined"'
leura runs --status halted --json
not_out "$declined"
leura resume "$declined" --yes --known-hosts "$F/known_hosts"
expect_rc 0
expect_err "resuming run $declined: 2 hosts in 1 wave \\(it was declined\\)"
expect_out "ok: 2 ok"
