# Which shell runs a step (issue 13, item 10): the runner is /bin/sh; a script's #! line, a
# step's or the task's `shell`, and `exec --shell` run the body by that interpreter instead
# (step > task > #! > sh), in the runner, through sudo and under a timeout, with the exports,
# the markers and the lifeline as for any step. A shell the host lacks fails the step with a
# message that says so, at once.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
mkdir -p "$T/files"

# A #!/bin/bash script (inline) and a #!/usr/bin/env bash script_file bigger than the runner's
# line-by-line frames, both using [[ ]], $RANDOM and arrays; a plain script stays sh.
{
  echo '#!/usr/bin/env bash'
  echo 'set -euo pipefail'
  awk 'BEGIN { for (i = 0; i < 3000; i++) printf ": %080d\n", i }'
  echo 'a=(x y z); [[ ${#a[@]} == 3 && $RANDOM =~ ^[0-9]+$ ]] && echo "file ${a[2]} $greeting"'
} > "$T/files/big.sh"
t=$(task t "
[vars]
greeting = \"it's \$(here)\"
[[steps]]
name = \"shebang\"
script = '''#!/bin/bash
[[ \$LEURA_HOST == 127.0.1.* ]] && echo \"bash \$((RANDOM >= 0)) \$greeting\"
read -r x || echo \"stdin at EOF\"
'''
[[steps]]
name = \"env file\"
script_file = \"files/big.sh\"
[[steps]]
name = \"plain\"
script = 'echo \"sh:\${BASH_VERSION:-none}\"'
[[steps]]
name = \"step shell\"
shell = \"bash\"
command = '[[ -n \$RANDOM ]] && echo step-bash'")
run_leura "$t" -t 127.0.1.1
expect_rc 0
id=$(last_run)
lg() { "$LEURA_BIN" logs "$id" --host 127.0.1.1 --step "$1" "${@:2}"; }
[ "$(lg shebang)" = "bash 1 it's \$(here)
stdin at EOF" ] || { lg shebang; fail "#!/bin/bash script"; }
[ "$(lg "env file")" = "file z it's \$(here)" ] || { lg "env file"; fail "#!/usr/bin/env bash script_file"; }
[ "$(lg plain)" = "sh:none" ] || { lg plain; fail "a script without #! runs in sh"; }
[ "$(lg "step shell")" = "step-bash" ] || { lg "step shell"; fail "shell = bash on a step"; }
# Every step of the host ran in one runner (one channel), which stayed /bin/sh.
[ "$(grep -c "Accepted publickey" "$F/sshd.log")" = 1 ] || fail "one login expected"

# shell on the task: every step, also verify checks and a timed one; a step's own shell wins.
t=$(task task_shell "
shell = \"bash\"
[[steps]]
name = \"timed\"
timeout = \"30s\"
command = '[[ 1 == 1 ]] && echo task-bash'
[[steps]]
name = \"own sh\"
shell = \"sh\"
command = 'echo \"sh:\${BASH_VERSION:-none}\"'
[[steps]]
name = \"local\"
local = '[[ \$LEURA_HOST == 127.* ]] && echo local-bash'
[[verify]]
name = \"check\"
command = '[[ -n \${BASH_VERSION} ]] && echo verify-bash'")
run_leura "$t" -t 127.0.1.1
expect_rc 0
id=$(last_run)
[ "$(lg timed)" = task-bash ] || { lg timed; fail "the task's shell under a timeout"; }
[ "$(lg "own sh")" = "sh:none" ] || { lg "own sh"; fail "a step's sh over the task's bash"; }
[ "$(lg local)" = local-bash ] || { lg local; fail "the task's shell on a local step"; }
[ "$(lg check)" = verify-bash ] || { lg check; fail "the task's shell on a verify check"; }

# Through sudo (a channel of its own, with its lifeline), as root.
if [ "$(id -u)" = 0 ] && command -v sudo >/dev/null; then
  t=$(task sudo "
[[steps]]
name = \"as root\"
run_as = \"root\"
shell = \"bash\"
command = '[[ \$(id -u) == 0 ]] && echo \"root-bash \$LEURA_HOST\"'")
  run_leura "$t" -t 127.0.1.1
  expect_rc 0
  id=$(last_run)
  [ "$(lg "as root")" = "root-bash 127.0.1.1" ] || { lg "as root"; fail "run_as with shell = bash"; }
fi

# A timed-out bash step is ended on the host, and so is one whose leura is killed (the
# lifeline): neither leaves its process behind.
t=$(task slow "
[[steps]]
name = \"slow\"
timeout = \"1s\"
script = '''#!/bin/bash
echo \$\$ > $T/pid
sleep 60
'''")
rm -f "$T/pid"
run_leura "$t" -t 127.0.1.1
expect_rc 1
expect_out "timed out after 1000ms"
pid=$(cat "$T/pid")
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$pid" 2>/dev/null || fail "the bash step outlived its timeout"
t=$(task lost "
[[steps]]
name = \"lost\"
shell = \"bash\"
command = 'echo \$\$ > $T/pid2; [[ 1 == 1 ]] && sleep 60'")
"$LEURA_BIN" run "$t" -i "$F/inventory.toml" --known-hosts "$F/known_hosts" -t 127.0.1.1 \
  > "$T/lost.out" 2>&1 &
leura_pid=$!
for _ in $(seq 1 100); do [ -s "$T/pid2" ] && break; sleep 0.1; done
[ -s "$T/pid2" ] || fail "the lost step did not start"
kill -9 "$leura_pid"
wait "$leura_pid" 2>/dev/null || true
pid=$(cat "$T/pid2")
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$pid" 2>/dev/null || fail "the bash step outlived leura (lifeline)"

# A shell the host does not have: the step fails at once, saying so.
t=$(task missing "
[[steps]]
name = \"needs fish\"
shell = \"leura-no-such-shell\"
command = 'echo never'")
run_leura "$t" -t 127.0.1.1
expect_rc 1
expect_out 'step "needs fish": leura-no-such-shell not found on the host'
id=$(last_run)
[ "$(lg "needs fish" --stderr)" = "leura: leura-no-such-shell not found on the host" ] ||
  { lg "needs fish"; fail "the missing shell's message in the step's output"; }
t=$(task missing_env "
[[steps]]
name = \"env\"
script = '''#!/usr/bin/env leura-nope
echo never'''")
run_leura "$t" -t 127.0.1.1
expect_rc 1
expect_out 'step "env": /usr/bin/env leura-nope not found on the host'

# exec --shell: the command runs by bash on every host; retry runs it by bash again.
ex() { leura exec -i "$F/inventory.toml" --known-hosts "$F/known_hosts" "$@"; }
ex --shell bash -- '[[ 1 == 1 ]] && echo yes'
expect_rc 0
expect_out '^---------------- 127\.0\.1\.\[1-2\] \(2\)$'
expect_out '^yes$'
ex -- '[[ 1 == 1 ]] && echo yes'
expect_rc 1
not_out '^yes$'
ex --shell bash -- '[[ $LEURA_HOST == 127.0.1.2 ]] && exit 3; echo fine'
expect_rc 1
expect_out '^---------------- 127\.0\.1\.2 \(1\) exit 3$'
leura retry "$(last_run)" -i "$F/inventory.toml" --known-hosts "$F/known_hosts"
expect_rc 1
expect_out 'step "exec" exited with 3'
ex --shell leura-no-such-shell -- true
expect_rc 1
expect_err 'leura-no-such-shell not found on the host'
ex --shell 'bash -x' -- true
expect_rc 2
expect_err "^--shell: error: 'bash -x' is not a shell's name"
echo ok
