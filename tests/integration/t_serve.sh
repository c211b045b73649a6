# `leura serve` (the REST API) against the loopback fleet, with curl on its Unix socket: health
# and readiness; POST /v1/runs answers 202 with a Location once the run is recorded, as the
# caller, and the run is the one the CLI would record; its events come as Server-Sent Events
# whose data lines are the --json events (validated against docs/events.schema.json) and whose
# ids resume with Last-Event-ID; a task that does not validate is a 422 problem naming its
# file:line:col; problems validate against docs/openapi.json; cursor pages never repeat or
# skip a run while new runs arrive; Idempotency-Key replays, after a restart too; :cancel
# stops a run; SIGTERM waits for the running children, which end recorded.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
fleet_settings
printf '[[steps]]\nname = "hi"\ncommand = "echo hi from $LEURA_HOST $GREETING"\n' > "$lib/hello.toml"
printf '[[steps]]\nname = "nap"\ncommand = "sleep 30"\n' > "$lib/nap.toml"
printf '[[steps]]\nname = "short"\ncommand = "sleep 2; echo slept"\n' > "$lib/short.toml"
printf '[[steps]]\nname = "broken"\ncommand = 3\n' > "$lib/broken.toml"
printf '[[steps]]\nname = "fails"\ncommand = "exit 3"\n' > "$lib/fails.toml"
openapi=$LEURA_SOURCE_DIR/docs/openapi.json
valid() { # SCHEMA FILE...: the files are that schema of docs/openapi.json
  /usr/bin/python3 "$LEURA_SOURCE_DIR/tests/integration/validate_openapi.py" "$openapi" "$@" ||
    fail "not a $1: $(cat "${@:2}")"
}
S=$T/api.sock
start_server() {
  "$LEURA_BIN" serve --socket "$S" --no-tick > "$T/serve.out" 2>> "$T/serve.err" &
  SERVER=$!
  at_exit "kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null"
  for _ in $(seq 100); do
    grep -q "listening on unix:$S" "$T/serve.out" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$T/serve.err" >&2
  fail "the server did not come up"
}
start_server

api GET /healthz; expect_code 200
api GET /readyz; expect_code 200
api GET /v1/openapi.json; expect_code 200
/usr/bin/python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))" \
  "$T/body" "$openapi" || fail "GET /v1/openapi.json is not docs/openapi.json"

# A run started through the API: 202 with a Location that answers; the run is the caller's,
# started by the API, and was given its variables. /v1/events, open before, carries its events
# as they come (asked from the first run on, so that however late the server takes the request
# up, nothing is missed).
curl -sS -N --unix-socket "$S" -H 'Last-Event-ID: 0/0' http://leura/v1/events \
  > "$T/all-events" 2>/dev/null &
ALL=$!
at_exit "kill $ALL 2>/dev/null"
sleep 0.5
api POST /v1/runs -H 'Content-Type: application/json' \
  -d '{"task":"hello","vars":{"GREETING":"from-the-api"}}'
expect_code 202
valid RunStarted "$T/body"
run=$(field '["run"]')
grep -qi "^location: /v1/runs/$run" "$T/headers" || fail "no Location: $(cat "$T/headers")"
timeout 30 curl -sS -N --unix-socket "$S" "http://leura/v1/runs/$run/events" > "$T/sse" ||
  fail "the event stream did not end after run_finished"
sed -n 's/^data: //p' "$T/sse" > "$T/events.jsonl"
seen=$(/usr/bin/python3 "$LEURA_SOURCE_DIR/tests/integration/validate_events.py" \
  "$LEURA_SOURCE_DIR/docs/events.schema.json" "$T/events.jsonl") || fail "events: $seen"
[ "$(tail -1 "$T/events.jsonl" | cut -c1-24)" = '{"event":"run_finished",' ] ||
  fail "the stream does not end with run_finished: $(cat "$T/sse")"
# ids are 1..N in order, each the event's seq
ids=$(sed -n 's/^id: //p' "$T/sse" | tr '\n' ' ')
n=$(wc -l < "$T/events.jsonl")
[ "$ids" = "$(seq -s ' ' 1 "$n") " ] || fail "ids: $ids"
# Resuming after event 3 gives 4..N, no gap, no repeat.
timeout 30 curl -sS -N --unix-socket "$S" -H 'Last-Event-ID: 3' \
  "http://leura/v1/runs/$run/events" > "$T/sse2"
