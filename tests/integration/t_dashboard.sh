# The dashboard in a real browser (Debian's headless Chromium) against `leura serve` on
# loopback TCP with recorded runs and a live one: signing in with a token in the address's
# fragment gives an HttpOnly cookie (the fragment goes; later pages need no token); the runs
# page lists the runs with their statuses; a run's page shows its hosts and their step output;
# the schedules page lists the schedules. Screenshots are kept in $LEURA_ARTIFACTS (default
# build/test-artifacts/dashboard). Label `browser`: the sanitizer passes skip it.
. "$(dirname "$0")/lib.sh"
command -v chromium > /dev/null || fail "chromium is not installed (tools/deps.sh installs it)"
ART=${LEURA_ARTIFACTS:-$LEURA_TEST_ROOT/../test-artifacts}/dashboard
mkdir -p "$ART"
fleet_up_watched "$F" 2
fleet_settings
printf '[[steps]]\nname = "greet"\ncommand = "echo dashboard-says-hi-$LEURA_HOST"\n' > "$lib/hello.toml"
printf '[[steps]]\nname = "fail"\ncommand = "echo no >&2; exit 3"\n' > "$lib/fails.toml"
printf '[[steps]]\nname = "nap"\ncommand = "sleep 60"\n' > "$lib/nap.toml"
"$LEURA_BIN" schedule add nightly --task hello --cron '30 2 * * *' > /dev/null

"$LEURA_BIN" serve --socket "$T/api.sock" --listen 127.0.0.1:0 --no-tick > "$T/serve.out" 2> "$T/serve.err" &
SERVER=$!
at_exit "kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null"
for _ in $(seq 100); do grep -q "listening on" "$T/serve.out" && break; sleep 0.1; done
URL=$(sed -n 's/.* \(http:\/\/127.0.0.1:[0-9]*\).*/\1/p' "$T/serve.out")
[ -n "$URL" ] || fail "no TCP address: $(cat "$T/serve.err")"
TOKEN=$("$LEURA_BIN" token create --name browser --expires 1h 2> /dev/null)
start() { # TASK: a run through the API; its id
  curl -sS -H "Authorization: Bearer $TOKEN" -d "{\"task\":\"$1\"}" "$URL/v1/runs" |
    sed -n 's/.*"run":"\([^"]*\)".*/\1/p'
}
ok=$(start hello)
wait_finished "$ok" 100 || fail "hello did not finish"
bad=$(start fails)
wait_finished "$bad" 100 || fail "fails did not finish"
napping=$(start nap)
wait_status "$napping" running 100 || fail "nap is not running"

browse() { # NAME URL [shot]: the DOM after the page's scripts ran (and a screenshot)
  timeout 60 chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$T/chrome" --virtual-time-budget=8000 --dump-dom "$2" > "$T/$1.html" 2> "$T/$1.log" ||
    fail "chromium failed on $2: $(tail -5 "$T/$1.log")"
  [ "${3:-}" = shot ] || return 0
  timeout 60 chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$T/chrome" --virtual-time-budget=8000 --window-size=1280,900 \
    --screenshot="$ART/$1.png" "$2" > /dev/null 2>&1 || true
}
page_has() { grep -q -- "$2" "$T/$1.html" || fail "$1 page lacks $2: $(sed 's/<[^>]*>/ /g' "$T/$1.html" | tr -s ' \n' ' ' | cut -c1-600)"; }

# Not signed in: the form.
browse signed-out "$URL/"
page_has signed-out 'id="signin"'
grep -q 'id="signin" hidden' "$T/signed-out.html" && fail "the sign-in form is hidden without a session"

# Signed in by the fragment: the runs, with their statuses.
browse runs "$URL/#token=$TOKEN" shot
page_has runs "data-run=\"$ok\""
page_has runs "data-run=\"$bad\""
page_has runs "data-run=\"$napping\""
grep -A3 "data-run=\"$ok\"" "$T/runs.html" | grep -q 'status-ok' || fail "hello's run is not shown ok"
grep -A3 "data-run=\"$bad\"" "$T/runs.html" | grep -q 'status-failed' || fail "fails' run is not shown failed"
grep -A3 "data-run=\"$napping\"" "$T/runs.html" | grep -q 'status-running' || fail "nap's run is not shown running"
grep -q "$TOKEN" "$T/runs.html" && fail "the token is in the page"

# The cookie carries the session: a run's page, without the token in the address.
browse run "$URL/#/runs/$ok" shot
page_has run 'data-host="127.0.1.1"'
page_has run 'data-host="127.0.1.2"'
page_has run '2 ok'
page_has run 'dashboard-says-hi-127.0.1.2'
browse failed "$URL/#/runs/$bad"
page_has failed 'status-failed'
browse schedules "$URL/#/schedules" shot
page_has schedules 'nightly'
page_has schedules 'cron 30 2 \* \* \*'

# The step output the run page links to comes through the same API.
code=$(curl -sS -o "$T/output" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  "$URL/v1/runs/$ok/hosts/127.0.1.1/steps/1/output")
[ "$code" = 200 ] && grep -q "dashboard-says-hi-127.0.1.1" "$T/output" || fail "output: $code $(cat "$T/output")"
code=$(curl -sS -o "$T/output" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  "$URL/v1/runs/$bad/hosts/127.0.1.1/steps/1/output?stream=stderr")
[ "$code" = 200 ] && grep -q "^no$" "$T/output" || fail "stderr: $code $(cat "$T/output")"
# A change through the cookie must be JSON (no cross-site form can send it).
code=$(curl -sS -o /dev/null -w '%{http_code}' -b "leura_session=$TOKEN" \
  -d 'task=hello' "$URL/v1/runs")
[ "$code" = 403 ] || fail "a form post with the cookie: $code"
curl -sS -o /dev/null -H "Authorization: Bearer $TOKEN" -X POST "$URL/v1/runs/$napping:cancel"
wait_status "$napping" interrupted 150 || fail "nap was not stopped"
