#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Roles the end-to-end tests run inside their network namespaces. Each
prints one JSON line with its result. Every role is bounded in packets
and seconds, and talks only to the addresses it is given (192.0.2.0/24,
198.51.100.0/24, 2001:db8::/32 in the tests).

  server ADDR4 ADDR6            TCP 80 (HTTP-ish) and UDP 53 (echo), v4+v6
  legit DST N INTERVAL [SRC|-] [TIMEOUT]   N paced connections: connect,
                                GET, reply, each within TIMEOUT (3 s);
                                and how many lost nothing
  probe DST PORT [TIMEOUT [SRC]]  one TCP connect: ok / refused / timeout
  udp DST PORT [TIMEOUT]        one UDP query: reply / refused / timeout
  hold DST PORT SECONDS         one idle connection, or a busy one (busy)
  listen ADDR PORT SECONDS      accept connections for a while
  synflood IFACE DSTMAC DST COUNT SECONDS   spoofed SYNs, random sources
  synblast IFACE DSTMAC DST SECONDS         the same, unpaced, for SECONDS
  fragflood IFACE DSTMAC DST RATE COUNT SECONDS   IPv6 fragments, three kinds
  exhaust DST SRC COUNT SECONDS real connections held idle, topped up
"""

import asyncio
import errno
import json
import os
import random
import resource
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def raise_nofile():
    """As many descriptors as the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def out(d):
    print(json.dumps(d), flush=True)


