# Edges found by probing: each fails with a clear message and a usage exit (2), never a crash,
# a hang or a quiet surprise. A selector nested 20,000 deep; durations out of range; `check` on
# a FIFO and on /dev/zero; --var over LEURA_* or a secret; attributes that would share one
# LEURA_ATTR_ name. And: a relative LEURA_HOME works from anywhere; ~/.ssh is made 0700; a host
# without cksum is told so; a step that times out keeps its last bytes; a damaged database
# fails a run before any host is touched.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 1
t=$(task t "
[[steps]]
name = \"s\"
command = 'echo hi'")

deep=$(head -c 20000 /dev/zero | tr '\0' '(')x$(head -c 20000 /dev/zero | tr '\0' ')')
run_leura "$t" -t "$deep" --dry-run
expect_rc 2
expect_err "nested more than 100 deep"

for bad in 106752d 0 -1s; do
  run_leura "$t" --connect-timeout "$bad"
  expect_rc 2
  expect_err "connect-timeout wants a duration"
done

mkfifo "$T/fifo.toml"
timeout 10 "$LEURA_BIN" check "$T/fifo.toml" > "$T/out" 2> "$T/err" && rc=0 || rc=$?
[ "$rc" = 2 ] || fail "check on a FIFO: exit $rc (124 is a hang)"
expect_err "not a regular file"
timeout 10 "$LEURA_BIN" check /dev/zero > "$T/out" 2> "$T/err" && rc=0 || rc=$?
[ "$rc" = 2 ] || fail "check on /dev/zero: exit $rc"

run_leura "$t" --var LEURA_HOST=other
expect_rc 2
expect_err "LEURA_ are leura's own"
export SEC=s3cr3t
ts=$(task sec "
[secrets]
token = { env = \"SEC\" }
[[steps]]
command = 'true'")
run_leura "$ts" --var token=plain
expect_rc 2
expect_err "would replace the task's secret token"

sed 's/^groups = .*/&\nattrs = { "a-b" = "1", "a.b" = "2" }/' "$F/inventory.toml" > "$T/attrs.toml"
leura run "$t" -i "$T/attrs.toml" --known-hosts "$F/known_hosts"
expect_rc 2
expect_err "attributes 'a-b' and 'a.b' would both be LEURA_ATTR_A_B"

# A relative LEURA_HOME: the archive is found from another directory.
mkdir -p "$T/work" "$T/other"
cd "$T/work"
LEURA_HOME=rel-data run_leura "$t"
expect_rc 0
id=$(LEURA_HOME=rel-data last_run)
cd "$T/other"
LEURA_HOME=$T/work/rel-data leura logs "$id" --full
expect_rc 0
expect_out "^hi$"
cd "$T"

# --accept-new-host-keys makes ~/.ssh 0700, as OpenSSH does.
rm -rf "$HOME/.ssh"
leura run "$t" -i "$F/inventory.toml" --accept-new-host-keys
expect_rc 0
[ "$(stat -c %a "$HOME/.ssh")" = 700 ] || fail "~/.ssh is $(stat -c %a "$HOME/.ssh")"

# A host without cksum: the upload says what is missing.
mkdir -p "$T/bin" "$T/files" "$T/remote"
for tool in sh head mv rm chmod cat; do ln -sf "$(command -v "$tool")" "$T/bin/$tool"; done
echo data > "$T/files/f"
tu=$(task up "
[[steps]]
name = \"ship\"
env = { PATH = \"$T/bin\" }
upload = { src = \"files/f\", dest = \"$T/remote/f\" }")
run_leura "$tu"
expect_rc 1
"$LEURA_BIN" logs "$(last_run)" --step ship --full 2>&1 | grep -q "the host has no cksum, which uploads need" ||
  fail "no message naming the missing tool"

# A step that times out keeps all it printed, its last bytes without a newline too.
tt=$(task tail "
[[steps]]
name = \"slow\"
timeout = \"1s\"
command = 'printf \"partial line\"; sleep 30'")
run_leura "$tt"
expect_rc 1
[ "$("$LEURA_BIN" logs "$(last_run)" --step slow --full)" = "partial line" ] || fail "the tail was lost"

# A damaged database fails the run before any host is touched (rc 70, nothing ran there).
tc=$(task touch "
[[steps]]
command = 'touch $T/touched'")
export LEURA_HOME=$T/dbcheck
for _ in 1 2 3; do run_leura "$t" > /dev/null; done
pages=$(( $(stat -c %s "$LEURA_HOME/leura.db") / 4096 ))
dd if=/dev/urandom of="$LEURA_HOME/leura.db" bs=4096 seek=1 count=$((pages - 1)) conv=notrunc 2>/dev/null
run_leura "$tc"
expect_rc 70
expect_err "database"
[ ! -e "$T/touched" ] || fail "a host was touched with a damaged database"
echo ok
