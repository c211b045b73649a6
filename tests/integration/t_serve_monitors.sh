# `leura serve`'s monitors, access and audit endpoints on the loopback fleet, with curl on the
# socket: Alertmanager's webhook (payload version 4) feeds the stand-in-service monitor; a
# notification sent again is counted once; an alert about no host of the monitor is ignored
# and says why; two distinct firing alerts make the host failing and start the reaction on
# that host only, which starts the service; GET .../hosts/HOST tells the decisions and the
# alerts as checks; :ack mutes the host as `monitor ack` does; bad payloads are 400s. Then
# GET /v1/access/check and GET /v1/audit, a page at a time.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
fleet_settings
stand_in_monitor
h1=127.0.1.1
h2=127.0.1.2
touch "$T/svc/$h1.up"
openapi=$LEURA_SOURCE_DIR/docs/openapi.json
valid() { # SCHEMA FILE...: the files are that schema of docs/openapi.json
  /usr/bin/python3 "$LEURA_SOURCE_DIR/tests/integration/validate_openapi.py" "$openapi" "$@" ||
    fail "not a $1: $(cat "${@:2}")"
}

S=$T/api.sock
"$LEURA_BIN" serve --socket "$S" --no-tick > "$T/serve.out" 2> "$T/serve.err" &
SERVER=$!
at_exit "kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null"
for _ in $(seq 100); do grep -q "listening on" "$T/serve.out" && break; sleep 0.1; done
grep -q "listening on" "$T/serve.out" || fail "the server did not come up: $(cat "$T/serve.err")"

alerts() { # STATUS FINGERPRINT INSTANCE [STARTS]: an Alertmanager v4 payload of one alert
  printf '{"version":"4","groupKey":"{}:{alertname=\\"SvcDown\\"}","truncatedAlerts":0,"status":"%s","receiver":"leura","groupLabels":{"alertname":"SvcDown"},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://am","alerts":[{"status":"%s","labels":{"alertname":"SvcDown","instance":"%s","job":"node"},"annotations":{"summary":"stand-in down"},"startsAt":"%s","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prom","fingerprint":"%s"}]}' \
    "$1" "$1" "$3" "${4:-2030-01-01T00:00:00Z}" "$2"
}
feed() { api POST /v1/monitors/svc/alerts -H 'Content-Type: application/json' -d "$1"; }

feed "$(alerts firing aa01 "$h2:9100")"; expect_code 200
valid AlertFeed "$T/body"
[ "$(field '["received"]')" = 1 ] || fail "$(cat "$T/body")"
[ "$(field '["hosts"][0]["host"]')" = "$h2" ] || fail "$(cat "$T/body")"
[ "$(field '["hosts"][0]["state"]')" = soft_fail ] || fail "$(cat "$T/body")"
# Alertmanager sends a firing alert again every repeat_interval: the same alert, once.
feed "$(alerts firing aa01 "$h2:9100")"; expect_code 200
[ "$(field '["repeated"]')" = 1 ] || fail "a repeat counted again: $(cat "$T/body")"
[ "$(field '["hosts"]')" = "[]" ] || fail "$(cat "$T/body")"
feed "$(alerts firing bb02 nowhere.example:9100)"; expect_code 200
[ "$(field '["ignored"][0]["why"]')" = "'nowhere.example' is none of the monitor's hosts" ] ||
  fail "$(cat "$T/body")"
# A second alert (another fingerprint) about the host: 2 of the last 3 failed, the reaction
# runs on that host only and starts its service.
feed "$(alerts firing cc03 "$h2")"; expect_code 200
[ "$(field '["hosts"][0]["decision"]')" = react ] || fail "$(cat "$T/body")"
reaction=$(field '["hosts"][0]["run"]')
wait_status "$reaction" ok 150 || fail "the reaction $reaction did not finish ok"
[ -e "$T/svc/$h2.up" ] || fail "the reaction did not start the service on $h2"
leura show "$reaction" --json
expect_out '"hosts":\[\{"host":"127.0.1.2"'
not_out '"host":"127.0.1.1"'
# Resolved: the host is OK again (recoveries = 1).
feed "$(alerts resolved cc03 "$h2")"; expect_code 200
[ "$(field '["hosts"][0]["state"]')" = ok ] || fail "$(cat "$T/body")"

api GET "/v1/monitors/svc/hosts/$h2"; expect_code 200
valid MonitorHost "$T/body"
grep -q '"decision":"react"' "$T/body" || fail "no react decision: $(cat "$T/body")"
grep -q '"output":"alert SvcDown firing: stand-in down"' "$T/body" || fail "$(cat "$T/body")"
[ "$(field '["state"]["state"]')" = ok ] || fail "$(cat "$T/body")"
leura monitor why svc "$h2"
expect_out "react"
api GET /v1/monitors/svc/hosts/nowhere; expect_code 404

