# Item 3 of issue 13: with max_failed = 0 and concurrency 2, a host failing at once stops the
# wave from starting more hosts: at most 3 of its 20 hosts ever start (the failing one, the one
# beside it, and none after). The rest are skipped with the gate's reason; exit 3.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 20
mkdir -p "$T/log"
first=$(fleet_addr 1)
t=$(task gate '
[rollout]
batches = ["100%"]
max_failed = 0
[[steps]]
name = "change"
command = "touch '"$T"'/log/$LEURA_HOST; [ $LEURA_HOST != '"$first"' ] && sleep 0.3"')
run_leura "$t" --concurrency 2
expect_rc 3
started=$(ls "$T/log" | wc -l)
[ "$started" -le 3 ] || fail "$started hosts started after the first failure"
leura show "$(last_run)" --hosts skipped
[ "$(wc -l < "$T/out")" = $((20 - started)) ] || fail "skipped hosts"
leura show "$(last_run)"
expect_out "not started: the gate halted wave 1 \(1 of 20 hosts failed in this wave, over max_failed = 0\)"
expect_out "gate halt"

# on_failure = "continue": hosts keep starting.
rm -f "$T"/log/*
t=$(task cont '
[rollout]
batches = ["100%"]
max_failed = 0
on_failure = "continue"
[[steps]]
command = "touch '"$T"'/log/$LEURA_HOST; [ $LEURA_HOST != '"$first"' ]"')
run_leura "$t" --concurrency 2
expect_rc 1
[ "$(ls "$T/log" | wc -l)" = 20 ] || fail "on_failure = continue must start every host"
