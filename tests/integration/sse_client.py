#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Server-Sent Events over `leura serve`'s Unix socket, for the integration tests.

  sse_client.py SOCKET follow PATH OUT [--after ID] [--stop-after N]
      Reads PATH's stream and appends each event to OUT as one line "ID<TAB>DATA"; with
      --after, asks to resume after that id (Last-Event-ID); with --stop-after, hangs up after
      N events (else reads until the server ends the stream). Exits 0 once done.
  sse_client.py SOCKET idle PATH N READY
      Opens N streams on PATH and keeps them open, reading nothing but their heads; writes
      READY (the number open) once all N answered 200, then waits until stdin closes.
Bounded: every read has a 60 s timeout.
"""
import socket
import sys


def connect(path, target, headers=()):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect(path)
    head = f"GET {target} HTTP/1.1\r\nHost: leura\r\nAccept: text/event-stream\r\n"
    for h in headers:
        head += h + "\r\n"
    s.sendall((head + "\r\n").encode())
    return s


def read_head(f):
    status = f.readline().decode()
    if " 200 " not in status:
        sys.exit(f"sse_client: {status.strip()!r}")
    while f.readline() not in (b"\r\n", b"\n", b""):
        pass


def follow(path, target, out, after, stop_after):
    s = connect(path, target, [f"Last-Event-ID: {after}"] if after else [])
    f = s.makefile("rb")
    read_head(f)
    seen, event_id, data = 0, None, None
    with open(out, "a") as o:
        for raw in f:
            line = raw.decode().rstrip("\r\n")
            if line.startswith("id: "):
                event_id = line[4:]
            elif line.startswith("data: "):
                data = line[6:]
            elif line == "" and data is not None:
                o.write(f"{event_id}\t{data}\n")
                o.flush()
                seen += 1
                event_id, data = None, None
                if stop_after and seen >= stop_after:
                    break
    s.close()


def idle(path, target, n, ready):
    streams = []
    for _ in range(n):
        s = connect(path, target)
        f = s.makefile("rb")
        read_head(f)
        streams.append((s, f))
    with open(ready, "w") as r:
        r.write(f"{len(streams)}\n")
    sys.stdin.read()
    for s, _ in streams:
        s.close()


def main():
    sock, mode = sys.argv[1], sys.argv[2]
    if mode == "follow":
        args = sys.argv[3:]
        after = stop = None
        if "--after" in args:
            after = args[args.index("--after") + 1]
        if "--stop-after" in args:
            stop = int(args[args.index("--stop-after") + 1])
        follow(sock, args[0], args[1], after, stop)
    elif mode == "idle":
        idle(sock, sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
