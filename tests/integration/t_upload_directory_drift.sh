# A directory upload is an exact copy: drift on the host (a mode changed, an extra directory,
# a symlink planted) is never "unchanged"; the next run puts the exact tree back.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 1
mkdir -p "$T/files/conf/sub" "$T/remote"
echo "key=1" > "$T/files/conf/app.conf" && chmod 640 "$T/files/conf/app.conf"
echo "x" > "$T/files/conf/sub/x"
t=$(task dir "
[[steps]]
name = \"conf\"
upload = { src = \"files/conf\", dest = \"$T/remote/conf\" }")
status_of_last() {
  tar -xzOf "$(ls -t "$LEURA_HOME"/archives/*.tar.gz | head -1)" run.json |
    grep -o '"name":"conf","phase":"steps","status":"[a-z]*"' | sed 's/.*"status":"//; s/"//'
}
run_leura "$t"; expect_rc 0
run_leura "$t"; expect_rc 0
[ "$(status_of_last)" = unchanged ] || fail "an identical tree was not unchanged"
check_exact() {
  diff -r "$T/files/conf" "$T/remote/conf" || fail "$1: the tree differs"
  [ "$(stat -c %a "$T/remote/conf/app.conf")" = 640 ] || fail "$1: mode not restored"
  [ -z "$(find "$T/remote/conf" -type l)" ] || fail "$1: a symlink survived"
}
for drift in "chmod 666 $T/remote/conf/app.conf" "mkdir $T/remote/conf/extra" \
             "ln -s /etc/shadow $T/remote/conf/sub/shadow" "chmod 777 $T/remote/conf/sub"; do
  sh -c "$drift"
  run_leura "$t"
  expect_rc 0
  [ "$(status_of_last)" = ok ] || fail "after '$drift' the upload was $(status_of_last)"
  check_exact "$drift"
  [ ! -e "$T/remote/conf/extra" ] || fail "the extra directory survived"
done
echo ok
