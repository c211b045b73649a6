# `leura serve` on loopback TCP with tokens: without one only /healthz and /readyz answer (401
# with WWW-Authenticate otherwise); a token acts as its creator, its runs are "started by
# token:ID"; its --actions and --tasks narrow what it may do (403 naming the scope); a revoked,
# expired or forged token is refused; each use is in the audit log under token:ID; `token list`
# never shows a secret; a non-loopback --listen is refused; the socket is its user's alone.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 1
fleet_settings
printf '[[steps]]\nname = "hi"\ncommand = "echo hi"\n' > "$lib/hello.toml"
S=$T/api.sock

leura serve --socket "$S" --listen 0.0.0.0:0
expect_rc 2
expect_err "an address other than loopback needs TLS"

"$LEURA_BIN" serve --socket "$S" --listen 127.0.0.1:0 --no-tick > "$T/serve.out" 2> "$T/serve.err" &
SERVER=$!
at_exit "kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null"
for _ in $(seq 100); do grep -q "listening on" "$T/serve.out" && break; sleep 0.1; done
URL=$(sed -n 's/.* \(http:\/\/127.0.0.1:[0-9]*\).*/\1/p' "$T/serve.out")
[ -n "$URL" ] || fail "no TCP address: $(cat "$T/serve.out" "$T/serve.err")"
[ "$(stat -c %a "$S")" = 600 ] || fail "the socket is $(stat -c %a "$S"), not 600"

token() { # NAME ARGS...: a new token's secret
  "$LEURA_BIN" token create --name "$@" 2> /dev/null
}

api GET /healthz; expect_code 200
api GET /readyz; expect_code 200
for path in /v1/runs /metrics /v1/openapi.json; do
  api GET "$path"; expect_code 401
  grep -qi "^www-authenticate: Bearer" "$T/headers" || fail "no WWW-Authenticate on $path"
done
/usr/bin/python3 "$LEURA_SOURCE_DIR/tests/integration/validate_openapi.py" \
  "$LEURA_SOURCE_DIR/docs/openapi.json" Problem "$T/body" || fail "401 body: $(cat "$T/body")"

all=$(token ci --expires 1h)
[[ $all =~ ^leura_[0-9a-f]{8}_[0-9a-f]{48}$ ]] || fail "token: $all"
id=${all:6:8}
api GET /v1/runs -H "Authorization: Bearer $all"; expect_code 200
api GET /metrics -H "Authorization: Bearer $all"; expect_code 200
grep -q '^leura_serve_connections ' "$T/body" || fail "metrics: $(cat "$T/body")"
api POST /v1/runs -H "Authorization: Bearer $all" -d '{"task":"hello"}'; expect_code 202
run=$(field '["run"]')
wait_finished "$run" 100 || fail "run $run did not finish"
leura show "$run"
expect_out "started by token:$id"
expect_out "user +$(id -un)"

# Scopes.
viewer=$(token viewer --actions view)
api GET /v1/runs -H "Authorization: Bearer $viewer"; expect_code 200
api POST /v1/runs -H "Authorization: Bearer $viewer" -d '{"task":"hello"}'; expect_code 403
grep -q "does not allow 'run'" "$T/body" || fail "$(cat "$T/body")"
webonly=$(token web --tasks 'web*')
api POST /v1/runs -H "Authorization: Bearer $webonly" -d '{"task":"hello"}'; expect_code 403
api GET "/v1/runs/$run" -H "Authorization: Bearer $webonly"; expect_code 403
api GET /v1/runs -H "Authorization: Bearer $webonly"; expect_code 200
[ "$(field '["runs"]')" = "[]" ] || fail "a web* token lists hello's runs: $(cat "$T/body")"
# exec runs no task: a token limited to tasks, or without `exec`, may not.
api POST /v1/exec -H "Authorization: Bearer $webonly" -d '{"command":"true"}'; expect_code 403
grep -q "limited to tasks" "$T/body" || fail "$(cat "$T/body")"
api POST /v1/exec -H "Authorization: Bearer $viewer" -d '{"command":"true"}'; expect_code 403
api POST /v1/exec -H "Authorization: Bearer $all" -d '{"command":"true"}'; expect_code 202
wait_finished "$(field '["run"]')" 100 || fail "the token's exec did not finish"

# Forged, revoked, expired.
# Forged: the last digit changed (to another digit, whatever it was).
last=${all: -1}
[ "$last" = 0 ] && other=1 || other=0
api GET /v1/runs -H "Authorization: Bearer ${all%?}$other"; expect_code 401
api GET /v1/runs -H "Authorization: Basic eDp5"; expect_code 401
leura token revoke "${viewer:6:8}"
expect_rc 0
api GET /v1/runs -H "Authorization: Bearer $viewer"; expect_code 401
short=$(token short --expires 1m)
/usr/bin/python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE api_tokens SET expires_at='2000-01-01T00:00:00.000Z' WHERE id=?\", (sys.argv[2],)); c.commit()" \
  "$LEURA_HOME/leura.db" "${short:6:8}"
api GET /v1/runs -H "Authorization: Bearer $short"; expect_code 401
grep -q "expired" "$T/body" || fail "$(cat "$T/body")"
leura token create --name bad --actions fly
expect_rc 2
expect_err "unknown action 'fly'"
leura token create --name long --expires 400d
expect_rc 2

# Lists never show secrets; states are right.
leura token list
expect_rc 0
not_out "leura_[0-9a-f]{8}_"
expect_out "${viewer:6:8} +viewer .* revoked"
expect_out "${short:6:8} +short .* expired"
expect_out "$id +ci .* active"
# Every use is audited under the token.
leura audit --json --limit 200
expect_out "\"via\":\"token:$id\",\"action\":\"run\",\"resource\":\"api:POST /v1/runs\""
expect_out "\"via\":\"token:${webonly:6:8}\".*\"decision\":\"deny\""

# Over the socket no token is needed; with one, it applies there too.
code=$(curl -sS --unix-socket "$S" -o "$T/body" -w '%{http_code}' http://leura/v1/runs)
[ "$code" = 200 ] || fail "socket: $code"
code=$(curl -sS --unix-socket "$S" -o "$T/body" -w '%{http_code}' \
  -H "Authorization: Bearer $viewer" http://leura/v1/runs)
[ "$code" = 401 ] || fail "a revoked token on the socket: $code"

# The unit packaging/ ships for a shared controller passes systemd's checks, pointed at this leura.
if command -v systemd-analyze > /dev/null; then
  sed -e "s|/usr/bin/leura|$LEURA_BIN|" -e '/^User=/d' \
    "$LEURA_SOURCE_DIR/packaging/systemd/leura-serve.service" > "$T/leura-serve.service"
  systemd-analyze verify --man=no "$T/leura-serve.service" > "$T/verify" 2>&1 ||
    { cat "$T/verify"; fail "systemd-analyze verify refused leura-serve.service"; }
  ! grep -qi "leura-serve" "$T/verify" || { cat "$T/verify"; fail "systemd-analyze verify warned"; }
fi
