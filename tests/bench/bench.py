#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""leura against pdsh, parallel-ssh, clush, ansible and xargs+ssh on one loopback fleet.

Run it with tests/bench/run.sh (installs the peers from Debian, builds leura). Everything runs in
a network namespace this script creates (only its loopback exists there), against one private
sshd with the key exchange pinned to curve25519-sha256 so every client negotiates the same thing,
and sessions get a clean HOME. Each command runs in its own cpuacct cgroup, so its client CPU
counts every process it starts (ssh children, ControlPersist masters); the sshd and every session
it forks sit in another, which gives the server CPU. Results: a markdown table on stdout (and
--out), raw rows in results.tsv beside it. Medians over --reps; tools interleaved per rep.
"""
import contextlib
import argparse
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

CG_ROOT = "/sys/fs/cgroup/cpuacct"
PORT = 2222
KEX = "curve25519-sha256"
PEERS = ["xargs", "pdsh", "pssh", "clush", "ansible"]


def addr(i):
    """Host i (1-based): 127.1.0.1 .. 127.1.0.250, 127.1.1.1 ..; all answer on the namespace's lo."""
    return f"127.1.{(i - 1) // 250}.{(i - 1) % 250 + 1}"


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


class Cgroup:
    def __init__(self, path):
        self.path = path
        os.makedirs(path, exist_ok=True)

    def usage_s(self):
        with open(os.path.join(self.path, "cpuacct.usage")) as f:
            return int(f.read()) / 1e9

    def join(self):  # in a forked child, before exec
        with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))

    def joiner(self, cpus=None):
        """What a child runs before exec: join this cgroup, and keep to `cpus` if given."""
        def join():
            self.join()
            if cpus:
                os.sched_setaffinity(0, cpus)
        return join

    def pids(self):
        with open(os.path.join(self.path, "cgroup.procs")) as f:
            return [int(p) for p in f.read().split()]

    def end_leftovers(self):
        """Ends what a command left running (ssh masters), by pid; returns how many there were."""
        left = self.pids()
        for attempt in range(50):
            pids = self.pids()
            if not pids:
                break
            for p in pids:
                try:
                    os.kill(p, signal.SIGTERM if attempt < 40 else signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.1)
        return len(left)

    def remove(self):
        try:
            os.rmdir(self.path)
        except OSError:
            pass


