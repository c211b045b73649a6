# The user's ssh config: an alias with HostName/Port/User/IdentityFile/UserKnownHostsFile
# reaches a fixture host with no connection setting in the inventory; the inventory wins over
# the file (precedence), `address` names what SSH connects to, --no-ssh-config and
# --ssh-config choose the file, a file never loosens host key checking, and what leura does
# not evaluate (Match exec, ProxyCommand, unknown keywords) is said, never silently guessed.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 3
port=$(fleet_port "$F")
me=$(id -un)
mkdir -p "$HOME/.ssh" && chmod 700 "$HOME/.ssh"
cat > "$HOME/.ssh/config" <<CONF
# comments and blank lines as people write them

Host web-a web-b !web-c
    User $me
    # not the second one: the first value wins
Host web-a
    HostName 127.0.1.1
Host web-b
    HostName 127.0.1.2
Host web-*
    Port $port
    IdentityFile $F/client_key
    IdentitiesOnly yes
    UserKnownHostsFile $F/known_hosts
    StrictHostKeyChecking no
Host *
    User nobody-such
CONF
chmod 600 "$HOME/.ssh/config"
printf '[[hosts]]\nnames = ["web-a", "web-b"]\ngroups = ["web"]\n' > "$T/aliases.toml"
t=$(task hello $'[[steps]]\ncommand = \'echo "at $(echo $SSH_CONNECTION | cut -d" " -f3)"\'')

# The aliases resolve through the file alone: no user, port, identity or known_hosts given.
leura run "$t" -i "$T/aliases.toml"
expect_rc 0
expect_err "StrictHostKeyChecking no is ignored; leura checks host keys strictly"
leura logs "$(last_run)" --host web-a
expect_out "at 127.0.1.1"
leura logs "$(last_run)" --host web-b
expect_out "at 127.0.1.2"
# The records and selectors use the names, SSH the addresses.
leura show "$(last_run)"
expect_out "web-a"

# Strict checking stays: a key the file's known_hosts lacks is refused despite "no" there.
grep -v "^\[127.0.1.2\]" "$F/known_hosts" > "$T/kh_partial"
sed -i "s|UserKnownHostsFile $F/known_hosts|UserKnownHostsFile $T/kh_partial|" "$HOME/.ssh/config"
leura run "$t" -i "$T/aliases.toml" --connect-attempts 1
expect_rc 1
expect_out "web-b .*host key"
sed -i "s|UserKnownHostsFile $T/kh_partial|UserKnownHostsFile $F/known_hosts|" "$HOME/.ssh/config"

# Origins: each value with the line it came from.
leura inventory hosts "$T/aliases.toml" --long
expect_rc 0
expect_out "address +127\.0\.1\.1 +ssh config $HOME/.ssh/config:7"
expect_out "port +$port +ssh config $HOME/.ssh/config:11"
expect_out "known_hosts +$F/known_hosts +ssh config $HOME/.ssh/config:14"
leura ssh-config web-b --json
expect_out '"address":"127.0.1.2","user":"'"$me"'",'
expect_out '"origins":\{"address":"ssh config '"$HOME"'/.ssh/config:9"'

# --no-ssh-config: the alias is only a name again, and nothing resolves it.
leura run "$t" -i "$T/aliases.toml" --no-ssh-config --known-hosts "$F/known_hosts" --connect-attempts 1 --connect-timeout 2s
expect_rc 1
expect_out "unreachable web-a"
LEURA_SSH_CONFIG=none "$LEURA_BIN" ssh-config web-a > "$T/out"
expect_out "address +web-a +name"

# Precedence: the inventory's user, port and address win over the file's.
cat > "$T/over.toml" <<INV
[defaults]
user = "$me"
[[hosts]]
names = ["web-a"]
address = "127.0.1.3"
INV
leura inventory hosts "$T/over.toml" --long
expect_out "address +127\.0\.1\.3 +host entry"
expect_out "user +$me +defaults"
leura run "$t" -i "$T/over.toml"
expect_rc 0
leura logs "$(last_run)" --host web-a
expect_out "at 127.0.1.3"

# address through a range, paired name by name, and known_hosts from the inventory.
cat > "$T/range.toml" <<INV
[defaults]
user = "$me"
port = $port
identity = "$F/client_key"
known_hosts = "fleet/known_hosts"
[[hosts]]
names = "db[1-3]"
address = "127.0.1.[1-3]"
INV
cp "$T/range.toml" "$T/range2.toml"
leura run "$t" -i "$T/range.toml" --no-ssh-config
expect_rc 0
leura logs "$(last_run)" --host db3
expect_out "at 127.0.1.3"
sed -i 's|address = "127.0.1.\[1-3\]"|address = "127.0.1.[1-2]"|' "$T/range2.toml"
leura check "$T/range2.toml"
expect_rc 2
expect_err "range2.toml:[0-9]+:[0-9]+: error: address names 2 hosts but the entry has 3 names"

# --ssh-config FILE reads that file only (as ssh -F); a bad line there is an error with its line.
printf 'Host web-a\n  Port 0\n' > "$T/bad_config"
leura run "$t" -i "$T/aliases.toml" --ssh-config "$T/bad_config"
expect_rc 2
expect_err "bad_config:2: bad port '0'"

