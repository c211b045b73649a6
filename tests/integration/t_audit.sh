# The audit log (issue: access control), no hosts needed: `task new`, `task edit`, `task rm` and
# `gc` each append an allowed entry naming the acting user; `leura audit` lists them newest
# first (filters, --json with the hashes, which Python recomputes from the layout docs/data.md
# gives); `audit verify` passes; SQL through the schema cannot change or delete an entry; an
# entry edited with the triggers dropped (as anyone holding the file can) makes `audit verify`
# exit 1 naming it, and a deleted one names the entry after the gap. Recorded text reaches the
# terminal escaped.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
$PY -c 'import sqlite3' 2>/dev/null || { echo "SKIP: no python3 sqlite3 module"; exit 125; }
# sql "STATEMENTS": run on the database with Python's sqlite3 (executescript: several at once).
sql() {
  $PY -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=5, isolation_level=None)
c.executescript(sys.argv[2])' "$LEURA_HOME/leura.db" "$1"
}

me="user:$(id -un)"
mkdir -p "$T/work/runbooks"
cd "$T/work"
cat > "$T/editor" <<'EOF'
#!/bin/sh
printf '# edited\n' >> "$1"
EOF
chmod +x "$T/editor"
unset VISUAL
export EDITOR=$T/editor

leura audit
expect_rc 0
expect_err "no audit entries recorded yet"
leura audit verify
expect_rc 0
expect_out "^audit chain ok: 0 entries, latest 0{64}$"

leura task new web/a
expect_rc 0
leura task new web/b --from web/a
expect_rc 0
before=$(sha256sum runbooks/web/a.toml | cut -d' ' -f1)
leura task edit web/a
expect_rc 0
after=$(sha256sum runbooks/web/a.toml | cut -d' ' -f1)
[ "$before" != "$after" ] || fail "the editor changed nothing"
leura task rm web/b --yes
expect_rc 0
leura gc --keep 1d --dry-run
expect_rc 0
leura gc --keep 1d
expect_rc 0

# Newest first; times with their zone; the user, how, what, which, allowed.
leura audit
expect_rc 0
[ "$(wc -l < "$T/out")" = 6 ] || { cat "$T/out"; fail "expected a header and 5 entries (not the dry run)"; }
expect_out "^ID +TIME +ACTOR +VIA +ACTION +RESOURCE +DECISION +RULE +RUN$"
expect_out "^5 +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC +$me +cli +gc +runs +allow +- +-$"
expect_out "^4 +.* $me +cli +task rm +task:web/b +allow "
expect_out "^3 +.* $me +cli +task edit +task:web/a +allow "
expect_out "^2 +.* $me +cli +task new +task:web/b +allow "
expect_out "^1 +.* $me +cli +task new +task:web/a +allow "
sed -n 2p "$T/out" | grep -q "^5 " || fail "not newest first"
TZ=Asia/Tokyo leura audit --local --limit 1
expect_rc 0
expect_out "^5 +.* JST +$me"
[ "$(wc -l < "$T/out")" = 2 ] || fail "--limit 1"
leura audit --actor "$me" --since 1h
expect_rc 0
[ "$(wc -l < "$T/out")" = 6 ] || fail "--actor and --since keep all 5"
leura audit --actor user:nobody-else
expect_rc 0
expect_err "no audit entries match"
leura audit --decision deny
expect_rc 0
expect_err "no audit entries match"
leura audit --decision maybe
expect_rc 2
leura audit --since yesterday
expect_rc 2
expect_err "--since wants a duration"

# --json: one object per entry, chained, each hash the documented layout's SHA-256.
leura audit --json
expect_rc 0
cp "$T/out" "$T/audit.json"
$PY - "$T/audit.json" "$me" "$before" "$after" <<'EOF' || fail "audit --json"
import hashlib, json, sys
path, me, before, after = sys.argv[1:]
entries = [json.loads(line) for line in open(path)]
assert [e["id"] for e in entries] == [5, 4, 3, 2, 1], entries
entries.reverse()
def f(s):
    b = s.encode()
    return str(len(b)).encode() + b":" + b + b"\n"
