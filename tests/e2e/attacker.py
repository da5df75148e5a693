#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""The attacker's roles for tests/e2e/attacks.py, run inside the client's
namespace: raw Ethernet frames on eth0 addressed to the server's MAC
(spillway is a bump in the wire), built by tests/pylib/packets.py
(templates, for speed), and the legit client roles the attacks are
judged by. Each role prints one JSON line.
Bounded in packets and seconds; sources only in 198.51.100.0/24 and
2001:db8::/32, destinations only the test's own hosts.

  blindack DSTMAC DST N         N spoofed SYNs to DST:80; each SYN/ACK the
                                server sends back is answered with an
                                ACK: half with a wrong number, half with
                                the right number and a bad checksum
  rsts DSTMAC SRC SPORT DST N   N RSTs "from" SRC:SPORT to DST:80 with
                                random sequence numbers, and N/64 more
                                claiming to come from DST (wrong side)
  frames DSTMAC HEXFILE         send the frames of a file (one hex a line)
  collide DSTMAC SRC6 SPORT DST6 N   N SYNs from 2001:db8:ffff::/48 whose
                                keys share the CRC32C of the key of
                                SRC6:SPORT -> DST6:80 (the landed hash)
  talk DST SPORT IDLE           connect from SPORT, wait IDLE seconds
                                idle, then GET: ok or not
