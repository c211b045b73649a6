# A shared controller with real Unix accounts. /etc/leura/config.toml names a service account
# that owns the records and the fleet's key; people type plain `leura`, and leura runs itself
# through `sudo -n -u` as that account, knowing them by SUDO_UID. The policy decides: alice may
# run `hello`, bob nothing; refusals exit 4 and are audited; bob sees none of alice's runs and
# cannot read the records directly; a forged SUDO_UID changes nothing; a missing or unsafe
# policy denies everyone but root; service_user is root's setting alone.
# Changes /etc/leura, /etc/sudoers.d and the accounts, restored at exit; runs alone (RUN_SERIAL:
# every other leura reads /etc/leura/config.toml).
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || fail "needs root (accounts, sudoers, /etc/leura)"
command -v sudo >/dev/null && command -v runuser >/dev/null || fail "needs sudo and runuser"
bin=$(realpath "$LEURA_BIN")

svc=lt-svc$$ alice=lt-alice$$ bob=lt-bob$$ carol=lt-carol$$
for u in "$svc" "$alice" "$bob" "$carol"; do
  useradd -M -d /nonexistent -s /bin/sh "$u"
  at_exit "userdel $u"
done
chmod 711 "$T" # the accounts reach their own folders below it, nothing else
S=$T/svc
install -d -m 0700 -o "$svc" -g "$svc" "$S" "$S/.ssh" "$S/data"
usermod -d "$S" "$svc"

fleet_up_watched "$F" 2
install -m 0600 -o "$svc" -g "$svc" "$F/client_key" "$S/.ssh/id_fleet"
install -m 0600 -o "$svc" -g "$svc" "$F/known_hosts" "$S/.ssh/known_hosts"
sed "s|^identity = .*|identity = \"$S/.ssh/id_fleet\"|" "$F/inventory.toml" > "$S/fleet.toml"
install -d -m 0755 -o "$svc" -g "$svc" "$T/library"
printf '[[steps]]\nname = "hello"\ncommand = "echo hello from $(hostname)"\n' \
  > "$T/library/hello.toml"
chmod 0644 "$T/library/hello.toml" "$S/fleet.toml"
chown "$svc:$svc" "$S/fleet.toml"

# /etc/leura and the sudoers rule, as an admin would set them up; the old ones come back at exit.
if [ -e /etc/leura ]; then
  mv /etc/leura "$T/etc-leura.saved"
  at_exit "rm -rf /etc/leura; mv '$T/etc-leura.saved' /etc/leura"
else
  at_exit "rm -rf /etc/leura"
fi
install -d -m 0755 /etc/leura
cat > /etc/leura/config.toml <<EOF
service_user = "$svc"
data_dir = "$S/data"
library = "$T/library"
inventory = "$S/fleet.toml"
known_hosts = "$S/.ssh/known_hosts"
EOF
cat > /etc/leura/access.toml <<EOF
# alice runs hello and the local-* tasks, and may edit those; bob has no grant.
[[grant]]
id = "alice-hello"
who = ["user:$alice"]
allow = ["run"]
tasks = ["hello"]
[[grant]]
id = "alice-local"
who = ["user:$alice"]
allow = ["edit"]
tasks = ["local-*"]
EOF
chmod 0644 /etc/leura/config.toml /etc/leura/access.toml
sudoers=/etc/sudoers.d/leura-test-$$
printf '%s, %s ALL=(%s) NOPASSWD: %s\n' "$alice" "$bob" "$svc" "$bin" > "$T/sudoers"
visudo -cqf "$T/sudoers" || fail "the sudoers rule does not parse"
install -m 0440 "$T/sudoers" "$sudoers"
at_exit "rm -f $sudoers"

# as USER leura ARGS...: a login's plain `leura`, from a folder every account may read.
as() {
  local user=$1; shift
  set +e
  (cd / && runuser -u "$user" -- env -u LEURA_HOME "$bin" "$@") > "$T/out" 2> "$T/err"
  rc=$?
  set -e
}

as "$alice" run hello
expect_rc 0
expect_out "2 ok, 0 failed"
as "$alice" runs --json
expect_out "\"user\":\"$alice\""
alice_run=$(sed -n 's/.*"run":"\([^"]*\)".*/\1/p' "$T/out" | head -1)
[ -n "$alice_run" ] || fail "alice's run is not listed to her"
[ "$(stat -c %U "$S/data/leura.db")" = "$svc" ] || fail "the records belong to the service account"
# Her own run again: the recorded task and inventory paths are the records', not hers to give.
as "$alice" retry "$alice_run" --hosts all
expect_rc 0
expect_out "2 ok, 0 failed"

