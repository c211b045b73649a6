# 40 hosts in 8 clusters over 3 zones: `leura plan` shows exactly the waves `leura run` then
# executes (compared with the records), clusters are never split, and plan touches no host.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 40
rollout_inventory "$T/inv.toml" 8 5
t=$(task t "
inventory = \"$T/inv.toml\"
[rollout]
batches = [\"5%\", \"20%\", \"50%\", \"100%\"]
spread = [\"az\"]
[[steps]]
command = \"true\"")
leura plan "$t"
expect_rc 0
expect_out "^40 hosts in 4 waves; affinity cluster; spread az$"
grep -q "larger than the wave's target" "$T/err" || fail "no warning for the 5-host cluster in a 2-host wave"
grep '^  hosts ' "$T/out" | awk '{print $2}' > "$T/plan_waves"
! grep -q "Accepted" "$F/sshd.log" || fail "plan touched a host"
leura plan "$t" --json
expect_rc 0
for k in 1 2 3 4; do plan_wave_names "$k" | sort > "$T/plan.$k"; done
# Every wave is whole clusters: sizes are multiples of 5.
for k in 1 2 3 4; do [ $(( $(wc -l < "$T/plan.$k") % 5 )) = 0 ] || fail "wave $k splits a cluster"; done

leura run "$t" --known-hosts "$F/known_hosts" --json
expect_rc 0
[ "$(grep -c '"event":"batch_started"' "$T/out")" = 4 ] || fail "expected 4 waves"
grep -q '"event":"run_started".*"hosts":40,"waves":4' "$T/out" || fail "run_started"
id=$(last_run)
leura show "$id"
expect_rc 0
grep '^wave [0-9]/4: ' "$T/out" | awk '{print $3}' > "$T/run_waves"
diff "$T/plan_waves" "$T/run_waves" || fail "run's waves differ from the plan"
# The plan is stored with the run, in the archive's run.json.
archive=$(ls "$LEURA_HOME"/archives/*.tar.gz)
tar -xzOf "$archive" run.json | grep -q '"plan":{"hosts":40,"affinity":"cluster","waves":4,' || fail "plan not in run.json"
tar -xzOf "$archive" run.json | grep -q '"batches":\[{"wave":1,' || fail "batches not in run.json"
# Each wave's batch is recorded with its verdict.
[ "$(grep -c '^  gate pass: ' "$T/out")" = 4 ] || fail "4 gate verdicts expected"
