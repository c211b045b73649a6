# Steps run whatever the account's login shell: sh, bash, csh, tcsh and fish logins all run
# the runner (one line, no quote, no `!` csh would expand), with plain, timed and big steps, an
# upload and a download (on a channel of its own); an account that cannot log in (nologin)
# gets a message that says so.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "skipped: needs root to add users"; exit 0; }
fleet_up_watched "$F" 1
chmod 711 "$T" "$F"
chmod 644 "$F/authorized_keys"
mkdir -p "$T/files" && chmod 755 "$T/files"
printf 'payload\ntouch %s/PWNED\n' "$T" > "$T/files/data" && chmod 644 "$T/files/data"
big=$(head -c 300000 /dev/zero | tr '\0' 'x')
printf ': %s\n' "$big" > "$T/files/big.sh"
for sh in /bin/bash /bin/tcsh /bin/csh /usr/bin/fish; do
  [ -x "$sh" ] || { echo "skipped $sh: not installed (tools/deps.sh installs it)"; continue; }
  user=leura-$(basename "$sh")$$
  useradd -M -d "$T" -s "$sh" -p "*" "$user"
  at_exit "userdel $user"
  mkdir -p "$T/out-$user" && chown "$user" "$T/out-$user"
  sed "s/^user = .*/user = \"$user\"/" "$F/inventory.toml" > "$T/inv-$user.toml"
  t=$(task "t-$user" "
[[steps]]
name = \"plain\"
command = 'echo \"plain \$LEURA_HOST\"; echo \"bang!\"'
[[steps]]
name = \"timed\"
timeout = \"20s\"
command = 'echo timed'
[[steps]]
name = \"big\"
timeout = \"20s\"
script_file = \"files/big.sh\"
[[steps]]
name = \"ship\"
upload = { src = \"files/data\", dest = \"$T/out-$user/data\" }
[[steps]]
name = \"last\"
command = 'cat $T/out-$user/data | head -1'
[[steps]]
name = \"fetch\"
download = { src = \"$T/out-$user/data\", dest = \"$T/got-$user\" }")
  leura run "$t" -i "$T/inv-$user.toml" --known-hosts "$F/known_hosts"
  expect_rc 0
  expect_out "ok +127.0.1.1 .*6/6 steps"
  id=$(last_run)
  [ "$("$LEURA_BIN" logs "$id" --step plain --full --stdout)" = "$(printf 'plain 127.0.1.1\nbang!')" ] || fail "$sh: plain step output"
  [ "$("$LEURA_BIN" logs "$id" --step last --full --stdout)" = payload ] || fail "$sh: upload"
  [ ! -e "$T/PWNED" ] || fail "$sh: payload ran"
  cmp "$T/files/data" "$T/got-$user" || fail "$sh: download (a channel of its own)"
done

user=leura-nologin$$
useradd -M -d "$T" -s /usr/sbin/nologin -p "*" "$user"
at_exit "userdel $user"
sed "s/^user = .*/user = \"$user\"/" "$F/inventory.toml" > "$T/inv-nologin.toml"
t=$(task nologin "
[[steps]]
command = 'true'")
leura run "$t" -i "$T/inv-nologin.toml" --known-hosts "$F/known_hosts"
expect_rc 1
expect_out "login shell did not start leura's runner"
echo ok
