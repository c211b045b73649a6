# An upload's bytes are data, never a script: whatever stops the body on the host before it has
# read the whole file (missing directory, permission denied, no `head`, a retry), no byte left
# in the runner's input runs as a step, the real next step runs, and the failed upload is never
# recorded ok or unchanged. Also on a host whose disk fills up mid-file.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 1
mkdir -p "$T/files" "$T/remote"
# Each line of the payload would leave a trace if a shell ever ran it.
# Big enough (8 MiB) that the host's body fails while leura is still sending: the rest of the
# file meets a closed channel, which is no broken connection.
{
  printf '1\n'
  for i in $(seq 1 2000); do printf 'touch %s/PWNED\n' "$T"; done
  head -c 8000000 /dev/zero | tr '\0' '\n'
  for i in $(seq 1 2000); do printf 'touch %s/PWNED\n' "$T"; done
} > "$T/files/evil.sh"

check_clean() {
  [ ! -e "$T/PWNED" ] || fail "payload bytes ran as a script ($1)"
}

# 1. The destination's directory is missing: the body fails before reading a byte.
t=$(task missing "
[[steps]]
name = \"ship\"
upload = { src = \"files/evil.sh\", dest = \"$T/remote/nodir/evil.sh\" }
ignore_errors = true
[[steps]]
name = \"next\"
command = 'echo next-ran'")
run_leura "$t"
expect_rc 0
check_clean "missing directory"
[ "$("$LEURA_BIN" logs "$(last_run)" --step next --full)" = next-ran ] || fail "the next step did not run"
leura show "$(last_run)"
expect_out "ship +exit [1-9]"
expect_out "next +exit 0"

# 2. With retries: a retry's precheck must not be answered by leftover bytes.
t=$(task retry "
[[steps]]
name = \"ship\"
upload = { src = \"files/evil.sh\", dest = \"$T/remote/nodir/evil.sh\" }
retries = 2
interval = \"50ms\"
[[steps]]
name = \"next\"
command = 'echo next-ran'")
run_leura "$t"
expect_rc 1
check_clean "retries"
leura show "$(last_run)"
expect_out "ship +exit [1-9]"
not_out "ship +unchanged"

# 3. The body reads part of the file, then dies (no `head` on the host: a PATH without it).
mkdir -p "$T/bin"
for tool in sh cat cksum mv rm stat chmod chown; do ln -sf "$(command -v $tool)" "$T/bin/$tool"; done
t=$(task nohead "
[[steps]]
name = \"ship\"
upload = { src = \"files/evil.sh\", dest = \"$T/remote/evil.sh\" }
env = { PATH = \"$T/bin\" }
ignore_errors = true
[[steps]]
name = \"next\"
command = 'echo next-ran'")
run_leura "$t"
check_clean "no head"
[ "$("$LEURA_BIN" logs "$(last_run)" --step next --full)" = next-ran ] || fail "the next step did not run (no head)"
leura show "$(last_run)"
not_out "ship +exit 0"

# 4. The host's disk fills up mid-file (a 1 MiB tmpfs as the destination, root only).
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$T/remote/small"
  mount -t tmpfs -o size=1m tmpfs "$T/remote/small" || fail "cannot mount a tmpfs"
  at_exit "umount $T/remote/small"
  t=$(task full "
[[steps]]
name = \"ship\"
upload = { src = \"files/evil.sh\", dest = \"$T/remote/small/evil.sh\" }
ignore_errors = true
[[steps]]
name = \"next\"
command = 'echo next-ran'")
  run_leura "$t"
  check_clean "disk full"
  [ "$("$LEURA_BIN" logs "$(last_run)" --step next --full)" = next-ran ] || fail "the next step did not run (disk full)"
  ! ls -a "$T/remote/small" | grep -q leura-upload || fail "a partial temporary file was left on the full disk"
fi

# 5. Permission denied: a directory the login cannot write (needs a non-root login; as root,
# a read-only bind is the same thing for the body).
mkdir -p "$T/remote/ro"
chmod 555 "$T/remote/ro"
if [ "$(id -u)" != 0 ]; then
  t=$(task perm "
[[steps]]
name = \"ship\"
upload = { src = \"files/evil.sh\", dest = \"$T/remote/ro/evil.sh\" }
ignore_errors = true
[[steps]]
name = \"next\"
command = 'echo next-ran'")
  run_leura "$t"
  check_clean "permission denied"
fi
echo ok
