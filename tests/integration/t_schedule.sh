# Schedules (issue: timed and cron tasks) against the loopback fleet. `schedule add` checks what
# it is given at once (a bad expression names its column, an unknown zone is an error, an
# expression that never matches is refused); `next` shows DST shifts; `tick --now` starts the
# due fire as a detached `leura run` whose principal is schedule:NAME and whose trigger is
# recorded; a second tick for the same instant starts nothing (one row per fire); downtime is
# caught up as `catchup` says and older fires are recorded missed; `overlap = skip` records
# skipped_overlap while the last run still runs, `queue` starts one that waits; a paused
# schedule does not catch up its pause; `install --systemd` passes `systemd-analyze verify`.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
fleet_settings
cat > "$lib/stamp.toml" <<EOT
[[steps]]
name = "stamp"
command = "echo \"\$LEURA_RUN\" >> $T/stamps-\$LEURA_HOST"
EOT
cat > "$lib/slow.toml" <<EOT
[[steps]]
name = "slow"
command = "sleep 6; echo done >> $T/slow-\$LEURA_HOST"
EOT
cd /
# tick ARGS...: `leura schedule tick`, keeping the ids of the runs it started, which the end
# of the test waits for (detached runs must not outlive the test's directory).
tick() {
  leura schedule tick "$@"
  sed -n 's/.*: started \([0-9][^ ]*\).*/\1/p' "$T/out" >> "$T/started"
}
: > "$T/started"

# since NAME TIME: the schedule counts its fires from TIME (as if added then).
since() {
  sed -i "/\[schedules.$1\]/,/^\$/s/^since = .*/since = \"$2\"/" "$XDG_CONFIG_HOME/leura/schedules.toml"
}

# Bad input: one line naming what is wrong, exit 2, nothing saved.
leura schedule add nightly --task stamp --cron '0 25 * * *'
expect_rc 2
expect_err "hour 25 is out of range \(0-23\)"
leura schedule add nightly --task stamp --cron '0 0 31 2 *'
expect_rc 2
expect_err "never matches"
leura schedule add nightly --task stamp --cron '@daily' --tz Mars/Base
expect_rc 2
expect_err "unknown time zone 'Mars/Base'"
leura schedule add nightly --task nosuch --cron '@daily'
expect_rc 2
leura schedule add 'bad name' --task stamp --cron '@daily'
expect_rc 2
[ ! -e "$XDG_CONFIG_HOME/leura/schedules.toml" ] || fail "a refused schedule was written"

# An expression tried before it is saved: the gap day is shifted and says so.
leura schedule next --cron '30 2 * * *' --tz America/New_York --from '2026-03-07 12:00' --count 2
expect_rc 0
expect_out "^2026-03-08 03:30 EDT  \(2026-03-08 07:30 UTC\)  shifted \+1h.*: 02:30 does not exist that day$"
expect_out "^2026-03-09 02:30 EDT  \(2026-03-09 06:30 UTC\)$"
leura schedule next --cron '0 0 13 * fri' --count 1
expect_rc 0
expect_err "both day of month and day of week are restricted"

leura schedule add every5 --task stamp --cron '*/5 * * * *' --catchup latest
expect_rc 0
expect_out "^added schedule every5"
expect_out "next: "
[ "$(stat -c %a "$XDG_CONFIG_HOME/leura/schedules.toml")" = 600 ] || fail "schedules.toml not 0600"
leura schedule add every5 --task stamp --cron '@hourly'
expect_rc 2
expect_err "schedule 'every5' exists"
leura schedule check
expect_rc 0
expect_out "1 schedule ok"

# The schedule counts from when it was added: move `since` back to a known instant and tick.
since every5 2030-01-01T00:00:00Z
tick --now 2030-01-01T00:04:59Z
expect_rc 0
[ ! -s "$T/out" ] || { cat "$T/out"; fail "a tick with nothing due printed something"; }
tick --now 2030-01-01T00:05:10Z
expect_rc 0
expect_out "^every5 2030-01-01T00:05:00.000Z: started [0-9]{8}-[0-9]{6}-[0-9a-f]{4}$"
run=$(sed -n 's/.*started \([^ ]*\).*/\1/p' "$T/out")
# The same instant again (a second ticker): nothing new starts.
tick --now 2030-01-01T00:05:30Z
expect_rc 0
[ ! -s "$T/out" ] || { cat "$T/out"; fail "the fire was started twice"; }
wait_status "$run" ok 100 || { cat "$T/out" "$LEURA_HOME/schedule.log"; fail "the scheduled run did not finish ok"; }
leura runs --json --limit 1
expect_out "\"user\":\"schedule:every5\""
[ "$(cat "$T"/stamps-* | sort -u)" = "$run" ] || fail "the hosts ran another run id than $run"
[ "$(cat "$T"/stamps-* | wc -l)" = 2 ] || fail "expected one stamp per host"

