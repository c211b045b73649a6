# No step hangs the run: a custom step's executable that never reads its (over 64 KiB) request
# still times out on time, and the other hosts go on meanwhile; a run_as step or a custom
# step's command that leaves a background job holding its output open ends when its shell ends.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "skipped: run_as needs sudo as root here"; exit 0; }
fleet_up_watched "$F" 2
mkdir -p "$T/steps"
printf '#!/bin/sh\nsleep 30\n' > "$T/steps/leura-step-deaf"
printf '#!/bin/sh\ncat >/dev/null\nprintf %s\\\\n %s\n' \
  "'"'{"steps":[{"command":"(sleep 8; echo late) & echo started"}]}'"'" > "$T/steps/leura-step-bg"
chmod +x "$T"/steps/*
big=$(head -c 100000 /dev/zero | tr '\0' 'x')
t=$(task deaf "
[[steps]]
name = \"deaf\"
custom = \"deaf\"
timeout = \"1s\"
with = { blob = \"$big\" }")
start=$(date +%s)
run_leura "$t"
expect_rc 1
[ $(( $(date +%s) - start )) -lt 10 ] || fail "a custom step that reads nothing froze the run"
expect_out 'timed out after 1000ms'
[ "$(grep -c 'timed out' "$T/out")" = 2 ] || fail "both hosts should time out on time"

t=$(task bg "
[[steps]]
name = \"sudo bg\"
run_as = \"root\"
timeout = \"30s\"
command = '(sleep 8; echo late) & echo started'
[[steps]]
name = \"custom bg\"
custom = \"bg\"
timeout = \"30s\"
[[steps]]
name = \"after\"
command = 'echo after'")
start=$(date +%s)
run_leura "$t"
expect_rc 0
[ $(( $(date +%s) - start )) -lt 6 ] || fail "a background job kept a step alive"
id=$(last_run)
[ "$("$LEURA_BIN" logs "$id" --host 127.0.1.1 --step "sudo bg" --full)" = started ] || fail "run_as output"
"$LEURA_BIN" logs "$id" --host 127.0.1.1 --step "custom bg" --full | grep -q started || fail "custom command output"
echo ok
