# Inventories you can inspect (issue 14, part): `inventory list` finds them, `inventory show`
# counts hosts per group and per attribute value, `inventory hosts` gives each host's effective
# settings, narrowed by -t, as text or JSON.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 6
mkdir -p "$T/work/inventories"
rollout_inventory "$T/work/inventories/prod.toml" 2 3
cd "$T/work"
leura inventory list
expect_rc 0
expect_out "^prod +6h +$T/work/inventories/prod.toml$"
leura inventory show prod
expect_rc 0
expect_out "^hosts +6$"
expect_out "^  fleet +6 hosts$"
expect_out "^  cluster +c1 \(3\), c2 \(3\)$"
leura inventory hosts prod -t 'cluster=c2'
expect_rc 0
[ "$(grep -c '^127\.0\.1\.' "$T/out")" = 3 ] || { cat "$T/out"; fail "-t cluster=c2"; }
expect_out "^127\.0\.1\.4 .* fleet +az=az2 cluster=c2$|^127\.0\.1\.4 .* fleet +cluster=c2 az=az2$"
leura inventory hosts prod --json
expect_out '^\{"host":"127.0.1.1","address":"127.0.1.1","user":"[^"]*","port":[0-9]+,'
leura inventory show nosuch
expect_rc 2
expect_err "inventory 'nosuch' not found"
leura inventory hosts prod -t 'web &'
expect_rc 2
