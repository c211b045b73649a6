# Help and usage errors, no hosts needed: leura alone, leura help [COMMAND...], did-you-mean
# for unknown commands and options, errors naming the command's own help, exec's advice to
# put -- before the command, and help without CLI11's type and validator noise.
. "$(dirname "$0")/lib.sh"

# leura alone: the list of commands on stderr, a usage status.
leura
expect_rc 2
expect_err "^Usage: leura \[OPTIONS\] SUBCOMMAND"
expect_err "^  exec +Run one ad-hoc command"
expect_err "^  help +"
[ ! -s "$T/out" ] || fail "leura alone printed on stdout"

# leura help: the same on stdout, status 0; a command's and a nested command's help.
leura help
expect_rc 0
expect_out "^Usage: leura \[OPTIONS\] SUBCOMMAND"
expect_out "^  run +Run a task"
leura help run
expect_rc 0
expect_out "^Usage: leura run \[OPTIONS\] task"
expect_out "^  --dry-run "
leura help task new
expect_rc 0
expect_out "^Usage: leura task new \[OPTIONS\] name"
expect_out "^  --from TASK "
leura help task
expect_rc 0
expect_out "^  new +A new task"
leura help rnu
expect_rc 2
expect_err "^leura: error: unknown command 'rnu'; did you mean 'run'\? \(see: leura --help\)$"
leura help task nwe
expect_rc 2
expect_err "^leura: error: unknown command 'nwe' for 'leura task'; did you mean 'new'\? \(see: leura task --help\)$"

# A command missing its subcommand prints its help, as leura alone does.
leura task
expect_rc 2
expect_err "^Usage: leura task \[OPTIONS\] SUBCOMMAND"
expect_err "^  history +"

# Unknown commands and options: did you mean, and the command's own help.
leura task nwe foo
expect_rc 2
expect_err "^leura: error: unknown command 'nwe' for 'leura task'; did you mean 'new'\? \(see: leura task --help\)$"
leura run --dryrun x
expect_rc 2
expect_err "^leura: error: unknown option '--dryrun' for 'leura run'; did you mean '--dry-run'\? \(see: leura run --help\)$"
leura inventory hosts --jsn
expect_rc 2
expect_err "^leura: error: unknown option '--jsn' for 'leura inventory hosts'; did you mean '--json'\? \(see: leura inventory hosts --help\)$"
leura run --no-such-flag-at-all x
expect_rc 2
expect_err "^leura: error: unknown option '--no-such-flag-at-all' for 'leura run' \(see: leura run --help\)$"
# Other errors CLI11 finds point at the command's help too.
leura run
expect_rc 2
expect_err "^leura: error: task is required \(see: leura run --help\)$"
leura run --concurrency 0 x
expect_rc 2
expect_err "\(see: leura run --help\)$"

# exec: an option after the command's first word belongs to the command; say to use --.
leura exec -t web ls -la
expect_rc 2
expect_err "^leura: error: unknown option '-la' for 'leura exec'; use -- before the command: leura exec -t web -- ls -la \(see: leura exec --help\)$"
leura exec -i inv -t 'a b' grep -r 'x y' /etc
expect_rc 2
expect_err "use -- before the command: leura exec -i inv -t 'a b' -- grep -r 'x y' /etc "
# One of exec's own options after the command's first word could be the command's (ls -t, grep
# -i): refused before anything runs, never quietly taken as leura's.
leura exec -i inv ls -t x
expect_rc 2
expect_err "^leura: error: '-t' comes after the command's first word, so it could be the command's or leura's; use -- before the command: leura exec -i inv -- ls -t x \(see: leura exec --help\)$"
leura exec -i inv grep -i foo f
expect_rc 2
expect_err "'-i' comes after the command's first word.*: leura exec -i inv -- grep -i foo f "
[ ! -s "$T/out" ] || fail "a refused exec printed on stdout"
# With --json, the refusal is also one error event on stdout.
leura exec --json -i inv uptime --concurrency 4
expect_rc 2
expect_out '^\{"event":"error",.*"kind":"usage","exit":2,"message":"'"'"'--concurrency'"'"' comes after'
# Before the command's words, an unknown option is just that.
leura exec --dryrun -i inv -- ls
expect_rc 2
expect_err "unknown option '--dryrun' for 'leura exec'; did you mean '--dry-run'\?"

# Help shows placeholders, not CLI11's types and validators.
for c in run plan exec check runs show logs retry resume "task list" "task new" "task diff" \
  "task search" "inventory hosts" "config show" ssh-config version; do
  # shellcheck disable=SC2086
  leura help $c
  expect_rc 0
  ! grep -qE "UINT|INT:|TEXT:|INT in \[|REQUIRED|Excludes:|\[TEXT\]" "$T/out" ||
    { cat "$T/out" >&2; fail "leura help $c shows CLI11 type names"; }
done
leura run --help
expect_rc 0
expect_out "^  --concurrency N +Hosts at once"
expect_out "^  --connect-timeout DURATION +"
expect_out "^  --wait \[DURATION\] +"
expect_out "^  --dry-run +Validate"
leura exec --help
expect_out "^  -i,--inventory INVENTORY +Inventory name or file \(required\)"
leura runs --help
expect_out "^  --status running\|ok\|failed\|halted\|declined\|interrupted"
expect_out "^  --limit N +At most this many runs \(default: 20\)"