# What the service account would read for her is named, never a path, and the connection
# inputs are the admin's: each is refused (the key would come back as "error at line 1").
for args in "run $T/library/hello.toml" "run ./hello.toml" "check $S/.ssh/id_fleet" \
  "inventory show $S/.ssh/id_fleet" "run hello -i $S/.ssh/id_fleet" \
  "run hello --known-hosts /dev/null" "run hello --ssh-config $S/.ssh/id_fleet" \
  "run hello --accept-new-host-keys"; do
  # shellcheck disable=SC2086
  as "$alice" $args
  [ "$rc" = 4 ] || { cat "$T/err"; fail "alice: leura $args: exit $rc, expected 4"; }
  grep -q "id_fleet\|BEGIN" "$T/out" && fail "alice: leura $args printed the key"
done

as "$bob" run hello
expect_rc 4
expect_err "denied"
as "$bob" runs --json
expect_rc 0
not_out "$alice_run"
as "$bob" logs "$alice_run"
[ "$rc" != 0 ] || fail "bob read alice's run's output"
# Every command of the table, as bob (no grant): refused (exit 4), or nothing of anyone's shown
# (no run id, no output, no host, no task). Each word list is one command line.
while IFS= read -r line; do
  [ -n "$line" ] || continue
  # shellcheck disable=SC2086
  as "$bob" $line
  case $rc in
    4) ;;
    0 | 1 | 2) if grep -qE "$alice_run|hello from|127\.0\.1\.|hello\.toml" "$T/out" "$T/err"; then
        cat "$T/out" "$T/err"; fail "bob: leura $line (exit $rc) showed what is not his"; fi ;;
    *) cat "$T/err"; fail "bob: leura $line: exit $rc" ;;
  esac
done <<EOF
run hello
plan hello
exec -- true
check hello
runs
runs --json
show $alice_run
logs $alice_run
search hello
retry $alice_run
resume $alice_run
task list
task show hello
task new bobs-task
task edit hello
task rm hello --yes
task history hello
task diff hello
task search hello
inventory list
inventory show
inventory hosts
ssh-config 127.0.1.1
gc --dry-run
audit
audit verify
schedule list
schedule add hello --every 1h
monitor status
token list
serve --socket $T/bob.sock
config show
EOF
[ -e "$T/library/bobs-task.toml" ] && fail "bob made a task"
[ -e "$T/library/hello.toml" ] || fail "bob removed a task"

# "last" is the newest run the person may see: for bob none (not alice's, then refused).
as "$bob" show last
[ "$rc" != 0 ] || fail "bob's last run is alice's"
expect_err "no run 'last' among the runs you may see"
as "$alice" show last --json
expect_rc 0
expect_out "\"user\":\"$alice\""
set +e
runuser -u "$bob" -- cat "$S/data/leura.db" > /dev/null 2>&1 && fail "bob read the records directly"
runuser -u "$bob" -- cat "$S/.ssh/id_fleet" > /dev/null 2>&1 && fail "bob read the fleet's key"
set -e

# A step that runs on the controller holds the fleet's key: it runs only from a version an admin
# saved. One written into the library by hand, or a copy alice saved, is refused; root's copy runs.
printf '[[steps]]\nname = "here"\nlocal = "echo on the controller"\n' > "$T/library/local-hand.toml"
chmod 0644 "$T/library/local-hand.toml"
as "$alice" run local-hand
expect_rc 4
expect_err "local step, which runs on the controller"
as "$alice" task new local-alice --from local-hand
expect_rc 0
as "$alice" run local-alice
expect_rc 4
expect_err "saved by $alice"
as root task new local-root --from local-hand
expect_rc 0
as "$alice" run local-root
expect_rc 0
expect_out "2 ok, 0 failed"
as "$alice" task new local-peek --from "$S/.ssh/id_fleet"
expect_rc 4