api POST "/v1/monitors/svc/hosts/$h2:ack" -H 'Content-Type: application/json' -d '{"for":"2h"}'
expect_code 200
[ "$(field '["ack_until"]')" -gt "$(( $(date +%s) + 7000 ))" ] || fail "$(cat "$T/body")"
leura monitor status svc
expect_out "$h2 +ok \(acked until"
api POST "/v1/monitors/svc/hosts/$h2:ack" -d '{"for":"soon"}'; expect_code 422
api GET "/v1/monitors/svc/hosts/$h2:ack"; expect_code 405

# Bad payloads: said, nothing recorded.
feed '{"version":"3","alerts":[]}'; expect_code 400
grep -q 'version \\"4\\"' "$T/body" || fail "$(cat "$T/body")"
valid Problem "$T/body"
feed 'not json'; expect_code 400
feed '{"version":"4","alerts":[{"status":"pending","labels":{"instance":"x"}}]}'; expect_code 400
api POST /v1/monitors/nosuch/alerts -d '{"version":"4","alerts":[]}'; expect_code 404

# Access: without a policy everything is allowed, and said so.
api GET '/v1/access/check?action=run&task=start-stand-in'; expect_code 200
valid AccessCheck "$T/body"
[ "$(field '["allowed"]')" = True ] || fail "$(cat "$T/body")"
grep -q 'access control is off' "$T/body" || fail "$(cat "$T/body")"
api GET '/v1/access/check?action=fly'; expect_code 400
# With one: a grant on web* for a group, checked for the caller and for another principal.
me=$(id -un)
cat > "$T/access.toml" <<EOF
[users]
names = ["mallory"]

[groups.sre]
members = ["$me"]

[[grant]]
id = "sre-web"
who = ["group:sre"]
allow = ["run"]
tasks = ["web/*"]
reason = "the web tier is ours"
EOF
chmod 600 "$T/access.toml"
kill -TERM "$SERVER"; wait "$SERVER"
LEURA_ACCESS_FILE=$T/access.toml "$LEURA_BIN" serve --socket "$S" --no-tick > "$T/serve.out" 2>> "$T/serve.err" &
SERVER=$!
for _ in $(seq 100); do grep -q "listening on" "$T/serve.out" && break; sleep 0.1; done
api GET '/v1/access/check?action=run&task=web/deploy'; expect_code 200
valid AccessCheck "$T/body"
[ "$(field '["allowed"]')" = True ] || fail "$(cat "$T/body")"
[ "$(field '["rule"]')" = sre-web ] || fail "$(cat "$T/body")"
[ "$(field '["principal"]')" = "user:$me" ] || fail "$(cat "$T/body")"
api GET '/v1/access/check?action=run&task=db/migrate'; expect_code 200
[ "$(field '["allowed"]')" = False ] || fail "$(cat "$T/body")"
api GET '/v1/access/check?action=run&task=web/deploy&as=user:mallory'; expect_code 200
[ "$(field '["allowed"]')" = False ] || fail "mallory may: $(cat "$T/body")"
LEURA_ACCESS_FILE=$T/access.toml leura access check run web/deploy
expect_rc 0
# Under a policy what is allowed is audited too: two acks, then the audit log, newest first, a
# page at a time: the pages join up with nothing twice.
for h in "$h1" "$h2"; do
  api POST "/v1/monitors/svc/hosts/$h:ack" -H 'Content-Type: application/json' -d '{}'
  expect_code 200
done
api GET '/v1/audit?limit=2'; expect_code 200
valid AuditPage "$T/body"
ids=$(/usr/bin/python3 -c 'import json,sys; print(" ".join(str(e["id"]) for e in json.load(open(sys.argv[1]))["entries"]))' "$T/body")
next=$(field '["next_cursor"]')
[ "$next" != None ] || fail "no next page: $(cat "$T/body")"
api GET "/v1/audit?limit=2&cursor=$next"; expect_code 200
ids="$ids $(/usr/bin/python3 -c 'import json,sys; print(" ".join(str(e["id"]) for e in json.load(open(sys.argv[1]))["entries"]))' "$T/body")"
# Reading the log is audited too, so each page starts with its own entry: four in a row.
/usr/bin/python3 -c 'import sys; ids=[int(x) for x in sys.argv[1:]]; sys.exit(not (len(ids) == 4 and all(a - b == 1 for a, b in zip(ids, ids[1:]))))' $ids ||
  fail "audit pages give '$ids'"
LEURA_ACCESS_FILE=$T/access.toml leura audit --json --limit 10
expect_out '"resource":"monitor:svc ack 127.0.1.2"'
expect_out '"resource":"command:audit"'
# Reading the log is an admin's: a token of view only may not.
viewer=$(LEURA_ACCESS_FILE=$T/access.toml "$LEURA_BIN" token create --name viewer --actions view 2> /dev/null)
api GET /v1/audit -H "Authorization: Bearer $viewer"; expect_code 403
api GET '/v1/audit?decision=maybe'; expect_code 400
api GET '/v1/audit?cursor=x'; expect_code 400
kill -TERM "$SERVER"; wait "$SERVER"
