# The live view on a real terminal (tmux): counts and the slowest running hosts with their
# step while a wave runs, the gate's budget, the countdown after Ctrl-C; host lines stay on
# stdout above it, and the frame is gone when the run ends.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || fail "tmux is not installed (tools/deps.sh installs it)"
fleet_up_watched "$F" 6
inv=$T/rollout.toml
rollout_inventory "$inv" 3 2
t=$(task live '
[rollout]
batches = ["2", "100%"]
max_failed = 1

[[steps]]
name = "quick"
command = "true"

[[steps]]
name = "slow-restart"
command = "case $LEURA_HOST in 127.0.1.[56]) sleep 30;; esac"')
sock=$T/tmux.sock
at_exit "tmux -S '$sock' kill-server"
cat > "$T/go.sh" <<GO
export LEURA_HOME='$LEURA_HOME' HOME='$HOME'
'$LEURA_BIN' run '$t' -i '$inv' --known-hosts '$F/known_hosts' --grace 20s
echo "rc=\$?" > '$T/rc'
GO
tmux -S "$sock" new-session -d -x 150 -y 40 "bash '$T/go.sh'; sleep 60"
pane() { tmux -S "$sock" capture-pane -p -J; }
# wait_pane REGEX: up to 15 s for the screen to show it.
wait_pane() {
  local _
  for _ in $(seq 1 150); do pane | grep -qE -- "$1" && return 0; sleep 0.1; done
  pane > "$T/screen"; cat "$T/screen" >&2; fail "the screen never showed /$1/"
}
wait_pane 'wave 2/2 \| 4/6 done: 4 ok, 0 failed, 0 unreachable \| 2 running'
wait_pane 'gate: 0 failed of 1 allowed in this wave; 1 more allowed'
wait_pane '[0-9.]+s  127\.0\.1\.5  slow-restart'
wait_pane '[0-9.]+s  127\.0\.1\.6  slow-restart'
pane | grep -qE '^ok +127\.0\.1\.1 ' || { pane; fail "host lines above the frame"; }
# The frame is one: never drawn twice on the screen.
[ "$(pane | grep -c 'running |')" = 1 ] || { pane; fail "the frame was drawn twice"; }

tmux -S "$sock" send-keys C-c
wait_pane 'leura: stopping: no new host starts; waiting up to 20.0s for 2 running hosts; Ctrl-C again to abort'
wait_pane 'stopping: (1[0-9]|20)s left for 2 running host\(s\) to finish; Ctrl-C again to abort'
tmux -S "$sock" send-keys C-c
wait_pane 'leura: aborting: ending the steps of 2 running hosts now'
for _ in $(seq 1 100); do [ -e "$T/rc" ] && break; sleep 0.1; done
[ "$(cat "$T/rc")" = "rc=130" ] || fail "exit: $(cat "$T/rc"), expected 130 (SIGINT)"
wait_pane 'leura: interrupted: 4 ok, 0 failed, 0 unreachable, 0 skipped, 2 interrupted'
# The run ended: no frame is left on the screen.
! pane | grep -q 'running |' || { pane; fail "the frame stayed after the run"; }
! pane | grep -q 'left for' || { pane; fail "the countdown stayed after the run"; }

# exec gets the same live view: counts and the slowest running hosts with their command while
# it runs (not seconds of nothing), then its grouped output and no frame.
cat > "$T/exec.sh" <<GO
export LEURA_HOME='$LEURA_HOME' HOME='$HOME'
'$LEURA_BIN' exec -i '$inv' --known-hosts '$F/known_hosts' -- 'case \$LEURA_HOST in 127.0.1.[56]) sleep 4;; esac; echo done'
echo "rc=\$?" > '$T/exec-rc'
GO
# A server of its own: a new session on the first one's socket could meet that server exiting.
sock=$T/tmux-exec.sock
at_exit "tmux -S '$sock' kill-server"
tmux -S "$sock" new-session -d -x 150 -y 40 "bash '$T/exec.sh'; sleep 60"
wait_pane '4/6 done: 4 ok, 0 failed, 0 unreachable \| 2 running'
wait_pane '[0-9.]+s  127\.0\.1\.[56]  '
for _ in $(seq 1 150); do [ -e "$T/exec-rc" ] && break; sleep 0.1; done
[ "$(cat "$T/exec-rc")" = "rc=0" ] || { pane; fail "exec: $(cat "$T/exec-rc" 2>/dev/null)"; }
wait_pane '^done$'
! pane | grep -q 'running |' || { pane; fail "exec's frame stayed after the run"; }
