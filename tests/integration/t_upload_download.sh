# Upload: the file arrives byte-exact with its mode, a re-run reports it unchanged without
# shipping it again, and an interrupted upload never leaves a partial target. Download: each
# host's file lands in its own path.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 3
mkdir -p "$T/files" "$T/remote"
head -c 20000000 /dev/urandom > "$T/files/app.bin"   # several SSH windows: a stall regression
# All hosts share this machine's disk, so one host gets the upload (-t 127.0.1.1).
t=$(task t "
[[steps]]
name = \"ship\"
upload = { src = \"files/app.bin\", dest = \"$T/remote/app.bin\", mode = \"0640\" }
[[steps]]
name = \"check\"
command = 'stat -c %a $T/remote/app.bin; sha256sum < $T/remote/app.bin'")
run_leura "$t" -t 127.0.1.1
expect_rc 0
cmp "$T/files/app.bin" "$T/remote/app.bin" || fail "uploaded file differs"
[ "$(stat -c %a "$T/remote/app.bin")" = 640 ] || fail "mode not applied"
ls -a "$T/remote" | grep -q leura-upload && fail "temporary file left behind"
id=$(last_run)
leura show "$id"
expect_out "1 ship +exit 0"
# A re-run finds the same content and does not ship it again.
run_leura "$t" -t 127.0.1.1
expect_rc 0
leura show "$(last_run)"
expect_out "1 ship +unchanged .*out 0 B"
[ -z "$("$LEURA_BIN" logs "$(last_run)" --step ship)" ] || fail "the re-run shipped the file again"
tar -xzOf "$(ls -t "$LEURA_HOME"/archives/*.tar.gz | head -1)" run.json | grep -q '"name":"ship","phase":"steps","status":"unchanged"' || fail "not recorded as unchanged"

# Without a mode, the file gets the mode a new file gets under the login's umask.
echo small > "$T/files/small.bin"
t=$(task plain "
[[steps]]
name = \"ship plain\"
upload = { src = \"files/small.bin\", dest = \"$T/remote/plain.bin\" }
[[steps]]
name = \"umask\"
command = 'umask'")
run_leura "$t" -t 127.0.1.1
expect_rc 0
um=$("$LEURA_BIN" logs "$(last_run)" --step umask --full)
want=$(printf '%o' $(( 0666 & ~0$um )))
[ "$(stat -c %a "$T/remote/plain.bin")" = "$want" ] || fail "mode $(stat -c %a "$T/remote/plain.bin"), umask $um"
cmp "$T/files/small.bin" "$T/remote/plain.bin" || fail "plain upload differs"

# An upload cut short (a timeout mid-transfer) leaves the previous good file in place.
head -c 200000000 /dev/zero > "$T/files/big.bin"
echo good > "$T/remote/keep.bin"
t=$(task big "
[[steps]]
name = \"big\"
timeout = \"250ms\"
upload = { src = \"files/big.bin\", dest = \"$T/remote/keep.bin\" }")
run_leura "$t" -t 127.0.1.1
expect_rc 1
expect_out 'timed out'
sleep 1
[ "$(cat "$T/remote/keep.bin")" = good ] || fail "the target was replaced by a partial upload"
! ls -a "$T/remote" | grep -q leura-upload || { ls -la "$T/remote"; fail "temporary file left behind"; }

# Download: one file per host, named by host.
for i in 1 2 3; do echo "log of 127.0.1.$i" > "$T/remote/log.127.0.1.$i"; done
t=$(task dl "
[[steps]]
name = \"fetch\"
download = { src = \"$T/remote/log.127.0.1.1\", dest = \"$T/got/{host}/log\" }")
run_leura "$t"
expect_rc 0
for i in 1 2 3; do
  [ "$(cat "$T/got/127.0.1.$i/log")" = "log of 127.0.1.1" ] || fail "download for 127.0.1.$i"
done
! ls "$T/got"/*/*.part 2>/dev/null || fail ".part file left"
t=$(task dl2 "
[[steps]]
download = { src = \"$T/remote/missing\", dest = \"$T/got2/{host}\" }")
run_leura "$t" -t 127.0.1.2
expect_rc 1
[ ! -e "$T/got2/127.0.1.2" ] && [ ! -e "$T/got2/127.0.1.2.part" ] || fail "a failed download left a file"