ids2=$(sed -n 's/^id: //p' "$T/sse2" | tr '\n' ' ')
[ "$ids2" = "$(seq -s ' ' 4 "$n") " ] || fail "resumed ids: $ids2"

# The stream of every run: ids RUN/SEQ; resuming after one of them gives the rest.
for _ in $(seq 200); do grep -q '"event":"run_finished"' "$T/all-events" && break; sleep 0.1; done
kill "$ALL" 2>/dev/null || true
[ "$(sed -n 's/^id: //p' "$T/all-events" | tr '\n' ' ')" = "$(seq -f "$run/%g" -s ' ' 1 "$n") " ] ||
  fail "/v1/events: $(cat "$T/all-events")"
timeout 2 curl -sS -N --unix-socket "$S" -H "Last-Event-ID: $run/6" http://leura/v1/events \
  > "$T/all-resumed" 2>/dev/null || true
[ "$(sed -n 's/^id: //p' "$T/all-resumed" | tr '\n' ' ')" = "$(seq -f "$run/%g" -s ' ' 7 "$n") " ] ||
  fail "/v1/events resumed: $(cat "$T/all-resumed")"
# Streams whose clients left are ended: only this request's connection is open.
for _ in $(seq 100); do
  api GET /metrics
  grep -q '^leura_serve_connections 1$' "$T/body" && break
  sleep 0.1
done
grep -q '^leura_serve_connections 1$' "$T/body" || fail "streams outlive their clients: $(cat "$T/body")"
# The finished run and its two hosts are counted; durations are a histogram.
grep -q '^leura_runs{status="ok"} 1$' "$T/body" || fail "metrics runs: $(cat "$T/body")"
grep -q '^leura_hosts{status="ok"} 2$' "$T/body" || fail "metrics hosts: $(cat "$T/body")"
grep -q '^leura_run_duration_seconds_count 1$' "$T/body" || fail "metrics durations: $(cat "$T/body")"
grep -q '^leura_runs_queued 0$' "$T/body" || fail "metrics queue: $(cat "$T/body")"
grep -q '^leura_run_duration_seconds_bucket{le="+Inf"} 1$' "$T/body" || fail "metrics +Inf: $(cat "$T/body")"
[ "$(grep -c '^leura_run_duration_seconds_bucket{le="3600"} 1$' "$T/body")" = 1 ] ||
  fail "a run of seconds is not under an hour: $(cat "$T/body")"

api GET "/v1/runs/$run"; expect_code 200
valid Run "$T/body"
[ "$(field '["status"]')" = ok ] || fail "run status: $(cat "$T/body")"
leura show "$run"
expect_rc 0
expect_out "started by api"
expect_out "user +$(id -un)"
leura logs "$run"
expect_out "hi from 127.0.1.1 from-the-api"

# Bad requests are problems with the command line's exit status.
api POST /v1/runs -d '{"task":"broken"}'
expect_code 422
valid Problem "$T/body"
[ "$(field '["exit"]')" = 2 ] || fail "exit: $(cat "$T/body")"
grep -q "broken.toml:3:11: .command. must be a string" "$T/body" || fail "no file:line:col: $(cat "$T/body")"
api POST /v1/runs -d '{"task":"no-such-task"}'
expect_code 422
valid Problem "$T/body"
api POST /v1/runs -d '{"task":"-h"}'
expect_code 422
api POST /v1/runs -d '{"task":"hello","extra":1}'
expect_code 422
grep -q "unknown field 'extra'" "$T/body" || fail "$(cat "$T/body")"
api POST /v1/runs -d 'not json'
expect_code 400
valid Problem "$T/body"
api GET /v1/runs/20000101-000000-0000
expect_code 404
valid Problem "$T/body"
[ "$(field '["code"]')" = not_found ] || fail "$(cat "$T/body")"
api DELETE /v1/runs
expect_code 405
grep -qi "^allow: GET, POST" "$T/headers" || fail "no Allow header"
api GET /v1/nowhere
expect_code 404
api GET "/v1/runs?limit=0"
expect_code 400
valid Problem "$T/body"

