# `leura check` validates tasks and inventories, reports every problem, exits 2; clean files
# exit 0. A task's selector is checked against its inventory with a "did you mean".
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 3
cat > "$T/inv.toml" <<INV
[defaults]
prot = 22
[[hosts]]
names = "web[01-03]"
colour = "blue"
INV
leura check "$T/inv.toml"
expect_rc 2
expect_err "^$T/inv.toml:2:1: error: unknown key 'prot'.*did you mean 'port'"
expect_err "^$T/inv.toml:5:1: error: unknown key 'colour'"
expect_err "2 problems found"

# Host ranges are checked once the file parses: the caret points at the pattern.
printf '[[hosts]]\nnames = ["ok1", "web[05-01]"]\n' > "$T/range.toml"
leura check "$T/range.toml"
expect_rc 2
expect_err "^$T/range.toml:2:17: error: .*range 05-01 is reversed"

cp "$F/inventory.toml" "$T/fleet.toml"
t=$(task sel "
inventory = \"$T/fleet.toml\"
targets = \"flet\"
[[steps]]
command = \"true\"")
leura check "$t"
expect_rc 2
expect_err "unknown group or host 'flet'; did you mean 'fleet'"

t=$(task good "
inventory = \"$T/fleet.toml\"
targets = \"fleet & !127.0.1.2\"
[[steps]]
command = \"true\"")
leura check "$t" "$T/fleet.toml"
expect_rc 0
expect_out "2 files OK"
leura run "$t" --dry-run
expect_rc 0
expect_out "^wave 1: 2 hosts: 127\.0\.1\.\[1,3\]$"
