# Workflows (issue 15): the three-tier example runs its stages in order as one run, values
# from stage one reach stage two and three; plan shows the graph; runs lists one run; show
# groups by stage. A failing web health check halts the web stage, rolls back its wave, then
# the completed stages in reverse (workers, then db); the when = "failed" stage runs only then.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 5
inv=$T/tiers.toml
{
  sed -n '/^\[defaults\]/,/^$/p' "$F/inventory.toml"
  printf '[[hosts]]\nnames = "127.0.1.1"\ngroups = ["db"]\nattrs = { cluster = "db1" }\n\n'
  printf '[[hosts]]\nnames = "127.0.1.[2-3]"\ngroups = ["workers"]\n\n'
  printf '[[hosts]]\nnames = "127.0.1.[4-5]"\ngroups = ["web"]\n\n'
} > "$inv"
wf=$LEURA_SOURCE_DIR/runbooks/examples/workflows/three-tier-deploy.toml
common=(-i "$inv" --known-hosts "$F/known_hosts" --var "state=$T/state")

leura plan "$wf" -i "$inv"
expect_rc 0
expect_out "^workflow  4 stages on 5 hosts; rollback_stages = completed"
expect_out "^  1\. db +after \(nothing\)"
expect_out "^  3\. web +after workers$"
expect_out "^  4\. notify +after web; only when one of them failed"
expect_out "^== stage web =="
leura plan "$wf" -i "$inv" --json
expect_rc 0
/usr/bin/python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert [s["name"] for s in p["stages"]]==["db","workers","web","notify"], p; assert p["stages"][2]["plan"]["waves"]==2, p' "$T/out" || fail "plan --json"

leura run "$wf" "${common[@]}" --json
expect_rc 0
id=$(last_run)
[ "$(cat "$T/state/schema")" = 43 ] || fail "db migrated"
for h in 2 3; do
  [ "$(cat "$T/state/127.0.1.$h.worker")" = "43 127.0.1.1" ] || fail "stage one's value reached the workers"
done
[ "$(sort "$T/state/drained" | tr '\n' ' ')" = "127.0.1.4 127.0.1.5 " ] || fail "web drained"
[ "$(sort "$T/state/undrained" | tr '\n' ' ')" = "127.0.1.4 127.0.1.5 " ] || fail "web undrained"
[ ! -e "$T/state/notified" ] || fail "notify runs only when a stage failed"
events=$(sed -n 's/^{"event":"\([a-z_]*\)".*"stage":"\([a-z]*\)".*/\1:\2/p' "$T/out" | grep stage_ | tr '\n' ' ')
[ "$events" = "stage_started:db stage_finished:db stage_started:workers stage_finished:workers stage_started:web stage_finished:web stage_finished:notify " ] || fail "stage events: $events"
grep -q '"event":"host_finished","run":"'"$id"'","stage":"web"' "$T/out" || fail "host events carry the stage"
[ "$(grep -c '"event":"run_started"' "$T/out")" = 1 ] || fail "one run_started"
leura runs
expect_rc 0
[ "$(grep -c "$id" "$T/out")" = 1 ] || { cat "$T/out"; fail "runs lists the workflow once"; }
leura show "$id"
expect_rc 0
expect_out "^stage db: ok"
expect_out "^stage web: ok"
expect_out "^stage notify: skipped: no stage it follows failed"
expect_out "values: primary=127\.0\.1\.1, schema=43"
leura logs "$id" --host 127.0.1.2
expect_rc 0
expect_out "worker 127.0.1.2: release 43, database 127.0.1.1 \(schema 43\)"

# The web health check fails on the first web host: the web stage halts, its wave is rolled
# back, then workers and db (newest first); notify runs.
rm -rf "$T/state"
leura run "$wf" "${common[@]}" --var break_web=127.0.1.4 --var release=44
expect_rc 3
id=$(last_run)
leura show "$id"
expect_out "^stage db: ok"
expect_out "^stage workers: ok"
expect_out "^stage web: halted"
expect_out "^stage workers rollback: ok"
expect_out "^stage db rollback: ok"
expect_out "^stage notify: ok"
grep -n "^stage" "$T/out" | tr '\n' ' ' > "$T/order"
grep -q "web: halted.* notify: ok.* workers rollback: ok.* db rollback: ok" "$T/order" || fail "rollback order: $(cat "$T/order")"
[ "$(cat "$T/state/schema")" = 41 ] || fail "db rolled back"
[ ! -e "$T/state/127.0.1.2.worker" ] && [ ! -e "$T/state/127.0.1.3.worker" ] || fail "workers rolled back"
[ ! -e "$T/state/127.0.1.5.web" ] || fail "the second web wave never ran"
grep -q "release 44 failed" "$T/state/notified" || fail "notify ran"