# The task library as `task list --json` has it; a task's text with its ETag.
api GET /v1/tasks; expect_code 200
valid TaskList "$T/body"
/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(sorted(t['name'] for t in d['tasks']) != ['broken','fails','hello','nap','short'] or [t['valid'] for t in d['tasks'] if t['name']=='broken'] != [False])" "$T/body" ||
  fail "tasks: $(cat "$T/body")"
api GET /v1/tasks/hello; expect_code 200
cmp -s "$T/body" "$lib/hello.toml" || fail "task text: $(cat "$T/body")"
etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p' "$T/headers")
[ -n "$etag" ] || fail "no ETag: $(cat "$T/headers")"
api GET /v1/tasks/hello -H "If-None-Match: $etag"; expect_code 304
api GET /v1/tasks/nope; expect_code 404
valid Problem "$T/body"
api GET /v1/tasks/../config.toml --path-as-is; expect_code 400

# Schedules as `schedule list --json` has them.
api GET /v1/schedules; expect_code 200
valid ScheduleList "$T/body"
[ "$(field '["schedules"]')" = "[]" ] || fail "$(cat "$T/body")"
leura schedule add nightly --task hello --cron '30 2 * * *' --tz Europe/Berlin
expect_rc 0
api GET /v1/schedules; expect_code 200
valid ScheduleList "$T/body"
[ "$(field '["schedules"][0]["when"]')" = "cron 30 2 * * *" ] || fail "$(cat "$T/body")"
[ "$(field '["schedules"][0]["next"]')" != None ] || fail "no next fire: $(cat "$T/body")"

# Monitors: none yet, then one with a bad file, listed as a problem at its line.
api GET /v1/monitors; expect_code 200
valid MonitorList "$T/body"
[ "$(field '["monitors"]')" = "[]" ] || fail "$(cat "$T/body")"
mkdir -p "$XDG_CONFIG_HOME/leura/monitors"
printf 'every = "1m"\nbogus = 1\n' > "$XDG_CONFIG_HOME/leura/monitors/svc.toml"
api GET /v1/monitors; expect_code 200
valid MonitorList "$T/body"
grep -q '"problems":\[{"file":"[^"]*svc.toml","line":[1-9]' "$T/body" || fail "$(cat "$T/body")"
rm -r "$XDG_CONFIG_HOME/leura/monitors"

# Idempotency-Key: the same request again is the same run; another body under it is refused.
api POST /v1/runs -H 'Idempotency-Key: deploy-42' -d '{"task":"hello"}'
expect_code 202
first=$(field '["run"]')
api POST /v1/runs -H 'Idempotency-Key: deploy-42' -d '{"task":"hello"}'
expect_code 202
[ "$(field '["run"]')" = "$first" ] || fail "a replay started another run"
grep -qi "^idempotent-replayed: true" "$T/headers" || fail "replay not marked"
api POST /v1/runs -H 'Idempotency-Key: deploy-42' -d '{"task":"short"}'
expect_code 422
wait_finished "$first" 100

# A library task in a folder is named as web/hi; a relative path is not a name.
mkdir -p "$lib/web"
printf '[[steps]]\nname = "hi"\ncommand = "echo from a folder"\n' > "$lib/web/hi.toml"
api POST /v1/runs -d '{"task":"web/hi"}'
expect_code 202
wait_finished "$(field '["run"]')" 100
leura show "$(field '["run"]')" --json
expect_out '"status":"ok"'
api POST /v1/runs -d '{"task":"web/hi.toml"}'
expect_code 422
grep -q "absolute path" "$T/body" || fail "$(cat "$T/body")"

# exec: an ad-hoc command as the caller, on the inventory setting's hosts; its words after `--`.
api POST /v1/exec -d '{"command":"echo exec on $LEURA_HOST --json","targets":"127.0.1.2"}'
expect_code 202
execd=$(field '["run"]')
wait_finished "$execd" 100 || fail "exec $execd did not finish"
leura show "$execd" --json
expect_out '"status":"ok"'
leura logs "$execd"
expect_out "exec on 127.0.1.2 --json"
not_out "127.0.1.1"
api POST /v1/exec -d '{"command":"true","extra":1}'; expect_code 422
api POST /v1/exec -d '{"targets":"127.0.1.2"}'; expect_code 422
api GET /v1/exec; expect_code 405