# task edit: the editor runs as the person (the sudoedit model), never with the fleet's key. The
# editor below notes who it runs as and what it could read, then writes the new text.
install -d -m 0777 "$T/ev"
cat > "$T/editor" <<EOF
#!/bin/sh
id -u > "$T/ev/editor-uid"
cat "$S/.ssh/id_fleet" > "$T/ev/editor-key" 2>/dev/null
cp "\$EDITED" "\$1"
EOF
chmod 0755 "$T/editor"
edit_as() { # USER TEXT_FILE NAME: `leura task edit NAME` with TEXT_FILE as what the editor writes
  set +e
  (cd / && runuser -u "$1" -- env -u LEURA_HOME EDITOR="$T/editor" EDITED="$2" ALICE_TOKEN=x "$bin" task edit "$3") \
    > "$T/out" 2> "$T/err" < /dev/null
  rc=$?
  set -e
}
printf '[[steps]]\nname = "greet"\ncommand = "echo edited by alice"\n' > "$T/ev/greet.toml"
chmod 0644 "$T/ev/greet.toml"
edit_as "$alice" "$T/ev/greet.toml" local-alice
expect_rc 0
expect_err "saved"
[ "$(cat "$T/ev/editor-uid")" = "$(id -u "$alice")" ] || fail "the editor did not run as alice"
[ -s "$T/ev/editor-key" ] && fail "alice's editor read the fleet's key"
grep -q "edited by alice" "$T/library/local-alice.toml" || fail "the edit was not saved"
as "$alice" task history local-alice --json
expect_out "\"saved_by\":\"$alice\""
# Not valid: nothing installed, the copy kept. A task bob may not edit: refused, no editor.
printf '[[steps]]\nname = \n' > "$T/ev/bad.toml"
chmod 0644 "$T/ev/bad.toml"
edit_as "$alice" "$T/ev/bad.toml" local-alice
expect_rc 2
expect_err "your copy is kept"
grep -q "edited by alice" "$T/library/local-alice.toml" || fail "an invalid edit was installed"
rm -f "$T/ev/editor-uid"
edit_as "$bob" "$T/ev/greet.toml" local-alice
expect_rc 4
[ -e "$T/ev/editor-uid" ] && fail "bob's editor ran on a task he may not edit"
# Straight through sudo, the service side refuses to start an editor at all.
set +e
(cd / && runuser -u "$alice" -- sudo -n -u "$svc" "$bin" task edit local-alice) \
  > "$T/out" 2> "$T/err" < /dev/null
rc=$?
set -e
expect_rc 2
expect_err "never as the service account"
[ -e "$T/ev/editor-uid" ] && fail "an editor ran as the service account"
# An edit handed back over a text that changed meanwhile is refused (exit 5), not merged.
set +e
(cd / && runuser -u "$alice" -- sudo -n -u "$svc" "$bin" task edit local-alice --save-over \
  0000000000000000000000000000000000000000000000000000000000000000) \
  < "$T/ev/greet.toml" > "$T/out" 2> "$T/err"
rc=$?
set -e
expect_rc 5
expect_err "saved by someone else since your edit began"

# show's pager runs as the person, on a terminal (script gives one).
cat > "$T/pager" <<EOF
#!/bin/sh
id -u > "$T/ev/pager-uid"
cat
EOF
chmod 0755 "$T/pager"
set +e
(cd / && runuser -u "$alice" -- env -u LEURA_HOME PAGER="$T/pager" \
  script -qec "$bin show $alice_run" /dev/null) > "$T/out" 2> "$T/err" < /dev/null
rc=$?
set -e
expect_rc 0
expect_out "$alice_run"
[ "$(cat "$T/ev/pager-uid" 2>/dev/null)" = "$(id -u "$alice")" ] || fail "the pager did not run as alice"

# What a task alice saved may read or write on the controller: its own folder, and downloads
# under the data dir. A script, secret or upload from elsewhere (a link followed) would carry
# the key to a host; a download elsewhere could replace the records. Each is refused.
ln -s "$S/.ssh/id_fleet" "$T/library/key-link"
for body in "script_file = \"$S/.ssh/id_fleet\"" 'upload = { src = "key-link", dest = "/tmp/k" }' \
  "download = { src = \"/etc/hostname\", dest = \"$S/data/{host}.db\" }"; do
  printf '[[steps]]\nname = "s"\n%s\n' "$body" > "$T/ev/reach.toml"
  chmod 0644 "$T/ev/reach.toml"
  edit_as "$alice" "$T/ev/reach.toml" local-alice
  expect_rc 0
  as "$alice" run local-alice
  [ "$rc" = 4 ] || { cat "$T/err"; fail "alice ran a task that reads $body: exit $rc"; }
  expect_err "outside"
done
printf '[secrets]\nk = { file = "%s" }\n[[steps]]\nname = "s"\ncommand = "true"\n' \
  "$S/.ssh/id_fleet" > "$T/ev/reach.toml"
