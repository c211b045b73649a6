# Shell completion's protocol (issue: completion): `leura __complete WORDS...` prints one
# candidate a line (a TAB before its description) and a last line :DIRECTIVE. Subcommands and
# options with their help, task and inventory names (files for paths), a selector's last atom
# after , & ! (with -i, the task's inventory, --targets=), runs newest first with task, status
# and age, a run's hosts and steps for logs, choices, settings keys; never the data dir made,
# and hidden from help.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 3
mkdir -p "$T/work/runbooks/web" "$T/work/inventories"
cd "$T/work"
{
  sed -n '/^\[defaults\]/,/^$/p' "$F/inventory.toml"
  printf '[[hosts]]\nnames = "127.0.1.[1-2]"\ngroups = ["web"]\nattrs = { az = "phx01" }\n\n'
  printf '[[hosts]]\nnames = "127.0.1.3"\ngroups = ["db"]\nattrs = { az = "phx02" }\n'
} > inventories/prod.toml
printf 'description = "restart the web tier"\ninventory = "prod"\n[[steps]]\nname = "stop"\ncommand = "true"\n[[steps]]\nname = "start"\ncommand = "true"\n' \
  > runbooks/web/restart.toml
printf 'inventory = "prod"\n[[steps]]\ncommand = "false"\n' > runbooks/fails.toml

# comp WORDS...: the candidates (values only) in $T/out, the directive in $dir.
comp() {
  leura __complete "$@"
  expect_rc 0
  dir=$(tail -n 1 "$T/out")
  [[ $dir =~ ^:[0-9]+$ ]] || { cat "$T/out" >&2; fail "no directive line for: $*"; }
}
values() { sed '$d' "$T/out" | cut -f1 | tr '\n' ' '; }
expect_values() { [ "$(values)" = "$1" ] || fail "candidates for '$2': got '$(values)', want '$1'"; }

# Subcommands with their help; the hidden command is not one; options with theirs.
comp ru
expect_values "run runs " "ru"
expect_out "^run	Run a task on the hosts it selects$"
[ "$dir" = ":4" ] || fail "subcommands: directive $dir"
comp ""
expect_out "^completion	"
not_out "__complete"
leura --help
not_out "__complete"
comp run --dry
expect_values "--dry-run " "run --dry"
expect_out "^--dry-run	Validate and list the selected hosts"
comp run -
expect_out "^-t	Selector"
expect_out "^--targets	Selector"
comp task s
expect_values "show search " "task s"
comp help task h
expect_values "history " "help task h"

# Task names, described; a path (or no name that fits) is a .toml file (directive 8).
comp run w
expect_values "web/restart " "run w"
expect_out "^web/restart	restart the web tier$"
comp run ./
[ "$dir" = ":8" ] && [ "$(values)" = "toml " ] || fail "run ./: $(cat "$T/out")"
comp run zzz
[ "$dir" = ":8" ] || fail "run zzz: $dir"
comp task show f
expect_values "fails " "task show f"

# Inventories by name; a path is files (directive 0, no candidates).
comp run -i p
expect_values "prod " "run -i p"
comp run -i ./inv
[ "$dir" = ":0" ] && [ -z "$(values)" ] || fail "run -i ./inv: $(cat "$T/out")"

# Selectors: the task's inventory; the atom after , & ! ( completes; --targets=.
comp run web/restart -t ""
expect_values "all db web az=phx01 az=phx02 127.0.1.1 127.0.1.2 127.0.1.3 " "-t ''"
expect_out "^db	group$"
expect_out "^127.0.1.1	host$"
comp run web/restart -t "web,d"
expect_values "web,db " "-t web,d"
comp run web/restart -t "web&az=phx0"
expect_values "web&az=phx01 web&az=phx02 " "-t web&az=phx0"
comp run web/restart -t "!127.0.1."
expect_values "!127.0.1.1 !127.0.1.2 !127.0.1.3 " "-t !127.0.1."
comp run web/restart --targets=d
expect_values "--targets=db " "--targets=d"
comp run -i "$F/inventory.toml" -t f
expect_values "fleet " "-i FLEET -t f"
comp inventory hosts prod -t a
expect_values "all az=phx01 az=phx02 " "inventory hosts prod -t a"

# Runs: newest first, with task, status and age.
leura run web/restart --known-hosts "$F/known_hosts"
expect_rc 0
first=$(last_run)
sleep 1
leura run fails --known-hosts "$F/known_hosts"
expect_rc 1
second=$(last_run)
comp show ""
[ "$(values)" = "$second $first " ] || fail "runs: $(cat "$T/out")"
expect_out "^$second	fails, failed, [0-9]+s ago$"
expect_out "^$first	web/restart, ok, [0-9]+s ago$"
comp logs "${first:0:10}"
[ "$(values)" = "$second $first " ] || fail "run prefix: $(cat "$T/out")"
comp retry "$first"
expect_values "$first " "retry ID"

# A run's hosts and steps for logs --host / --step (default: the last run).
comp logs "$first" --host ""
expect_values "127.0.1.1 127.0.1.2 127.0.1.3 " "logs --host"
comp logs "$first" --host 127.0.1.2
expect_values "127.0.1.2 " "logs --host 127.0.1.2"
comp logs "$first" --step s
expect_values "stop start " "logs --step s"
comp logs --step ""
expect_values "step 1 " "logs --step (last run)"
# retry -t: the run's inventory (the fleet's here, not the setting's).
leura run web/restart -i "$F/inventory.toml" --known-hosts "$F/known_hosts"
expect_rc 0
third=$(last_run)
comp retry "$third" -t f
expect_values "fleet " "retry ID -t f"

# Choices and settings keys; options without candidates say no files.
comp runs --status f
expect_values "failed " "runs --status f"
comp config show con
expect_values "concurrency connect_timeout connect_attempts " "config show con"
comp run --concurrency ""
[ "$dir" = ":4" ] && [ -z "$(values)" ] || fail "--concurrency: $(cat "$T/out")"
comp completion ""
expect_values "bash zsh fish " "completion"
comp exec -- l
[ "$dir" = ":0" ] || fail "exec -- : $dir"

# Without a data dir: no runs, no data dir made, no error.
LEURA_HOME=$T/none leura __complete show ""
expect_rc 0
[ "$(cat "$T/out")" = ":4" ] || fail "no data dir: $(cat "$T/out")"
[ ! -e "$T/none" ] || fail "completion made the data dir"
# The records are only read: nothing written to the database.
before=$(stat -c %Y "$LEURA_HOME/leura.db")
sum=$(cksum < "$LEURA_HOME/leura.db")
comp show ""
[ "$(cksum < "$LEURA_HOME/leura.db")" = "$sum" ] || fail "completion wrote to the database"
[ "$(stat -c %Y "$LEURA_HOME/leura.db")" = "$before" ] || fail "database touched"
echo ok
