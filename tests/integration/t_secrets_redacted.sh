# A secret reaches the host's script, and is found zero times in the database, the unpacked
# archive, stdout and stderr — through success, failure, timeout and --json.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
export LEURA_CANARY="canary-$RANDOM-$$-Zq9"
printf 'file-canary-%s\n' "$$" > "$T/secret.txt"; chmod 600 "$T/secret.txt"
t=$(task t "
[secrets]
token = { env = \"LEURA_CANARY\" }
filed = { file = \"secret.txt\" }
[[steps]]
name = \"use\"
command = 'printf %s \"\$token\" | sha256sum > $T/seen.\$LEURA_HOST; echo \"token=\$token filed=\$filed\"; echo \"\$token\" >&2'
[[steps]]
name = \"fail\"
ignore_errors = true
command = 'echo \"bad \$token\" >&2; exit 3'
[[steps]]
name = \"slow\"
timeout = \"1s\"
command = 'echo \"slow \$token \$filed\"; sleep 30'")
run_leura "$t" > /dev/null
expect_rc 1
cp "$T/out" "$T/out1"; cp "$T/err" "$T/err1"
run_leura "$t" --json
expect_rc 1
want=$(printf %s "$LEURA_CANARY" | sha256sum)
[ "$(cat "$T/seen.127.0.1.1")" = "$want" ] || fail "the secret did not reach the host"
id=$(last_run)
"$LEURA_BIN" logs "$id" --host 127.0.1.1 --step use --full > "$T/logs" 2>&1
grep -q "token=\[secret:token\] filed=\[secret:filed\]" "$T/logs" || { cat "$T/logs"; fail "redaction marker"; }
mkdir "$T/unpacked"
for a in "$LEURA_HOME"/archives/*.tar.gz; do tar -xzf "$a" -C "$T/unpacked"; done
filed=$(head -1 "$T/secret.txt")
for v in "$LEURA_CANARY" "$filed"; do
  n=$(cat "$LEURA_HOME"/leura.db* "$T/out1" "$T/err1" "$T/out" "$T/err" "$T/logs" | grep -c -a -F "$v" || true)
  [ "$n" = 0 ] || fail "secret found $n times in the database or output"
  ! grep -r -a -q -F "$v" "$T/unpacked" || fail "secret in the archive"
done
