# Values passed between steps (issue 15): a step writes name=value lines to $LEURA_OUTPUT; the
# host's later steps see LEURA_OUT_<NAME> (remote, local, bash and run by the runner alike);
# the value line never reaches the logs; values are recorded with the step and shown; a value
# marked secret is recorded redacted; a bad line is named; no file is left behind.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
t=$(task t "
[[steps]]
name = \"elect\"
secret_outputs = [\"token\"]
command = 'echo \"version=1.\$(echo \$LEURA_HOST | tr -dc 0-9)\" >> \"\$LEURA_OUTPUT\"; printf \"token=s3cr%s\\nweird value\\n\" 3t >> \"\$LEURA_OUTPUT\"; echo elected; echo to-stderr >&2'
[[steps]]
name = \"bash sees\"
shell = \"bash\"
command = 'echo \"bash: \$LEURA_OUT_VERSION\"; echo \"next=from-bash\" > \"\$LEURA_OUTPUT\"'
[[steps]]
name = \"local sees\"
local = 'echo \"local: \$LEURA_OUT_VERSION \$LEURA_OUT_NEXT\"'
[[steps]]
name = \"fails but writes\"
ignore_errors = true
command = 'echo \"late=yes\" > \"\$LEURA_OUTPUT\"; exit 3'
[[steps]]
name = \"sees late\"
command = 'echo \"late: \$LEURA_OUT_LATE\"'")
run_leura "$t"
expect_rc 0
id=$(last_run)
"$LEURA_BIN" logs "$id" --host 127.0.1.2 > "$T/logs" 2>&1
grep -q "^elected$" "$T/logs" || fail "step output kept"
grep -q "^bash: 1.127012$" "$T/logs" || { cat "$T/logs"; fail "bash step sees the value"; }
grep -q "^local: 1.127012 from-bash$" "$T/logs" || { cat "$T/logs"; fail "local step sees both values"; }
grep -q "^late: yes$" "$T/logs" || { cat "$T/logs"; fail "a failed step's values pass on"; }
# The value line is cut from stderr everywhere (spool, archive, previews).
mkdir "$T/unpacked"
tar -xzf "$T/data/archives/$id.tar.gz" -C "$T/unpacked" || fail "archive"
! grep -rq "s3cr3t\|76657273696f6e" "$T/unpacked" || fail "the value line reached the archive"
[ "$(cat "$T/unpacked/hosts/127.0.1.1/01-elect.stderr")" = "to-stderr" ] || fail "stderr kept, and only it"
leura show "$id"
expect_rc 0
expect_out 'version=1\.127012'
expect_out 'token=\[secret:token\]'
expect_out 'line 3: not name=value'
! grep -q s3cr3t "$T/out" || fail "a secret value shown"
/usr/bin/python3 - "$T/data/leura.db" <<'PY' || fail "values recorded"
import sqlite3, sys, json
db = sqlite3.connect(sys.argv[1])
rows = dict(db.execute("select name, outputs from steps where host='127.0.1.1'").fetchall())
assert json.loads(rows["elect"]) == {"version": "1.127011", "token": "[secret:token]"}, rows
assert json.loads(rows["bash sees"]) == {"next": "from-bash"}, rows
assert rows["sees late"] is None, rows
assert b"s3cr3t" not in open(sys.argv[1], "rb").read()
PY
# Nothing left in TMPDIR (the value files are removed by the step itself).
[ -z "$(ls -A "$TMPDIR")" ] || { ls -la "$TMPDIR"; fail "files left in TMPDIR"; }
