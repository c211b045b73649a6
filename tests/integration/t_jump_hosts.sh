# Jump hosts: targets that live in their own network namespace, on that namespace's loopback,
# where nothing outside can reach them, are reached through a bastion in the namespace. The
# bastion is logged into once for every host behind it, bytes cross the tunnel intact in both
# directions, a chain of two jump hosts works, and an unknown bastion key stops the hosts.
. "$(dirname "$0")/lib.sh"
command -v ip >/dev/null || fail "ip missing: apt-get install -y iproute2"
fleet_up_watched "$F" 1 # 127.0.1.1: the first hop of the chain case
key=$(cut -d' ' -f1,2 "$F/host_key.pub")

# A namespace with a veth pair to this one; the bastion listens on the namespace's end.
NS=leura-jump-$$
net=$(( $$ % 200 + 20 ))
outer=10.213.$net.1 bastion=10.213.$net.2
ip netns add "$NS"
at_exit "ip link del lj$$ 2>/dev/null; ip netns del $NS"
ip netns exec "$NS" ip link set lo up
ip link add "lj$$" type veth peer name "lj$$n" netns "$NS"
ip addr add "$outer/30" dev "lj$$" && ip link set "lj$$" up
ip netns exec "$NS" ip addr add "$bastion/30" dev "lj$$n"
ip netns exec "$NS" ip link set "lj$$n" up

# ns_sshd NAME PORT ADDRESS...: an sshd inside the namespace, stopped by fleet_down.
ns_sshd() {
  local name=$1 port=$2; shift 2
  {
    echo "Port $port"
    for a in "$@"; do echo "ListenAddress $a:$port"; done
    cat <<CONF
HostKey $F/host_key
PidFile $F/sshd.$name.pid
AuthorizedKeysFile $F/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
AllowUsers *@127.0.0.0/8 *@$outer
AllowTcpForwarding yes
LogLevel VERBOSE
SetEnv HOME=$F/rhome
CONF
  } > "$F/sshd_config.$name"
  ip netns exec "$NS" /usr/sbin/sshd -f "$F/sshd_config.$name" -E "$F/sshd.$name.log"
  for _ in $(seq 1 100); do
    [ -s "$F/sshd.$name.pid" ] && return 0
    sleep 0.05
  done
  fail "sshd $name did not start"
}
bport=$(fleet_free_port) tport=$(fleet_free_port)
ns_sshd bastion "$bport" "$bastion"
ns_sshd targets "$tport" 127.0.9.1 127.0.9.2 127.0.9.3
sleep 0.2

cp "$F/known_hosts" "$T/known_hosts"
echo "[$bastion]:$bport $key" >> "$T/known_hosts"
for i in 1 2 3; do echo "[127.0.9.$i]:$tport $key" >> "$T/known_hosts"; done
inventory() { # inventory JUMP [PORT]: the three targets behind JUMP (none when empty)
  {
    printf '[defaults]\nuser = "%s"\nport = %s\nidentity = "%s"\n' "$(id -un)" "${2:-$tport}" "$F/client_key"
    [ -n "$1" ] && printf 'jump = "%s"\n' "$1"
    printf '\n[[hosts]]\nnames = "127.0.9.[1-3]"\n'
  } > "$T/inv.toml"
}
jl() { leura run "$@" -i "$T/inv.toml" --known-hosts "$T/known_hosts"; }

# Proof that the targets are out of reach without the bastion.
inventory ""
jl "$(task where $'[[steps]]\ncommand = "true"')" --connect-attempts 1 --connect-timeout 2s
expect_rc 1
expect_out "unreachable 127.0.9.1 .*Connection refused"

