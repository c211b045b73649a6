# The task library and the inventories over `leura serve`, no hosts needed. GET
# /v1/inventories lists what `inventory list` finds; .../NAME/hosts?select= picks as -t does (a
# bad selector is a 400 naming its column, a broken inventory a 422 at file:line:col, a name
# that is not listed a 404: no file of the caller's choosing is read). POST /v1/plan answers
# what `leura plan --json` prints for the same task, inventory and selector. PUT creates a task (201, Location,
# ETag), replaces one only under If-Match with its ETag (428 without, 412 when it changed), and
# never installs a text with problems (422 naming file:line:col, the file untouched);
# If-None-Match: * refuses to overwrite; :validate answers valid or the problems and keeps
# nothing; DELETE honours If-Match; each change is a version in the task's history and an audit
# entry as `leura task` makes them; a token without `edit` may read but not write.
. "$(dirname "$0")/lib.sh"
export XDG_CONFIG_HOME=$T/config
lib=$XDG_CONFIG_HOME/leura/runbooks
mkdir -p "$lib"
S=$T/api.sock
"$LEURA_BIN" serve --socket "$S" --listen 127.0.0.1:0 --no-tick > "$T/serve.out" 2> "$T/serve.err" &
SERVER=$!
at_exit "kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null"
for _ in $(seq 100); do grep -q "listening on" "$T/serve.out" 2>/dev/null && break; sleep 0.1; done
TCP=$(sed -n 's/.* \(http:\/\/127.0.0.1:[0-9]*\).*/\1/p' "$T/serve.out")
[ -n "$TCP" ] || fail "the server did not come up: $(cat "$T/serve.out" "$T/serve.err")"
openapi=$LEURA_SOURCE_DIR/docs/openapi.json
valid() { # SCHEMA FILE...
  /usr/bin/python3 "$LEURA_SOURCE_DIR/tests/integration/validate_openapi.py" "$openapi" "$@" ||
    fail "not a $1: $(cat "${@:2}")"
}
etag() { sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p' "$T/headers"; }

printf '[[steps]]\nname = "hi"\ncommand = "echo hi"\n' > "$T/v1.toml"
printf 'description = "second"\n[[steps]]\nname = "hi"\ncommand = "echo hi again"\n' > "$T/v2.toml"
printf '[[steps]]\nname = "hi"\ncommand = 3\n' > "$T/bad.toml"

# Created: 201, Location, the ETag is the text's sha256; the file is the body, byte for byte.
api PUT /v1/tasks/web/hello --data-binary @"$T/v1.toml"; expect_code 201
valid TaskWritten "$T/body"
grep -qi "^location: /v1/tasks/web/hello" "$T/headers" || fail "no Location: $(cat "$T/headers")"
e1=$(etag)
[ "$e1" = "\"$(sha256sum < "$T/v1.toml" | cut -d' ' -f1)\"" ] || fail "ETag $e1 is not the sha256"
cmp -s "$T/v1.toml" "$lib/web/hello.toml" || fail "the file is not the body"
[ "$(field "['created']")" = True ] || fail "not created: $(cat "$T/body")"
api GET /v1/tasks/web/hello; expect_code 200
[ "$(etag)" = "$e1" ] || fail "GET's ETag $(etag) is not PUT's $e1"

# A task that exists: If-Match is required, and must be its current ETag.
api PUT /v1/tasks/web/hello --data-binary @"$T/v2.toml"; expect_code 428
valid Problem "$T/body"
api PUT /v1/tasks/web/hello -H 'If-Match: "0000"' --data-binary @"$T/v2.toml"; expect_code 412
valid Problem "$T/body"
[ "$(field "['code']")" = precondition ] || fail "412 code: $(cat "$T/body")"
api PUT /v1/tasks/web/hello -H 'If-None-Match: *' --data-binary @"$T/v2.toml"; expect_code 412
cmp -s "$T/v1.toml" "$lib/web/hello.toml" || fail "a refused PUT changed the file"
api PUT /v1/tasks/web/hello -H "If-Match: $e1" --data-binary @"$T/v2.toml"; expect_code 200
e2=$(etag)
cmp -s "$T/v2.toml" "$lib/web/hello.toml" || fail "the replaced file is not the body"
# The ETag it was replaced under is stale now: a second writer with it loses.
api PUT /v1/tasks/web/hello -H "If-Match: $e1" --data-binary @"$T/v1.toml"; expect_code 412
cmp -s "$T/v2.toml" "$lib/web/hello.toml" || fail "a stale If-Match replaced the file"

# A text with problems is never installed: 422 with file:line:col.
api PUT /v1/tasks/web/hello -H "If-Match: $e2" --data-binary @"$T/bad.toml"; expect_code 422
valid Problem "$T/body"
[ "$(field "['problems'][0]['line']")" = 3 ] || fail "problem line: $(cat "$T/body")"
field "['problems'][0]['file']" | grep -q "web/hello.toml$" || fail "problem file: $(cat "$T/body")"
cmp -s "$T/v2.toml" "$lib/web/hello.toml" || fail "an invalid text was installed"
api PUT /v1/tasks/web/new --data-binary @"$T/bad.toml"; expect_code 422
[ ! -e "$lib/web/new.toml" ] || fail "an invalid new task was created"
ls -A "$lib/web" | grep -q '^\.' && fail "temporary files left in the library: $(ls -A "$lib/web")"

# :validate keeps nothing and says what is wrong.
api POST /v1/tasks/web/other:validate --data-binary @"$T/bad.toml"; expect_code 200
valid TaskValidation "$T/body"
[ "$(field "['valid']")" = False ] || fail "bad text found valid: $(cat "$T/body")"
[ "$(field "['problems'][0]['line']")" = 3 ] || fail "validate line: $(cat "$T/body")"
api POST /v1/tasks/web/other:validate --data-binary @"$T/v1.toml"; expect_code 200
[ "$(field "['valid']")" = True ] || fail "good text found invalid: $(cat "$T/body")"
[ ! -e "$lib/web/other.toml" ] || fail ":validate created a task"
api GET /v1/tasks/web/other:validate; expect_code 405

# Names are library names.
api PUT /v1/tasks/../escape --path-as-is --data-binary @"$T/v1.toml"; expect_code 400
[ ! -e "$XDG_CONFIG_HOME/leura/escape.toml" ] || fail "a PUT wrote outside the library"

# History and audit as `leura task` keeps them.
leura task history web/hello
expect_rc 0
expect_out "^ +1  .* +new +[0-9a-f]{12}"
expect_out "^ +2  .* +edit +[0-9a-f]{12}  = file now$"
leura audit
expect_out " task edit +task:web/hello +allow "
expect_out " task new +task:web/hello +allow "

# A token without `edit` reads but does not write.
reader=$("$LEURA_BIN" token create --name reader --actions view 2>/dev/null)
[ -n "$reader" ] || fail "no token"
code=$(curl -sS -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $reader" "$TCP/v1/tasks/web/hello")
expect_code 200
code=$(curl -sS -o "$T/body" -w '%{http_code}' -X PUT -H "Authorization: Bearer $reader" \
  -H "If-Match: $e2" --data-binary @"$T/v1.toml" "$TCP/v1/tasks/web/hello")
expect_code 403
grep -q "edit" "$T/body" || fail "403 does not name the action: $(cat "$T/body")"
cmp -s "$T/v2.toml" "$lib/web/hello.toml" || fail "a view token changed the task"

# DELETE: If-Match when given must hold; then the task is gone and its name free again.
api DELETE /v1/tasks/web/hello -H "If-Match: $e1"; expect_code 412
[ -e "$lib/web/hello.toml" ] || fail "a refused DELETE removed the task"
api DELETE /v1/tasks/web/hello -H "If-Match: $e2"; expect_code 204
[ ! -e "$lib/web/hello.toml" ] || fail "DELETE left the task"
api GET /v1/tasks/web/hello; expect_code 404
api DELETE /v1/tasks/web/hello; expect_code 404
leura audit
expect_out " task rm +task:web/hello +allow "

# Inventories: the one beside the task library; a selector as -t takes it.
inv=$XDG_CONFIG_HOME/leura/inventories
mkdir -p "$inv"
printf '[[hosts]]\nnames = "web[01-04].dc1"\ngroups = ["web"]\nattrs = { az = "a" }\n\n[[hosts]]\nnames = "db1.dc1"\ngroups = ["db"]\nattrs = { az = "b" }\nuser = "postgres"\nport = 2222\n' > "$inv/prod.toml"
printf '[[hosts]]\nnames = "x[01-"\n' > "$inv/broken.toml"
api GET /v1/inventories; expect_code 200
valid InventoryList "$T/body"
/usr/bin/python3 -c "import json,sys; d={i['name']:i for i in json.load(open(sys.argv[1]))['inventories']}; sys.exit(not (d['prod']['hosts']==5 and d['prod']['valid'] and not d['broken']['valid']))" "$T/body" ||
  fail "inventories: $(cat "$T/body")"
api GET '/v1/inventories/prod/hosts?select=web%26az%3Da,db1.dc1'; expect_code 200
valid InventoryHosts "$T/body"
[ "$(field "[\"hosts\"]" | grep -o "'host': '[^']*'" | tr '\n' ' ')" = "'host': 'web01.dc1' 'host': 'web02.dc1' 'host': 'web03.dc1' 'host': 'web04.dc1' 'host': 'db1.dc1' " ] ||
  fail "selected: $(cat "$T/body")"
[ "$(field "['hosts'][4]['port']")" = 2222 ] || fail "db1's port: $(cat "$T/body")"
# The same hosts, field for field, as `leura inventory hosts --json` prints them.
"$LEURA_BIN" inventory hosts prod -t 'web&az=a,db1.dc1' --json > "$T/cli_hosts" ||
  fail "inventory hosts --json"
/usr/bin/python3 -c "
import json, sys
api = json.load(open(sys.argv[1]))['hosts']
cli = [json.loads(line) for line in open(sys.argv[2])]
sys.exit(api != cli or 'origins' not in api[0])" "$T/body" "$T/cli_hosts" ||
  fail "the API's hosts differ from inventory hosts --json: $(cat "$T/body") vs $(cat "$T/cli_hosts")"
api GET '/v1/inventories/prod/hosts?select=az%3Db'; expect_code 200
[ "$(field "['hosts'][0]['host']")" = db1.dc1 ] || fail "az=b: $(cat "$T/body")"
api GET '/v1/inventories/prod/hosts'; expect_code 200
[ "$(field "['hosts']" | grep -o "'host':" | wc -l)" = 5 ] || fail "no selector: $(cat "$T/body")"
api GET '/v1/inventories/prod/hosts?select=web%20%26'; expect_code 400
valid Problem "$T/body"
api GET /v1/inventories/broken/hosts; expect_code 422
valid Problem "$T/body"
field "['problems'][0]['file']" | grep -q "broken.toml$" || fail "broken inventory: $(cat "$T/body")"
api GET /v1/inventories/nosuch/hosts; expect_code 404
api GET /v1/inventories/..%2F..%2Fetc%2Fpasswd/hosts; expect_code 404
api POST /v1/inventories; expect_code 405

# What `inventory list` shows beside the task library is found by its name from anywhere.
(cd "$T" && "$LEURA_BIN" inventory show prod > "$T/out" 2> "$T/err") ||
  fail "inventory show prod: $(cat "$T/err")"
expect_out "^hosts +5$"

# A plan, as the command line plans it.
printf '[rollout]\nbatches = ["25%%", "100%%"]\n[[steps]]\nname = "hi"\ncommand = "true"\n' > "$T/deploy.toml"
api PUT /v1/tasks/web/deploy --data-binary @"$T/deploy.toml"; expect_code 201
api POST /v1/plan -d '{"task":"web/deploy","inventory":"prod","targets":"web"}'; expect_code 200
cp "$T/body" "$T/plan-api"
leura plan web/deploy -i prod -t web --json
expect_rc 0
/usr/bin/python3 -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(a != b)" "$T/plan-api" "$T/out" ||
  fail "the API's plan differs from leura plan --json: $(cat "$T/plan-api") vs $(cat "$T/out")"
grep -q '"web04.dc1"' "$T/plan-api" && ! grep -q '"db1.dc1"' "$T/plan-api" || fail "plan hosts: $(cat "$T/plan-api")"
api POST /v1/plan -d '{"task":"web/deploy","inventory":"prod","targets":"web &"}'; expect_code 422
valid Problem "$T/body"
api POST /v1/plan -d '{"task":"web/deploy","inventory":"broken"}'; expect_code 422
field "['problems'][0]['file']" | grep -q "broken.toml$" || fail "plan on a broken inventory: $(cat "$T/body")"
api POST /v1/plan -d '{"task":"web/nosuch"}'; expect_code 404
api POST /v1/plan -d '{"task":"web/deploy","vars":{"A":"b"}}'; expect_code 422
api GET /v1/plan; expect_code 405
echo ok
