# Directory uploads: dest becomes an exact copy of the tree, modes kept; a re-run with the same
# tree is recorded unchanged; a changed tree replaces the old one whole (a file the upload does
# not carry is gone); a dest that is a file is left alone; a symlink in the tree is refused.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 1
mkdir -p "$T/files/site/css" "$T/files/site/bin" "$T/files/site/empty" "$T/remote"
echo "<h1>v1</h1>" > "$T/files/site/index.html"
echo "body{}" > "$T/files/site/css/a.css" && chmod 640 "$T/files/site/css/a.css"
printf '#!/bin/sh\necho run\n' > "$T/files/site/bin/run.sh" && chmod 755 "$T/files/site/bin/run.sh"
head -c 3000000 /dev/urandom > "$T/files/site/blob"
chmod 750 "$T/files/site"
t=$(task dir "
[[steps]]
name = \"site\"
upload = { src = \"files/site\", dest = \"$T/remote/site\" }")
run_leura "$t"
expect_rc 0
diff -r "$T/files/site" "$T/remote/site" || fail "the tree differs"
[ -d "$T/remote/site/empty" ] || fail "empty directory not carried"
[ "$(stat -c %a "$T/remote/site/css/a.css")" = 640 ] || fail "file mode not kept"
[ "$(stat -c %a "$T/remote/site/bin/run.sh")" = 755 ] || fail "exec mode not kept"
[ "$(stat -c %a "$T/remote/site")" = 750 ] || fail "top directory mode not kept"
ls -a "$T/remote" | grep -q leura && fail "temporary left behind"
leura logs "$(last_run)"
expect_out "uploaded directory $T/remote/site \(4 files"

run_leura "$t"
expect_rc 0
tar -xzOf "$(ls -t "$LEURA_HOME"/archives/*.tar.gz | head -1)" run.json |
  grep -q '"name":"site","phase":"steps","status":"unchanged"' || fail "re-run not unchanged"

echo "<h1>v2</h1>" > "$T/files/site/index.html"
echo "stray" > "$T/remote/site/stray.txt"
run_leura "$t"
expect_rc 0
diff -r "$T/files/site" "$T/remote/site" || fail "the new tree differs"
ls "$T/remote" | grep -q . && [ "$(ls -a "$T/remote" | grep -c leura)" = 0 ] || fail "leftovers"
[ ! -e "$T/remote/site/stray.txt" ] || fail "a file outside the upload survived"

echo "keep me" > "$T/remote/plain"
t2=$(task dir2 "
[[steps]]
upload = { src = \"files/site\", dest = \"$T/remote/plain\" }")
run_leura "$t2"
expect_rc 1
leura logs "$(last_run)"
expect_out "^\[stderr\] leura: $T/remote/plain exists and is not a directory"
[ "$(cat "$T/remote/plain")" = "keep me" ] || fail "a file dest was touched"

ln -s index.html "$T/files/site/link"
run_leura "$t"
expect_rc 2
expect_err "link: directory uploads carry regular files and directories only"
