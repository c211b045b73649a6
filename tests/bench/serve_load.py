#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# The load of tests/bench/serve.sh: URL TOKEN RATE SECONDS IDLE HOSTS [POST_RATE]. Idle: GET /v1/runs at
# RATE for SECONDS/2 on a quiet server. Busy: IDLE event streams held open, a run on every
# host started (the fleet task), then GET /v1/runs at RATE and POST /v1/runs (one-host tasks in
# turn, `-t` one host) at POST_RATE (default RATE/10) for SECONDS. Prints p50/p99 per kind.
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse

url, token, rate, seconds, idle, hosts = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
post_rate = int(sys.argv[7]) if len(sys.argv) > 7 else max(1, rate // 10)
u = urllib.parse.urlparse(url)
auth = {"Authorization": "Bearer " + token}


def request(method, path, body=None):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    headers = dict(auth)
    if body is not None:
        headers["Content-Type"] = "application/json"
    t0 = time.monotonic()
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, time.monotonic() - t0, data


def paced(kind, fn, n, results, per_second=None):
    per_second = per_second or rate
    start = time.monotonic()
    threads = []
    for i in range(n):
        delay = start + i / per_second - time.monotonic()
        if delay > 0:
            time.sleep(delay)

        def one():
            try:
                status, took, _ = fn()
                results.append((kind, status, took))
            except Exception as e:  # noqa: BLE001 - a failed request is a result too
                results.append((kind, str(e), 0.0))
        t = threading.Thread(target=one)
        t.start()
        threads.append(t)
    for t in threads:
        t.join()


def report(results, kind):
    took = sorted(t for k, s, t in results if k == kind and s in (200, 202))
    bad = [s for k, s, t in results if k == kind and s not in (200, 202)]
    if not took:
        print(f"{kind}: no successful requests; errors {bad[:5]}")
        return
    if bad:
        print(f"{kind}: errors, first ones: {bad[:3]}")
    p99 = took[min(len(took) - 1, int(len(took) * 0.99))]
    print(f"{kind}: {len(took)} ok, {len(bad)} failed; p50 {statistics.median(took) * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms")


quiet = []
paced("GET /v1/runs (idle server)", lambda: request("GET", "/v1/runs?limit=20"),
      int(rate * seconds / 2), quiet)
report(quiet, "GET /v1/runs (idle server)")

streams = []
for _ in range(idle):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    c.request("GET", "/v1/events", headers=auth)
    streams.append(c)
status, _, body = request("POST", "/v1/runs", {"task": "fleet"})
if status != 202:
    sys.exit(f"the fleet run did not start: {status} {body!r}")
run = json.loads(body)["run"]
busy = []
a = threading.Thread(target=paced, args=("GET /v1/runs", lambda: request("GET", "/v1/runs?limit=20"),
                                          int(rate * seconds), busy))
counter = iter(range(10**9))
b = threading.Thread(target=paced, args=("POST /v1/runs", lambda: request(
    "POST", "/v1/runs", {"task": f"one-{next(counter) % 50}", "targets": "127.0.1.1"}),
    int(post_rate * seconds), busy, post_rate))
a.start()
b.start()
a.join()
b.join()
print(f"while run {run} on {hosts} hosts recorded, with {idle} idle event streams open:")
report(busy, "GET /v1/runs")
report(busy, "POST /v1/runs")
for c in streams:
    c.close()
