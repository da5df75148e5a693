#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""The attacker's roles for tests/e2e/attacks.py, run inside the client's
namespace: raw Ethernet frames on eth0 addressed to the server's MAC
(spillway is a bump in the wire), built by hand for speed, and the legit
client roles the attacks are judged by. Each role prints one JSON line.
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

IFACE = "eth0"


def out(d):
    print(json.dumps(d), flush=True)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def raw_socket():
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    # Room for every answer to a burst: the SYN proxy answers 3,000
    # SYNs as fast as they come, before the attacker starts reading.
    s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)	# SO_RCVBUFFORCE
    s.bind((IFACE, 0))
    return s


def eth(dstmac, proto=0x0800):
    src = open("/sys/class/net/%s/address" % IFACE).read().strip()
    return bytes.fromhex(dstmac.replace(":", "")) + \
        bytes.fromhex(src.replace(":", "")) + struct.pack("!H", proto)


def tcp4(src, dst, sport, dport, seq, ack, flags, bad_csum=False, win=64240):
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                      win, 0, 0)
    c = csum(s + d + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    if bad_csum:
        c ^= 0x5a5a
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp),
                     random.getrandbits(16), 0, 64, 6, 0, s, d)
    return ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + tcp


def tcp6(src, dst, sport, dport, seq, ack, flags):
    s, d = socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                      64240, 0, 0)
    c = csum(s + d + struct.pack("!IxxxB", len(tcp), 6) + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!IHBB16s16s", 6 << 28, len(tcp), 6, 64, s, d)
    return ip + tcp


def blindack(dstmac, dst, n):
    """Attack (a): spoofed SYNs, then an ACK for each SYN/ACK seen."""
    s = raw_socket()
    s.settimeout(0.05)
    e = eth(dstmac)
    sent = {}
    for i in range(n):
        src = "198.51.100.%d" % random.randint(1, 254)
        sport = random.randint(1024, 65535)
        seq = random.getrandbits(32)
        sent[(src, sport)] = seq
        s.send(e + tcp4(src, dst, sport, 80, seq, 0, 0x02))
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
            s.send(e + tcp4(cdst, dst, cport, 80, seq,
                            (srv_isn + 1 + random.randint(1000, 1 << 30)) & 0xffffffff, 0x10))
            acks["wrong"] += 1
        else:
            # The right numbers, a bad checksum: the server drops it.
            s.send(e + tcp4(cdst, dst, cport, 80, seq, (srv_isn + 1) & 0xffffffff,
                            0x10, bad_csum=True))
            acks["badsum"] += 1
    out({"role": "blindack", "syns": n, "synacks": len(seen), **acks})


def rsts(dstmac, src, sport, dst, n):
    """Attack (b): blind RSTs with the right tuple, random numbers."""
    s = raw_socket()
    e = eth(dstmac)
    for i in range(n):
        s.send(e + tcp4(src, dst, sport, 80, random.getrandbits(32), 0, 0x04))
        if i % 256 == 255:
            time.sleep(0.005)
    # The same, claiming to come from the server: the wrong side.
    for i in range(n // 64):
        s.send(e + tcp4(dst, src, 80, sport, random.getrandbits(32), 0, 0x04))
        if i % 256 == 255:
            time.sleep(0.005)
    out({"role": "rsts", "sent": n, "wrong_side": n // 64})


def frames(dstmac, path):
    s = raw_socket()
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
    c = socket.inet_pton(socket.AF_INET6, src6)
    d = socket.inet_pton(socket.AF_INET6, dst6)
    target = crc32c(key6(c, d, sport, 80))
    s = raw_socket()
    e = eth(dstmac, 0x86dd)
    keys = 0
    for i in range(n):
        a = bytes.fromhex("20010db8ffff") + os.urandom(10)
        ap = random.randint(1024, 65535)
        base = key6(d, a, 80, ap)	# the server's address is lower
        k = solve_tail(base, target)
        a = k[16:32]
        assert a[:6] == bytes.fromhex("20010db8ffff")
        s.send(e + tcp6(socket.inet_ntop(socket.AF_INET6, a), dst6, ap, 80,
                        random.getrandbits(32), 0, 0x02))
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
