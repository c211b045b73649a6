#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""leura's ssh_config resolution against OpenSSH's own, `ssh -G`, the reference.

Generates COUNT (config, host) pairs from a fixed seed: Host blocks with patterns and
negation, Match (all, host, originalhost, user, localuser, final, canonical, negated),
Include (absolute, glob, inside blocks), first-match-wins over several blocks, `Key=Value`
and quoting, -l and -p, and some lines ssh refuses. For each, `ssh -G -F FILE HOST` and
`leura ssh-config --ssh-config FILE --ssh-g HOST` must print the same honoured directives, or
both must refuse the file. Every difference fails the test.

Documented exceptions, not generated here and tested in tests/integration/t_ssh_config.sh:
unknown keywords (ssh refuses the file, leura warns), Match exec/localnetwork (leura never
evaluates them), tokens leura does not expand (%C, %j, %k as HostKeyAlias).
"""
import os
import pwd
import random
import subprocess
import sys
import tempfile

KEYS = ("hostname", "user", "port", "identityfile", "identitiesonly", "proxyjump",
        "proxycommand", "userknownhostsfile", "stricthostkeychecking", "connecttimeout")
HOSTS = ["web01", "web02.dc1", "db1.dc1", "DB2.dc1", "api", "alias1", "alias2", "10.0.0.5",
         "jump", "Mixed.Case"]
PATTERNS = ["*", "web*", "*.dc1", "db?.dc1", "alias?", "DB*", "*1", "nomatch", "api",
            "10.0.0.*", "mixed.case", "Mixed.*", "*.example", "real-*"]
VALUES = {
    "HostName": ["%h.example", "real-%h", "Upper.Example", "h%%x", "10.9.9.9", "jump"],
    "User": ["alice", "bob", "root", "%u"],
    "Port": ["22", "2222", "2200", "ssh", "022"],
    "IdentityFile": ["~/.ssh/k1", "%d/k_%h", "~/k_%r_%p", "/abs/%n", "${HOME}/x", "~/.ssh/k1"],
    "IdentitiesOnly": ["yes", "no", "true", "False"],
    "ProxyJump": ["j1", "u@j2:2200", "j1,j2", "none", "u@[::1]:22", "ssh://k@j3:2022",
                  "jump"],
    "ProxyCommand": ["nc %h %p", "none"],
    "UserKnownHostsFile": ["~/.ssh/kh1", "%d/kh_%h ~/kh2", "none", "/etc/kh_%u_%n"],
    "StrictHostKeyChecking": ["yes", "no", "ask", "accept-new", "off"],
    "ConnectTimeout": ["5", "1m", "1h30s", "none", "7"],
}
BAD_LINES = ["Port 0", "IdentityFile a b", "Match bogus x", 'User "open', "Port 70000",
             "ProxyJump a,,b", "ConnectTimeout 5x", "StrictHostKeyChecking maybe",
             "Match all host x", "IdentitiesOnly perhaps"]


def pattern(rng):
    p = rng.choice(PATTERNS)
    return "!" + p if rng.random() < 0.2 else p


def pattern_list(rng):
    return ",".join(pattern(rng) for _ in range(rng.randint(1, 3)))


def header(rng):
    if rng.random() < 0.6:
        pats = [pattern(rng) for _ in range(rng.randint(1, 3))]
        if all(p.startswith("!") for p in pats):
            pats.append(rng.choice(PATTERNS))
        return "Host " + " ".join(pats)
    crit = []
    for _ in range(rng.randint(1, 2)):
        kind = rng.choice(["host", "originalhost", "user", "localuser", "final", "canonical",
                           "host"])
        neg = "!" if rng.random() < 0.2 else ""
        if kind in ("final", "canonical"):
            crit.append(neg + kind)
        elif kind in ("user", "localuser"):
            crit.append(f"{neg}{kind} {rng.choice(['alice', 'root', 'bob,!root', 'r*'])}")
        else:
            crit.append(f"{neg}{kind} {pattern_list(rng)}")
    if rng.random() < 0.1:
        return "Match all"
    return "Match " + " ".join(crit)


def directive(rng):
    key = rng.choice(list(VALUES))
    value = rng.choice(VALUES[key])
    style = rng.random()
    spelled = key if rng.random() < 0.7 else key.lower()
    if rng.random() < 0.03:
        spelled = '"' + spelled + '"' if rng.random() < 0.5 else spelled[:2] + '"' + spelled[2:] + '"'
    if " " in value and key != "ProxyCommand" and key != "UserKnownHostsFile":
        value = '"' + value + '"'
    if style < 0.15:
        return f"{spelled}={value}"
    if style < 0.25:
        return f"  {spelled} = {value}"
    if style < 0.3 and key not in ("ProxyCommand", "ProxyJump"):
        return f'{spelled} "{value}"' if '"' not in value else f"{spelled} {value}"
    if style < 0.35 and key not in ("ProxyCommand", "ProxyJump"):
        return f"{spelled} {value} # a comment"
    return f"    {spelled} {value}"


def body(rng, lines, includes, depth):
    for _ in range(rng.randint(1, 5)):
        if rng.random() < 0.15:
            lines.append(header(rng))
        r = rng.random()
        if r < 0.012:
            lines.append(rng.choice(BAD_LINES))
        elif r < 0.12 and includes:
            lines.append("  Include " + rng.choice(includes))
        elif r < 0.16:
            lines.append(rng.choice(["", "# comment", "   "]))
        else:
            lines.append(directive(rng))


def make_case(rng, folder):
    includes = []
    inc_dir = os.path.join(folder, "conf.d")
    os.makedirs(inc_dir, exist_ok=True)
    for i in range(rng.randint(0, 2)):
        lines = []
        if rng.random() < 0.5:
            lines.append(header(rng))
        body(rng, lines, [], 1)
        path = os.path.join(inc_dir, f"{i}.conf")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(path, 0o600)
        includes.append(path)
    if includes and rng.random() < 0.3:
        includes.append(os.path.join(inc_dir, "*.conf"))
    includes.append(os.path.join(folder, "missing.conf"))
    lines = []
    if rng.random() < 0.5:
        body(rng, lines, includes, 0)
    for _ in range(rng.randint(1, 4)):
        lines.append(header(rng))
        body(rng, lines, includes, 0)
    main = os.path.join(folder, "config")
    with open(main, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(main, 0o600)
    args = []
    if rng.random() < 0.25:
        args += ["-l", rng.choice(["alice", "carol"])]
    if rng.random() < 0.2:
        args += ["-p", rng.choice(["2022", "22"])]
    return main, rng.choice(HOSTS), args


def honoured(text):
    picked = [line for line in text.splitlines() if line.split(" ", 1)[0] in KEYS]
    return sorted(picked, key=lambda line: KEYS.index(line.split(" ", 1)[0]))


def main():
    leura = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 600
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261202
    rng = random.Random(seed)
    env = dict(os.environ, HOME=pwd.getpwuid(os.getuid()).pw_dir)
    env.pop("LEURA_SSH_CONFIG", None)
    same = refused = 0
    failures = []
    with tempfile.TemporaryDirectory(prefix="leura-sshdiff-") as top:
        for n in range(count):
            folder = os.path.join(top, str(n))
            os.makedirs(folder)
            config, host, args = make_case(rng, folder)
            ssh = subprocess.run(["ssh", "-G", "-F", config] + args + [host],
                                 capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
            ours = subprocess.run([leura, "ssh-config", "--ssh-config", config, "--ssh-g"] + args
                                  + [host], capture_output=True, text=True, env=env)
            if ssh.returncode != 0 and ours.returncode != 0:
                refused += 1
                continue
            if ssh.returncode == 0 and ours.returncode == 0 and \
                    honoured(ssh.stdout) == honoured(ours.stdout):
                same += 1
                continue
            failures.append((n, config, host, args, ssh, ours))
        for n, config, host, args, ssh, ours in failures[:2]:
            print(f"--- case {n}: host {host} {' '.join(args)}")
            print(open(config).read())
            for inc in sorted(os.listdir(os.path.join(os.path.dirname(config), "conf.d"))):
                print(f"[{inc}]\n" + open(os.path.join(os.path.dirname(config), "conf.d", inc)).read())
            print(f"ssh -G (exit {ssh.returncode}):", honoured(ssh.stdout), ssh.stderr.strip()[-300:])
            print(f"leura (exit {ours.returncode}):", honoured(ours.stdout), ours.stderr.strip()[-300:])
    print(f"{count} pairs: {same} resolved alike, {refused} refused by both, "
          f"{len(failures)} different")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
