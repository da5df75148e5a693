#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Real TCP peers for tests/e2e/realtcp.py, run inside the namespaces.
Each role prints JSON lines. Bounded in bytes and seconds.

  serve ADDR4 ADDR6 PORT     on PORT: "GET n" -> n bytes (a known
                             pattern), then the server closes first;
                             "RESET" -> read until the client resets
  get DST PORT NBYTES [SPORT]  download NBYTES, check every byte
  reset DST PORT             connect, then close with an RST (SO_LINGER 0)
  synsniff SRC SECONDS       count the IPv4 SYNs from SRC arriving on eth0
                             (!SRC: from any source but SRC)
  clilat SOCKET SECONDS      one CLI connection to the unix SOCKET, a
                             "show flowtable" every 100 ms, timed
  echo ADDR PORT SECONDS     echo every byte back, on many connections
  session DST PORT KIND SECONDS [SPORT]  one connection to an echo server
                             that lives across a failover: "active" sends
                             a chunk of the pattern and reads it back, over
                             and over, until "stop" on stdin; "idle" waits
                             for "go" on stdin, then does one exchange.
                             Every byte echoed is checked; a reset, a
                             timeout or a wrong byte is a failure
"""

import hashlib
import json
import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import Cli  # noqa: E402


def out(d):
    print(json.dumps(d), flush=True)


def pattern(n):
    """n bytes anyone can regenerate: the SHA-256 chain of a counter."""
    chunks, i, size = [], 0, 0
    while size < n:
        c = hashlib.sha256(struct.pack("!Q", i)).digest() * 128
        chunks.append(c)
        size += len(c)
        i += 1
    return b"".join(chunks)[:n]


def serve(a4, a6, port):
    def handle(c):
        try:
            c.settimeout(30)
            line = b""
            while not line.endswith(b"\n"):
                d = c.recv(64)
                if not d:
                    return
                line += d
            if line.startswith(b"GET "):
                c.sendall(pattern(int(line.split()[1])))
                c.close()		# the server closes first
            elif line.startswith(b"RESET"):
                while c.recv(4096):
                    pass
        except OSError:
            pass
        finally:
            c.close()

    def listen(addr, fam):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(64)
        while True:
            c, _ = s.accept()
            threading.Thread(target=handle, args=(c,), daemon=True).start()

    for addr, fam in ((a4, socket.AF_INET), (a6, socket.AF_INET6)):
        threading.Thread(target=listen, args=(addr, fam), daemon=True).start()
    out({"role": "serve", "ready": True})
    time.sleep(600)


def get(dst, port, n, sport=0):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    if sport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
    s.settimeout(20)
    t0 = time.monotonic()
    try:
        s.connect((dst, port))
        s.sendall(b"GET %d\n" % n)
        got = []
        while True:
            d = s.recv(1 << 16)
            if not d:
                break
            got.append(d)
    except OSError as e:
        out({"role": "get", "ok": False, "error": str(e)})
        return
    data = b"".join(got)
    s.close()
    out({"role": "get", "ok": data == pattern(n), "bytes": len(data),
         "seconds": round(time.monotonic() - t0, 2)})


def reset(dst, port):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.create_connection((dst, port), timeout=5)
    local = s.getsockname()[1]
    s.sendall(b"RESET\n")
    time.sleep(0.3)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    out({"role": "reset", "ok": True, "local": local, "family": int(fam)})


def synsniff(src, seconds):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    s.bind(("eth0", 0))
    s.settimeout(0.2)
    # "!ADDR": every source but ADDR (a flood from random sources).
    neg = src.startswith("!")
    want = socket.inet_aton(src.lstrip("!"))
    out({"role": "synsniff", "ready": True})
    n, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            f = s.recv(256)
        except socket.timeout:
            continue
        if len(f) >= 34 + 14 and f[23] == 6 and (f[26:30] == want) != neg:
            t = 14 + (f[14] & 15) * 4
            if len(f) > t + 13 and f[t + 13] & 0x12 == 0x02:
                n += 1
    out({"role": "synsniff", "syns": n})


def clilat(path, seconds):
    c = Cli(path, 5)		# the banner read
    out({"role": "clilat", "ready": True})
    lat, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.monotonic()
        c.cmd("show flowtable")
        lat.append(time.monotonic() - t0)
        time.sleep(0.1)
    lat.sort()
    out({"role": "clilat", "n": len(lat),
         "p50_ms": round(lat[len(lat) // 2] * 1000, 1) if lat else None,
         "p99_ms": round(lat[max(0, int(len(lat) * 0.99) - 1)] * 1000, 1) if lat else None,
         "max_ms": round(lat[-1] * 1000, 1) if lat else None})


def echo(addr, port, seconds):
    def handle(c):
        try:
            c.settimeout(seconds)
            while True:
                d = c.recv(1 << 16)
                if not d:
                    break
                c.sendall(d)
        except OSError:
            pass
        finally:
            c.close()

    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    s.settimeout(seconds)
    out({"role": "echo", "ready": True})
    try:
        while True:
            c, _ = s.accept()
            threading.Thread(target=handle, args=(c,), daemon=True).start()
    except OSError:
        pass


def _exchange(s, data):
    """Send data, read as many bytes back; True when they are the same."""
    s.sendall(data)
    got = b""
    while len(got) < len(data):
        d = s.recv(len(data) - len(got))
        if not d:
            raise ConnectionError("closed by the peer after %d bytes" % len(got))
        got += d
    return got == data


def session(dst, port, kind, seconds, sport=0):
    import select
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    if sport:
        s.bind(("0.0.0.0", sport))
    s.settimeout(30)
    data = pattern(1 << 20)
    sent = rounds = 0
    ok, err = True, None
    t0 = time.monotonic()
    try:
        s.connect((dst, port))
        out({"role": "session", "kind": kind, "ready": True, "local": s.getsockname()[1]})
        end = time.monotonic() + seconds
        if kind == "idle":
            r, _, _ = select.select([sys.stdin], [], [], seconds)
            if r:
                sys.stdin.readline()
            chunk = data[:65536]
            ok = _exchange(s, chunk)
            sent, rounds = len(chunk), 1
        else:
            while time.monotonic() < end and ok:
                r, _, _ = select.select([sys.stdin], [], [], 0)
                if r and sys.stdin.readline().strip() == "stop":
                    break
                off = (rounds * 4096) % (len(data) - 4096)
                ok = _exchange(s, data[off:off + 4096])
                sent += 4096
                rounds += 1
                time.sleep(0.01)
        s.shutdown(socket.SHUT_WR)
        if s.recv(1) != b"":
            ok, err = False, "more bytes after the last exchange"
    except OSError as e:
        ok, err = False, "%s: %s" % (type(e).__name__, e)
    finally:
        s.close()
    out({"role": "session", "kind": kind, "ok": ok, "bytes": sent, "rounds": rounds,
         "error": err, "seconds": round(time.monotonic() - t0, 2)})


def main():
    role, a = sys.argv[1], sys.argv[2:]
    if role == "serve":
        serve(a[0], a[1], int(a[2]))
    elif role == "get":
        get(a[0], int(a[1]), int(a[2]), int(a[3]) if len(a) > 3 else 0)
    elif role == "reset":
        reset(a[0], int(a[1]))
    elif role == "synsniff":
        synsniff(a[0], float(a[1]))
    elif role == "clilat":
        clilat(a[0], float(a[1]))
    elif role == "echo":
        echo(a[0], int(a[1]), float(a[2]))
    elif role == "session":
        session(a[0], int(a[1]), a[2], float(a[3]), int(a[4]) if len(a) > 4 else 0)
    else:
        sys.exit("unknown role " + role)


if __name__ == "__main__":
    main()
