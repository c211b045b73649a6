# A plain text inventory ([user@]host[:port] per line) and the default identity
# (~/.ssh/id_ed25519) when the inventory names none.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 3
port=$(fleet_port "$F")
mkdir -p "$HOME/.ssh" && cp "$F/client_key" "$HOME/.ssh/id_ed25519"
cp "$F/known_hosts" "$HOME/.ssh/known_hosts"
printf '# web tier\n%s@127.0.1.1:%s\n127.0.1.3:%s   # the third\n' "$(id -un)" "$port" "$port" > "$T/hosts.txt"
t=$(task t '
[[steps]]
command = "echo on $LEURA_HOST"')
leura run "$t" -i "$T/hosts.txt"
expect_rc 0
expect_out "2 ok, 0 failed"
expect_out "^ok +127\.0\.1\.1 "
expect_out "^ok +127\.0\.1\.3 "
not_out "127\.0\.1\.2"
