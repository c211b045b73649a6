# `leura serve` on its Unix socket under an access policy, called by two Unix users: each is
# who SO_PEERCRED says (nothing a client sends can change that), and the policy decides what
# each may do. The socket is 0666 under a policy (the policy guards it), 0600 without one.
# The same user's shell completion offers only the tasks and inventories it may view.
# Adds a Unix user (RESOURCE_LOCK etc_passwd) and removes it.
. "$(dirname "$0")/lib.sh"
command -v runuser > /dev/null || fail "needs runuser"
[ "$(id -u)" = 0 ] || fail "needs root to add a user"
fleet_up_watched "$F" 1
fleet_settings
printf '[[steps]]\nname = "hi"\ncommand = "echo hi"\n' > "$lib/hello.toml"
me=$(id -un)
peer=leura-p$$
useradd -M -d /nonexistent -s /bin/sh "$peer"
at_exit "userdel $peer"
# The peer must reach the socket: a directory of its own, not the test's private one.
D=$(mktemp -d /tmp/leura-serve-peers.XXXXXX)
chmod 755 "$D"
at_exit "rm -rf $D"
S=$D/api.sock
cat > "$T/access.toml" <<POLICY
[users]
names = ["$me", "$peer"]

[[grant]]
id = "ops-run"
who = ["user:$me"]
allow = ["run"]
tasks = ["*"]
runs = "all"

[[grant]]
id = "peer-looks"
who = ["user:$peer"]
allow = ["view"]
tasks = ["*"]
runs = "all"
POLICY
chmod 644 "$T/access.toml"
LEURA_ACCESS_FILE=$T/access.toml "$LEURA_BIN" serve --socket "$S" --no-tick \
  > "$T/serve.out" 2> "$T/serve.err" &
SERVER=$!
at_exit "kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null"
for _ in $(seq 100); do grep -q "listening on" "$T/serve.out" && break; sleep 0.1; done
grep -q "listening on" "$T/serve.out" || fail "no server: $(cat "$T/serve.err")"
[ "$(stat -c %a "$S")" = 666 ] || fail "the socket is $(stat -c %a "$S") under a policy"

# The peer's request (curl ARGS...), its output on stdout.
peer_body() { runuser -u "$peer" -- curl -sS --unix-socket "$S" "$@"; }

# Each caller is who the kernel says.
api GET '/v1/access/check?action=run&task=hello'; expect_code 200
[ "$(field '["principal"]')" = "user:$me" ] || fail "me: $(cat "$T/body")"
[ "$(field '["allowed"]')" = True ] || fail "I may not run: $(cat "$T/body")"
peer_body 'http://leura/v1/access/check?action=run&task=hello' > "$T/body"
[ "$(field '["principal"]')" = "user:$peer" ] || fail "peer: $(cat "$T/body")"
[ "$(field '["allowed"]')" = False ] || fail "the peer may run: $(cat "$T/body")"
# A header cannot make the peer someone else (only tokens, which it has none of, could).
peer_body -H "X-Forwarded-User: $me" -H "Remote-User: $me" \
  'http://leura/v1/access/check?action=run&task=hello' > "$T/body"
[ "$(field '["principal"]')" = "user:$peer" ] || fail "a header changed who the peer is"

# I start a run; the peer sees it (view) but may not start one: 403 naming why.
api POST /v1/runs -H 'Content-Type: application/json' -d '{"task":"hello"}'
expect_code 202
run=$(field '["run"]')
timeout 60 curl -sS -N --unix-socket "$S" "http://leura/v1/runs/$run/events" > /dev/null ||
  fail "the run's stream did not end"
peer_body -o /dev/null -w '%{http_code}' "http://leura/v1/runs/$run" > "$T/code"
[ "$(cat "$T/code")" = 200 ] || fail "the peer may not view the run: $(cat "$T/code")"
peer_body -X POST -H 'Content-Type: application/json' -d '{"task":"hello"}' \
  -w '\n%{http_code}' http://leura/v1/runs > "$T/out"
[ "$(tail -1 "$T/out")" = 403 ] || fail "the peer started a run: $(cat "$T/out")"
head -1 "$T/out" > "$T/body"
[ "$(field '["code"]')" = denied ] || fail "403 body: $(cat "$T/body")"
[ "$(field '["exit"]')" = 4 ] || fail "403 exit: $(cat "$T/body")"
# The run is mine, started through the API; the refusal is in the audit log under the peer.
"$LEURA_BIN" runs --json > "$T/runs"
grep -q "^{\"run\":\"$run\".*\"user\":\"$me\".*\"triggered_by\":\"api\"" "$T/runs" ||
  fail "run $run is not $me's, through the API: $(cat "$T/runs")"
LEURA_ACCESS_FILE=$T/access.toml "$LEURA_BIN" audit --json --limit 20 > "$T/audit"
grep -q "\"actor\":\"user:$peer\".*\"decision\":\"deny\"" "$T/audit" ||
  fail "the peer's refusal is not audited: $(cat "$T/audit")"

# Completion as that user, under a policy that lets it view one task and one inventory: the
# others are never offered (root, an admin, sees them all).
mkdir -p "$D/config/leura/runbooks" "$D/config/leura/inventories"
printf '[[steps]]\nname = "hi"\ncommand = "true"\n' > "$D/config/leura/runbooks/hello.toml"
cp "$D/config/leura/runbooks/hello.toml" "$D/config/leura/runbooks/secret.toml"
printf '[[hosts]]\nname = "a"\n' > "$D/config/leura/inventories/staging.toml"
cp "$D/config/leura/inventories/staging.toml" "$D/config/leura/inventories/prod.toml"
cat > "$D/access.toml" <<POLICY
[users]
names = ["$peer"]

[[grant]]
id = "peer-hello"
who = ["user:$peer"]
allow = ["view"]
tasks = ["hello"]

[[grant]]
id = "peer-staging"
who = ["user:$peer"]
allow = ["view"]
inventories = ["staging"]
POLICY
chmod -R a+rX "$D"
complete_as() { # USER WORDS...: the candidates' values, one line
  local user=$1
  shift
  (cd / && runuser -u "$user" -- env XDG_CONFIG_HOME="$D/config" LEURA_HOME="$D/data-$user" \
    LEURA_ACCESS_FILE="$D/access.toml" "$LEURA_BIN" __complete "$@") | sed '$d' | cut -f1 | tr '\n' ' '
}
[ "$(complete_as "$peer" run "")" = "hello " ] || fail "the peer is offered: $(complete_as "$peer" run "")"
[ "$(complete_as "$peer" run -i "")" = "staging " ] ||
  fail "the peer is offered inventories: $(complete_as "$peer" run -i "")"
[ "$(complete_as root run "")" = "hello secret " ] || fail "root is offered: $(complete_as root run "")"
