# Item 6 of issue 13: `retry` and `resume` work from any directory (the task and inventory
# are recorded by absolute path) and reuse the run's --concurrency, --var, --batches and -t
# unless given new ones, saying which they reused.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 3
mkdir -p "$T/work" "$T/log"
cp "$F/inventory.toml" "$T/work/inv.toml"
printf '%s\n' '
[[steps]]
command = "echo $COLOR >> '"$T"'/log/$LEURA_HOST; [ -e '"$T"'/fixed ]"' > "$T/work/job.toml"
cd "$T/work"
leura run job.toml -i inv.toml --known-hosts "$F/known_hosts" --concurrency 1 --var COLOR=blue
cd "$T"
expect_rc 1
id=$(last_run)
leura show "$id"
expect_out "task +$T/work/job.toml"
expect_out "inventory +$T/work/inv.toml"
touch "$T/fixed"
cd /
leura retry "$id" --known-hosts "$F/known_hosts"
cd "$T"
expect_rc 0
expect_err "reusing run $id's --concurrency 1 --var COLOR=\.\.\."
for h in 1 2 3; do
  [ "$(tail -1 "$T/log/$(fleet_addr $h)")" = blue ] || fail "--var not reused on host $h"
done
# A new --var replaces the recorded ones.
rm "$T/fixed"
cd "$T/work"
leura run job.toml -i inv.toml --known-hosts "$F/known_hosts" --var COLOR=red
cd "$T"
id=$(last_run)
touch "$T/fixed"
cd /
leura retry "$id" --var COLOR=green --known-hosts "$F/known_hosts"
cd "$T"
expect_rc 0
[ "$(tail -1 "$T/log/$(fleet_addr 1)")" = green ] || fail "a new --var wins"
