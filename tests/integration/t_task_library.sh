# The task library (issue 14, part): names resolve under the library (./runbooks, or the
# library setting), unknown names get a did-you-mean, paths still work; runs record the name;
# `task new` never overwrites and makes a task that passes check; `task list` shows the last
# run; `task show`; `task rm` asks (or needs --yes) and keeps the records.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
mkdir -p "$T/work/runbooks/web"
cd "$T/work"
printf 'description = "restart the web tier"\ntags = ["web", "restart"]\ninventory = "%s"\n[[steps]]\ncommand = "true"\n' \
  "$F/inventory.toml" > runbooks/web/restart.toml
leura run web/restart --known-hosts "$F/known_hosts"
expect_rc 0
id=$(last_run)
leura show "$id"
expect_out "^task +web/restart \($T/work/runbooks/web/restart.toml\)"
leura run web/restrat --known-hosts "$F/known_hosts"
expect_rc 2
expect_err "no task 'web/restrat' in the library $T/work/runbooks; did you mean 'web/restart'\?"
leura run ./runbooks/web/restart.toml --known-hosts "$F/known_hosts"
expect_rc 0
leura run ../web/x --known-hosts "$F/known_hosts"
expect_rc 2

leura task list
expect_out "^web/restart +1 web,restart +ok .* ago +restart the web tier$"
leura task list --tag nothere
not_out "web/restart"
leura task list --json
expect_out '"name":"web/restart".*"last_status":"ok"'
leura task show web/restart
expect_out "^targets +\(all\): 2 hosts now$"
expect_out "^  $id +ok"

leura task new db/vacuum
expect_rc 0
leura check runbooks/db/vacuum.toml
expect_rc 0
grep -q '^\[\[steps\]\]' runbooks/db/vacuum.toml || fail "skeleton"
leura task new db/vacuum
expect_rc 2
expect_err "exists already"
leura task new web/restart2 --from web/restart
expect_rc 0
cmp -s runbooks/web/restart.toml runbooks/web/restart2.toml || fail "--from copies"
leura task new ../escape
expect_rc 2

leura task rm web/restart2 < /dev/null
expect_rc 2
expect_err "pass --yes"
leura task rm web/restart --yes
expect_rc 0
[ ! -e runbooks/web/restart.toml ] || fail "not removed"
leura show "$id"
expect_rc 0

# The library setting points elsewhere, from any directory.
mkdir -p "$T/cfg/leura"
printf 'library = "%s"\n' "$T/work/runbooks" > "$T/cfg/leura/config.toml"
cd /
XDG_CONFIG_HOME=$T/cfg leura task list
expect_out "^db/vacuum "

# task edit: EDITOR edits a private copy; a valid one is installed, an invalid one never is.
cd "$T/work"
cat > "$T/valid_editor" <<'SH'
#!/bin/sh
sed -i 's/^description = .*/description = "vacuum, edited"/' "$1"
SH
cat > "$T/broken_editor" <<'SH'
#!/bin/sh
printf '[[steps]]\ncomand = "true"\n' > "$1"
SH
chmod +x "$T/valid_editor" "$T/broken_editor"
EDITOR="$T/valid_editor" leura task edit db/vacuum
expect_rc 0
grep -q 'vacuum, edited' runbooks/db/vacuum.toml || fail "the edit was not saved"
cp runbooks/db/vacuum.toml "$T/before"
EDITOR="$T/broken_editor" leura task edit db/vacuum < /dev/null
expect_rc 2
expect_err "runbooks/db/vacuum.toml:2:1: error: .*comand"
expect_err "is unchanged; your copy is kept in /tmp/leura-edit-"
cmp -s runbooks/db/vacuum.toml "$T/before" || fail "an invalid edit was installed"
copy=$(sed -n 's/.*your copy is kept in \(.*\)$/\1/p' "$T/err")
grep -q comand "$copy" || fail "the copy was not kept"
rm -f "$copy"
EDITOR=true leura task edit db/vacuum
expect_rc 0
expect_err "no changes"
