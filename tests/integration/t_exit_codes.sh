# The documented exit statuses that need no hosts: usage errors (2) and internal/io (70).
. "$(dirname "$0")/lib.sh"
leura rnu
expect_rc 2
expect_err "unknown command 'rnu'; did you mean 'run'\?"
leura run
expect_rc 2
leura run --no-such-flag x.toml
expect_rc 2
leura show 1999
expect_rc 2
expect_err "no run matches '1999'"
leura run /nonexistent/task.toml
expect_rc 2
expect_err "/nonexistent/task.toml: error: cannot read"
leura version
expect_rc 0
expect_out "^leura [0-9]+\.[0-9]+\.[0-9]+"
expect_out "libssh 0\.10"
# Records that cannot be written are an internal/io failure, before any host is touched.
fleet_up_watched "$F" 1
t=$(task t '
[[steps]]
command = "true"')
touch "$T/not-a-dir"
LEURA_HOME=$T/not-a-dir/data run_leura "$t"
expect_rc 70
expect_err "leura: error: cannot create $T/not-a-dir/data"
! grep -q "Accepted" "$F/sshd.log" || fail "a host was contacted"
