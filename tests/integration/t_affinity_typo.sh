# A typo in [rollout]'s affinity or spread (issue 13, item 8) would split clusters or spread
# nothing: run, plan and check refuse it with exit 2 at the task file's line and column, with a
# "did you mean", touching no host. The default affinity needs no cluster attribute, and
# affinity = "none" plans host by host.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 6
rollout_inventory "$T/inv.toml" 2 3
mkdir -p "$T/state"
rollout_task() {
  task t "
inventory = \"$1\"
[rollout]
batches = [1, \"100%\"]
$2
[[steps]]
command = 'touch $T/state/\$LEURA_HOST'"
}

t=$(rollout_task "$T/inv.toml" 'affinity = "clustr"')
leura run "$t" --known-hosts "$F/known_hosts"
expect_rc 2
expect_err "^$t:5:12: error: affinity 'clustr': no selected host has this attribute.*; did you mean \"cluster\"\?$"
expect_err "nothing was run"
[ -z "$(ls "$T/state")" ] || fail "hosts touched: $(ls "$T/state")"
! grep -q "Accepted" "$F/sshd.log" || fail "a host was connected to"
[ -z "$("$LEURA_BIN" runs --json)" ] || fail "a run was recorded"
leura plan "$t"
expect_rc 2
expect_err "did you mean \"cluster\""
leura check "$t"
expect_rc 2
expect_err "^$t:5:12: error: affinity 'clustr'"

t=$(rollout_task "$T/inv.toml" 'spread = ["az", "zone"]')
leura plan "$t"
expect_rc 2
expect_err "^$t:5:17: error: spread 'zone': no selected host has this attribute \(the selected hosts have: az, cluster\)$"

# The default affinity on hosts without any cluster: one wave per batch, host by host.
t=$(rollout_task "$F/inventory.toml" '')
leura run "$t" --known-hosts "$F/known_hosts"
expect_rc 0
[ "$(ls "$T/state" | wc -l)" = 6 ] || fail "the default affinity on a fleet without clusters"

# affinity = "none" on clustered hosts: the first wave is one host, not a cluster of three.
t=$(rollout_task "$T/inv.toml" 'affinity = "none"')
leura plan "$t"
expect_rc 0
expect_out "^6 hosts in 2 waves; affinity none$"
expect_out "^wave 1: 1 host "
