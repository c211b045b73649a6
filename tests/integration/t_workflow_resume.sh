# Workflows (issue 15): Ctrl-C in the second stage, then `resume`, finishes the workflow with
# every step on every host exactly once: the first stage is not run again, the second goes on
# from where each host stopped, the third runs; values from stage one reach stage three
# through the resume.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 4
mkdir -p "$T/log"
t=$(task wf "
[[stages]]
name = \"first\"
targets = \"127.0.1.1\"
[[stages.steps]]
name = \"elect\"
command = 'echo one >> $T/log/\$LEURA_HOST; echo \"leader=\$LEURA_HOST\" >> \"\$LEURA_OUTPUT\"'

[[stages]]
name = \"second\"
targets = \"127.0.1.[2-4]\"
[[stages.steps]]
name = \"a\"
command = 'echo two-a >> $T/log/\$LEURA_HOST'
[[stages.steps]]
name = \"slow\"
command = 'w=0; while [ ! -e $T/go ] && [ \$w -lt 300 ]; do sleep 0.1; w=\$((w+1)); done; echo two-slow >> $T/log/\$LEURA_HOST'
[[stages.steps]]
name = \"c\"
command = 'echo two-c >> $T/log/\$LEURA_HOST'

[[stages]]
name = \"third\"
targets = \"127.0.1.[1-4]\"
[[stages.steps]]
name = \"use\"
command = 'echo \"three \$LEURA_FIRST_LEADER\" >> $T/log/\$LEURA_HOST'")

"$LEURA_BIN" run "$t" -i "$F/inventory.toml" --known-hosts "$F/known_hosts" --concurrency 2 \
  --json > "$T/run.out" 2> "$T/run.err" &
pid=$!
at_exit "kill -9 $pid 2>/dev/null"
id=$(running_run_inside 2 slow 2)
[ -n "$id" ] || { cat "$T/run.err"; fail "the run never reached stage two's step 2"; }
kill -INT "$pid"
# The hosts inside "slow" wait (up to 30 s) for $T/go: the stop comes while they are in it,
# whatever the machine's speed; they finish within the grace once the file is there.
for _ in $(seq 1 100); do grep -q "stopping: no new host starts" "$T/run.err" && break; sleep 0.1; done
touch "$T/go"
set +e; wait "$pid"; rc=$?; set -e
expect_rc 130
grep -q '"event":"stage_finished","run":"'"$id"'","stage":"second".*"status":"interrupted"' "$T/run.out" ||
  { cat "$T/run.out"; fail "stage two interrupted"; }
grep -q '"stage":"third"' "$T/run.out" && fail "stage three must not start after the stop"
leura show "$id"
expect_out "^status     interrupted"
expect_out "^stage first: ok"
expect_out "^stage second: interrupted"

leura resume "$id" --known-hosts "$F/known_hosts"
expect_rc 0
expect_err "resuming workflow run $id: 2 stages left"
# Every step on every host exactly once, in order.
[ "$(cat "$T/log/127.0.1.1")" = "$(printf 'one\nthree 127.0.1.1')" ] || fail "host 1: $(cat "$T/log/127.0.1.1")"
for h in 2 3 4; do
  [ "$(cat "$T/log/127.0.1.$h")" = "$(printf 'two-a\ntwo-slow\ntwo-c\nthree 127.0.1.1')" ] ||
    fail "host $h: $(cat "$T/log/127.0.1.$h")"
done
new=$(last_run)
[ "$new" != "$id" ] || fail "resume is a new run"
leura show "$new"
expect_out "^resumes    $id"
expect_out "^stage second: ok"
expect_out "^  resumes $id\.second"
expect_out "^stage third: ok"
not_out "^stage first"
leura resume "$id" --known-hosts "$F/known_hosts"
expect_rc 2
expect_err "was resumed by run $new"
leura resume "$new" --known-hosts "$F/known_hosts"
expect_rc 2
expect_err "nothing left to resume"
