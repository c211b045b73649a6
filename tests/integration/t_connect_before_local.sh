# Item 7 of issue 13: a host connects (host key, login) before its first step of any kind, so
# a local drain never runs on a host leura cannot reach; an unreadable known_hosts file is a
# usage error (exit 2) before anything runs; a rollback skips hosts that failed their key check.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
t=$(task drain '
[rollout]
batches = ["100%"]
on_failure = "rollback"
[[steps]]
name = "drain"
local = "echo $LEURA_HOST >> '"$T"'/drained"
[[steps]]
command = "true"
[[rollback]]
name = "undo"
local = "echo $LEURA_HOST >> '"$T"'/undone"')
: > "$T/empty_known_hosts"
leura run "$t" -i "$F/inventory.toml" --known-hosts "$T/empty_known_hosts"
expect_rc 3
[ ! -e "$T/drained" ] || fail "a local step ran on a host that failed its key check"
[ ! -e "$T/undone" ] || fail "rollback ran on a host that failed its key check"
leura show "$(last_run)"
expect_out "host key for .* is not known"
not_out "rollback ok"

mkdir "$T/kh_dir"
leura run "$t" -i "$F/inventory.toml" --known-hosts "$T/kh_dir"
expect_rc 2
expect_err "known_hosts file $T/kh_dir is not a regular file"
[ ! -e "$T/drained" ] || fail "a local step ran"
