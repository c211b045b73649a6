# Shell completion in the real shells (issue: completion): completions/* are exactly what
# `leura completion bash|zsh|fish` prints; bash's function fills COMPREPLY (words split at
# COMP_WORDBREAKS' = and : joined again, quotes, file fallback); fish's complete
# --do-complete; an interactive zsh with compinit in tmux completes on TAB.
. "$(dirname "$0")/lib.sh"
SRC=$LEURA_SOURCE_DIR

# The checked-in scripts are the binary's output, byte for byte (tools/completions.sh).
for pair in bash:leura.bash zsh:_leura fish:leura.fish; do
  "$LEURA_BIN" completion "${pair%%:*}" > "$T/script"
  cmp -s "$T/script" "$SRC/completions/${pair#*:}" ||
    fail "completions/${pair#*:} differs from 'leura completion ${pair%%:*}': run tools/completions.sh"
done
leura completion tcsh
expect_rc 2

fleet_up_watched "$F" 3
mkdir -p "$T/work/runbooks/web" "$T/work/inventories" "$T/bin"
ln -s "$LEURA_BIN" "$T/bin/leura"
cd "$T/work"
{
  sed -n '/^\[defaults\]/,/^$/p' "$F/inventory.toml"
  printf '[[hosts]]\nnames = "127.0.1.[1-2]"\ngroups = ["web"]\nattrs = { az = "phx01" }\n\n'
  printf '[[hosts]]\nnames = "127.0.1.3"\ngroups = ["db"]\nattrs = { az = "phx02", rack = "dc1:r7" }\n'
} > inventories/prod.toml
printf 'description = "restart the web tier"\ninventory = "prod"\n[[steps]]\nname = "stop"\ncommand = "true"\n' \
  > runbooks/web/restart.toml
leura run web/restart --known-hosts "$F/known_hosts"
expect_rc 0
first=$(last_run)
sleep 1
leura run web/restart -t db --known-hosts "$F/known_hosts"
expect_rc 0
second=$(last_run)