# Through the bastion: an 8 MiB upload, then the same bytes back as a download.
mkdir -p "$T/files" "$T/got"
head -c 8000000 /dev/urandom > "$T/files/blob"
inventory "$bastion:$bport"
t=$(task through "
[[steps]]
name = \"where\"
command = 'echo \"at \$SSH_CONNECTION\"'
[[steps]]
name = \"ship\"
upload = { src = \"files/blob\", dest = \"$T/remote-blob\" }
[[steps]]
name = \"fetch\"
download = { src = \"$T/remote-blob\", dest = \"$T/got/{host}\" }")
jl "$t"
expect_rc 0
for i in 1 2 3; do
  cmp "$T/files/blob" "$T/got/127.0.9.$i" || fail "127.0.9.$i: the download differs"
done
leura logs "$(last_run)" --step where
for i in 1 2 3; do expect_out "at [0-9.]+ [0-9]+ 127\\.0\\.9\\.$i $tport"; done
[ "$(grep -c 'Accepted publickey' "$F/sshd.bastion.log")" = 1 ] ||
  fail "expected one bastion login for three hosts: $(grep -c 'Accepted publickey' "$F/sshd.bastion.log")"
[ "$(grep -c 'Accepted publickey' "$F/sshd.targets.log")" = 3 ] || fail "expected one login per target"

# The same through ~/.ssh/config alone: aliases, ProxyJump naming another alias, keys and
# known_hosts from the file; the inventory only names the hosts.
mkdir -p "$HOME/.ssh" && chmod 700 "$HOME/.ssh"
{
  printf 'Host bastion\n  HostName %s\n  Port %s\n' "$bastion" "$bport"
  for i in 1 2 3; do printf 'Host t%s\n  HostName 127.0.9.%s\n' "$i" "$i"; done
  printf 'Host t*\n  Port %s\n  ProxyJump bastion\n' "$tport"
  printf 'Host *\n  User %s\n  IdentityFile %s\n  UserKnownHostsFile %s\n' "$(id -un)" "$F/client_key" "$T/known_hosts"
} > "$HOME/.ssh/config"
chmod 600 "$HOME/.ssh/config"
printf '[[hosts]]\nnames = "t[1-3]"\n' > "$T/aliases.toml"
before=$(grep -c 'Accepted publickey' "$F/sshd.bastion.log")
leura run "$(task viaconfig $'[[steps]]\ncommand = \'echo "at $SSH_CONNECTION"\'')" -i "$T/aliases.toml"
expect_rc 0
leura logs "$(last_run)" --host t2
expect_out "at [0-9.]+ [0-9]+ 127\\.0\\.9\\.2 $tport"
[ "$(grep -c 'Accepted publickey' "$F/sshd.bastion.log")" = $((before + 1)) ] || fail "the bastion of the ssh config was not used once"
leura ssh-config t1
expect_out "jump +bastion \\($(id -un)@$bastion:$bport\\)"
rm "$HOME/.ssh/config"

# A chain: this namespace's 127.0.1.1 first, then the bastion through it.
inventory "127.0.1.1:$(fleet_port "$F"), $bastion:$bport"
jl "$(task chain $'[[steps]]\ncommand = "echo via chain"')"
expect_rc 0
grep -q 'Accepted publickey' "$F/sshd.log" || fail "the first hop was not used"

# Host keys are checked on the jump host too: an unknown one fails every host behind it.
grep -v "^\[$bastion\]" "$T/known_hosts" > "$T/kh2" && mv "$T/kh2" "$T/known_hosts"
inventory "$bastion:$bport"
jl "$(task where2 $'[[steps]]\ncommand = "true"')" --json
expect_rc 1
expect_out "\"error\":\"host_key\""
expect_out "jump host $bastion:$bport: host key for $bastion port $bport is not known"

# Failures of the tunnel are named: a jump host that refuses, a target it cannot reach.
echo "[$bastion]:$bport $key" >> "$T/known_hosts"
inventory "$bastion:$(fleet_free_port)"
jl "$(task where3 $'[[steps]]\ncommand = "true"')" --connect-attempts 1
expect_rc 1
expect_out "unreachable 127.0.9.1 .*jump host $bastion:[0-9]+: connect to $bastion port [0-9]+: Connection refused"
inventory "$bastion:$bport" "$(fleet_free_port)"
jl "$(task where3 $'[[steps]]\ncommand = "true"')" --connect-attempts 1
expect_rc 1
expect_out "unreachable 127.0.9.1 .*jump host $bastion:$bport: cannot reach 127.0.9.1 port [0-9]+"
