# Self-healing (issue: schedules and monitors), with runbooks/examples/monitors/stand-in-service
# on the loopback fleet: a stand-in service (a file per host) stopped on one host; its check
# fails twice in three rounds, so the monitor reacts on that host only; the reaction run starts
# it; the next round verifies it and the host is OK again. Every decision is recorded and
# `monitor why` tells them; a second failure inside the cooldown is not reacted to, and says
# so; `ack` mutes a host; the tick starts a due round once.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
fleet_settings
conf=$XDG_CONFIG_HOME/leura
stand_in_monitor
cd /
h1=127.0.1.1
h2=127.0.1.2
touch "$T/svc/$h1.up" "$T/svc/$h2.up"

leura monitor status
expect_rc 0
expect_err "no round has run yet"


leura monitor round svc --at 2030-01-01T00:00:00Z
expect_rc 0
expect_out "^$h1  ok  ok  ok: the check passed$"
rm "$T/svc/$h2.up" # the service stops on one host
leura monitor round svc --at 2030-01-01T00:01:00Z
expect_out "^$h2  fail  soft_fail  soft_fail: 1 of the last 3 checks failed$"
leura monitor round svc --at 2030-01-01T00:02:00Z
expect_out "^$h2  fail  reacting  react: 2 of the last 3 checks failed  run [0-9-]+[0-9a-f]{4}$"
expect_out "^$h1  ok  ok  ok"
reaction=$(sed -n "s/^$h2 .*run \([^ ]*\)$/\1/p" "$T/out")
wait_status "$reaction" ok 100 || { cat "$LEURA_HOME/schedule.log"; fail "the reaction run did not finish ok"; }
[ -e "$T/svc/$h2.up" ] || fail "the reaction did not start the service"
leura runs --json --limit 1
expect_out "\"user\":\"monitor:svc\""
expect_out "\"hosts\":1,"
leura show "$reaction"
expect_out "^started by monitor:svc$"

# The round after the reaction verifies it.
leura monitor round svc --at 2030-01-01T00:03:00Z
expect_out "^$h2  ok  ok  recovered: the check passed after the reaction$"
leura monitor status svc
expect_out "^svc +$h2 +ok +OFFO[|] "
expect_out "^svc +$h1 +ok +OOOO "

# Down again within the cooldown (10m): the window starts at the recovery (one failure is a
# soft one), then failing, but no reaction, and why not.
rm "$T/svc/$h2.up"
leura monitor round svc --at 2030-01-01T00:04:00Z
expect_out "^$h2  fail  soft_fail  soft_fail: 1 of the last 3 checks failed$"
leura monitor round svc --at 2030-01-01T00:05:00Z
expect_out "^$h2  fail  failing  skip: cooldown: the last reaction was 3m.* ago \(cooldown 10m.*\)$"
leura monitor why svc "$h2"
expect_rc 0
expect_out "^$h2: skip: cooldown"
expect_out " react +2 of the last 3 checks failed +$reaction$"
expect_out " recovered +the check passed after the reaction "
expect_out "stand-in service down"
leura monitor why svc "$h1"
expect_out "^no decision: every check of $h1 passed while it was OK$"

# ack: muted for an hour from now (the real clock: this round is not moved in time).
leura monitor ack svc "$h2" --for 1h
expect_rc 0
expect_out "^svc on $h2: no reaction until "
leura monitor round svc
expect_out "^$h2  fail  failing  skip: muted$"

# The tick starts a due round once (as a child), never in its own process.
leura schedule tick --now 2030-01-01T00:30:10Z
expect_rc 0
expect_out "^monitor:svc 2030-01-01T00:30:00.000Z: started$"
leura schedule tick --now 2030-01-01T00:30:40Z
not_out "monitor:svc"
for _ in $(seq 1 100); do
  leura monitor why svc "$h2" --json --limit 1
  grep -q "2030-01-01T00:30:00" "$T/out" && break
  sleep 0.1
done
expect_out "2030-01-01T00:30:00"
expect_out '"decision":"react"'
ticked=$(sed -n 's/.*"run":"\([^"]*\)".*/\1/p' "$T/out")
wait_status "$ticked" ok 100 || fail "the reaction of the ticked round did not finish"

# A maintenance window ([[mute]], in the monitor's zone): no reaction inside it.
printf '\n[[mute]]\nfrom = "2030-01-01 01:00"\nto = "2030-01-01 02:00"\n' >> "$conf/monitors/svc.toml"
rm "$T/svc/$h2.up" # the 00:30 round's reaction started it; down again
leura monitor round svc --at 2030-01-01T01:30:00Z
expect_rc 0
expect_out "^$h2  fail  failing  skip: reaction $ticked ended ok but the check still fails after it; muted$"
leura monitor round svc --at 2030-01-01T02:30:00Z
expect_out "^$h2  fail  reacting  react: "
last_reaction=$(sed -n "s/^$h2 .*run \([^ ]*\)$/\1/p" "$T/out")
wait_finished "$last_reaction" 100 || fail "the last reaction never finished"

# Bad input: a monitor file with problems names them at file:line:col.
printf '[check]\ncommand = "true"\n[trigger]\nfailures = 5\nwindow = 3\nbogus = 1\n' > "$conf/monitors/bad.toml"
leura monitor round bad
expect_rc 2
expect_err "bad.toml:6:1: error: unknown key 'bogus'"
expect_err "failures \(5\) cannot exceed window \(3\)"
# A file whose name cannot be a monitor's is said, not ticked; the others still show.
printf '[check]\ncommand = "true"\n' > "$conf/monitors/bad name.toml"
leura monitor status
expect_rc 2
expect_err "'bad name' is not a monitor name"
expect_out "^svc +$h2 "
echo ok