class Fleet:
    """One sshd on 0.0.0.0:2222 inside the namespace, and the files every client needs."""

    def __init__(self, root, max_hosts, maxstartups, cg, cpus=None):
        self.d = root
        self.n = max_hosts
        self.cg = cg
        d = root
        os.makedirs(f"{d}/home", mode=0o700)
        os.makedirs(f"{d}/client-home/.ssh", mode=0o700)
        open(f"{d}/home/.bashrc", "w").close()
        for key in ("host_key", "client_key"):
            sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{d}/{key}")
        shutil.copy(f"{d}/client_key.pub", f"{d}/authorized_keys")
        user = "root"
        with open(f"{d}/sshd_config", "w") as f:
            f.write(f"""Port {PORT}
ListenAddress 0.0.0.0
HostKey {d}/host_key
PidFile {d}/sshd.pid
AuthorizedKeysFile {d}/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
AllowUsers *@127.0.0.0/8
MaxStartups {maxstartups}
MaxSessions 1000
LogLevel ERROR
PrintMotd no
PrintLastLog no
PermitUserRC no
Subsystem sftp internal-sftp
KexAlgorithms {KEX}
SetEnv HOME={d}/home
""")
        hostkey = open(f"{d}/host_key.pub").read().split()[:2]
        with open(f"{d}/known_hosts", "w") as f:
            for i in range(1, max_hosts + 1):
                f.write(f"[{addr(i)}]:{PORT} {hostkey[0]} {hostkey[1]}\n")
        with open(f"{d}/ssh_config", "w") as f:
            f.write(f"""Host 127.*
    Port {PORT}
    User {user}
    IdentityFile {d}/client_key
    IdentitiesOnly yes
    UserKnownHostsFile {d}/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    BatchMode yes
    LogLevel ERROR
    ConnectTimeout 30
    KexAlgorithms {KEX}
""")
        with open(f"{d}/ansible.cfg", "w") as f:
            f.write(f"""[defaults]
host_key_checking = True
interpreter_python = /usr/bin/python3
gathering = explicit
forks = 64
[ssh_connection]
pipelining = True
ssh_args = -F {d}/ssh_config -o ControlMaster=auto -o ControlPersist=60s
control_path_dir = {d}/cp
""")
        os.makedirs(f"{d}/sshd-empty", exist_ok=True)
        os.makedirs("/run/sshd", exist_ok=True)
        self.sshd = subprocess.Popen(
            ["/usr/sbin/sshd", "-D", "-f", f"{d}/sshd_config", "-E", f"{d}/sshd.log"],
            preexec_fn=cg.joiner(cpus))
        for _ in range(100):
            probe = ["ssh", "-F", f"{d}/ssh_config", addr(1), "true"]
            if subprocess.run(probe, stderr=subprocess.DEVNULL).returncode == 0:
                return
            time.sleep(0.1)
        raise SystemExit(f"bench: the fleet's sshd does not answer; see {d}/sshd.log")

    def files_for(self, n):
        """hosts-N.txt, a leura inventory and an ansible inventory of the first n hosts."""
        d = self.d
        if os.path.exists(f"{d}/hosts-{n}.txt"):
            return
        with open(f"{d}/hosts-{n}.txt", "w") as f:
            f.writelines(addr(i) + "\n" for i in range(1, n + 1))
        with open(f"{d}/inventory-{n}.toml", "w") as f:
            f.write(f'[defaults]\nuser = "root"\nport = {PORT}\nidentity = "{d}/client_key"\n\n')
            for i in range(1, n + 1):
                f.write(f'[[hosts]]\nnames = "{addr(i)}"\n')
        with open(f"{d}/inventory-{n}.ini", "w") as f:
            f.write("[fleet]\n" + "".join(addr(i) + "\n" for i in range(1, n + 1)))
            f.write(f"[all:vars]\nansible_port={PORT}\nansible_user=root\n"
                    f"ansible_ssh_private_key_file={d}/client_key\n")

    def stop(self):
        self.sshd.terminate()
        self.sshd.wait()


def task_file(d, name, steps):
    path = f"{d}/{name}.toml"
    with open(path, "w") as f:
        for step in steps:
            f.write("[[steps]]\n" + step + "\n")
    return path


W4_DEST = "/tmp/leura-bench-payload"  # every host is this machine: one file for all


