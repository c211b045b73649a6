# A failing command fails only its host: recorded with its exit code, the others succeed,
# later steps of the failed host are skipped, exit 1.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 4
t=$(task fail '
[[steps]]
name = "check"
command = "[ $LEURA_HOST != 127.0.1.3 ] || { echo broken >&2; exit 7; }"
[[steps]]
name = "after"
command = "echo after"')
run_leura "$t"
expect_rc 1
expect_out '^failed +127\.0\.1\.3 .*step "check" exited with 7'
expect_out "3 ok, 1 failed, 0 unreachable"
id=$(last_run)
leura show "$id"
expect_rc 0
expect_out 'status +failed \(exit 1\)'
expect_out '^ +1 check +exit 7'
leura logs "$id" --host 127.0.1.3
grep -q "^\[stderr\] broken" "$T/out" || fail "stderr preview missing"
grep -q '"step": *2' "$T/out" && fail "unexpected"
leura logs "$id" --host 127.0.1.3 --step after
expect_rc 2
expect_err "no step output on host '127.0.1.3' for step 'after'"