def fam(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def server(a4, a6):
    raise_nofile()

    async def handle(reader, writer):
        try:
            line = await reader.readline()
            if line.startswith(b"GET"):
                body = b"hello from spillway's server side\n"
                writer.write(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n"
                             % len(body) + body)
                await writer.drain()
            elif line:
                # Hold on (an attacker's idle connection sends nothing).
                await reader.read()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    class Udp(asyncio.DatagramProtocol):
        def connection_made(self, t):
            self.t = t

        def datagram_received(self, data, addr):
            self.t.sendto(b"answer:" + data, addr)

    async def main():
        loop = asyncio.get_running_loop()
        srv = []
        for a in (a4, a6):
            srv.append(await asyncio.start_server(handle, a, 80, backlog=4096))
            await loop.create_datagram_endpoint(Udp, local_addr=(a, 53))
        out({"role": "server", "ready": True})
        await asyncio.sleep(3600)

    asyncio.run(main())


def retransmits(s):
    """tcpi_total_retrans of a TCP socket: segments (SYN included) it
    sent again because no answer came, i.e. packets lost on the way."""
    info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    return struct.unpack_from("I", info, 100)[0] if len(info) >= 104 else 0


def one_connection(dst, src=None, timeout=3.0):
    """connect + request + response; returns (seconds or None, the
    segments retransmitted). The deadline is generous so that a slow,
    shared CPU is not taken for loss; loss shows as retransmissions."""
    t0 = time.monotonic()
    s = socket.socket(fam(dst), socket.SOCK_STREAM)
    s.settimeout(timeout)
    data = b""
    try:
        if src:
            s.bind((src, 0))
        s.connect((dst, 80))
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        while not data.endswith(b"\n") or b"hello" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
            if time.monotonic() - t0 > timeout:
                break
    except OSError:
        pass
    try:
        rtx = retransmits(s)
    except OSError:
        rtx = 0
    s.close()
    dt = time.monotonic() - t0
    return (dt if b"200 OK" in data and dt <= timeout else None), rtx


def legit(dst, n, interval, src=None, timeout=3.0):
    """n paced connections. "ok": completed within the deadline;
    "clean": completed with no segment sent twice (nothing lost)."""
    ok, clean, lat, when = 0, 0, [], []
    start = time.monotonic()
    for i in range(n):
        due = start + i * interval
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        t = time.monotonic() - start
        dt, rtx = one_connection(dst, src, timeout)
        when.append((t, dt is not None))
        if dt is not None:
            ok += 1
            clean += rtx == 0
            lat.append(dt)
    lat.sort()
    # Recovered: the start of the first run of 10 successes in a row.
    recover = None
    for i in range(len(when)):
        if all(w[1] for w in when[i:i + 10]) and len(when[i:i + 10]) == 10:
            recover = round(when[i][0], 1)
            break
    out({"role": "legit", "tried": n, "ok": ok, "clean": clean,
         "recover_s": recover,
         "seconds": round(time.monotonic() - start, 1),
         "p50_ms": round(1000 * lat[len(lat) // 2], 1) if lat else None,
         "max_ms": round(1000 * lat[-1], 1) if lat else None})


def probe(dst, port, timeout=2.0, src=None):
    t0 = time.monotonic()
    s = socket.socket(fam(dst), socket.SOCK_STREAM)
    s.settimeout(timeout)
    if src:
        s.bind((src, 0))
    try:
        s.connect((dst, port))
        r = "ok"
    except ConnectionRefusedError:
        r = "refused"
    except socket.timeout:
        r = "timeout"
    except OSError as e:
        r = "error:%s" % e.errno
    finally:
        s.close()
    out({"role": "probe", "port": port, "result": r,
         "ms": round(1000 * (time.monotonic() - t0), 1)})


# As large as a DNS query with EDNS: a reject's ICMP error is never
# longer than the packet it answers, and must quote the IP header and
# 8 bytes, so UDP needs 28 bytes of payload (IPv4), 48 (IPv6) to get one.
QUERY = b"query" + b"." * 59


def udp(dst, port, timeout=2.0):
    t0 = time.monotonic()
    s = socket.socket(fam(dst), socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.connect((dst, port))
        s.send(QUERY)
        data = s.recv(512)
        r = "reply" if data == b"answer:" + QUERY else "bad"
    except ConnectionRefusedError:
        r = "refused"
    except socket.timeout:
        r = "timeout"
    finally:
        s.close()
    out({"role": "udp", "port": port, "result": r,
         "ms": round(1000 * (time.monotonic() - t0), 1)})


def hold(dst, port, seconds, busy=False):
    s = socket.create_connection((dst, port), timeout=2)
    out({"role": "hold", "local": s.getsockname()[1], "ready": True})
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if busy:
            try:
                s.send(b"x")
            except OSError:
                break
        time.sleep(0.2)
    s.close()


def listen(addr, port, seconds):
    s = socket.socket(fam(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(16)
    s.settimeout(seconds)
    out({"role": "listen", "ready": True})
    n = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            c, _ = s.accept()
            n += 1
            c.close()
        except socket.timeout:
            break
    out({"role": "listen", "accepted": n})


def syn_template(iface, dstmac, dst):
    """Spoofed SYNs to dst:80 as raw Ethernet frames (no route or ARP is
    consulted): a template whose source, port, sequence and IP id vary.
    The packet builder (scapy) is imported here only: the other roles
    start without it."""
    from pylib.packets import tcp_template
    srcmac = open("/sys/class/net/%s/address" % iface).read().strip()
    return tcp_template("198.51.100.1", dst, 1024, 80, "S", (dstmac, srcmac))


def spoofed_syn(t):
    """A SYN from a random source in 198.51.100.0/24, a random port."""
    return t.make(src=bytes([198, 51, 100, random.randint(1, 254)]),
                  sport=random.randint(1024, 65535), seq=random.getrandbits(32),
                  ident=random.getrandbits(16))


def synflood(iface, dstmac, dst, count, seconds):
    """SYNs from random spoofed sources in 198.51.100.0/24, random ports,
    paced to count in seconds."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    t = syn_template(iface, dstmac, dst)
    rate = count / seconds
    start = time.monotonic()
    sent = 0
    while sent < count and time.monotonic() - start < seconds + 5:
        try:
            s.send(spoofed_syn(t))
        except BlockingIOError:
            # The veth's queue is full (a loaded machine): wait a little.
            time.sleep(0.001)
            continue
        except OSError as e:
            if e.errno != errno.ENOBUFS:
                raise
            time.sleep(0.001)
            continue
        sent += 1
        due = start + sent / rate
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
    out({"role": "synflood", "sent": sent,
         "seconds": round(time.monotonic() - start, 2)})


def synblast(iface, dstmac, dst, seconds):
    """synflood at full speed: 65,536 SYNs from random sources in
    198.51.100.0/24 built first, then sent round and round for SECONDS
    as fast as one core sends them."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    t = syn_template(iface, dstmac, dst)
    frames = [spoofed_syn(t) for _ in range(65536)]
    out({"role": "synblast", "ready": True})
    send, sent = s.send, 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for f in frames[:4096]:
            try:
                send(f)
            except BlockingIOError:
                pass
        sent += 4096
        frames = frames[4096:] + frames[:4096]
    out({"role": "synblast", "sent": sent, "seconds": seconds})


def fragflood(iface, dstmac, dst, rate, count, seconds):
    """IPv6 fragments to dst, `rate` a second, `count` or `seconds` at
    most, from a seeded generator: 60 % first fragments the policy drops
    (spoofed from 2001:db8:bad::/64, to UDP 9999), 20 % first fragments
    it accepts (from 2001:db8::100, to UDP 53: held to
    fragments.per_source), 20 % later fragments of nothing."""
    from pylib.packets import UDP, Ether, IPv6, IPv6ExtHdrFragment, Raw, Template
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    e = Ether(dst=dstmac, src=open("/sys/class/net/%s/address" % iface).read().strip())
    frag = lambda src, off, payload: Template(
        e / IPv6(src=src, dst=dst) / IPv6ExtHdrFragment(nh=17, offset=off, m=1) / payload,
        l4_checksum=False)
    drop = frag("2001:db8:bad::1", 0, UDP(dport=9999, len=1000, chksum=0x1234) / Raw(b"d" * 56))
    accept = frag("2001:db8::100", 0, UDP(dport=53, len=1000, chksum=0x1234) / Raw(b"a" * 56))
    later = frag("2001:db8:bad::1", 1, Raw(b"l" * 64))
    rnd = random.Random(1)
    sent, start = 0, time.monotonic()
    while sent < count and time.monotonic() - start < seconds:
        batch = []
        for _ in range(50):
            kind = rnd.random()
            ident = rnd.getrandbits(32)
            spoof = "2001:db8:bad::%x" % rnd.randrange(1, 65535)
            if kind < 0.6:
                batch.append(drop.make(src=spoof, ident=ident, sport=rnd.getrandbits(16)))
            elif kind < 0.8:
                batch.append(accept.make(ident=ident, sport=rnd.getrandbits(16)))
            else:
                batch.append(later.make(src=spoof, ident=ident,
                                        frag_offset=8 * rnd.randrange(1, 100)))
        for f in batch:
            s.send(f)
        sent += len(batch)
        ahead = sent / rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
    out({"role": "fragflood", "sent": sent})


def exhaust(dst, src, count, seconds):
    """Hold `count` real, idle connections from src; reopen any that
    close, until `seconds` pass. One handshake at a time: each completes
    before the next SYN, so every connection a firewall tracks is
    assured (none is half-open for early drop to take back) and, past
    its table's size, the rest must be handled some other way. A
    connect not done within 2 s is given up and opened again.
    "peak" is the most connections that were established (handshake
    completed: writable, SO_ERROR 0) at once, not sockets merely opened:
    a connect in progress (its SYN perhaps dropped) holds nothing on the
    firewall's far side."""
    raise_nofile()
    conns = {}		# fd -> socket
    up = set()		# fds whose handshake completed
    since = {}		# fd -> when its connect began (until up)
    opened = failed = refused = gave_up = 0
    end = time.monotonic() + seconds
    poll = select.poll()

    def open_one():
        nonlocal opened, failed
        s = socket.socket(fam(dst), socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind((src, 0))
        try:
            s.connect((dst, 80))
        except BlockingIOError:
            pass
        except OSError:
            failed += 1
            s.close()
            return
        conns[s.fileno()] = s
        since[s.fileno()] = time.monotonic()
        poll.register(s, select.POLLOUT | select.POLLERR | select.POLLHUP)
        opened += 1

    def drop(fd):
        s = conns.pop(fd)
        up.discard(fd)
        since.pop(fd, None)
        poll.unregister(fd)
        s.close()

    peak = 0
    while time.monotonic() < end:
        if len(conns) < count and not since and failed <= 100000:
            open_one()
        for fd, t in list(since.items()):
            if time.monotonic() - t > 2:
                gave_up += 1
                drop(fd)
        for fd, ev in poll.poll(100):
            s = conns.get(fd)
            if s is None:
                continue
            if fd not in up:
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err == 0 and ev & select.POLLOUT:
                    up.add(fd)
                    since.pop(fd, None)
                    # From now on only the peer closing wakes us.
                    poll.modify(fd, select.POLLIN | select.POLLERR |
                                select.POLLHUP)
                elif err != 0 or ev & (select.POLLERR | select.POLLHUP):
                    refused += 1
                    drop(fd)
            else:
                drop(fd)	# the server closed it (or reset it): reopen
        peak = max(peak, len(up))
    for s in conns.values():
        s.close()
    out({"role": "exhaust", "opened": opened, "failed": failed,
         "refused": refused, "gave_up": gave_up, "peak": peak,
         "held_at_end": len(up)})


def main():
    role, args = sys.argv[1], sys.argv[2:]
    if role == "server":
        server(args[0], args[1])
    elif role == "legit":
        legit(args[0], int(args[1]), float(args[2]),
              args[3] if len(args) > 3 and args[3] != "-" else None,
              float(args[4]) if len(args) > 4 else 3.0)
    elif role == "probe":
        probe(args[0], int(args[1]), float(args[2]) if len(args) > 2 else 2.0,
              args[3] if len(args) > 3 else None)
    elif role == "udp":
        udp(args[0], int(args[1]), float(args[2]) if len(args) > 2 else 2.0)
    elif role == "hold":
        hold(args[0], int(args[1]), float(args[2]),
             len(args) > 3 and args[3] == "busy")
    elif role == "listen":
        listen(args[0], int(args[1]), float(args[2]))
    elif role == "synflood":
        synflood(args[0], args[1], args[2], int(args[3]), float(args[4]))
    elif role == "synblast":
        synblast(args[0], args[1], args[2], float(args[3]))
    elif role == "fragflood":
        fragflood(args[0], args[1], args[2], int(args[3]), int(args[4]), float(args[5]))
    elif role == "exhaust":
        exhaust(args[0], args[1], int(args[2]), float(args[3]))
    else:
        sys.exit("unknown role " + role)


if __name__ == "__main__":
    main()
