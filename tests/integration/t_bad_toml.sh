# Bad input: every problem reported with file:line:col, the line and a caret; exit 2; no host
# touched and no run recorded.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
t=$(task bad '
description = "two problems"
[[steps]]
name = "x"
comand = "true"
timeout = "soon"')
run_leura "$t"
expect_rc 2
expect_err "^$t:5:1: error: unknown key 'comand' in step 1; did you mean 'command'\?"
expect_err "^  comand = \"true\"$"
expect_err "^  \^$"
expect_err "^$t:6:11: error: 'timeout' must be a duration"
expect_err "problems found; nothing was run"
! grep -q "Accepted" "$F/sshd.log" || fail "a host was contacted"
leura runs --json
[ ! -s "$T/out" ] || fail "a run was recorded"

# Syntax errors too, and `leura check` says the same.
printf 'description = "x"\n[[steps]\ncommand = "true"\n' > "$T/syntax.toml"
leura check "$T/syntax.toml"
expect_rc 2
expect_err "^$T/syntax.toml:2:"
