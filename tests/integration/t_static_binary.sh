# The release binary is fully static and hardened (static-pie, full RELRO), and still resolves
# names through /etc/hosts.
. "$(dirname "$0")/lib.sh"
file -L "$LEURA_BIN" | grep -q "static-pie linked" || { file -L "$LEURA_BIN"; fail "not static-pie"; }
readelf -d "$LEURA_BIN" > "$T/dynamic"
if grep -q "(NEEDED)" "$T/dynamic"; then cat "$T/dynamic"; fail "it needs shared libraries"; fi
grep -q "Flags: NOW PIE" "$T/dynamic" || { cat "$T/dynamic"; fail "not linked -z now as a PIE"; }
readelf -lW "$LEURA_BIN" | grep -q GNU_RELRO || fail "no RELRO segment"
ldd "$LEURA_BIN" > "$T/ldd" 2>&1 || true
grep -Eq "statically linked|not a dynamic executable" "$T/ldd" || { cat "$T/ldd"; fail "ldd output"; }

grep -Eq '^127\.0\.0\.1[[:space:]](.*[[:space:]])?localhost([[:space:]]|$)' /etc/hosts ||
  fail "this test needs 'localhost' for 127.0.0.1 in /etc/hosts"
FLEET_ALSO_LISTEN=127.0.0.1 fleet_up_watched "$F" 1
port=$(fleet_port "$F")
echo "[localhost]:$port $(cut -d' ' -f1,2 "$F/host_key.pub")" >> "$F/known_hosts"
sed -i 's/^names = .*/names = "localhost"/' "$F/inventory.toml"
t=$(task t '
[[steps]]
command = "set -- $SSH_CONNECTION; echo server=$3"')
run_leura "$t"
expect_rc 0
leura logs "$(last_run)" --host localhost
expect_out "^server=127\.0\.0\.1$"
