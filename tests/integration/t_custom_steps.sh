# Custom steps: an executable in the task's steps/ folder gets one JSON request per host and
# answers with commands leura runs on the host (an upload among them) or with a result that is
# recorded. A broken answer and a failing executable fail the host with a clear error, and a
# secret the executable prints is redacted.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
mkdir -p "$T/steps" "$T/files" "$T/remote"
echo "payload" > "$T/files/conf"

# Answers: a command, an upload and a script, built from `with` and the host in the request.
cat > "$T/steps/leura-step-ship" <<STEP
#!/bin/sh
req=\$(cat)
printf '%s\n' "\$req" > "$T/request-\$(printf '%s' "\$req" | sed -n 's/.*"host":"\([^"]*\)".*/\1/p')"
dir=\$(printf '%s' "\$req" | sed -n 's/.*"with":{"dir":"\([^"]*\)".*/\1/p')
echo "secret on stderr: \$DEMO_SECRET" >&2
printf '{"steps":[{"command":"echo from \$LEURA_HOST"},'
printf '{"upload":{"src":"files/conf","dest":"%s/conf-%s","mode":"0600"}},' "\$dir" "\$\$"
printf '{"script":"set -eu\\\\ncat %s/conf-%s\\\\n"}]}' "\$dir" "\$\$"
STEP
# Answers with a result.
cat > "$T/steps/leura-step-ticket" <<'STEP'
#!/bin/sh
host=$(sed -n 's/.*"host":"\([^"]*\)".*/\1/p')
printf '{"result":{"ticket":"CHG-%s","state":"approved"}}\n' "$host"
STEP
printf '#!/bin/sh\ncat >/dev/null\necho "not json"\n' > "$T/steps/leura-step-broken"
printf '#!/bin/sh\ncat >/dev/null\necho "no such unit" >&2\nexit 3\n' > "$T/steps/leura-step-refuses"
chmod +x "$T"/steps/*

export DEMO_SECRET=canary-7f3a91
t=$(task custom "
[secrets]
token = { env = \"DEMO_SECRET\" }
[[steps]]
name = \"ticket\"
custom = \"ticket\"
[[steps]]
name = \"ship\"
custom = \"ship\"
with = { dir = \"$T/remote\" }
env = { MODE = \"fast\" }")
run_leura "$t"
expect_rc 0
id=$(last_run)
leura logs "$id" --step ticket
expect_out '\{"ticket":"CHG-127.0.1.1","state":"approved"\}'
expect_out '\{"ticket":"CHG-127.0.1.2","state":"approved"\}'
leura logs "$id" --step ship --host 127.0.1.2
expect_out "^from 127.0.1.2$"
expect_out "^payload$"
grep -q '"with":{"dir":"'"$T"'/remote"}' "$T/request-127.0.1.1" || fail "request lacks with"
grep -q '"env":{"MODE":"fast"}' "$T/request-127.0.1.1" || fail "request lacks env"
grep -q '"protocol":1' "$T/request-127.0.1.2" || fail "request lacks protocol"
[ "$(ls "$T/remote" | wc -l)" = 2 ] || fail "expected one upload per host"
[ "$(stat -c %a "$T"/remote/conf-* | sort -u)" = 600 ] || fail "upload mode not applied"
leura logs "$id" --step ship
expect_out "^\[stderr\] secret on stderr: \[secret:token\]"
"$LEURA_BIN" logs "$id" --full | grep -q canary-7f3a91 && fail "secret in the archive"

# A broken answer and a failing executable fail the host, saying why.
t=$(task broken '
[[steps]]
custom = "broken"
[[steps]]
custom = "refuses"')
run_leura "$t" -t 127.0.1.1
expect_rc 1
expect_out 'step "step 1": the answer is not JSON at byte 2: invalid literal'
t=$(task refuses '
[[steps]]
custom = "refuses"')
run_leura "$t" -t 127.0.1.1
expect_rc 1
expect_out 'step "step 1" exited with 3'
leura logs "$(last_run)"
expect_out "^\[stderr\] .*no such unit"

# A missing step type is found before anything runs.
t=$(task missing '
[[steps]]
custom = "nowhere"')
run_leura "$t"
expect_rc 2
expect_err "missing.toml:3:10: error: no executable leura-step-nowhere in $T/steps or on PATH"
