#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`leura schedule next` against two independent implementations on Debian 12.

1. croniter (python3-croniter), in UTC: random five-field expressions x random base times,
   the next 50 fires must be equal.
2. `systemd-analyze calendar --base-time ... --iterations N 'SPEC ZONE'` in zones with DST
   (America/New_York, Europe/Berlin, Australia/Lord_Howe's 30-minute shift), over a year
   (about 13 months) of daily and weekly times chosen to fall in and around the changes. The one documented
   difference is the gap: systemd skips a wall-clock time that does not exist, leura fires
   it shifted on by the gap (marked shifted). Every disagreement must be exactly that: the
   leura fire is marked shifted, and systemd has no fire that day.

Usage: oracle.py LEURA [CASES]   (exit 0 when everything agrees as documented)
"""
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile

from croniter import croniter

LEURA = sys.argv[1]
CASES = int(sys.argv[2]) if len(sys.argv) > 2 else 300
rng = random.Random(int(os.environ.get("ORACLE_SEED", "20261206")))
env = dict(os.environ)
env["LEURA_HOME"] = tempfile.mkdtemp(prefix="leura-oracle-")
env["XDG_CONFIG_HOME"] = env["LEURA_HOME"]
UTC = dt.timezone.utc


def leura_next(expr, base, count, tz="UTC"):
    out = subprocess.run(
        [LEURA, "schedule", "next", "--cron", expr, "--tz", tz, "--from", "@%d" % base,
         "--count", str(count), "--json"],
        capture_output=True, text=True, env=env, timeout=60)
    if out.returncode != 0:
        raise SystemExit("leura failed on %r: %s" % (expr, out.stderr.strip()))
    return [json.loads(line) for line in out.stdout.splitlines()]


def epoch(text):
    return int(dt.datetime.strptime(text.replace(".000Z", "Z"), "%Y-%m-%dT%H:%M:%SZ")
               .replace(tzinfo=UTC).timestamp())


def field(lo, hi, star_ok=True):
    kind = rng.randrange(6)
    if kind == 0 and star_ok:
        return "*"
    if kind == 1:
        return str(rng.randint(lo, hi))
    if kind == 2:
        a = rng.randint(lo, hi)
        return "%d-%d" % (a, rng.randint(a, hi))
    if kind == 3 and star_ok:
        return "*/%d" % rng.randint(2, max(2, (hi - lo) // 2))
    if kind == 4:
        a = rng.randint(lo, hi)
        return "%d-%d/%d" % (a, rng.randint(a, hi), rng.randint(1, 4))
    return ",".join(str(v) for v in sorted(rng.sample(range(lo, hi + 1), rng.randint(2, 4))))


def expression():
    minute, hour, month = field(0, 59), field(0, 23), field(1, 12)
    dom, dow = field(1, 28), field(0, 6)
    # "*/N" counts as unrestricted for cronie (and leura) but restricted for croniter: keep
    # the day fields out of that corner, where the two crons read the same text differently.
    if dom.startswith("*/"):
        dow = "*"
    if dow.startswith("*/"):
        dom = "*"
    # croniter also reads a day field that lists every value ("0-6") as "*"; cronie does not.
    expanded = croniter.expand(" ".join([minute, hour, dom, month, dow]))[0]
    if expanded[4] == ["*"]:
        dow = "*"
    if expanded[2] == ["*"]:
        dom = "*"
    return " ".join([minute, hour, dom, month, dow])


def croniter_part():
    compared = 0
    for _ in range(CASES):
        expr = expression()
        base = rng.randint(epoch("2024-01-01T00:00:00Z"), epoch("2030-12-31T00:00:00Z"))
        it = croniter(expr, dt.datetime.fromtimestamp(base, UTC))
        want = [int(it.get_next(dt.datetime).timestamp()) for _ in range(50)]
        got = [epoch(f["utc"]) for f in leura_next(expr, base, 50)]
        if got != want:
            for i, (g, w) in enumerate(zip(got, want)):
                if g != w:
                    raise SystemExit("croniter disagrees on %r from %d at fire %d: leura %s, "
                                     "croniter %s" % (expr, base, i + 1,
                                                      dt.datetime.fromtimestamp(g, UTC),
                                                      dt.datetime.fromtimestamp(w, UTC)))
            raise SystemExit("croniter disagrees on %r: %d vs %d fires" %
                             (expr, len(got), len(want)))
        compared += len(want)
    return compared


def systemd_fires(spec, base, count):
    out = subprocess.run(
        ["systemd-analyze", "calendar", "--base-time=@%d" % base, "--iterations=%d" % count,
         spec], capture_output=True, text=True, env=dict(env, TZ="UTC"), timeout=60)
    if out.returncode != 0:
        raise SystemExit("systemd-analyze failed on %r: %s" % (spec, out.stderr.strip()))
    fires = []
    for line in out.stdout.splitlines():
        line = line.strip()
        if line.startswith("Next elapse:") or line.startswith("Iter. #"):
            when = line.split(":", 1)[1].strip()  # "Mon 2026-03-09 06:30:00 UTC"
            fires.append(int(dt.datetime.strptime(when, "%a %Y-%m-%d %H:%M:%S UTC")
                             .replace(tzinfo=UTC).timestamp()))
    return fires


def systemd_part():
    days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    zones = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe"]
    times = [(0, 0), (1, 30), (1, 45), (2, 0), (2, 15), (2, 30), (2, 59), (3, 0), (3, 30),
             (12, 0), (23, 59)]
    compared = shifted = 0
    base = epoch("2026-01-01T00:00:00Z")
    for zone in zones:
        for hour, minute in times:
            for dow in [None, rng.randrange(7)]:
                expr = "%d %d * * %s" % (minute, hour, "*" if dow is None else dow)
                spec = "%s*-*-* %02d:%02d:00 %s" % (
                    "" if dow is None else days[dow] + " ", hour, minute, zone)
                count = 400 if dow is None else 60
                ours = leura_next(expr, base, count, zone)
                theirs = systemd_fires(spec, base, count)
                end = min(epoch(ours[-1]["utc"]), theirs[-1])
                mine = {epoch(f["utc"]): f for f in ours if epoch(f["utc"]) <= end}
                theirs = set(t for t in theirs if t <= end)
                for t in sorted(set(mine) ^ theirs):
                    f = mine.get(t)
                    day = t // 86400
                    same_day_systemd = [x for x in theirs if abs(x - t) < 86400 and
                                        x // 86400 in (day - 1, day, day + 1)]
                    if f is None or not f["shifted"] or any(
                            abs(x - t) < 3 * 3600 for x in same_day_systemd):
                        raise SystemExit("systemd disagrees on %r in %s at %s: leura %s, "
                                         "systemd %s" % (expr, zone, dt.datetime.fromtimestamp(
                                             t, UTC), json.dumps(f),
                                             "fires" if t in theirs else "does not fire"))
                    shifted += 1
                compared += len(theirs)
    return compared, shifted


n = croniter_part()
print("croniter: %d expressions, %d fires, all equal" % (CASES, n))
m, gaps = systemd_part()
print("systemd-analyze: %d fires equal; %d gap fires leura shifts where systemd skips "
      "(the documented difference)" % (m, gaps))