# --- bash: bcomp LINE [WORD...]: COMP_WORDS as given (else LINE split at blanks), the cursor
# at the end; prints COMPREPLY one a line.
bcomp() {
  ( unset -f leura
    PATH=$T/bin:$PATH
    . "$SRC/completions/leura.bash"
    COMP_LINE=$1 COMP_POINT=${#1}
    shift
    if [ $# -gt 0 ]; then COMP_WORDS=("$@"); else read -ra COMP_WORDS <<< "$COMP_LINE"; fi
    [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    __leura_complete
    if ((${#COMPREPLY[@]})); then printf "%s\n" "${COMPREPLY[@]}"; fi )
}
expect_bash() { # WANT LINE [WORD...]: COMPREPLY joined by spaces
  local want=$1 got
  shift
  got=$(bcomp "$@" | tr '\n' ' ')
  [ "$got" = "$want" ] || fail "bash '$1': got '$got', want '$want'"
}
expect_bash "run runs " "leura ru"
expect_bash "--dry-run " "leura run --dry"
expect_bash "web/restart " "leura run w"
expect_bash "$second $first " "leura show "
expect_bash "$first " "leura logs ${first:0:17}" # the second is a second later
expect_bash "127.0.1.1 127.0.1.2 127.0.1.3 " "leura logs $first --host 127"
expect_bash "web,db " "leura run web/restart -t web,d"
expect_bash "web,db " "leura run web/restart -t 'web,d" leura run web/restart -t "'web,d"
# = is a word break: bash hands over the piece after it, and gets back only that piece.
expect_bash "phx01 phx02 " "leura run web/restart -t az=phx0" leura run web/restart -t az = phx0
expect_bash "phx01 phx02 " "leura run web/restart -t web,az=phx" leura run web/restart -t web,az = phx
expect_bash "db " "leura run web/restart --targets=d" leura run web/restart --targets = d
expect_bash "db " "leura run web/restart --targets=d" leura run web/restart --targets =d
# So is : (rack=dc1:r7).
expect_bash "r7 " "leura run web/restart -t rack=dc1:r" leura run web/restart -t rack = dc1 : r
# A path: .toml files and folders.
expect_bash "./runbooks " "leura run ./r"
bcomp "leura run ./inventories/" | grep -qx "./inventories/prod.toml" || fail "bash: task file"
# No candidates and no files for a count.
expect_bash "" "leura run --concurrency "

# --- fish
fcomp() { # LINE: complete --do-complete's lines
  PATH=$T/bin:$PATH fish --no-config -c "source '$SRC/completions/leura.fish'; complete --do-complete \"\$argv[1]\"" "$1"
}
fcomp "leura ru" > "$T/fish"
grep -qx "run	Run a task on the hosts it selects" "$T/fish" || { cat "$T/fish"; fail "fish: run"; }
grep -qx "runs	List recorded runs, newest first" "$T/fish" || fail "fish: runs"
[ "$(fcomp "leura run web/restart -t web,d")" = "web,db	group" ] || fail "fish: selector"
[ "$(fcomp "leura run web/restart --targets=d")" = "--targets=db	group" ] || fail "fish: --targets="
[ "$(fcomp "leura run web/restart -t 'web,d")" = "web,db	group" ] || fail "fish: quoted selector"
fcomp "leura show " > "$T/fish"
head -1 "$T/fish" | grep -q "^$second	web/restart, ok, [0-9]*s ago$" || { cat "$T/fish"; fail "fish: runs"; }
fcomp "leura run ./r" > "$T/fish"
grep -qx "./runbooks/" "$T/fish" || { cat "$T/fish"; fail "fish: folders"; }
[ "$(fcomp "leura run ./runbooks/web/")" = "./runbooks/web/restart.toml" ] || fail "fish: task file"
[ -z "$(fcomp "leura run --concurrency ")" ] || fail "fish: no files for a count"

# --- zsh (the screen drops trailing blanks): an interactive zsh (compinit, _leura on fpath) in tmux; keys typed, the screen read.
mkdir -p "$T/zdot"
cat > "$T/zdot/.zshrc" <<EOF
PROMPT='> '
fpath=($SRC/completions \$fpath)
autoload -Uz compinit && compinit -u -D
EOF
S=$T/tmux.sock
at_exit "tmux -S '$S' kill-server"
env PATH="$T/bin:$PATH" ZDOTDIR="$T/zdot" TERM=xterm tmux -S "$S" -f /dev/null \
  new-session -d -x 160 -y 40 zsh -i
screen_has() { # PATTERN: waits up to 5 s for the screen to show it
  local _
  for _ in $(seq 1 50); do
    tmux -S "$S" capture-pane -p | grep -qE -- "$1" && return 0
    sleep 0.1
  done
  tmux -S "$S" capture-pane -p >&2
  return 1
}
ztype() { tmux -S "$S" send-keys C-u "$1" Tab; }
screen_has '^>' || fail "zsh did not start"
ztype "leura run w"
screen_has '^> leura run web/restart$' || fail "zsh: task name"
ztype "leura ru"
tmux -S "$S" send-keys Tab
screen_has '^runs +-- List recorded runs, newest first' || fail "zsh: subcommand list"
ztype "leura run web/restart -t 'web,d"
screen_has "^> leura run web/restart -t 'web,db'\$" || fail "zsh: quoted selector"
ztype "leura show $second"
screen_has "^> leura show $second\$" || fail "zsh: run id"
ztype "leura run --dry"
screen_has '^> leura run --dry-run$' || fail "zsh: option"
ztype "leura run ./runbooks/web/"
screen_has '^> leura run ./runbooks/web/restart.toml$' || fail "zsh: task file"
ztype "leura run web/restart --targets=d"
screen_has '^> leura run web/restart --targets=db$' || fail "zsh: --targets="
echo ok
