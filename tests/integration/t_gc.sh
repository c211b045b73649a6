# `leura gc`: without an age it refuses and deletes nothing; --dry-run lists and deletes
# nothing; --keep 1d --keep-runs 1 deletes exactly the old runs beyond each task's newest
# (rows in every table, archives, downloads) and says how much, while a run in progress (old
# by its record, but live) is untouched and finishes recording; the kept runs still show and
# log. `leura run` warns when the data dir is over warn_size. Runs are made old by editing
# started_at with sqlite3 (or Python's sqlite3): nothing in leura can backdate a run.
. "$(dirname "$0")/lib.sh"

if command -v sqlite3 >/dev/null; then
  sql() { sqlite3 -cmd ".timeout 5000" "$LEURA_HOME/leura.db" "$1"; }
elif python3 -c 'import sqlite3' 2>/dev/null; then
  sql() {
    python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=5)
rows = c.execute(sys.argv[2]).fetchall()
c.commit()
print("\n".join("|".join(map(str, r)) for r in rows))' "$LEURA_HOME/leura.db" "$1"
  }
else
  echo "SKIP: neither sqlite3 nor python3's sqlite3 to backdate runs"; exit 125
fi

fleet_up_watched "$F" 2
echo "fetched" > "$T/remote.txt"
a=$(task a "
[[steps]]
command = 'echo a-\$LEURA_HOST'
[[steps]]
name = \"fetch\"
download = { src = \"$T/remote.txt\" }")
b=$(task b '
[[steps]]
command = "echo b-$LEURA_HOST"')
c=$(task c '
[vars]
nap = "0"
[[steps]]
name = "nap"
command = "sleep $nap; echo c-done"')

ids=()
for t in "$a" "$a" "$a" "$b" "$b" "$b" "$c"; do
  run_leura "$t"
  expect_rc 0
  ! grep -q warn_size "$T/err" || fail "warned under the default warn_size"
  ids+=("$(last_run)")
done
a1=${ids[0]} a2=${ids[1]} a3=${ids[2]} b1=${ids[3]} b2=${ids[4]} b3=${ids[5]}
[ -d "$LEURA_HOME/downloads/$a1" ] || fail "no downloads folder for $a1 to clean up"
# a1, a2, b1, b2, b3 are years old; b3 is still b's newest run.
n=1
for id in "$a1" "$a2" "$b1" "$b2" "$b3"; do
  sql "UPDATE runs SET started_at = '2020-01-0${n}T00:00:00.000Z' WHERE id = '$id'"
  n=$((n + 1))
done
old="'$a1','$a2','$b1','$b2'"
hosts=$(sql "SELECT count(*) FROM hosts WHERE run_id IN ($old)")
steps=$(sql "SELECT count(*) FROM steps WHERE run_id IN ($old)")
waves=$(sql "SELECT count(*) FROM batches WHERE run_id IN ($old)")
[ "$hosts/$steps/$waves" = "8/12/4" ] || fail "unexpected records: $hosts hosts, $steps steps, $waves waves"
bytes=0
for id in "$a1" "$a2" "$b1" "$b2"; do
  bytes=$((bytes + $(stat -c %s "$LEURA_HOME/archives/$id.tar.gz")))
done
dl_bytes=$(find "$LEURA_HOME/downloads/$a1" "$LEURA_HOME/downloads/$a2" -type f -printf '%s\n' |
  awk '{ n += $1 } END { print n }')
[ "$dl_bytes" -gt 0 ] || fail "the downloads are empty"
total_before=$(sql "SELECT (SELECT count(*) FROM runs) || '/' || (SELECT count(*) FROM steps)")

# No age, no retention setting: a usage error that says how to call it.
leura gc
expect_rc 2
expect_err "^leura: error: gc needs an age: \`leura gc --keep 90d\` deletes"
leura gc --keep forever
expect_rc 2
expect_err "--keep wants a duration such as 90d"

# --dry-run: lists exactly the old runs beyond each task's newest, with true numbers.
leura gc --keep 1d --keep-runs 1 --dry-run
expect_rc 0
for id in "$a1" "$a2" "$b1" "$b2"; do expect_out "^$id "; done
for id in "$a3" "$b3"; do not_out "^$id "; done
expect_out "would delete 4 runs \(4 wave rows, 8 host rows, 12 step rows\).*nothing was deleted"
leura gc --keep 1d --keep-runs 1 --dry-run --json
expect_rc 0
expect_out "\"dry_run\":true"
expect_out "\"host_rows\":$hosts,\"step_rows\":$steps,\"archive_bytes\":$bytes,\"other_bytes\":$dl_bytes,"
[ "$(sql "SELECT (SELECT count(*) FROM runs) || '/' || (SELECT count(*) FROM steps)")" = "$total_before" ] ||
  fail "--dry-run deleted records"
[ -f "$LEURA_HOME/archives/$a1.tar.gz" ] || fail "--dry-run deleted an archive"

# A run in progress, made old in its record: gc leaves it alone, and it finishes recording.
# Its nap outlasts the gc below on a loaded sanitizer build (3 s did not, once: gc then found
# it finished and rightly deleted it).
"$LEURA_BIN" run "$c" --var nap=10 -i "$F/inventory.toml" --known-hosts "$F/known_hosts" \
  >"$T/bg.out" 2>&1 &
bg=$!
at_exit "kill -9 $bg 2>/dev/null"
live=$(running_run_inside 1 nap 2)
[ -n "$live" ] || fail "the background run never reached its nap"
sql "UPDATE runs SET started_at = '2019-01-01T00:00:00.000Z' WHERE id = '$live'"

leura gc --keep 1d --keep-runs 1
expect_rc 0
want_bytes=$(awk -v b="$bytes" 'BEGIN { if (b < 1024) printf "%d B", b; else printf "%.1f KiB", b / 1024 }')
expect_out "^leura: gc: deleted 4 runs \(4 wave rows, 8 host rows, 12 step rows\), $want_bytes of archives and $dl_bytes B of spool and downloads; database .* -> .* in use"
for id in "$a1" "$a2" "$b1" "$b2"; do
  for table in "runs WHERE id" "batches WHERE run_id" "hosts WHERE run_id" "steps WHERE run_id"; do
    [ "$(sql "SELECT count(*) FROM $table = '$id'")" = 0 ] || fail "$id left rows in ${table%% *}"
  done
  [ ! -e "$LEURA_HOME/archives/$id.tar.gz" ] || fail "$id's archive is still there"
  [ ! -e "$LEURA_HOME/downloads/$id" ] || fail "$id's downloads are still there"
done
[ -d "$LEURA_HOME/downloads/$a3" ] || fail "the kept run's downloads went"

wait "$bg" || fail "the run in progress during gc failed: $(cat "$T/bg.out")"
leura show "$live"
expect_rc 0
expect_out "ok +127.0.1.1"
[ "$(sql "SELECT status || '/' || ok FROM runs WHERE id = '$live'")" = "ok/2" ] ||
  fail "the run in progress was not recorded whole"
[ -f "$LEURA_HOME/archives/$live.tar.gz" ] || fail "the run in progress has no archive"
leura logs "$live" --full
expect_out "^c-done$"
for id in "$a3" "$b3"; do
  leura show "$id"
  expect_rc 0
done
leura logs "$a3" --full
expect_out "^a-127.0.1.2$"
leura logs "$b3"
expect_out "^b-127.0.1.1$"

# Finished, the old run of c is now just old (c's newest is the one before it): it goes.
leura gc --keep 1d --keep-runs 1
expect_rc 0
expect_out "^leura: gc: deleted 1 run \(1 wave row, 2 host rows, 2 step rows\)"
[ ! -e "$LEURA_HOME/archives/$live.tar.gz" ] || fail "$live's archive is still there"
# Nothing left to do: says so.
leura gc --keep 1d --keep-runs 1
expect_rc 0
expect_out "^leura: gc: nothing to delete \(runs started more than 1d ago, except the newest 1 of each task\)$"

# A workflow goes with its stage runs (rows and archives), never a stage alone.
w=$(task wf '
[[stages]]
name = "one"
targets = "127.0.1.1"
[[stages.steps]]
command = "echo one $LEURA_RUN"

[[stages]]
name = "two"
targets = "127.0.1.2"
[[stages.steps]]
command = "echo two $LEURA_RUN"')
run_leura "$w"
expect_rc 0
w1=$(last_run)
run_leura "$w"
expect_rc 0
w2=$(last_run)
sql "UPDATE runs SET started_at = '2020-02-01T00:00:00.000Z' WHERE id = '$w1' OR parent = '$w1'"
[ "$(sql "SELECT count(*) FROM runs WHERE parent = '$w1'")" = 2 ] || fail "expected two stage runs"
stage_files=$(find "$LEURA_HOME/archives" -name "$w1.*" | wc -l)
[ "$stage_files" = 2 ] || fail "expected an archive for each stage, found $stage_files"
leura gc --keep 1d --keep-runs 1
expect_rc 0
expect_out "^leura: gc: deleted 1 run \(2 stage runs, 2 wave rows, 2 host rows, 2 step rows\)"
[ "$(sql "SELECT count(*) FROM runs WHERE id = '$w1' OR parent = '$w1'")" = 0 ] || fail "$w1 left runs"
[ "$(sql "SELECT count(*) FROM steps WHERE run_id LIKE '$w1%'")" = 0 ] || fail "$w1 left steps"
[ -z "$(find "$LEURA_HOME/archives" -name "$w1*")" ] || fail "$w1 left archives"
[ "$(sql "SELECT count(*) FROM runs WHERE parent = '$w2'")" = 2 ] || fail "$w2 lost stage runs"
leura show "$w2"
expect_rc 0
leura logs "$w2"
expect_out "^one $w2"
expect_out "^two $w2"
# The search index forgets what gc deleted, and keeps the rest.
leura search "one $w1"
expect_rc 1
leura search "one $w2"
expect_rc 0
expect_out "^$w2"

# The retention settings stand in for the flags: b3, old, is no longer kept as b's newest.
LEURA_RETENTION=1d LEURA_RETENTION_RUNS=0 leura gc --dry-run
expect_rc 0
expect_out "^$b3 "
expect_out "would delete 1 run \(.*\(runs started more than 1d ago, except the newest 0 of each task\)"

# warn_size: `leura run` warns once, at start, and points at gc.
LEURA_WARN_SIZE=1KiB run_leura "$b"
expect_rc 0
expect_err "^leura: warning: the records in $LEURA_HOME \(database and archives\) take .* over warn_size \(1KiB\); \`leura gc"
[ "$(grep -c warn_size "$T/err")" = 1 ] || fail "warned more than once"
LEURA_WARN_SIZE=lots run_leura "$b"
expect_rc 2
expect_err "LEURA_WARN_SIZE must be a size such as"