prev = "0" * 64
for e in entries:
    assert e["actor"] == me and e["via"] == "cli" and e["decision"] == "allow", e
    assert e["prev_hash"] == prev, (e, prev)
    text = b"leura-audit-1\n" + f(e["prev_hash"]) + f(str(e["id"]))
    for k in ("at", "actor", "via", "action", "resource", "inventory"):
        text += f(e[k])
    text += f(str(e["host_count"])) + f(e["decision"]) + f(e["rule"])
    text += b"-\n" if e["run"] is None else f(e["run"])
    text += f(e["detail"])
    assert hashlib.sha256(text).hexdigest() == e["hash"], e
    prev = e["hash"]
edit = entries[2]
assert edit["action"] == "task edit", edit
assert edit["detail"] == f"sha256 {before} -> {after}", edit
assert entries[4]["action"] == "gc" and entries[4]["detail"].startswith("deleted 0 runs"), entries[4]
EOF
latest=$($PY -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["hash"])' "$T/audit.json")

leura audit verify
expect_rc 0
expect_out "^audit chain ok: 5 entries, latest $latest$"

# Through the schema an entry can neither change nor go.
if sql "UPDATE audit SET decision = 'deny' WHERE id = 2" 2> "$T/sqlerr"; then
  fail "UPDATE of an audit entry went through"
fi
grep -q "audit is append-only" "$T/sqlerr" || { cat "$T/sqlerr"; fail "UPDATE error"; }
if sql "DELETE FROM audit" 2> "$T/sqlerr"; then
  fail "DELETE of audit entries went through"
fi
grep -q "audit is append-only" "$T/sqlerr" || { cat "$T/sqlerr"; fail "DELETE error"; }
leura audit verify
expect_rc 0

# Around leura: the triggers dropped, entry 4 edited (with a terminal escape in it).
sql "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
     UPDATE audit SET actor = 'user:mallory' || char(27) || '[31m' WHERE id = 4;"
leura audit verify
expect_rc 1
expect_out "^audit chain broken at entry 4: its hash does not match its fields"
expect_out "^entry 4: .* user:mallory.*task rm task:web/b allow"
expect_out "^entries before it chain: 3, ending at [0-9a-f]{64}$"
! grep -q $'\x1b' "$T/out" || fail "audit verify printed a raw escape"
leura audit
expect_rc 0
expect_out "^4 +.*user:mallory"
! grep -q $'\x1b' "$T/out" || fail "audit printed a raw escape"

# Entry 2 deleted: the first entry that no longer chains is 3, after the gap.
sql "DELETE FROM audit WHERE id = 2"
leura audit verify
expect_rc 1
expect_out "^audit chain broken at entry 3: entry 3 follows entry 1: entries between them are missing$"
expect_out "^entries before it chain: 1, ending at "

# gc keeps the log, broken or not.
leura gc --keep 1d
expect_rc 0
leura audit --json
expect_rc 0
[ "$(wc -l < "$T/out")" = 5 ] || fail "gc deleted audit entries"
# syslog gets "audit ID HASH" at authpriv.info (<86>) after each append. Needs root for a mount
# namespace whose /dev has a /dev/log this test listens on; without it, that part is skipped.
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
  mkdir -p "$T/dev" "$T/syslog-home/runbooks"
  cat > "$T/probe.sh" <<'EOF'
set -eu
dev=$1 bin=$2
mount -t tmpfs none "$dev"
for n in null zero urandom random; do touch "$dev/$n"; mount --bind "/dev/$n" "$dev/$n"; done
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".ready", "w").close()
s.settimeout(20)
print(s.recv(4096).decode())
' "$dev/log" > "$dev/../syslog.txt" &
while [ ! -e "$dev/log.ready" ]; do sleep 0.05; done
mount --bind "$dev" /dev
cd "$HOME"
"$bin" task new syslogged >/dev/null 2>&1
wait
"$bin" audit --json --limit 1
EOF
  HOME=$T/syslog-home LEURA_HOME=$T/syslog-data unshare -m bash "$T/probe.sh" "$T/dev" "$LEURA_BIN" \
    > "$T/out" 2> "$T/err" || { cat "$T/err" >&2; fail "the syslog probe failed"; }
  hash=$(sed -n 's/.*"hash":"\([0-9a-f]*\)".*/\1/p' "$T/out")
  grep -qE "^<86>.* leura\[[0-9]+\]: audit 1 $hash$" "$T/syslog.txt" ||
    { cat "$T/syslog.txt" "$T/out" >&2; fail "syslog did not get 'audit 1 $hash' at authpriv.info"; }
else
  echo "note: not root (or no unshare): the syslog message was not checked"
fi
echo "ok"
