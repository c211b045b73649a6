# Workflows (issue 15): the StraaS agent upgrade example writes the upgraded and failed host
# lists; its rollback stage (when = "failed") runs only when a host failed, and restores that
# host alone. `retry --stage` runs that stage again on its failed hosts only, then the stages
# after it; the stages that ended ok are not run again. Bad graphs are errors with positions.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 4
inv=$T/agents.toml
{
  sed -n '/^\[defaults\]/,/^$/p' "$F/inventory.toml"
  printf '[[hosts]]\nnames = "127.0.1.[1-4]"\ngroups = ["agents"]\n\n'
} > "$inv"
wf=$LEURA_SOURCE_DIR/runbooks/examples/workflows/straas-agent-upgrade.toml
common=(-i "$inv" --known-hosts "$F/known_hosts" --var "agent_dir=$T/agent" --var "lists=$T/lists")
mkdir -p "$T/agent/127.0.1.3"
echo 2.4.0 > "$T/agent/127.0.1.3/version"

# All upgrade: the rollback stage is not needed; every host is on the upgraded list.
leura run "$wf" "${common[@]}"
expect_rc 0
expect_out "stage rollback: skipped: no stage it follows failed"
[ "$(cat "$T/lists/upgraded.txt" | tr '\n' ' ')" = "127.0.1.1 127.0.1.2 127.0.1.3 127.0.1.4 " ] ||
  fail "upgraded list: $(cat "$T/lists/upgraded.txt")"
[ ! -s "$T/lists/failed.txt" ] || fail "failed list must be empty"

# One broken host: the others upgrade; verify fails it; rollback restores it; lists say so.
rm -rf "$T/agent" "$T/lists"
mkdir -p "$T/agent/127.0.1.3"
echo 2.4.0 > "$T/agent/127.0.1.3/version"
leura run "$wf" "${common[@]}" --var version=2.5.0 --var broken=127.0.1.3
expect_rc 1
id=$(last_run)
[ "$(cat "$T/lists/upgraded.txt" | tr '\n' ' ')" = "127.0.1.1 127.0.1.2 127.0.1.4 " ] || fail "upgraded: $(cat "$T/lists/upgraded.txt")"
[ "$(cat "$T/lists/failed.txt")" = "127.0.1.3" ] || fail "failed: $(cat "$T/lists/failed.txt")"
[ "$(cat "$T/agent/127.0.1.3/version")" = 2.4.0 ] || fail "the broken host keeps its version"
leura show "$id"
expect_out "^stage upgrade: failed"
expect_out "^stage verify: failed"
expect_out "^stage rollback: ok"
expect_out "^stage report: ok"

# Fixed, the upgrade stage again on its failed host only, then what follows.
rm -rf "$T/lists"
leura retry "$id" --stage upgrade "${common[@]}" --var version=2.5.0 --var broken=
expect_rc 0
expect_err "retrying workflow run $id: stage upgrade \(1 host\)"
new=$(last_run)
leura show "$new"
expect_out "^stage upgrade: ok \(run $new\.upgrade; 1 ok"
expect_out "^stage verify: ok \(run $new\.verify; 4 ok"
[ "$(cat "$T/agent/127.0.1.3/version")" = 2.5.0 ] || fail "retried host upgraded"
[ "$(cat "$T/lists/upgraded.txt" | wc -l)" = 4 ] || fail "report after the retry: $(cat "$T/lists/upgraded.txt")"
leura retry "$id" --stage nosuch --known-hosts "$F/known_hosts"
expect_rc 2
expect_err "has no stage 'nosuch'"

# The graph is checked where it is written.
bad=$(task bad '
[[stages]]
name = "a"
after = ["c"]
[[stages.steps]]
command = "true"
[[stages]]
name = "b"
after = ["a"]
[[stages.steps]]
command = "true"
[[stages]]
name = "c"
after = ["b", "nope"]
[[stages.steps]]
command = "true"')
leura check "$bad"
expect_rc 2
expect_err "bad.toml:14:15: .*no stage named 'nope'"
sed -i 's/, "nope"//' "$bad"
leura check "$bad"
expect_rc 2
expect_err "bad.toml:9:10: .*the stages form a cycle: a -> c -> b -> a"
none=$(task none "
inventory = \"$inv\"
[[stages]]
name = \"web\"
targets = \"!agents\"
[[stages.steps]]
command = \"true\"
[[steps]]
command = \"true\"")
leura run "$none" --known-hosts "$F/known_hosts"
expect_rc 2
expect_err "none.toml:8:1: .*'steps' belongs to each stage"
sed -i '/^\[\[steps\]\]$/,$d' "$none"
leura run "$none" --known-hosts "$F/known_hosts"
expect_rc 2
expect_err "none.toml:3:1: .*stage 'web' selects no host"
