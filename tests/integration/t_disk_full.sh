# A full disk: the host whose output cannot be written fails saying so, no further host is
# started, the run exits 70 naming the records problem; once there is room again the next
# leura finds the run, marks it interrupted and archives what it had.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 4
mkdir -p "$T/full"
mount -t tmpfs -o size=3m,mode=0700 tmpfs "$T/full" || fail "cannot mount a tmpfs (needs root)"
at_exit "umount $T/full"
export LEURA_HOME=$T/full/data
t=$(task big '
[[steps]]
name = "big"
command = "head -c 1500000 /dev/zero | tr \"\\0\" x"
[[steps]]
name = "after"
command = "echo after"')
run_leura "$t" --concurrency 1
expect_rc 70
expect_out "failed +127.0.1.2 .*writing output to the spool: No space left on device"
expect_out "skipped +127.0.1.3"
expect_out "skipped +127.0.1.4"
expect_err "records incomplete: database: database or disk is full"
id=$(ls "$LEURA_HOME/spool")
mount -o remount,size=20m "$T/full"
leura runs
expect_out "$id .*interrupted"
leura logs "$id" --host 127.0.1.1 --step after --full
expect_out "^after$"