# Pages: three more runs by the CLI, then pages of 2 while a new run arrives in between.
for _ in 1 2 3; do run_leura "$lib/hello.toml" > /dev/null 2>&1 || true; done
api GET "/v1/runs?limit=2"; expect_code 200
valid RunList "$T/body"
field '["runs"]' > /dev/null
/usr/bin/python3 -c "import json,sys; [print(r['run']) for r in json.load(open(sys.argv[1]))['runs']]" "$T/body" > "$T/paged"
cursor=$(field '["next_cursor"]')
run_leura "$lib/hello.toml" > /dev/null 2>&1 || true # arrives between pages
while [ "$cursor" != None ]; do
  api GET "/v1/runs?limit=2&cursor=$cursor"; expect_code 200
  valid RunList "$T/body"
  /usr/bin/python3 -c "import json,sys; [print(r['run']) for r in json.load(open(sys.argv[1]))['runs']]" "$T/body" >> "$T/paged"
  cursor=$(field '["next_cursor"]')
done
"$LEURA_BIN" runs --json --limit 100 | sed -n 's/^{"run":"\([^"]*\)".*/\1/p' | tail -n +2 > "$T/all"
[ "$(sort "$T/paged" | uniq -d)" = "" ] || fail "a run on two pages: $(cat "$T/paged")"
diff "$T/paged" "$T/all" > /dev/null || fail "pages differ from the runs before the new one: $(diff "$T/paged" "$T/all")"

# :cancel stops a running run, which is recorded interrupted.
api POST /v1/runs -d '{"task":"nap"}'
expect_code 202
nap=$(field '["run"]')
api GET "/v1/runs/$nap:cancel"
expect_code 405
sleep 1
api POST "/v1/runs/$nap:cancel"
expect_code 202
wait_status "$nap" interrupted 150
api POST "/v1/runs/$nap:cancel"
expect_code 409
valid Problem "$T/body"
# :resume continues it (as `leura resume`, as the caller), and can be stopped in its turn.
api POST "/v1/runs/$nap:resume" -d '{"rerun_unknown":true,"extra":1}'
expect_code 422
api POST "/v1/runs/$nap:resume" -d '{"rerun_unknown":true}'
expect_code 202
resumed=$(field '["run"]')
leura show "$resumed" --json
expect_out "\"resumes\":\"$nap\"|\"args\":\\[[^]]*\"resume\""
api POST "/v1/runs/$resumed:cancel"
expect_code 202
wait_status "$resumed" interrupted 150

# :retry runs a failed run's failed hosts again, as `leura retry`.
api POST /v1/runs -d '{"task":"fails"}'
expect_code 202
failed=$(field '["run"]')
wait_finished "$failed" 100
api POST "/v1/runs/$failed:retry" -d '{"hosts":"sometimes"}'
expect_code 422
api POST "/v1/runs/$failed:retry" -d '{"hosts":"failed"}'
expect_code 202
retried=$(field '["run"]')
wait_finished "$retried" 100
leura show "$retried"
expect_out "started by api"
expect_out "targets +127.0.1.\\[1-2\\]"
leura show "$retried" --json
expect_out '"args":\["[^"]*","retry","'"$failed"'"'

# SIGTERM: the server stops accepting, passes it on, and waits for its running children.
api POST /v1/runs -d '{"task":"short"}'
expect_code 202
short=$(field '["run"]')
kill -TERM "$SERVER"
wait "$SERVER" || fail "serve exited $? on SIGTERM"
grep -q "waiting for 1 running children" "$T/serve.err" || fail "$(cat "$T/serve.err")"
leura show "$short" --json
not_out '"status":"running"'
[ ! -S "$S" ] || fail "the socket is left behind"

# A restart serves what was recorded before it.
start_server
api GET "/v1/runs/$run"; expect_code 200
# An Idempotency-Key outlives the server that took it.
api POST /v1/runs -H 'Idempotency-Key: deploy-42' -d '{"task":"hello"}'
expect_code 202
[ "$(field '["run"]')" = "$first" ] || fail "after a restart a replay started another run"
kill -TERM "$SERVER"; wait "$SERVER"