def commands(tool, workload, n, d, leura, par, before=None):
    """The shell command for one tool doing one workload on n hosts (None: not applicable)."""
    if tool == "leura-before":  # another leura binary (--leura-before), run exactly as leura
        cmd = commands("leura", workload, n, d, before, par)  # its own data (schema versions)
        return cmd and f"LEURA_HOME={d}/leura-data-before " + cmd.replace("&& ", f"&& LEURA_HOME={d}/leura-data-before ")
    hosts = f"{d}/hosts-{n}.txt"
    cfg = f"{d}/ssh_config"
    lexec = (f"{leura} exec -i {d}/inventory-{n}.toml --known-hosts {d}/known_hosts "
             f"--concurrency {par}")
    lrun = (f"{leura} run -q -i {d}/inventory-{n}.toml --known-hosts {d}/known_hosts "
            f"--concurrency {par}")
    cm = f"-o ControlMaster=auto -o ControlPath={d}/cm-%C -o ControlPersist=60"
    one = {
        "leura": f"{lexec} -- {{c}}",
        "xargs": f"xargs -a {hosts} -P{par} -I@ ssh -F {cfg} @ {{c}}",
        "pdsh": f"pdsh -R ssh -f {par} -w ^{hosts} {{c}}",
        "pssh": f"parallel-ssh -p {par} -t 0 -h {hosts} -x '-F {cfg}' -o {d}/pssh-out {{c}}",
        "clush": f"clush -f {par} --hostfile {hosts} -o '-F {cfg}' {{c}}",
        "ansible": f"ansible all -i {d}/inventory-{n}.ini -f {par} -m raw -a {{c}}",
    }
    if workload == "W1":
        return one[tool].format(c="true")
    if workload == "W3":
        return one[tool].format(c="'yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdef"
                                  "ghijklmno | head -c 1048576'")
    if workload == "W2":
        if tool == "leura":
            t = task_file(d, "w2", ['name = "a"\ncommand = "true"', 'name = "b"\ncommand = "true"',
                                    'name = "c"\ncommand = "true"'])
            return f"{lrun} {t}"
        base = one[tool]
        if tool == "pdsh":  # its ssh arguments come from the environment
            base = f"PDSH_SSH_ARGS_APPEND='-F {cfg} {cm}' " + base
        elif tool == "clush":
            # clush interpolates its options: % is written %%
            base = base.replace(f"-o '-F {cfg}'", f"-o '-F {cfg} {cm.replace('%', '%%')}'")
        elif tool == "xargs":
            base = base.replace(f"ssh -F {cfg}", f"ssh -F {cfg} {cm}")
        elif tool == "pssh":
            base = base.replace(f"-x '-F {cfg}'", f"-x '-F {cfg} {cm}'")
        return " && ".join([base.format(c="true")] * 3)
    if workload == "W4":
        src = f"{d}/payload"
        dest = W4_DEST
        if tool == "leura":
            t = task_file(d, "w4", [f'name = "copy"\nupload = {{ src = "{src}", dest = "{dest}" }}'])
            return f"{lrun} {t}"
        return {
            "xargs": f"xargs -a {hosts} -P{par} -I@ scp -q -F {cfg} {src} @:{dest}",
            "pdsh": f"pdcp -R ssh -f {par} -w ^{hosts} {src} {dest}",
            "pssh": f"parallel-scp -p {par} -t 0 -h {hosts} -x '-F {cfg}' {src} {dest}",
            "clush": f"clush -f {par} --hostfile {hosts} -o '-F {cfg}' --copy {src} --dest {dest}",
            "ansible": f"ansible all -i {d}/inventory-{n}.ini -f {par} -m copy "
                       f"-a 'src={src} dest={dest}'",
        }[tool]
    if workload == "serial":
        if tool == "leura":
            return f"{leura} exec -i {d}/inventory-1.toml --known-hosts {d}/known_hosts -- true"
        if tool == "ssh":
            return f"ssh -F {cfg} {addr(1)} true"
    return None


def measure(cmd, env, client_root, server_cg, out_path, cpus=None):
    cg = Cgroup(f"{client_root}/run")
    s0, c0 = server_cg.usage_s(), cg.usage_s()
    rss_file = out_path + ".rss"
    t0 = time.monotonic()
    with open(out_path, "ab") as out:
        # GNU time reports the largest single process of the tree (a process keeps the peak RSS
        # of what it was before exec, so the fork must come from something small, not Python).
        p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_file, "bash", "-c", cmd],
                             env=env, stdout=out, stderr=out, preexec_fn=cg.joiner(cpus))
        status = p.wait()
    wall = time.monotonic() - t0
    with open(rss_file) as f:
        rss_kb = int(f.read().split()[-1])
    client = cg.usage_s() - c0
    left = cg.end_leftovers()  # ssh masters: their CPU so far is counted, then they are ended
    client = cg.usage_s() - c0
    server = server_cg.usage_s() - s0
    cg.remove()
    return {"rc": status, "wall": wall, "client": client, "server": server,
            "rss_mb": rss_kb / 1024, "left": left}


def paired_ratio(rows, wl, n, peer, key="wall"):
    """Median over repeats of leura's wall (or `key`) / the peer's in the same repeat: the
    machine's speed drifts between repeats, and a ratio of medians can mix two conditions."""
    walls = {}
    for r in rows:
        if (r["workload"], r["n"]) == (wl, n) and r["tool"] in ("leura", peer):
            walls.setdefault(r["rep"], {})[r["tool"]] = r[key]
    ratios = [w["leura"] / w[peer] for w in walls.values() if len(w) == 2 and w[peer] > 0]
    return statistics.median(ratios) if ratios else float("nan")


