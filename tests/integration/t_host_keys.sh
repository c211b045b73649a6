# Strict host keys: a host missing from known_hosts is refused (host_key), a host whose key
# differs is refused with its own kind (host_key_changed), even with --accept-new-host-keys.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 3
port=$(fleet_port "$F")
ssh-keygen -q -t ed25519 -N '' -f "$T/other_key"
grep -v "^\[127.0.1.2\]" "$F/known_hosts" | grep -v "^\[127.0.1.3\]" > "$T/kh"
echo "[127.0.1.3]:$port $(cut -d' ' -f1,2 "$T/other_key.pub")" >> "$T/kh"
t=$(task t '
[[steps]]
command = "true"')
leura run "$t" -i "$F/inventory.toml" --known-hosts "$T/kh" --json
expect_rc 1
grep -q '"host":"127.0.1.1","status":"ok"' "$T/out" || fail "1 should pass"
grep -q '"host":"127.0.1.2","status":"unreachable","error":"host_key",.*is not known' "$T/out" || { cat "$T/out"; fail "unknown key"; }
grep -q '"host":"127.0.1.3","status":"unreachable","error":"host_key_changed",.*CHANGED' "$T/out" || { cat "$T/out"; fail "changed key"; }

# Opting in records the unknown key, and still refuses the changed one.
leura run "$t" -i "$F/inventory.toml" --known-hosts "$T/kh" --accept-new-host-keys --json
expect_rc 1
grep -q '"host":"127.0.1.2","status":"ok"' "$T/out" || { cat "$T/out"; fail "accept-new"; }
grep -q '"host":"127.0.1.3","status":"unreachable","error":"host_key_changed"' "$T/out" || fail "changed accepted"
grep -q "^\[127.0.1.2\]:$port ssh-ed25519" "$T/kh" || fail "new key not recorded"

# Hashed known_hosts (OpenSSH's HashKnownHosts) read by leura's own index: the same outcomes.
cp "$T/kh" "$T/kh-hashed"
ssh-keygen -q -H -f "$T/kh-hashed" 2>/dev/null
grep -q '^|1|' "$T/kh-hashed" || fail "ssh-keygen -H did not hash"
grep -q '127.0.1' "$T/kh-hashed" && fail "names left in the hashed file"
leura run "$t" -i "$F/inventory.toml" --known-hosts "$T/kh-hashed" --json
expect_rc 1
grep -q '"host":"127.0.1.2","status":"ok"' "$T/out" || { cat "$T/out"; fail "hashed: known key"; }
grep -q '"host":"127.0.1.3","status":"unreachable","error":"host_key_changed"' "$T/out" || fail "hashed: changed key"

# A pattern line is beyond the index: libssh checks the whole file, with the same outcomes.
cp "$T/kh" "$T/kh-pattern"
echo "*.nowhere.invalid $(cut -d' ' -f1,2 "$T/other_key.pub")" >> "$T/kh-pattern"
leura run "$t" -i "$F/inventory.toml" --known-hosts "$T/kh-pattern" --json
expect_rc 1
grep -q '"host":"127.0.1.2","status":"ok"' "$T/out" || { cat "$T/out"; fail "pattern: known key"; }
grep -q '"host":"127.0.1.3","status":"unreachable","error":"host_key_changed"' "$T/out" || fail "pattern: changed key"