# Downtime: 00:10 .. 00:40 missed. latest runs only the newest; older than the window (1h)
# would be missed; the others are recorded missed, superseded.
tick --now 2030-01-01T00:41:00Z
expect_rc 0
expect_out "^every5 2030-01-01T00:40:00.000Z: started "
expect_out "^every5 2030-01-01T00:35:00.000Z: missed  superseded by a later fire \(catchup = latest\)$"
[ "$(grep -c ': missed' "$T/out")" = 6 ] || { cat "$T/out"; fail "expected 6 missed fires"; }
leura schedule history every5 --json
expect_rc 0
[ "$(grep -c '"status":"missed"' "$T/out")" = 6 ] || fail "history lacks the missed fires"
[ "$(grep -c '"status":"started"' "$T/out")" = 2 ] || fail "history lacks the started fires"

# catchup = none: a late fire is missed; and a window: fires older than it are missed too.
leura schedule add hourly-none --task stamp --cron '0 * * * *' --catchup none
since hourly-none 2030-01-01T00:00:00Z
tick --now 2030-01-01T01:30:00Z --schedule hourly-none
expect_rc 0
expect_out "^hourly-none 2030-01-01T01:00:00.000Z: missed  due 30m.* ago \(catchup = none\)$"
not_out "started"
leura schedule rm hourly-none
expect_rc 0

# Overlap: skip while the last run of the task still runs, queue waits for it.
leura schedule add slow-skip --task slow --every 1m --overlap skip
leura schedule add slow-queue --task slow --every 1m --overlap queue --paused
since slow-skip 2030-02-01T00:00:00Z
tick --now 2030-02-01T00:01:00Z --schedule slow-skip
expect_out "^slow-skip 2030-02-01T00:01:00.000Z: started "
first=$(sed -n 's/.*started \([^ ]*\).*/\1/p' "$T/out")
wait_status "$first" running 50 || fail "the first slow run never ran"
tick --now 2030-02-01T00:02:00Z --schedule slow-skip
expect_out "^slow-skip 2030-02-01T00:02:00.000Z: skipped_overlap  run $first \(pid [0-9]+\) of this task is still running \(overlap = skip\)$"
leura schedule resume slow-queue
expect_rc 0
since slow-queue 2030-02-01T00:01:30Z
tick --now 2030-02-01T00:02:00Z --schedule slow-queue
expect_out "^slow-queue 2030-02-01T00:02:00.000Z: started [^ ]+  queued behind run $first"
queued=$(sed -n 's/.*started \([^ ]*\).*/\1/p' "$T/out")
wait_status "$queued" ok 300 || fail "the queued run did not finish after the first"
[ "$(wc -l < "$T/slow-127.0.1.1")" = 2 ] || fail "expected the first and the queued run on the host"

# replace: the running run gets SIGTERM (its grace applies) and a queued one follows it.
leura schedule add slow-replace --task slow --every 1m --overlap replace
since slow-replace 2030-02-02T00:00:00Z
tick --now 2030-02-02T00:01:00Z --schedule slow-replace
old=$(sed -n 's/.*started \([^ ]*\).*/\1/p' "$T/out")
wait_status "$old" running 50 || fail "the run to replace never ran"
tick --now 2030-02-02T00:02:00Z --schedule slow-replace
expect_out "^slow-replace 2030-02-02T00:02:00.000Z: started [^ ]+  replaces run $old \(pid [0-9]+\) \(sent SIGTERM"
new=$(sed -n 's/.*started \([^ ]*\).*/\1/p' "$T/out")
wait_status "$new" ok 300 || fail "the replacing run did not finish"
leura show "$old" --json
expect_out '"status":"interrupted"'

# --at: once, in its zone; a time already past is refused.
leura schedule add past --task stamp --at '2020-01-01 00:00'
expect_rc 2
expect_err "has passed: it would never fire"
leura schedule add once --task stamp --at '2030-04-01 12:00' --tz Europe/Berlin
expect_rc 0
expect_out "next: 2030-04-01 12:00 CEST  \(2030-04-01 10:00 UTC\)"
tick --now 2030-04-01T10:00:20Z --schedule once
expect_out "^once 2030-04-01T10:00:00.000Z: started "
tick --now 2030-04-01T11:00:00Z --schedule once
[ ! -s "$T/out" ] || { cat "$T/out"; fail "a one-shot schedule fired twice"; }

