# A download gets exactly the file: nothing an earlier step's background job writes can mix
# into it; several hosts never share one dest (refused without {host} before any host is
# touched); a dest that is a directory fails the step and leaves nothing behind; a relative
# dest is relative to the task file.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
mkdir -p "$T/remote" "$T/elsewhere"
head -c 3000000 /dev/urandom > "$T/remote/data.bin"
t=$(task mix "
[[steps]]
name = \"chatty job\"
command = '( i=0; while [ \$i -lt 40 ]; do echo JUNK-FROM-A-JOB; i=\$((i + 1)); sleep 0.02; done ) &'
[[steps]]
name = \"fetch\"
download = { src = \"$T/remote/data.bin\", dest = \"got/{host}.bin\" }
[[steps]]
name = \"later\"
command = 'sleep 1; echo later'")
cd "$T/elsewhere"
run_leura "$t"
cd "$T"
expect_rc 0
for h in 127.0.1.1 127.0.1.2; do
  cmp "$T/remote/data.bin" "$T/got/$h.bin" || fail "download for $h is not the file"
done
[ ! -e "$T/elsewhere/got" ] || fail "a relative dest followed the working directory"

# Several hosts, one dest: refused at the dest's position, nothing run.
t=$(task shared "
[[steps]]
name = \"fetch\"
download = { src = \"$T/remote/data.bin\", dest = \"$T/one.bin\" }")
run_leura "$t"
expect_rc 2
expect_err "shared.toml:4:.*'dest' has no \\{host\\}, and 2 hosts are selected"
[ "$("$LEURA_BIN" runs --json | grep -c '"run"')" = 1 ] || fail "a run was started"
# One host may.
run_leura "$t" -t 127.0.1.1
expect_rc 0
cmp "$T/remote/data.bin" "$T/one.bin" || fail "single-host download"

# dest is a directory.
mkdir -p "$T/adir"
t=$(task dir "
[[steps]]
name = \"fetch\"
download = { src = \"$T/remote/data.bin\", dest = \"$T/adir\" }")
run_leura "$t" -t 127.0.1.1
expect_rc 1
expect_out "is a directory"
[ -z "$(ls -A "$T/adir")" ] && [ ! -e "$T/adir.part" ] || fail "a failed download left data"
echo ok
