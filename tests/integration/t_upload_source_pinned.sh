# An upload sends exactly the bytes leura hashed when the run started: a source written to in
# place since (grown, shrunk, changed) fails that upload with a clear message and never hangs;
# a source replaced by a rename still sends what was hashed. The temporary file on the host is
# private (0600) from its first byte; `dest` that is a directory is refused.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 1
mkdir -p "$T/files" "$T/remote"
src=$T/files/app.conf

# Step 1 runs on the controller, after leura hashed the source and before the upload.
changing() { # NAME LOCAL-COMMAND
  printf 'line one\nline two\n' > "$src"
  rm -f "$T/remote/app.conf"
  task "$1" "
[[steps]]
name = \"change the source\"
local = '''$2'''
[[steps]]
name = \"ship\"
timeout = \"20s\"
upload = { src = \"files/app.conf\", dest = \"$T/remote/app.conf\" }
[[steps]]
name = \"after\"
command = 'echo after-ran'"
}

for how in "grow:echo touch $T/PWNED >> $src" "shrink:printf x > $src" \
           "rewrite:echo LINE ONE > $src; echo LINE TWO >> $src"; do
  name=${how%%:*}
  t=$(changing "$name" "${how#*:}")
  run_leura "$t"
  expect_rc 1
  expect_out "app.conf changed since the run started"
  [ ! -e "$T/PWNED" ] || fail "$name: grown bytes ran"
  [ ! -e "$T/remote/app.conf" ] || fail "$name: a changed source was installed"
done

# Replaced by a rename: the pinned descriptor still has the content that was hashed.
t=$(changing rename "printf new > $src.new && mv $src.new $src")
run_leura "$t"
expect_rc 0
[ "$(cat "$T/remote/app.conf")" = "$(printf 'line one\nline two')" ] || fail "rename: not the hashed content"

# The temporary file is 0600 while the bytes arrive (watched during a big transfer).
head -c 150000000 /dev/zero > "$T/files/big.key"
t=$(task private "
[[steps]]
name = \"key\"
upload = { src = \"files/big.key\", dest = \"$T/remote/big.key\", mode = \"0600\" }")
run_leura "$t" &
pid=$!
seen=
for _ in $(seq 1 400); do
  f=$(ls -a "$T/remote" | grep '^\.leura-upload' | head -1 || true)
  if [ -n "$f" ]; then seen=$(stat -c %a "$T/remote/$f" 2>/dev/null || true); [ -n "$seen" ] && break; fi
  sleep 0.01
done
wait "$pid" || fail "the private upload failed"
[ -n "$seen" ] || echo "note: the transfer was too quick to watch its temporary file" >&2
[ -z "$seen" ] || [ "$seen" = 600 ] || fail "temporary file was mode $seen during the transfer"
[ "$(stat -c %a "$T/remote/big.key")" = 600 ] || fail "final mode"

# dest is a directory: refused, nothing moved into it.
mkdir -p "$T/remote/adir"
t=$(task ontodir "
[[steps]]
name = \"ship\"
upload = { src = \"files/app.conf\", dest = \"$T/remote/adir\" }")
run_leura "$t"
expect_rc 1
"$LEURA_BIN" logs "$(last_run)" --step ship --full 2>&1 | grep -q "exists and is not a regular file" ||
  fail "no reason given for the refusal"
[ -z "$(ls -A "$T/remote/adir")" ] || fail "something was moved into the directory"
echo ok