# Access control: a scheduled run acts as schedule:NAME, which needs `run` on its task; a
# schedule the policy refuses is recorded denied, and nothing starts.
cat > "$T/access.toml" <<EOT
[[grant]]
id = "sched-stamp"
who = ["schedule:allowed"]
allow = ["run"]
tasks = ["stamp"]
EOT
chmod 644 "$T/access.toml"
export LEURA_ACCESS_FILE=$T/access.toml
leura schedule add allowed --task stamp --every 1m
expect_rc 0
leura schedule add refused --task stamp --every 1m
expect_rc 0
for n in allowed refused; do since "$n" 2030-03-01T00:00:00Z; done
tick --now 2030-03-01T00:01:00Z --schedule refused
expect_rc 0
expect_out "^refused 2030-03-01T00:01:00.000Z: denied  denied: schedule:refused run task 'stamp'.*no grant allows it"
tick --now 2030-03-01T00:01:00Z --schedule allowed
expect_rc 0
expect_out "^allowed 2030-03-01T00:01:00.000Z: started "
allowed=$(sed -n 's/^allowed .*started \([^ ]*\).*/\1/p' "$T/out")
wait_status "$allowed" ok 100 || { cat "$LEURA_HOME/schedule.log"; fail "the allowed scheduled run did not finish"; }
leura show "$allowed"
expect_out "^started by schedule:allowed$"
leura audit --actor schedule:allowed --json
expect_out '"decision":"allow"'
unset LEURA_ACCESS_FILE
leura schedule rm allowed
leura schedule rm refused

# A schedule whose task was deleted stops only itself: the others fire, its problem is said,
# exit 2 (cron mails it).
cp "$lib/stamp.toml" "$lib/gone.toml"
leura schedule add orphan --task gone --every 1m
expect_rc 0
leura schedule add sibling --task stamp --every 1m
expect_rc 0
for n in orphan sibling; do since "$n" 2030-05-01T00:00:00Z; done
rm "$lib/gone.toml"
leura schedule list
expect_rc 2
expect_out "^orphan +gone +every 1m.* +problem \(below\) "
expect_out "^sibling +stamp +every 1m"
expect_err "schedule 'orphan': no task 'gone'"
leura schedule pause every5
leura schedule pause slow-skip
leura schedule pause slow-queue
leura schedule pause slow-replace
tick --now 2030-05-01T00:01:00Z
expect_rc 2
expect_out "^sibling 2030-05-01T00:01:00.000Z: started "
expect_err "schedules.toml:[0-9]+:[0-9]+: error: schedule 'orphan': no task 'gone'"
leura schedule rm orphan
leura schedule rm sibling
leura schedule resume every5

# Pause: nothing fires; resume counts from now, so the pause is not caught up.
leura schedule pause every5
expect_rc 0
tick --now 2030-01-01T00:50:00Z
expect_rc 0
not_out "every5"
leura schedule list
expect_rc 0
expect_out "^every5 +stamp +cron \*/5 \* \* \* \* +paused "
leura schedule resume every5
expect_rc 0
leura schedule history every5 --json --limit 1
expect_out '"scheduled":"2030-01-01T00:40:00.000Z"'

# The timer: a minutely systemd timer that systemd accepts.
leura schedule install --systemd --dir "$T/units"
expect_rc 0
grep -q '^Persistent=true$' "$T/units/leura-tick.timer" || fail "the timer is not persistent"
grep -q '^OnCalendar=\*-\*-\* \*:\*:00$' "$T/units/leura-tick.timer" || fail "not minutely"
if command -v systemd-analyze >/dev/null; then
  # verify wants the ExecStart binary to exist, which it does: this leura.
  systemd-analyze verify --man=no "$T/units/leura-tick.timer" "$T/units/leura-tick.service" \
    > "$T/verify" 2>&1 || { cat "$T/verify"; fail "systemd-analyze verify refused the units"; }
  ! grep -v "^$" "$T/verify" | grep -qi "leura-tick" || { cat "$T/verify"; fail "systemd-analyze verify warned"; }
fi
# The units packaging/ ships (for a shared controller) pass too, pointed at this leura.
mkdir "$T/packaged"
for u in leura-tick.service leura-tick.timer; do
  sed -e "s|/usr/bin/leura|$LEURA_BIN|" -e '/^User=/d' "$LEURA_SOURCE_DIR/packaging/systemd/$u" > "$T/packaged/$u"
done
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify --man=no "$T/packaged/leura-tick.timer" "$T/packaged/leura-tick.service" \
    > "$T/verify" 2>&1 || { cat "$T/verify"; fail "systemd-analyze verify refused packaging/systemd"; }
fi
leura schedule install --cron
expect_rc 0
expect_out "^\* \* \* \* \* .*leura.* schedule tick"

while read -r id; do
  wait_finished "$id" 300 || fail "run $id (started by a tick) never finished"
done < "$T/started"
echo ok