# What leura does not evaluate is named: ProxyCommand refused, Match exec and typos warned.
cat > "$T/odd_config" <<CONF
Match exec "true"
    Port 1
Host web-a
    HostNmae 127.0.1.1
    ProxyCommand nc %h %p
CONF
leura ssh-config web-a --ssh-config "$T/odd_config"
expect_rc 2
expect_err "odd_config:4: unknown ssh_config keyword 'hostnmae' \(did you mean 'hostname'\?\)"
expect_err "ProxyCommand is not supported"
leura check "$T/aliases.toml" --ssh-config "$T/odd_config"
expect_rc 2
expect_err "host web-a: .*odd_config:5: ProxyCommand is not supported"
leura check "$T/aliases.toml"
expect_rc 0
leura ssh-config web-b --ssh-config "$T/odd_config"
expect_rc 0
expect_err "odd_config:1: Match exec is not evaluated by leura"
expect_out "port +22 +default"

# A user config others may write is refused, as ssh refuses it.
chmod 666 "$HOME/.ssh/config"
leura ssh-config web-a
expect_rc 2
expect_err "bad owner or permissions"
chmod 600 "$HOME/.ssh/config"

# A jump host's own ProxyJump is followed (outer, then inner, then the host), each hop checked
# against its own UserKnownHostsFile; a first hop's ProxyCommand is refused, never skipped.
grep "^\[127.0.1.1\]" "$F/known_hosts" > "$T/kh_outer"
grep -v "^\[127.0.1.1\]" "$F/known_hosts" > "$T/kh_rest"
cat > "$T/nested_config" <<CONF
Host outer
    HostName 127.0.1.1
    UserKnownHostsFile $T/kh_outer
Host inner
    HostName 127.0.1.2
    ProxyJump outer
Host web-3
    HostName 127.0.1.3
    ProxyJump inner
Host *
    Port $port
    User $me
    IdentityFile $F/client_key
    UserKnownHostsFile $T/kh_rest
CONF
printf '[[hosts]]\nnames = ["web-3"]\n' > "$T/nested.toml"
logins=$(cat "$F"/sshd*.log | grep -c 'Accepted publickey')
leura run "$t" -i "$T/nested.toml" --ssh-config "$T/nested_config"
expect_rc 0
now=$(cat "$F"/sshd*.log | grep -c 'Accepted publickey')
[ "$now" = $((logins + 3)) ] || fail "expected outer, inner and web-3 to log in once each: $((now - logins))"
leura ssh-config web-3 --ssh-config "$T/nested_config"
expect_out "jump +inner \($me@127\.0\.1\.1:$port,$me@127\.0\.1\.2:$port\)"
sed -i 's|    ProxyJump outer|    ProxyCommand nc %h %p|' "$T/nested_config"
leura run "$t" -i "$T/nested.toml" --ssh-config "$T/nested_config"
expect_rc 2
expect_err "nested_config:6: ProxyCommand is not supported"

# An agent full of other keys: sshd hangs up after 6 refused keys. That is an auth error at
# once (not a spin until the timeout), and IdentitiesOnly in the file offers only the
# inventory's key.
eval "$(ssh-agent -s)" > /dev/null
at_exit "kill $SSH_AGENT_PID"
for i in 1 2 3 4 5 6 7; do ssh-keygen -q -t ed25519 -N '' -f "$T/agent_key$i"; ssh-add -q "$T/agent_key$i" 2>/dev/null; done
leura exec -i "$F/inventory.toml" -t 127.0.1.1 --known-hosts "$F/known_hosts" --no-ssh-config --connect-attempts 1 --connect-timeout 20s -- echo ok
expect_rc 1
expect_err "unreachable 127.0.1.1 +[0-9]+ms +authentication failed .*the server closed the connection while ssh-agent keys were offered"
printf 'Host *\n  IdentitiesOnly yes\n' > "$T/only_config"
leura exec -i "$F/inventory.toml" -t 127.0.1.1 --known-hosts "$F/known_hosts" --ssh-config "$T/only_config" -- echo ok
expect_rc 0
kill "$SSH_AGENT_PID"
unset SSH_AUTH_SOCK SSH_AGENT_PID

# The setting is shown with the others.
LEURA_SSH_CONFIG="$T/odd_config" "$LEURA_BIN" config show > "$T/out"
expect_out "ssh_config +$T/odd_config +\(LEURA_SSH_CONFIG\)"

# Without HOME (cron, env -i), the passwd entry's home is used, never "/".
home=$(getent passwd "$me" | cut -d: -f6)
env -u HOME "$LEURA_BIN" ssh-config web-x --no-ssh-config > "$T/out"
expect_out "known_hosts +$home/.ssh/known_hosts +default"
set +e
env -u HOME "$LEURA_BIN" run "$t" -i "$F/inventory.toml" --known-hosts "$F/known_hosts" --no-ssh-config > "$T/out" 2> "$T/err"
rc=$?
set -e
expect_rc 0
echo ok
