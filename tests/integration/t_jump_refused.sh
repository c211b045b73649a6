# Jump hosts are not supported yet: a selected host with `jump` is a validation error (exit 2),
# never a silent direct connection.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
printf '[groups.fleet]\njump = "127.0.1.1"\n' >> "$F/inventory.toml"
t=$(task t '
[[steps]]
command = "true"')
run_leura "$t"
expect_rc 2
expect_err "hosts 127\.0\.1\.\[1-2\] are reached through a jump host \('jump'\), which this version of leura does not support yet"
! grep -q Accepted "$F/sshd.log" || fail "a host was contacted"
