# Reading history back with show and runs: the header's duration and resume links, a per-step
# summary across hosts (counts and p50/p95), `unchanged` said as such with changed/unchanged
# counts, skipped hosts folded into one line per reason, `--grouped` as exec groups outputs,
# times with their zone (`--local`), `runs --host/--user`, exec runs listed with their command,
# and the pager on a terminal.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 6
mkdir -p "$T/files" "$T/remote"
echo "config v1" > "$T/files/app.conf"
t=$(task deploy "
[rollout]
batches = [\"2\", \"100%\"]
max_failed = \"0\"
[[steps]]
name = \"put\"
upload = { src = \"$T/files/app.conf\", dest = \"$T/remote/app-{host}.conf\" }
[[steps]]
name = \"check\"
command = 'echo checked \$LEURA_HOST; echo note >&2; [ ! -e $T/broken ]'")

# 1. The first upload changes the host: a summary line per step, the run's duration, the
# changes line. (The fleet's hosts share one machine, so the dest is one file for all.)
run_leura "$t" -t 127.0.1.1
expect_rc 0
first=$(last_run)
leura show "$first"
expect_rc 0
expect_out '^started +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC$'
expect_out '^finished +[0-9-]+ [0-9:]+ UTC \(took [0-9.]+m?s\)$'
expect_out '^changes +1 host changed, 0 unchanged; 2 steps changed, 0 unchanged$'
expect_out '^steps +ok failed unchanged skipped +p50 +p95$'
expect_out '^ +1 put +1 +0 +0 +0 +[0-9.]+m?s +[0-9.]+m?s$'
expect_out '^ +2 check +1 +0 +0 +0 '
expect_out '^ +1 put +exit 0 '

# 2. The same content again: the upload is unchanged on every host, and said so.
run_leura "$t" -t '127.0.1.[1-4]'
expect_rc 0
second=$(last_run)
leura show "$second"
expect_out '^ +1 put +0 +0 +4 +0 '
expect_out '^changes +4 hosts changed, 0 unchanged; 4 steps changed, 4 unchanged$'
expect_out '^ +1 put +unchanged '
not_out '1 put +exit 0'
expect_out '^  ok +127\.0\.1\.1 .*1 changed, 1 unchanged$'

# 3. A halted rollout: the later wave's hosts are one folded line with their reason; resume
# links both ways.
touch "$T/broken"
run_leura "$t"
expect_rc 3
halted=$(last_run)
leura show "$halted"
expect_out '^  skipped +127\.0\.1\.\[[0-9,-]+\] \([0-9]+\): the run halted at wave 1$'
[ "$(grep -c '^  skipped ' "$T/out")" = 1 ] || { cat "$T/out"; fail "skipped hosts not folded"; }
rm "$T/broken"
leura resume "$halted" --known-hosts "$F/known_hosts"
expect_rc 0
resumed=$(last_run)
leura show "$halted"
expect_out "^resumed by $resumed$"
leura show "$resumed"
expect_out "^resumes +$halted$"

# 4. --grouped: each step's hosts grouped by output, stderr marked, on stdout.
leura show "$second" --grouped --step check
expect_rc 0
[ "$(grep -c '^----------------' "$T/out")" = 4 ] || { cat "$T/out"; fail "one group per distinct output"; }
expect_out '^---------------- 127\.0\.1\.2 \(1\)$'
[ "$(grep -c '^\[stderr\] note$' "$T/out")" = 4 ] || { cat "$T/out"; fail "stderr in each group"; }
not_out 'put'
leura show "$first" --grouped --step nosuch
expect_rc 2
expect_err "has no step 'nosuch' recorded"
leura show "$first" --step check
expect_rc 2
expect_err "--step goes with --grouped"

# 5. Times with their zone.
TZ=Asia/Tokyo leura show "$first" --local
expect_out '^started +[0-9-]+ [0-9:]+ JST$'
TZ=Asia/Tokyo leura runs --local
expect_out "^$first +[0-9-]+ [0-9:]+ JST "

# 6. runs --host, --user; an exec run listed with its command.
leura exec -i "$F/inventory.toml" --known-hosts "$F/known_hosts" -t 127.0.1.6 -- 'echo from-exec'
expect_rc 0
leura runs --host 127.0.1.6
expect_out "^$halted "
expect_out ' exec: echo from-exec$'
not_out "^($first|$second) "
leura runs --host '127.0.1.[1-2]'
[ "$(grep -c '^20' "$T/out")" = 3 ] || { cat "$T/out"; fail "runs on 127.0.1.[1-2]: first, second, halted"; }
not_out 'exec:'
leura runs --host '127.0.1.9*'
expect_rc 0
expect_err 'no runs match'
leura runs --host 'web[1-'
expect_rc 2
expect_err "^leura: error: --host 'web\[1-'"
leura runs --user "$(id -un)" --json
[ "$(grep -c '"run"' "$T/out")" = 5 ] || { cat "$T/out"; fail "runs --user"; }
expect_out '"command":"echo from-exec"'
leura runs --user nobody-here
expect_err 'no runs match'

# 7. A retried step says how many attempts it took; every attempt's output is kept.
flaky=$(task flaky "
[[steps]]
name = \"flaky\"
retries = 3
interval = \"50ms\"
command = 'f=$T/tries-\$LEURA_HOST; n=\$(cat \$f 2>/dev/null || echo 0); n=\$((n+1)); echo \$n > \$f; echo \"try \$n\"; echo \"err \$n\" >&2; [ \$n -ge 3 ]'")
run_leura "$flaky" -t 127.0.1.1
expect_rc 0
leura show last
expect_out '^ +1 flaky +exit 0 .*\(3 attempts\)$'
leura logs last --full
[ "$(cat "$T/out")" = '==> 127.0.1.1: step 1 "flaky" attempt 1 of 3 <==
try 1
[stderr] err 1
==> 127.0.1.1: step 1 "flaky" attempt 2 of 3 <==
try 2
[stderr] err 2
==> 127.0.1.1: step 1 "flaky" attempt 3 of 3 <==
try 3
[stderr] err 3' ] || { cat "$T/out"; fail "every attempt's output, in order"; }
leura logs last --full --stdout
[ "$(grep -c '^try' "$T/out")" = 3 ] || { cat "$T/out"; fail "--stdout over attempts"; }

# 8. show --json: the run as the archive's run.json has it; each step names its archive member.
leura show "$second" --json
expect_rc 0
/usr/bin/python3 - "$T/out" "$LEURA_HOME/archives/$second.tar.gz" "$second" <<'PY' || fail "show --json"
import json, sys, tarfile
doc = json.load(open(sys.argv[1]))
members = set(tarfile.open(sys.argv[2]).getnames())
assert doc["run"] == sys.argv[3] and doc["status"] == "ok", doc["status"]
assert [h["host"] for h in doc["hosts"]] == ["127.0.1.%d" % i for i in (1, 2, 3, 4)] or \
    sorted(h["host"] for h in doc["hosts"]) == ["127.0.1.%d" % i for i in (1, 2, 3, 4)]
for h in doc["hosts"]:
    steps = {s["name"]: s for s in h["steps"]}
    assert steps["put"]["status"] == "unchanged", steps["put"]
    assert steps["check"]["stdout"] in members, steps["check"]["stdout"]
    assert steps["check"]["attempts"] == 1
archived = json.load(tarfile.open(sys.argv[2]).extractfile("run.json"))
assert archived["hosts"] == doc["hosts"], "show --json and the archive's run.json differ"
PY
leura runs --json --limit 1
expect_out '"parent":null'

# 9. On a terminal, show goes through the pager; --no-pager and a pipe do not.
PAGER="cat > $T/paged" script -qec "'$LEURA_BIN' show $first" /dev/null > /dev/null
grep -q "^run  *$first" "$T/paged" || fail "show on a terminal did not use \$PAGER"
rm -f "$T/paged"
PAGER="cat > $T/paged" script -qec "'$LEURA_BIN' show $first --no-pager" /dev/null > /dev/null
[ ! -e "$T/paged" ] || fail "--no-pager used the pager"
PAGER="cat > $T/paged" leura show "$first"
[ ! -e "$T/paged" ] || fail "a pipe used the pager"
echo ok
