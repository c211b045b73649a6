# -t narrows a task's targets instead of replacing them (issue 13, item 5): a task pinned to the
# web group never runs on db hosts because of -t; -t picks among the task's hosts; widening
# them takes --replace-targets. `plan` shows the task's targets, -t and the selector that
# results, in text and JSON.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 5
inv=$T/inv.toml
sed -n '/^\[defaults\]/,/^$/p' "$F/inventory.toml" > "$inv"
cat >> "$inv" <<EOF
[[hosts]]
names = "127.0.1.[1-3]"
groups = ["web"]

[[hosts]]
names = "127.0.1.[4-5]"
groups = ["db"]
EOF
mkdir -p "$T/state"
t=$(task t "
inventory = \"$inv\"
targets = \"web\"
[[steps]]
command = 'touch $T/state/\$LEURA_HOST'")
run() { leura run "$t" --known-hosts "$F/known_hosts" "$@"; }
touched() { ls "$T/state" | tr '\n' ' '; }

# -t db selects none of the task's hosts: a clear error, exit 2, no host touched, no run.
run -t db
expect_rc 2
expect_err "'db' selects none of the task's targets \('web'\)"
expect_err "--replace-targets"
[ -z "$(touched)" ] || fail "hosts touched: $(touched)"
! grep -q "Accepted" "$F/sshd.log" || fail "a host was connected to"
[ -z "$("$LEURA_BIN" runs --json)" ] || fail "a run was recorded"

# -t narrows: only the web host named.
run -t 127.0.1.2
expect_rc 0
[ "$(touched)" = "127.0.1.2 " ] || fail "-t 127.0.1.2 touched: $(touched)"
"$LEURA_BIN" show "$(last_run)" > "$T/show"
grep -q '^targets *(web) & (127\.0\.1\.2)$' "$T/show" || { cat "$T/show"; fail "the effective selector is recorded"; }

# -t with a glob over every host still stays within web.
rm -f "$T/state"/*
run -t '127.0.1.*'
expect_rc 0
[ "$(touched)" = "127.0.1.1 127.0.1.2 127.0.1.3 " ] || fail "-t '127.0.1.*' touched: $(touched)"

# --replace-targets -t db runs on db.
rm -f "$T/state"/*
run --replace-targets -t db
expect_rc 0
[ "$(touched)" = "127.0.1.4 127.0.1.5 " ] || fail "--replace-targets -t db touched: $(touched)"
"$LEURA_BIN" show "$(last_run)" > "$T/show"
grep -q '^targets *db$' "$T/show" || { cat "$T/show"; fail "the replacing selector is recorded"; }

# --replace-targets alone is a usage error.
run --replace-targets
expect_rc 2
expect_err "--replace-targets needs -t"

# A task without targets: -t alone selects.
t2=$(task t2 "
inventory = \"$inv\"
[[steps]]
command = 'true'")
leura plan "$t2" -t db
expect_rc 0
expect_out "^targets   \(the task has none: every host\)$"
expect_out "^-t        db \(selects alone\)$"
expect_out "^selector  db: 2 hosts$"

# plan shows the task's targets, -t and the result, in text and JSON.
leura plan "$t" -t '127.0.1.[2-5]'
expect_rc 0
expect_out "^targets   web$"
expect_out "^-t        127\.0\.1\.\[2-5\] \(narrows the task's targets\)$"
expect_out "^selector  \(web\) & \(127\.0\.1\.\[2-5\]\): 2 hosts$"
expect_out "^2 hosts in 1 wave"
leura plan "$t" -t '127.0.1.[2-5]' --json
expect_rc 0
expect_out '"targets":\{"task":"web","flag":"127\.0\.1\.\[2-5\]","replaced":false,"selector":"\(web\) & \(127\.0\.1\.\[2-5\]\)"\}'
expect_out '^\{"hosts":2,'
leura plan "$t" --replace-targets -t db --json
expect_rc 0
expect_out '"targets":\{"task":"web","flag":"db","replaced":true,"selector":"db"\}'
leura plan "$t"
expect_rc 0
expect_out "^selector  web: 3 hosts$"
leura plan "$t" -t db
expect_rc 2
expect_err "selects none of the task's targets"

# --dry-run prints the task's targets, -t and the result, like plan.
leura run "$t" -t 127.0.1.2 --dry-run
expect_rc 0
expect_out "^targets +web$"
expect_out "^-t +127\.0\.1\.2 \(narrows the task's targets\)$"
expect_out "^selector +\(web\) & \(127\.0\.1\.2\): 1 host$"
