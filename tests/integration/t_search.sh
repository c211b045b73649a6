# `leura search`: one string printed by one host in one run out of 22 is found, with the
# run, host and step, and nothing else is; --task, --host, --since and --limit narrow; no match
# exits 1; a host's escape sequences come out escaped; --json gives the line as it was.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 3
alpha=$(task alpha '
[[steps]]
name = "say"
command = "echo routine line from $LEURA_HOST"')
beta=$(task beta '
[[steps]]
name = "check"
command = "echo beta fine"

[[steps]]
name = "warn"
command = "echo routine warning >&2"')
needle=$(task needle '
[[steps]]
name = "look"
command = "echo nothing; if [ $LEURA_HOST = 127.0.1.2 ]; then echo found needle-7f3a here; fi"')
hostile=$(task hostile '
[[steps]]
name = "evil"
command = "printf \"x \\033]0;pwned\\007 \\033[2J hostile-mark\\r\\n\""')

for i in 1 2 3 4 5; do run_leura "$alpha" -q; expect_rc 0; run_leura "$beta" -q; expect_rc 0; done
run_leura "$needle" -q
expect_rc 0
needle_run=$(last_run)
for i in 1 2 3 4 5; do run_leura "$alpha" -q; expect_rc 0; run_leura "$beta" -q; expect_rc 0; done
run_leura "$hostile" -q -t 127.0.1.3
expect_rc 0
[ "$("$LEURA_BIN" runs --limit 100 --json | wc -l)" -ge 22 ] || fail "22 runs expected"

leura search needle-7f3a
expect_rc 0
[ "$(cat "$T/out")" = "$needle_run 127.0.1.2 step 1 \"look\": found needle-7f3a here" ] ||
  { cat "$T/out"; fail "exactly the one line"; }
leura search needle-7f3 # the start of a word
[ "$(wc -l < "$T/out")" = 1 ] || fail "a word's start finds it"
leura search eedle-7f3a # not at a word start
expect_rc 1
expect_err "^leura: no recorded output matches 'eedle-7f3a'$"
leura search 'no such output anywhere'
expect_rc 1
expect_err "^leura: no recorded output matches 'no such output anywhere'$"

# 10 runs of alpha on 3 hosts, newest first; 10 runs of beta's stderr, marked.
leura search routine --limit 1000
[ "$(grep -c '"say": routine line from' "$T/out")" = 30 ] || fail "alpha's 30 lines"
[ "$(grep -c ' \[stderr\]: routine warning$' "$T/out")" = 30 ] || fail "beta's 30 lines"
head -1 "$T/out" | grep -q "\"warn\" \[stderr\]" || fail "newest run (beta) first"
leura search routine --task alpha --host 127.0.1.1 --limit 1000
[ "$(wc -l < "$T/out")" = 10 ] || { cat "$T/out"; fail "--task and --host"; }
not_out "127.0.1.[23]|warning"
leura search routine --host '127.0.1.[1-2]' --task beta --limit 1000
[ "$(wc -l < "$T/out")" = 20 ] || fail "--host range"
leura search routine --host '127.0.1.* & !127.0.1.3' --task beta --limit 1000
[ "$(wc -l < "$T/out")" = 20 ] || fail "--host glob and selector"
leura search routine --host 127.0.9.9
expect_rc 1
leura search routine --limit 5
expect_rc 0
[ "$(wc -l < "$T/out")" = 5 ] || fail "--limit"
expect_err "stopped at 5 matching lines"
leura search needle-7f3a --task beta
expect_rc 1
leura search ROUTINE -i --task alpha --limit 1000
[ "$(wc -l < "$T/out")" = 30 ] || fail "-i"
leura search ROUTINE --task alpha
expect_rc 1

# Terminal control bytes from a host never reach the terminal raw.
leura search hostile-mark
expect_rc 0
grep -qF 'x \x1b]0;pwned\x07 \x1b[2J hostile-mark\x0d' "$T/out" || { cat -v "$T/out"; fail "escaped"; }
! grep -q $'\033' "$T/out" || fail "a raw ESC"
leura search hostile-mark --json
grep -qF '"host":"127.0.1.3","step":1,"name":"evil","stream":"stdout","line":"x \u001b]0;pwned\u0007 \u001b[2J hostile-mark\r"' "$T/out" ||
  { cat "$T/out"; fail "--json"; }

# The middle of a long output is in the archive only: --full streams the archives.
long=$(task long '
[[steps]]
name = "long"
command = "seq 1 3000; echo middle-marker-91 on $LEURA_HOST; seq 1 3000; printf no-newline-mark"')
run_leura "$long" -q -t '127.0.1.[1-2]'
long_run=$(last_run)
leura search middle-marker-91
expect_rc 1
leura search middle-marker-91 --full --host 127.0.1.2
expect_rc 0
[ "$(cat "$T/out")" = "$long_run 127.0.1.2 step 1 \"long\": middle-marker-91 on 127.0.1.2" ] ||
  { cat "$T/out"; fail "--full"; }
leura search middle-marker-91 --full --limit 1
[ "$(cat "$T/out")" = "$long_run 127.0.1.1 step 1 \"long\": middle-marker-91 on 127.0.1.1" ] ||
  { cat "$T/out"; fail "--full: the first host first"; }
expect_err "stopped at 1 matching lines"
leura search no-newline-mark --full --task long
[ "$(wc -l < "$T/out")" = 2 ] || { cat "$T/out"; fail "--full: a last line without newline"; }
leura search needle-7f3a --full
[ "$(cat "$T/out")" = "$needle_run 127.0.1.2 step 1 \"look\": found needle-7f3a here" ] ||
  { cat "$T/out"; fail "--full: the short output too"; }

# --since: only runs started within the duration.
sleep 4
late=$(task late '
[[steps]]
name = "late"
command = "echo routine late"')
run_leura "$late" -q -t 127.0.1.1
leura search routine --since 3s
[ "$(cat "$T/out")" = "$(last_run) 127.0.1.1 step 1 \"late\": routine late" ] ||
  { cat "$T/out"; fail "--since"; }
leura search routine --since yesterday
expect_rc 2
expect_err "^leura: error: --since wants a duration such as 7d or 12h, got 'yesterday'$"
leura search ''
expect_rc 2
