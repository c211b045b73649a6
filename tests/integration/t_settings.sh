# Settings (issue 14): known_hosts and concurrency set once in the user's config file, over by
# LEURA_*, over by flags; `leura config show` names each value's origin; a bad file is exit 2
# at file:line:col with a did-you-mean, before anything runs.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 2
export XDG_CONFIG_HOME=$T/cfg
mkdir -p "$XDG_CONFIG_HOME/leura"
printf 'known_hosts = "%s"\nconcurrency = 7\ninventory = "%s"\n' "$F/known_hosts" \
  "$F/inventory.toml" > "$XDG_CONFIG_HOME/leura/config.toml"
t=$(task t '
[[steps]]
command = "true"')
leura run "$t"
expect_rc 0
expect_out "ok: 2 ok"
leura config show
expect_out "^known_hosts +$F/known_hosts +\($XDG_CONFIG_HOME/leura/config.toml:1:1\)$"
expect_out "^concurrency +7 "
expect_out "^grace +10s +\(default\)$"
LEURA_CONCURRENCY=3 leura config show
expect_out "^concurrency +3 +\(LEURA_CONCURRENCY\)$"
leura config show --json
expect_out '"key":"connect_timeout","value":"10s","origin":"default"'

printf 'concurency = 5\n' >> "$XDG_CONFIG_HOME/leura/config.toml"
logins=$(grep -c Accepted "$F/sshd.log")
leura run "$t"
expect_rc 2
expect_err "config.toml:4:1: error: unknown setting 'concurency'; did you mean \"concurrency\"\?"
[ "$(grep -c Accepted "$F/sshd.log")" = "$logins" ] || fail "a host was touched"
LEURA_GRACE=soon leura config show
expect_rc 2
expect_err "LEURA_GRACE must be a duration"