"""

import json
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib.netns import raw_socket  # noqa: E402

IFACE = "eth0"


def out(d):
    print(json.dumps(d), flush=True)


def mac(dstmac):
    """(dstmac, this namespace's eth0): spillway is a bump in the wire."""
    return dstmac, open("/sys/class/net/%s/address" % IFACE).read().strip()


def tcp_template(dstmac, src, dst, sport, dport, flags):
    """TCP segments src -> dst whose ports, numbers and IP id vary, built
    fast enough for tens of thousands. The packet builder (scapy) is
    imported where frames are built: talk starts without it."""
    from pylib.packets import tcp_template
    return tcp_template(src, dst, sport, dport, flags, mac(dstmac))


def blindack(dstmac, dst, n):
    """Attack (a): spoofed SYNs, then an ACK for each SYN/ACK seen."""
    s = raw_socket(IFACE)
    s.settimeout(0.05)
    syn = tcp_template(dstmac, "198.51.100.1", dst, 1024, 80, "S")
    ack = tcp_template(dstmac, "198.51.100.1", dst, 1024, 80, "A")
    sent = {}
    for i in range(n):
        src = "198.51.100.%d" % random.randint(1, 254)
        sport = random.randint(1024, 65535)
        seq = random.getrandbits(32)
        sent[(src, sport)] = seq
        s.send(syn.make(src=src, sport=sport, seq=seq, ident=random.getrandbits(16)))
        if i % 50 == 49:
            time.sleep(0.01)
    # The server's SYN/ACKs cross spillway and arrive here (the spoofed
    # sources are routed via the client): answer each one once.
    acks = {"wrong": 0, "badsum": 0}
    seen = set()
    end = time.monotonic() + 3
    while time.monotonic() < end:
        try:
            f = s.recv(2048)
        except socket.timeout:
            continue
        if len(f) < 54 or f[12:14] != b"\x08\x00" or f[23] != 6:
            continue
        ihl = (f[14] & 15) * 4
        t = 14 + ihl
        if f[t + 13] & 0x12 != 0x12:
            continue
        cdst = socket.inet_ntoa(f[30:34])
        cport = struct.unpack("!H", f[t + 2:t + 4])[0]
        if (cdst, cport) not in sent or (cdst, cport) in seen:
            continue
        seen.add((cdst, cport))
        if len(seen) % 50 == 0:
            time.sleep(0.01)	# paced, as the SYNs were
        srv_isn = struct.unpack("!I", f[t + 4:t + 8])[0]
        seq = sent[(cdst, cport)] + 1
        if len(seen) % 2:
            # Off-path: the right tuple, a wrong acknowledgement.
            s.send(ack.make(src=cdst, sport=cport, seq=seq,
                            ack=srv_isn + 1 + random.randint(1000, 1 << 30),
                            ident=random.getrandbits(16)))
            acks["wrong"] += 1
        else:
            # The right numbers, a bad checksum: the server drops it.
            s.send(ack.make(src=cdst, sport=cport, seq=seq, ack=srv_isn + 1,
                            ident=random.getrandbits(16), bad_checksum=True))
            acks["badsum"] += 1
    out({"role": "blindack", "syns": n, "synacks": len(seen), **acks})


def rsts(dstmac, src, sport, dst, n):
    """Attack (b): blind RSTs with the right tuple, random numbers."""
    s = raw_socket(IFACE)
    rst = tcp_template(dstmac, src, dst, sport, 80, "R")
    for i in range(n):
        s.send(rst.make(seq=random.getrandbits(32), ident=random.getrandbits(16)))
        if i % 256 == 255:
            time.sleep(0.005)
    # The same, claiming to come from the server: the wrong side.
    rst = tcp_template(dstmac, dst, src, 80, sport, "R")
    for i in range(n // 64):
        s.send(rst.make(seq=random.getrandbits(32), ident=random.getrandbits(16)))
        if i % 256 == 255:
            time.sleep(0.005)
    out({"role": "rsts", "sent": n, "wrong_side": n // 64})


def frames(dstmac, path):
    s = raw_socket(IFACE)
    n = 0
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                s.send(bytes.fromhex(line))
                n += 1
                if n % 64 == 0:
                    time.sleep(0.002)
    out({"role": "frames", "sent": n})


# ---- the CRC32C collision set (attack (c)) ----

def crc32c(data, crc=0):
    """rte_hash_crc: CRC-32C, reflected, no final xor, init as given."""
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc


def key6(a, b, pa, pb, proto=6, zone=0):
    """spillway's canonical flow key: lower endpoint first, 40 bytes."""
    if (a, pa) > (b, pb):
        a, b, pa, pb = b, a, pb, pa
    return a + b + struct.pack("!HHBBH", pa, pb, proto, 6, zone)


def solve_tail(base, target):
    """Change the last 4 bytes of the higher address (key bytes 28..31)
    so that crc32c(key) == target. CRC is linear: solve over GF(2)."""
    cols = []
    for bit in range(32):
        d = bytearray(40)
        d[28 + bit // 8] = 1 << (bit % 8)
        cols.append(crc32c(bytes(d)))
    want = crc32c(base) ^ target
    # Gaussian elimination on 32 equations (bits of the CRC).
    rows = []
    for r in range(32):
        v = 0
        for bit in range(32):
            if cols[bit] >> r & 1:
                v |= 1 << bit
        rows.append([v, want >> r & 1])
    sol, piv = 0, []
    for c in range(32):
        p = next((i for i in range(len(piv), 32) if rows[i][0] >> c & 1), None)
        if p is None:
            continue
        rows[len(piv)], rows[p] = rows[p], rows[len(piv)]
        for i in range(32):
            if i != len(piv) and rows[i][0] >> c & 1:
                rows[i][0] ^= rows[len(piv)][0]
                rows[i][1] ^= rows[len(piv)][1]
        piv.append(c)
    for i, c in enumerate(piv):
        if rows[i][1]:
            sol |= 1 << c
    k = bytearray(base)
    for bit in range(32):
        if sol >> bit & 1:
            k[28 + bit // 8] ^= 1 << (bit % 8)
    assert crc32c(bytes(k)) == target
    return bytes(k)


def collide(dstmac, src6, sport, dst6, n):
    from pylib.packets import tcp
    c = socket.inet_pton(socket.AF_INET6, src6)
    d = socket.inet_pton(socket.AF_INET6, dst6)
    target = crc32c(key6(c, d, sport, 80))
    s = raw_socket(IFACE)
    keys = 0
    for i in range(n):
        a = bytes.fromhex("20010db8ffff") + os.urandom(10)
        ap = random.randint(1024, 65535)
        base = key6(d, a, 80, ap)	# the server's address is lower
        k = solve_tail(base, target)
        a = k[16:32]
        assert a[:6] == bytes.fromhex("20010db8ffff")
        s.send(tcp(socket.inet_ntop(socket.AF_INET6, a), dst6, ap, 80,
                   random.getrandbits(32), 0, 0x02, mac=mac(dstmac)))
        keys += 1
    out({"role": "collide", "sent": keys, "crc": "%08x" % target})


def talk(dst, sport, idle):
    """A connection from a known port: idle, then a request."""
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
    s.settimeout(3)
    try:
        s.connect((dst, 80))
    except OSError as e:
        out({"role": "talk", "ok": False, "error": str(e)})
        return
    out({"role": "talk", "local": s.getsockname()[1], "ready": True})
    time.sleep(idle)
    try:
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = s.recv(4096)
        ok = data.startswith(b"HTTP/1.0 200")
    except OSError as e:
        out({"role": "talk", "ok": False, "error": str(e)})
        return
    out({"role": "talk", "ok": ok})


def main():
    role, a = sys.argv[1], sys.argv[2:]
    if role == "blindack":
        blindack(a[0], a[1], int(a[2]))
    elif role == "rsts":
        rsts(a[0], a[1], int(a[2]), a[3], int(a[4]))
    elif role == "frames":
        frames(a[0], a[1])
    elif role == "collide":
        collide(a[0], a[1], int(a[2]), a[3], int(a[4]))
    elif role == "talk":
        talk(a[0], int(a[1]), float(a[2]))
    else:
        sys.exit("unknown role " + role)


if __name__ == "__main__":
    main()
