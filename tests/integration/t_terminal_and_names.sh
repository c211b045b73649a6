# Host names are checked when the inventory loads (shell, selector and path characters and
# control bytes refused at file:line:col), and bytes from hosts never reach a terminal raw:
# escape sequences in output are shown escaped on a TTY and kept exact in a pipe.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 1
t=$(task t "
[[steps]]
command = 'true'")
for name in 'web1;rm -rf /' '../../etc/evil' 'web 1' 'a,b' 'x$(id)'; do
  printf '[[hosts]]\nnames = "ok1"\n[[hosts]]\nnames = "%s"\n' "$name" > "$T/bad.toml"
  leura check "$t" "$T/bad.toml"
  expect_rc 2
  grep -qE "bad.toml:4:9: error: host name .* may not have" "$T/err" || { cat "$T/err"; fail "no file:line:col for '$name'"; }
done
printf 'ok1\nbad;name\n' > "$T/plain.txt"
leura check "$t" "$T/plain.txt"
expect_rc 2
grep -q "plain.txt:2:1: error: host name" "$T/err" || { cat "$T/err"; fail "plain list"; }

# Output with escape sequences (title, clear screen) and a carriage return.
t=$(task esc "
[[steps]]
name = \"esc\"
command = 'printf \"A\\\\033]0;PWNED\\\\007B\\\\033[2JC\\\\rD\\\\n\"'")
run_leura "$t"
expect_rc 0
id=$(last_run)
"$LEURA_BIN" logs "$id" --step esc --full > "$T/piped"
printf 'A\033]0;PWNED\007B\033[2JC\rD\n' | cmp - "$T/piped" || fail "a pipe must get the exact bytes"
# On a terminal (script(1) gives one), no ESC, BEL or CR from the host.
script -qec "$LEURA_BIN logs $id --step esc --full" /dev/null > "$T/tty" < /dev/null
grep -q 'A\\x1b\]0;PWNED\\x07B\\x1b\[2JC\\x0dD' "$T/tty" || { od -c "$T/tty" | head; fail "not escaped on a terminal"; }
tr -d '\r\n' < "$T/tty" | LC_ALL=C grep -q $'[\x1b\x07]' && fail "raw control bytes reached the terminal"
printf 'printf "x\\033[2Jy"\n' > "$T/esc.sh"
script -qec "$LEURA_BIN exec -i $F/inventory.toml --known-hosts $F/known_hosts -- sh $T/esc.sh" /dev/null > "$T/tty2" < /dev/null
grep -q 'x\\x1b\[2Jy' "$T/tty2" || { od -c "$T/tty2" | head; fail "exec output not escaped on a terminal"; }
echo ok
