# `leura exec`: an ad-hoc command on the selected hosts, recorded as a run, its outputs grouped
# by content with the hosts folded; a failing group names its exit; retry reruns the command on
# the failed hosts only; two execs at once do not lock each other out.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 5
ex() { leura exec -i "$F/inventory.toml" --known-hosts "$F/known_hosts" "$@"; }

ex -- 'echo same; echo "from $(whoami)" >&2'
expect_rc 0
[ "$(grep -c '^----------------' "$T/out")" = 1 ] || { cat "$T/out"; fail "one group expected"; }
expect_out '^---------------- 127\.0\.1\.\[1-5\] \(5\)$'
[ "$(grep -c '^same$' "$T/out")" = 1 ] || fail "the output once"
expect_out "^\[stderr\] from $(id -un)$"

# Two kinds of output and a failure: groups largest first, the failing one names its exit.
ex -t '127.0.1.[1-4]' -- 'set -- $SSH_CONNECTION; case $3 in 127.0.1.4) echo odd; exit 3;; *) echo even;; esac'
expect_rc 1
expect_out '^---------------- 127\.0\.1\.\[1-3\] \(3\)$'
expect_out '^---------------- 127\.0\.1\.4 \(1\) exit 3'
[ "$(sed -n 2p "$T/out")" = even ] || fail "the larger group first"
id=$(last_run)
"$LEURA_BIN" runs --limit 1 > "$T/runs"
grep -q " exec: " "$T/runs" || { cat "$T/runs"; fail "an exec run is listed as such"; }
"$LEURA_BIN" logs "$id" --host 127.0.1.4 > "$T/log"
[ "$(cat "$T/log")" = odd ] || fail "logs of an exec run"

# retry reruns the recorded command on the failed host only.
leura retry "$id" -i "$F/inventory.toml" --known-hosts "$F/known_hosts"
expect_rc 1
expect_err "retrying 1 host"
"$LEURA_BIN" show "$(last_run)" > "$T/show"
grep -q '^targets *127\.0\.1\.4$' "$T/show" || { cat "$T/show"; fail "retry touched other hosts"; }

# Ad-hoc commands share no task lock: a second exec runs while the first still does.
"$LEURA_BIN" exec -i "$F/inventory.toml" --known-hosts "$F/known_hosts" -t 127.0.1.1 -- sleep 3 \
  > "$T/slow.out" 2>&1 &
slow=$!
sleep 1
ex -t 127.0.1.2 -- echo quick
expect_rc 0
expect_out '^quick$'
wait "$slow" || fail "the slow exec failed"

# Without -i it is a usage error, and nothing runs.
leura exec -- true
expect_rc 2

# Outputs longer than a preview that differ only in the middle are two groups, not one: hosts
# are grouped by a digest of the whole output.
printf 'i=0; while [ $i -lt 3000 ]; do echo "line $i"; [ $i = 1500 ] && echo "$LEURA_HOST"; i=$((i + 1)); done\n' > "$T/long.sh"
ex -t '127.0.1.[1-2]' -- sh "$T/long.sh"
expect_rc 0
[ "$(grep -c '^----------------' "$T/out")" = 2 ] || { head -3 "$T/out"; fail "different outputs were grouped as one"; }