edit_as "$alice" "$T/ev/reach.toml" local-alice
expect_rc 0
as "$alice" run local-alice
expect_rc 4
expect_err "secret 'k' is read from"
# A download under <data dir>/downloads is hers to make.
printf '[[steps]]\nname = "s"\ndownload = { src = "/etc/hostname" }\n' > "$T/ev/reach.toml"
edit_as "$alice" "$T/ev/reach.toml" local-alice
expect_rc 0
as "$alice" run local-alice
expect_rc 0
expect_out "2 ok, 0 failed"

# A secret a task names from the environment is the person's: sudo passes none of their
# variables, so the service side asks alice's own leura for that one (and only by name).
printf '[secrets]\ntok = { env = "ALICE_TOKEN" }\n[[steps]]\nname = "s"\ncommand = "test \\"$tok\\" = s3cr3t-value && echo token-arrived"\n' \
  > "$T/ev/reach.toml"
edit_as "$alice" "$T/ev/reach.toml" local-alice
expect_rc 0
set +e
(cd / && runuser -u "$alice" -- env -u LEURA_HOME ALICE_TOKEN=s3cr3t-value "$bin" run local-alice --grace 1s) \
  > "$T/out" 2> "$T/err"
rc=$?
set -e
expect_rc 0
expect_out "2 ok, 0 failed"
as "$alice" logs last
expect_out "token-arrived"
not_out "s3cr3t-value"
as "$alice" run local-alice
expect_rc 2
expect_err "ALICE_TOKEN is not set"

# A TERM sent to the person's leura (as cron's timeout or systemd would) stops the run on the
# service side: it is handed on, and the run ends recorded as interrupted.
printf '[[steps]]\nname = "s"\ncommand = "sleep 30"\n' > "$T/ev/reach.toml"
edit_as "$alice" "$T/ev/reach.toml" local-alice
expect_rc 0
(cd / && exec runuser -u "$alice" -- env -u LEURA_HOME "$bin" run local-alice --grace 1s) \
  > "$T/slow.out" 2> "$T/slow.err" &
slow=$!
front=
for _ in $(seq 1 100); do
  front=$(ps -o pid= --ppid "$slow" | tr -d ' ')
  [ -n "$front" ] && "$bin" runs --json 2>/dev/null | grep -q '"status":"running"' && break
  sleep 0.1
done
[ -n "$front" ] || fail "alice's leura did not start"
kill -TERM "$front"
set +e
wait "$slow"
rc=$?
set -e
[ "$rc" = 143 ] || { cat "$T/slow.err"; fail "a TERMed run: exit $rc, expected 143"; }
as root show last --json
expect_out '"status":"interrupted"'

# A forged SUDO_UID: sudo resets it, and the service side believes only sudo's.
alice_uid=$(id -u "$alice")
set +e
(cd / && runuser -u "$bob" -- env SUDO_UID="$alice_uid" SUDO_USER="$alice" "$bin" run hello) \
  > "$T/out" 2> "$T/err"
rc=$?
set -e
expect_rc 4

# carol has no sudoers rule: a refusal that says what is missing, not sudo's password prompt.
as "$carol" runs
expect_rc 4
expect_err "sudo does not let you run"

# service_user is root's: a user's variable naming one is an error, before anything runs.
set +e
(cd / && runuser -u "$bob" -- env LEURA_SERVICE_USER="$bob" "$bin" runs) > "$T/out" 2> "$T/err"
rc=$?
set -e
expect_rc 2
expect_err "read from /etc/leura/config.toml only"

# The audit log has both decisions; root reads it.
as root audit --json
expect_out "\"actor\":\"user:$alice\".*\"decision\":\"allow\""
expect_out "\"actor\":\"user:$bob\".*\"decision\":\"deny\""
as root audit verify
expect_rc 0

# A missing policy, or one anyone may edit, denies everyone but root.
mv /etc/leura/access.toml "$T/access.saved"
as "$alice" run hello
expect_rc 4
expect_err "access.toml"
install -m 0666 "$T/access.saved" /etc/leura/access.toml
as "$alice" run hello
expect_rc 4
as root runs --json
expect_rc 0
expect_out "$alice_run"
# An invalid one too, saying where.
printf '[[grant]]\nid = "x"\nwho = ["user:%s"]\nalow = ["run"]\n' "$alice" > /etc/leura/access.toml
chmod 0644 /etc/leura/access.toml
as "$alice" run hello
expect_rc 4
expect_err "access.toml:4:1"
cp "$T/access.saved" /etc/leura/access.toml
as "$alice" run hello
expect_rc 0

# A config.toml others may write cannot name the service account: nothing runs.
chmod 0644 /etc/leura/access.toml
chmod 0664 /etc/leura/config.toml
as "$alice" runs
expect_rc 2
expect_err "not owned by root or is writable"
