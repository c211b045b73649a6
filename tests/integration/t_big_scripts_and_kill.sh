# Scripts of any size run, with or without a timeout (16 MiB here: more than exec() takes in
# the environment, more than the shell's `read` could take in time), and a step that ignores
# TERM is KILLed when its time is up, also on a host without coreutils' `timeout`.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 1
mkdir -p "$T/files"
{
  echo 'n=0'
  awk 'BEGIN { for (i = 0; i < 200000; i++) printf ": %080d\n", i }'
  echo 'echo "big script done"'
} > "$T/files/big.sh"
[ "$(stat -c %s "$T/files/big.sh")" -gt 16000000 ] || fail "the script is not big enough"
t=$(task big "
[[steps]]
name = \"plain\"
script_file = \"files/big.sh\"
[[steps]]
name = \"timed\"
timeout = \"100s\"
script_file = \"files/big.sh\"
[[steps]]
name = \"small after\"
command = 'echo small'")
run_leura "$t"
expect_rc 0
id=$(last_run)
for s in plain timed; do
  [ "$("$LEURA_BIN" logs "$id" --step "$s" --full)" = "big script done" ] || fail "$s: big script output"
done
[ "$("$LEURA_BIN" logs "$id" --step "small after" --full)" = small ] || fail "the runner went wrong after a big script"

# A host without `timeout`: only the tools the runner and the step need.
mkdir -p "$T/bin"
for tool in sh sleep cat head kill; do ln -s "$(command -v "$tool")" "$T/bin/$tool"; done
FLEET_SETENV="PATH=$T/bin" fleet_up_watched "$T/f2" 1
at_exit "fleet_down \"$T/f2\""
t=$(task stubborn "
[[steps]]
name = \"ignores TERM\"
timeout = \"1s\"
command = 'trap \"\" TERM; echo \$\$ > $T/pid; sleep 60; echo survived > $T/survived'")
for fleet in "$F" "$T/f2"; do
  rm -f "$T/pid"
  leura run "$t" -i "$fleet/inventory.toml" --known-hosts "$fleet/known_hosts"
  expect_rc 1
  expect_out "timed out after 1000ms"
  [ -s "$T/pid" ] || fail "the step did not start"
  pid=$(cat "$T/pid")
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  ! kill -0 "$pid" 2>/dev/null || fail "the step outlived its timeout by 10 s ($fleet)"
done
echo ok
