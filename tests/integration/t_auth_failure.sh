# A key the server does not accept: unreachable with error kind "auth", no retry storm.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 1
ssh-keygen -q -t ed25519 -N '' -f "$T/stranger"
sed -i "s|^identity = .*|identity = \"$T/stranger\"|" "$F/inventory.toml"
t=$(task t '
[[steps]]
command = "true"')
run_leura "$t"
expect_rc 1
expect_out "^unreachable +127\.0\.1\.1 .*authentication failed for $(id -un)@127.0.1.1 \(key $T/stranger refused\)"
leura show "$(last_run)"
expect_out "unreachable +127\.0\.1\.1"
