# A local step runs on the controller once per host with the host, its attributes and the vars
# in its environment. run_as runs a step through sudo -n as another user; a sudo that wants a
# password fails the host with its own error kind at once, never a hang.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || fail "needs root (to create a user without sudo rights)"
command -v sudo >/dev/null || fail "needs sudo (tools/deps.sh installs it)"
fleet_up_watched "$F" 2
sed -i 's/^groups = \["fleet"\]$/groups = ["fleet"]\nattrs = { pool = "blue-1" }/' "$F/inventory.toml"
t=$(task t "
[vars]
lb = \"lb.example\"
[[steps]]
name = \"drain\"
local = 'echo \"\$LEURA_HOST \$LEURA_ATTR_POOL \$lb pid=\$\$\" >> $T/local.log'
[[steps]]
name = \"as root\"
run_as = \"root\"
command = 'id -un; echo \$LEURA_HOST'")
run_leura "$t"
expect_rc 0
[ "$(sort "$T/local.log" | sed 's/ pid=.*//' | tr '\n' ' ')" = "127.0.1.1 blue-1 lb.example 127.0.1.2 blue-1 lb.example " ] || { cat "$T/local.log"; fail "local step environment"; }
# The local step used no SSH session: one login per host, for the run_as step.
[ "$(grep -c "Accepted publickey" "$F/sshd.log")" = 2 ] || fail "expected one login per host"
id=$(last_run)
"$LEURA_BIN" logs "$id" --host 127.0.1.1 --step "as root" > "$T/got"
[ "$(cat "$T/got")" = "root
127.0.1.1" ] || { cat "$T/got"; fail "run_as root"; }

# A login user whose sudo wants a password.
user=leura-t$$
useradd -M -s /bin/sh -p "*" "$user"   # "*": no password, yet not locked for sshd
at_exit "userdel $user"
# sshd reads the authorized keys as that user: let it reach them.
chmod 711 "$T" "$F"
chmod 644 "$F/authorized_keys"
sed -i "s/^user = .*/user = \"$user\"/" "$F/inventory.toml"
t=$(task t2 '
[[steps]]
name = "install"
run_as = "root"
timeout = "20s"
command = "true"')
start=$(date +%s)
run_leura "$t"
expect_rc 1
[ $(( $(date +%s) - start )) -lt 10 ] || fail "sudo must not hang"
expect_out '^failed +127\.0\.1\.1 .*step "install": sudo -n -u root was refused on the host'
leura show "$(last_run)"
expect_out "1 install +exit 223 .*sudo -n -u root was refused"
