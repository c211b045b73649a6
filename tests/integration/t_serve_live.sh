# `leura serve`'s live events under load on 50 loopback hosts: a client that hangs up in the
# middle of a run and comes back with Last-Event-ID gets the rest of the run's events, with no
# gap and nothing twice, and the stream ends after run_finished; the same on /v1/events; while
# 200 idle event streams are open, GET /v1/runs still answers and /metrics counts them, and
# once they hang up their connections are gone.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 50
fleet_settings
# The middle step waits for $T/go (at most 120 s), so the run is surely still running when the
# client comes back, however slowly a sanitizer build gets there.
cat > "$lib/slow.toml" <<TASK
[[steps]]
name = "first"
command = "echo first"

[[steps]]
name = "wait"
command = "for i in \$(seq 1200); do [ -e '$T/go' ] && break; sleep 0.1; done; echo waited"

[[steps]]
name = "last"
command = "echo last"
TASK
S=$T/api.sock
SSE="/usr/bin/python3 $LEURA_SOURCE_DIR/tests/integration/sse_client.py $S"
"$LEURA_BIN" serve --socket "$S" --no-tick > "$T/serve.out" 2> "$T/serve.err" &
SERVER=$!
at_exit "kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null"
for _ in $(seq 100); do grep -q "listening on" "$T/serve.out" && break; sleep 0.1; done
grep -q "listening on" "$T/serve.out" || fail "no server: $(cat "$T/serve.err")"

# 200 idle streams on /v1/events, open before the run and through it.
mkfifo "$T/hold"
$SSE idle /v1/events 200 "$T/ready" < "$T/hold" &
IDLE=$!
exec 7> "$T/hold"
at_exit "exec 7>&-; kill $IDLE 2>/dev/null"
for _ in $(seq 300); do [ -s "$T/ready" ] && break; sleep 0.1; done
[ "$(cat "$T/ready" 2>/dev/null)" = 200 ] || fail "200 idle streams did not all open"
api GET /v1/runs; expect_code 200
api GET /metrics; expect_code 200
open=$(sed -n 's/^leura_serve_connections //p' "$T/body")
[ "${open:-0}" -ge 201 ] || fail "connections: $open with 200 streams open"

api POST /v1/runs -H 'Content-Type: application/json' -d '{"task":"slow"}'
expect_code 202
run=$(field '["run"]')

# Hang up after 30 events, while the run still runs; come back after the last id seen.
$SSE follow "/v1/runs/$run/events" "$T/events" --stop-after 30 || fail "first stream"
api GET "/v1/runs/$run"; expect_code 200
[ "$(field '["status"]')" = running ] || fail "the run ended before the client came back"
api GET /v1/runs; expect_code 200
touch "$T/go"
last=$(tail -1 "$T/events" | cut -f1)
timeout 120 $SSE follow "/v1/runs/$run/events" "$T/events" --after "$last" ||
  fail "the resumed stream did not end"
n=$(wc -l < "$T/events")
[ "$(cut -f1 "$T/events" | tr '\n' ' ')" = "$(seq -s ' ' 1 "$n") " ] ||
  fail "ids across the reconnect: $(cut -f1 "$T/events" | tr '\n' ' ')"
tail -1 "$T/events" | cut -f2 | grep -q '^{"event":"run_finished",' || fail "no run_finished last"
[ "$(cut -f2 "$T/events" | grep -c '"event":"host_finished"')" = 50 ] ||
  fail "not 50 hosts finished in the events"
cut -f2 "$T/events" > "$T/events.jsonl"
/usr/bin/python3 "$LEURA_SOURCE_DIR/tests/integration/validate_events.py" \
  "$LEURA_SOURCE_DIR/docs/events.schema.json" "$T/events.jsonl" > /dev/null || fail "events"

# /v1/events: from the run's 10th event on, RUN/SEQ ids, the same rest of the run.
timeout 5 $SSE follow /v1/events "$T/all" --after "$run/10" --stop-after $((n - 10)) ||
  fail "/v1/events resumed"
[ "$(cut -f1 "$T/all" | tr '\n' ' ')" = "$(seq -f "$run/%g" -s ' ' 11 "$n") " ] ||
  fail "/v1/events ids: $(cut -f1 "$T/all" | head -3)"

# The idle streams hang up: their connections go.
exec 7>&-
wait "$IDLE" || fail "the idle client failed"
for _ in $(seq 100); do
  api GET /metrics
  grep -q '^leura_serve_connections 1$' "$T/body" && break
  sleep 0.1
done
grep -q '^leura_serve_connections 1$' "$T/body" || fail "streams outlive their clients: $(grep connections "$T/body")"
