# With few open files allowed, leura runs fewer hosts at once instead of failing them with
# EMFILE, and says so; with a higher hard limit it raises its own soft limit to use it.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 30
t=$(task t '[[steps]]
name = "a"
command = "true"
[[steps]]
name = "b"
command = "echo b"')
# Both limits 100: room for (100 - 64) / 3 = 12 hosts at once.
set +e
( ulimit -n 100; exec "$LEURA_BIN" run "$t" -i "$F/inventory.toml" --known-hosts "$F/known_hosts" \
    --concurrency 64 ) > "$T/out" 2> "$T/err"
rc=$?
set -e
expect_rc 0
expect_err "note: 64 hosts at once need more than the 100 open files allowed \(ulimit -n\); running 12 at once"
expect_out "ok: 30 ok, 0 failed"
# Soft 100, hard 4096: the soft limit is raised and nothing is held back.
set +e
( ulimit -Hn 4096; ulimit -Sn 100; exec "$LEURA_BIN" run "$t" -i "$F/inventory.toml" \
    --known-hosts "$F/known_hosts" --concurrency 64 ) > "$T/out" 2> "$T/err"
rc=$?
set -e
expect_rc 0
! grep -q "note:" "$T/err" || fail "the soft limit was not raised: $(cat "$T/err")"
