# The task library's history (issue 14, part): task new, a valid task edit and a run of a
# changed task each save a version (an unchanged run and an invalid edit do not); task history
# lists them newest first; task diff compares a version with the file or with another version,
# exiting as diff does; runs --tag; task search ranks where words match and prints the line.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 1
mkdir -p "$T/work/runbooks"
cd "$T/work"
me=$(id -un)
versions() { grep -cE '^ +[0-9]+  ' "$T/out" || true; }

leura task new web/restart
expect_rc 0
leura task history web/restart
expect_rc 0
expect_out "^ *VERSION +SAVED +AGE +BY +SOURCE +SHA256$"
expect_out "^ +1  [0-9-]{10} [0-9:]{8}  .* ago +$me +new +[0-9a-f]{12}  = file now$"
[ "$(versions)" = 1 ] || fail "task new saves one version"
leura task diff web/restart
expect_rc 0
[ ! -s "$T/out" ] || fail "no diff between the saved version and the file"

# A valid edit is a version; the diff shows it and exits 1.
cat > "$T/editor" <<SH
#!/bin/sh
cat > "\$1" <<'TOML'
description = "restart the web tier"
tags = ["web", "restart"]
inventory = "$F/inventory.toml"

[[steps]]
name = "restart"
command = "echo restarting nginx"
TOML
SH
chmod +x "$T/editor"
EDITOR="$T/editor" leura task edit web/restart
expect_rc 0
leura task history web/restart
[ "$(versions)" = 2 ] || fail "a valid edit saves a version"
expect_out "^ +2  .* $me +edit +[0-9a-f]{12}  = file now$"
sed -n 2p "$T/out" | grep -q '^ *2 ' || fail "newest first"
leura task diff web/restart 1
expect_rc 1
expect_out "^--- web/restart version 1 \(.*, $me, new\)$"
expect_out "^\+\+\+ $T/work/runbooks/web/restart.toml \(now\)$"
expect_out '^-name = "hello"$'
expect_out '^\+command = "echo restarting nginx"$'
expect_out '^@@ -[0-9]+(,[0-9]+)? \+[0-9]+(,[0-9]+)? @@$'
leura task diff web/restart 1 2
expect_rc 1
expect_out "^\+\+\+ web/restart version 2 "
leura task diff web/restart
expect_rc 0
leura task diff web/restart 99
expect_rc 2
expect_err "^leura: error: task 'web/restart' has no version 99 \(it has versions 1 to 2\)$"
leura task diff web/restart two
expect_rc 2
expect_err "'two' is not a version number"
leura task history web/restrat
expect_rc 2
expect_err "did you mean 'web/restart'"

# An invalid edit is never installed, so it is no version either.
cat > "$T/broken_editor" <<'SH'
#!/bin/sh
printf '[[steps]]\ncomand = "true"\n' > "$1"
SH
chmod +x "$T/broken_editor"
EDITOR="$T/broken_editor" leura task edit web/restart < /dev/null
expect_rc 2
rm -f "$(sed -n 's/.*your copy is kept in \(.*\)$/\1/p' "$T/err")"
leura task history web/restart
[ "$(versions)" = 2 ] || fail "an invalid edit saved a version"

# A run saves the content it ran only when it changed.
leura run web/restart --known-hosts "$F/known_hosts"
expect_rc 0
leura task history web/restart
[ "$(versions)" = 2 ] || fail "a run of an unchanged task saved a version"
sed -i 's/echo restarting nginx/echo restarting nginx again/' runbooks/web/restart.toml
leura task history web/restart
expect_err "differs from every saved version"
leura run web/restart --known-hosts "$F/known_hosts"
expect_rc 0
leura task history web/restart
[ "$(versions)" = 3 ] || fail "a run of a changed task saves a version"
expect_out "^ +3  .* $me +run +[0-9a-f]{12}  = file now$"
leura run web/restart --known-hosts "$F/known_hosts"
leura task history web/restart --json
expect_out '^\{"task":"web/restart","version":3,.*"source":"run",.*"current":true\}$'
[ "$(wc -l < "$T/out")" = 3 ] || fail "--json: one line per version"

# runs --tag: the tags the task had when it ran, library or path.
printf 'description = "vacuum"\ntags = ["db"]\ninventory = "%s"\n[[steps]]\ncommand = "true"\n' \
  "$F/inventory.toml" > "$T/vacuum.toml"
leura run "$T/vacuum.toml" --known-hosts "$F/known_hosts"
expect_rc 0
leura runs --tag restart
expect_rc 0
[ "$(grep -c " web/restart$" "$T/out")" = 3 ] || fail "runs --tag restart"
not_out "vacuum"
leura runs --tag db --json
expect_out '"task":"[^"]*/vacuum.toml".*"tags":\["db"\]'
[ "$(wc -l < "$T/out")" = 1 ] || fail "runs --tag db"
leura runs --tag nothere
expect_rc 0
expect_err "^leura: no runs match$"
leura task list --tag restart
expect_out "^web/restart "
leura task list --tag db
not_out "web/restart"

# search: every word; a name match over a body match; the first matching line, made safe.
mkdir -p runbooks/ops
printf 'description = "reload the proxy"\n[[steps]]\nname = "reload"\ncommand = "true"\n' \
  > runbooks/ops/nginx-reload.toml
printf 'description = "nginx \033[31mred"\n' > runbooks/evil.toml # a raw ESC: not valid TOML
leura task search nginx
expect_rc 0
sed -n 2p "$T/out" | grep -qE '^ops/nginx-reload +[0-9]+  ' || fail "the name match first"
expect_out "^web/restart +[0-9]+  $T/work/runbooks/web/restart.toml:7: command = \"echo restarting nginx again\"$"
expect_out '^evil \(invalid\) +[0-9]+  .*/evil.toml:1: description = "nginx \\x1b\[31mred"$'
! grep -q "$(printf '\033')" "$T/out" || fail "a raw control byte reached the output"
leura task search NGINX Again
expect_rc 0
[ "$(wc -l < "$T/out")" = 2 ] || fail "every word must match"
expect_out "^web/restart "
leura task search nginx --json
expect_out '^\{"name":"ops/nginx-reload",.*"fields":\["name"\],"line":null,"text":null\}$'
expect_out '"name":"evil",.*"valid":false,"problem":'
leura task search nosuchword
expect_rc 1
expect_err "^leura: no task in the library $T/work/runbooks matches 'nosuchword'$"