def table(rows, cores):
    """Markdown: one line per workload x size x tool, medians, with the leura/best-peer ratios."""
    keys = []
    for r in rows:
        k = (r["workload"], r["n"])
        if k not in keys:
            keys.append(k)
    lines = ["| workload | hosts | tool | wall s | client CPU s | client ms/host | server CPU s "
             "| server ms/host | peak RSS MiB | failures | leura/tool wall | leura/tool CPU "
             "| leura/tool server (paired) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    notes = []
    for wl, n in keys:
        med = {}
        for tool in dict.fromkeys(r["tool"] for r in rows if (r["workload"], r["n"]) == (wl, n)):
            rs = [r for r in rows if (r["workload"], r["n"], r["tool"]) == (wl, n, tool)]
            m = {k: statistics.median(r[k] for r in rs) for k in ("wall", "client", "server",
                                                                    "rss_mb")}
            m["fails"] = sum(1 for r in rs if r["rc"] != 0)
            m["reps"] = len(rs)
            med[tool] = m
        lw = med.get("leura")
        for tool, m in med.items():
            ratio_w = ratio_c = ratio_s = ""
            if lw and tool != "leura":
                ratio_w = f"{lw['wall'] / m['wall']:.2f}"
                ratio_c = f"{lw['client'] / m['client']:.2f}" if m["client"] > 0 else ""
                ratio_s = f"{paired_ratio(rows, wl, n, tool, 'server'):.3f}"
            lines.append(f"| {wl} | {n} | {tool} | {m['wall']:.2f} | {m['client']:.2f} | "
                         f"{1000 * m['client'] / n:.1f} | {m['server']:.2f} | "
                         f"{1000 * m['server'] / n:.1f} | {m['rss_mb']:.1f} | "
                         f"{m['fails']}/{m['reps']} | {ratio_w} | {ratio_c} | {ratio_s} |")
        if lw:
            floor = (lw["server"] + lw["client"]) / cores
            peers = {t: m for t, m in med.items()
                     if t not in ("leura", "leura-before", "ssh") and m["fails"] == 0}
            best = min(peers.items(), key=lambda tm: tm[1]["wall"]) if peers else None
            note = (f"{wl} x {n}: leura {lw['wall']:.2f} s = {lw['wall'] / floor:.2f} x the floor "
                    f"({floor:.2f} s = (server {lw['server']:.2f} + client {lw['client']:.2f}) / "
                    f"{cores} cores)")
            if best:
                note += (f"; best peer {best[0]} {best[1]['wall']:.2f} s: leura/best wall "
                         f"{lw['wall'] / best[1]['wall']:.2f} (paired by repeat: "
                         f"{paired_ratio(rows, wl, n, best[0]):.2f}), client CPU "
                         f"{lw['client'] / best[1]['client']:.2f}")
            notes.append(note)
    return "\n".join(lines) + "\n\n" + "\n".join("- " + n for n in notes) + "\n"


def run_inside(a):
    cores = os.cpu_count()
    root = tempfile.mkdtemp(prefix="leura-bench-")
    os.chmod(root, 0o700)
    cg_root = f"{CG_ROOT}/leura-bench-{os.getpid()}"
    server_cg = Cgroup(f"{cg_root}/server")
    sizes = [int(s) for s in a.sizes.split(",")]
    workloads = a.workloads.split(",")
    tools = a.tools.split(",")
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # peers fail at 1,000 hosts otherwise
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    server_cpus = client_cpus = None
    if a.split_cores:
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            raise SystemExit("bench: --split-cores needs two cores or more")
        server_cpus, client_cpus = cpus[-1:], cpus[:-1]
    fleet = Fleet(root, max(sizes + [1]), a.maxstartups, server_cg, server_cpus)
    with open(f"{root}/payload", "wb") as f:
        f.write(os.urandom(1 << 20))
    env = dict(os.environ, HOME=f"{root}/client-home", LEURA_HOME=f"{root}/leura-data",
               PDSH_SSH_ARGS_APPEND=f"-F {root}/ssh_config", ANSIBLE_CONFIG=f"{root}/ansible.cfg",
               ANSIBLE_HOST_KEY_CHECKING="True", LC_ALL="C.UTF-8")
    plan = []  # (workload, n, tool)
    for wl in workloads:
        # W2 at up to 500 hosts and W3, W4 at up to 100, as the table has them.
        wl_sizes = [1] if wl == "serial" else [
            s for s in sizes if wl == "W1" or (wl == "W2" and s <= 500) or s <= 100]
        if wl in ("W3", "W4") and not wl_sizes:
            wl_sizes = [min(sizes)]
        for n in wl_sizes:
            tools_here = ["leura", "ssh"] if wl == "serial" else tools
            if a.leura_before:
                tools_here = tools_here[:1] + ["leura-before"] + tools_here[1:]
            for tool in tools_here:
                # ansible runs W2 three times slower than anyone: left out there, for time.
                if not (wl == "W2" and tool == "ansible"):
                    plan.append((wl, n, tool))
    rows = []
    results = a.out.rsplit(".", 1)[0] + ".tsv"
    try:
        for n in {n for _, n, _ in plan}:
            fleet.files_for(n)
        for rep in range(a.reps):
            for wl, n, tool in plan:
                cmd = commands(tool, wl, n, root, a.leura, a.parallel, a.leura_before)
                if not cmd:
                    continue
                shutil.rmtree(f"{root}/pssh-out", ignore_errors=True)
                if wl == "W4":  # every tool copies: none finds the file already there
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(W4_DEST)
                r = measure(cmd, env, cg_root, server_cg, f"{root}/out-{tool}-{wl}-{n}.log",
                            client_cpus)
                r.update(workload=wl, n=n, tool=tool, rep=rep + 1)
                rows.append(r)
                print(f"bench: rep {rep + 1} {wl} {n} {tool}: rc {r['rc']} wall {r['wall']:.2f} s "
                      f"client {r['client']:.2f} s server {r['server']:.2f} s "
                      f"rss {r['rss_mb']:.1f} MiB", file=sys.stderr, flush=True)
                with open(results, "a") as f:
                    f.write("\t".join(str(r[k]) for k in ("workload", "n", "tool", "rep", "rc",
                                                          "wall", "client", "server", "rss_mb"))
                            + "\n")
    finally:
        fleet.stop()
        server_cg.end_leftovers()
        server_cg.remove()
        Cgroup(cg_root).remove()
    head = (f"# leura bench, {time.strftime('%Y-%m-%d %H:%M')} UTC, {cores} cores, parallelism "
            f"{a.parallel}, KEX {KEX}, MaxStartups {a.maxstartups}, medians of {a.reps}"
            + (f", split cores (sshd on CPU {server_cpus[0]}, clients on the rest)"
               if a.split_cores else "") + "\n\n")
    text = head + table(rows, cores)
    with open(a.out, "w") as f:
        f.write(text)
    print(text)
    if a.keep:
        print(f"bench: kept {root}", file=sys.stderr)
    else:
        shutil.rmtree(root, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default="100,500,1000", help="host counts for W1/W2 (W3, W4: <=100)")
    p.add_argument("--workloads", default="W1,W2,W3,W4,serial")
    p.add_argument("--tools", default="leura," + ",".join(PEERS))
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--parallel", type=int, default=64)
    p.add_argument("--maxstartups", default="10000", help="sshd's; '10:30:100' is a stock server's")
    p.add_argument("--leura", default=os.path.abspath("build/leura"))
    p.add_argument("--leura-before", help="another leura binary, measured as tool leura-before "
                   "in the same run (its ratio column is after/before)")
    p.add_argument("--split-cores", action="store_true",
                   help="the fleet's sshd and its sessions on the last core, the clients on the\n"
                   "others: hosts are not the controller, so the server CPU column measures\n"
                   "what a host spends without the clients' load on the same cores (walls\n"
                   "are then bound by one core's sshd, not comparable with the default)")
    p.add_argument("--out", default=os.path.abspath("bench-results.md"))
    p.add_argument("--keep", action="store_true", help="keep the fleet's folder and logs")
    p.add_argument("--inside", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.inside:
        return run_inside(a)
    if os.geteuid() != 0 or not os.path.isdir(CG_ROOT):
        raise SystemExit("bench: needs root and the cgroup v1 cpuacct controller (" + CG_ROOT + ")")
    ns = f"leura-bench-{os.getpid()}"
    sh("ip", "netns", "add", ns)
    try:
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        args = [a for a in sys.argv[1:]]
        # nsenter, not `ip netns exec`: that one mounts a fresh /sys, hiding the cgroups.
        return subprocess.run(["nsenter", f"--net=/run/netns/{ns}", sys.executable,
                               os.path.abspath(__file__), "--inside", ns] + args).returncode
    finally:
        subprocess.run(["ip", "netns", "del", ns])


if __name__ == "__main__":
    sys.exit(main())
