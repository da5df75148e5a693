#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""End to end: packets that step around the policy or the state machine,
through the real spillway between network namespaces. Each check is one
attack, played with raw frames from the client's namespace (the outside)
against a real Linux server (a small socket server of this script's in
the server's namespace); what spillway lets out is sniffed on both sides,
its counters read from `show stats json`, its flows from `show flows`.

  1a  a cookie obtained before its source was added to a deny set opens
      nothing once the policy denies that source
  1b  2,000 blind cookie ACKs to a port the policy denies are not checked
      as cookies at all (synproxy_checked stays 0)
  1c  300 bad cookies from one source: at most synproxy_bad_cookies (32)
      are checked, the rest are synproxy_source_limited; another source's
      real handshake through the proxy works meanwhile
  2   SYNs with IPv4 options / an IPv6 destination-options header are
      answered by the proxy with plain-header SYN/ACKs (none reaches the
      server); a handshake completed with a plain ACK works; an IPv6 SYN
      in a first fragment is dropped (synproxy_unfit)
  3a  a handshake's final ACK sent only as a lone IPv6 first fragment does
      not make the flow ESTABLISHED (invalid_frag)
  3b  a 1,200-byte segment in two fragments within an established
      connection (IPv6 on net_af_packet; IPv4 on net_pcap, which does not
      reassemble): the server's ACK passes, the data arrives, the
      connection goes on
  4   a spoofed SYN and exact RST pin the client's tuple in CLOSE (the RST
      resent every second): the client's own SYN with a lower ISN still
      opens it, and so does a real connect() from that port
  5   spoofed sources fill a 64-flow table with assured UDP flows: a new
      TCP connection is tracked by evicting one (early_drops_assured),
      not spilled to the fallback default (drop)
  6   a blind handshake ACK one below the server's ISN + 1: not
      ESTABLISHED, invalid_seq (a regression guard: this holds already)
  7   a cookie used after synproxy_cookie_period = 1 s slices expired
  8   a bad TCP checksum (IPv6 SYN), a bad UDP checksum (IPv4), a bad
      IPv4 header checksum: dropped, bad_checksum (regression guard)

Checks 1c and 7 need flowtable.synproxy_bad_cookies and
flowtable.synproxy_cookie_period: a binary without them refuses that
config and both fail on that.

Topology (tools/netns.sh): client 192.0.2.1 / 2001:db8::1 -- sw-out
[spillway] sw-in -- server 192.0.2.2 / 2001:db8::2. The played clients
are 192.0.2.70-79 and 2001:db8::70-79 (static neighbours on the server
pointing at the client's MAC, so the server's answers cross spillway and
no kernel owns them, so none resets them) and 198.51.100.0/24 (routed back
through the client); the client has the server's MAC as a static
neighbour (check 4 reads its kernel's ISN while no spillway runs). Check
3b's IPv4 half runs on net_pcap ports (iface=): net_af_packet has the
kernel reassemble IPv4 before spillway sees it. Bounded in packets (about 3,000) and seconds (about
a minute); everything it made is removed on exit, whatever happens.

  policy_bypass.py SPILLWAY_BINARY [--only 1a,2,...]"""

import argparse
import os
import random
import re
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import pylib  # noqa: E402
from pylib import (Topology, Wire, attempt, check, groups,  # noqa: E402
                   finish, in_ns, need_root, ports_conf, readline, sh, sleep_until, tmpdir,
                   wait_for)
from pylib import packets  # noqa: E402
from pylib.packets import (ACK, PSH, RST, SYN, SYNACK, Seg, frag_of, is_tcp,  # noqa: E402
                           opt_mss, rnd32, src_of, tcp_frags, tcp_template, udp, unique_port,
                           wellformed)

C4, S4, C6, S6 = Topology.C4, Topology.S4, Topology.C6, Topology.S6
ATT = "198.51.100."
T = None	# the Topology
SW = None	# the running spillway


# ---- the namespaces ----

def topo_up():
    global T
    T = Topology("pb")
    cmac, smac = T.mac(T.cli), T.mac(T.srv)
    # The client knows the server's MAC without asking: check 4 sees its
    # kernel's SYN while no spillway bridges ARP.
    cmds = ["ip -n %s route add %s0/24 via %s" % (T.srv, ATT, C4),
            "ip -n %s neigh replace %s lladdr %s dev eth0 nud permanent" % (T.cli, S4, smac)]
    for i in range(70, 80):
        cmds.append("ip -n %s neigh replace 192.0.2.%d lladdr %s dev eth0 nud permanent"
                    % (T.srv, i, cmac))
        cmds.append("ip -n %s -6 neigh replace 2001:db8::%d lladdr %s dev eth0 "
                    "nud permanent" % (T.srv, i, cmac))
    sh(" && ".join(cmds))


def tcp_talk(dst, dport, src=None, sport=0, payload=b"ping", timeout=3.0):
    """A real Linux connection: connect, send, read the server's "got N".
    Returns (seconds, reply) or (None, error)."""
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    t0 = time.monotonic()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if src or sport:
            s.bind((src or "", sport))
        s.connect((dst, dport))
        s.sendall(payload)
        r = b""
        while not r.endswith(b"\n"):
            x = s.recv(100)
            if not x:
                break
            r += x
        # A reset, not FIN: no TIME_WAIT left on the tuple.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        return time.monotonic() - t0, r
    except OSError as e:
        return None, "%s after %.1f s" % (e, time.monotonic() - t0)
    finally:
        s.close()


# ---- the server (run in the server's namespace: --serve) ----

def serve(addrs, seconds):
    """TCP 80 and 8080: every read is answered "got TOTAL\\n" (bytes the
    connection has received so far); UDP 53: echoed. Ends after `seconds`
    or when the parent goes."""
    import selectors
    sel = selectors.DefaultSelector()
    for a in addrs:
        fam = socket.AF_INET6 if ":" in a else socket.AF_INET
        for port in (80, 8080):
            ls = socket.socket(fam, socket.SOCK_STREAM)
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.bind((a, port))
            ls.listen(128)
            ls.setblocking(False)
            sel.register(ls, selectors.EVENT_READ, "listen")
        us = socket.socket(fam, socket.SOCK_DGRAM)
        us.bind((a, 53))
        sel.register(us, selectors.EVENT_READ, "udp")
    print("ready", flush=True)
    parent = os.getppid()
    end = time.monotonic() + seconds
    while time.monotonic() < end and os.getppid() == parent:
        for key, _ in sel.select(0.5):
            s = key.fileobj
            if key.data == "listen":
                try:
                    c, _ = s.accept()
                except OSError:
                    continue
                c.setblocking(False)
                sel.register(c, selectors.EVENT_READ, [0])
            elif key.data == "udp":
                q, a = s.recvfrom(2048)
                s.sendto(b"answer:" + q, a)
            else:
                try:
                    d = s.recv(65536)
                except OSError:
                    d = b""
                if not d:
                    sel.unregister(s)
                    s.close()
                    continue
                key.data[0] += len(d)
                try:
                    s.send(b"got %d\n" % key.data[0])
                except OSError:
                    pass


OUT = IN = None		# Wire: the client's eth0, the server's eth0


def out_frame(*a, **kw):
    """A TCP frame from the outside (the client's namespace) toward the server."""
    return packets.tcp(*a, mac=(IN.mac, OUT.mac), **kw)


def from_src(src):
    return lambda f: src_of(f) == src


def syns_from(frames, src):
    return [s for s in (Seg(f) for f in frames) if s.ok and s.src == src and
            s.flags & 0x17 == SYN]


# ---- spillway ----

CONF = """
sets = { deny = { family = "ipv4"; elements = ["198.51.100.254/32"]; }; };
flowtable = { max_flows = %(max)d; synproxy = "%(mode)s";%(extra)s };
rules = {
  policy = (
    { in = "outside"; proto = "tcp"; src = "@deny"; action = "drop"; comment = "denied sources"; },
    { in = "outside"; proto = "tcp"; dport = "8080"; action = "accept"; synproxy = true; comment = "proxied"; },
    { in = "outside"; proto = "tcp"; dport = "80"; action = "accept"; comment = "web"; },
    { in = "outside"; proto = "udp"; dport = "53"; action = "accept"; comment = "dns"; } );
  policy_default = "drop";
  fallback_default = "drop";
};
"""
AFP = "net_af_packet%d,iface=%s,framecnt=4096"
PCAP = "net_pcap%d,iface=%s"


class Firewall:
    """One spillway; .ok is False when it did not come up (a config the
    binary refuses: .why says what it said)."""

    def __init__(self, binary, work, run, mode, max_flows=1024, extra="", dev=AFP):
        global SW
        self.run = run
        self.sw = SW = T.spillway(binary, ports_conf(dev % (0, "sw-out"), dev % (1, "sw-in")) +
                                  CONF % {"max": max_flows, "mode": mode, "extra": extra},
                                  "pb-" + run, workdir=work).start()
        self.ok = self.sw.wait_running()
        text = self.sw.output()
        lines = [l for l in text.splitlines() if "spillway" in l or "rror" in l]
        self.why = (lines[-1] if lines else text[-300:]).strip()
        print("   spillway %s (synproxy %s%s): %s" % (
            run, mode, extra, "running" if self.ok else "refused: " + self.why), flush=True)

    def stop(self):
        rc, _ = self.sw.stop(timeout=20)
        if rc not in (0, None) and self.ok:
            print("   spillway %s exited %s:\n%s" % (self.run, rc, self.sw.output()[-2000:]))
        return rc


def delta(s0, s1, name):
    """How much counter `name` moved; None when this binary has no such
    counter."""
    if name not in s0 or name not in s1:
        return None
    return s1[name] - s0[name]


def tuple_re(src, sport, dst, dport):
    return r"src=%s dst=%s sport=%d dport=%d " % (re.escape(src), re.escape(dst),
                                                   sport, dport)


def state_of(fl):
    m = re.search(r"\b(NONE|SYN_SENT2?|SYN_RECV|ESTABLISHED|FIN_WAIT|CLOSE_WAIT|LAST_ACK|"
                  r"TIME_WAIT|CLOSE)\b", fl)
    return (m.group(1) if m else "?") + (" [ASSURED]" if "[ASSURED]" in fl else "")


def settle(s0, n, timeout=10):
    """Wait until spillway has received n more frames and counted them; a
    new snapshot."""
    return SW.counted(s0, n, SW.stats_json, 0.1, timeout)


def get_cookie(src, sport, dst, dport, isn, **kw):
    """A SYN from the outside; the SYN/ACK that comes back (a Seg), or None."""
    got = OUT.ask(out_frame(src, dst, sport, dport, isn, 0, SYN, opt_mss(1460), **kw),
                  is_tcp(src=dst, dst=src, sport=dport, dport=sport, flags=SYNACK), 2)
    return Seg(got[0]) if got else None


class Played:
    """A TCP client played with raw frames (an address no kernel owns)."""

    def __init__(self, src, dst, dport, sport=None, isn=None):
        self.src, self.dst, self.dport = src, dst, dport
        self.sport = sport or unique_port()
        self.isn = rnd32() if isn is None else isn
        self.nxt = (self.isn + 1) & 0xffffffff
        self.rcv = None

    def frame(self, flags, data=b"", seq=None, ack=None, **kw):
        return out_frame(self.src, self.dst, self.sport, self.dport,
                         self.nxt if seq is None else seq,
                         self.rcv if ack is None else ack, flags, data=data, **kw)

    def to_me(self, **kw):
        return is_tcp(src=self.dst, dst=self.src, sport=self.dport, dport=self.sport, **kw)

    def syn(self):
        """SYN; the SYN/ACK (its Seg) or None."""
        sa = get_cookie(self.src, self.sport, self.dst, self.dport, self.isn)
        if sa is not None:
            self.rcv = (sa.seq + 1) & 0xffffffff
        return sa

    def handshake(self):
        sa = self.syn()
        if sa is None:
            return False
        OUT.send(self.frame(ACK))
        return True

    def send(self, data, frags=None, wait=2.0):
        """Data (whole, or as the frames given); the server's answer to it
        (Segs with data), and the ACK sent for it."""
        OUT.drain()
        OUT.send(frags if frags else self.frame(PSH | ACK, data))
        self.nxt = (self.nxt + len(data)) & 0xffffffff
        got = [Seg(f) for f in OUT.expect(self.to_me(), wait)]
        got = [g for g in got if g.data]
        for g in got:
            self.rcv = (g.seq + len(g.data)) & 0xffffffff
        if got:
            OUT.send(self.frame(ACK))
        return got

    def flow(self):
        return SW.flows(tuple_re(self.src, self.sport, self.dst, self.dport))

    def reset(self):
        OUT.send(self.frame(RST | ACK))


ONLY = pylib.harness.only	# --only: the check ids to run (empty: all)


# ---- the attacks ----

def c1a_stale_cookie():
    """A cookie got before its source was denied."""
    src, dport = "192.0.2.70", 8080
    p = Played(src, S4, dport)
    sa = p.syn()
    if not check(sa is not None and sa.ack == p.nxt and sa.win == 0,
                 "the proxy answers 192.0.2.70's SYN to :8080 with a cookie (%s)" % sa, "1a"):
        return
    r = SW.cmd("set add deny 192.0.2.70/32")
    check(not r.startswith("error"), "set add deny 192.0.2.70/32: %r" % r.strip(), "1a")
    sa2 = get_cookie(src, p.sport + 1, S4, dport, rnd32())
    check(sa2 is None, "a new SYN from 192.0.2.70 is dropped now (%s)" % sa2, "1a")
    s0 = SW.stats_json()
    IN.drain()
    OUT.send(p.frame(ACK))
    settle(s0, 1)
    # Nothing may come: once spillway has the ACK, a second for a SYN to
    # the server, its answer and the proxy's ACK to show.
    at = syns_from(IN.read(1.0), src)
    s1 = SW.stats_json()
    fl = p.flow()
    chk = delta(s0, s1, "synproxy_checked")
    check(not at and not fl and chk == 0,
          "the ACK with the old cookie after the deny: the server saw %d SYN (want 0), "
          "flows %s (want none), synproxy_checked +%s (want 0), synproxy_valid +%s"
          % (len(at), [state_of(f) for f in fl], chk, delta(s0, s1, "synproxy_valid")), "1a")
    if fl:
        p.reset()


def c1b_denied_port():
    """Blind cookie ACKs to a port the policy denies."""
    n = 2000
    t = tcp_template(ATT + "10", S4, 1024, 22, ACK, (IN.mac, OUT.mac))
    fr = [t.make(src=ATT + str(random.randint(10, 250)), sport=random.randint(1024, 65535),
                 seq=rnd32(), ack=rnd32(), ident=random.getrandbits(16)) for _ in range(n)]
    s0 = SW.stats_json()
    IN.drain()
    OUT.send(fr)
    s1 = settle(s0, n)
    at = [f for f in IN.read(0.2) if is_tcp(dport=22)(f)]
    moved = {k: s1[k] - s0[k] for k in s1 if k in s0 and isinstance(s1[k], int) and
             not isinstance(s1[k], bool) and s1[k] - s0[k] >= n // 2 and
             k not in ("rx", "tx", "drop")}
    chk = delta(s0, s1, "synproxy_checked")
    check(chk == 0 and not at,
          "%d random-cookie ACKs to :22 (denied): synproxy_checked +%s (want 0; "
          "counters that moved by %d or more: %s), %d reached the server"
          % (n, chk, n // 2, moved, len(at)), "1b")


def c1c_rate_limit():
    """300 bad cookies from one allowed source; another source meanwhile."""
    src, n = "192.0.2.71", 300
    mk = lambda: out_frame(src, S4, random.randint(1024, 65535), 8080, rnd32(), rnd32(), ACK)
    s0 = SW.stats_json()
    OUT.send([mk() for _ in range(n // 2)])
    t, reply = in_ns(T.cli, tcp_talk, S4, 8080)
    OUT.send([mk() for _ in range(n - n // 2)])
    t2, reply2 = in_ns(T.cli, tcp_talk, S4, 8080)
    s1 = settle(s0, n)
    bad = delta(s0, s1, "synproxy_bad_cookie")
    lim = delta(s0, s1, "synproxy_source_limited")
    check(bad is not None and lim is not None and bad <= 32 and lim >= n - 32,
          "%d bad cookies from one source (synproxy_bad_cookies = 32): "
          "synproxy_bad_cookie +%s (want <= 32), synproxy_source_limited +%s (want >= %d), "
          "synproxy_checked +%s" % (n, bad, lim, n - 32, delta(s0, s1, "synproxy_checked")), "1c")
    check(reply == b"got 4\n" and reply2 == b"got 4\n",
          "a real connection from 192.0.2.1 through the proxy during the flood, twice: "
          "%r, %r" % (reply, reply2), "1c")


def c2_unfit_syns():
    """SYNs the proxy would answer but that carry an IPv4 option, an
    IPv6 destination-options header or a fragment header."""
    v4, v6 = "192.0.2.74", "2001:db8::74"
    opt4, pad6 = dict(ipopts=b"\x01\x01\x01\x01"), dict(ext6=b"\x01\x04\x00\x00\x00\x00")
    cl = [Played(v4, S4, 80) for _ in range(10)] + [Played(v6, S6, 80) for _ in range(10)]
    s0 = SW.stats_json()
    IN.drain()
    OUT.drain()
    OUT.send([out_frame(c.src, c.dst, c.sport, 80, c.isn, 0, SYN, opt_mss(1440),
                        **(opt4 if c.src == v4 else pad6)) for c in cl])
    s1 = settle(s0, len(cl))
    back = [Seg(f) for f in OUT.collect(is_tcp(flags=SYNACK), len(cl), 3) + OUT.read(0.1)]
    seen = IN.read(0.5)
    at = syns_from(seen, v4) + syns_from(seen, v6)
    answers = {}
    for c in cl:
        got = [s for s in back if s.ok and is_tcp(src=c.dst, dst=c.src, sport=80,
                                                  dport=c.sport, flags=SYNACK)(s.raw)]
        if got:
            answers[c] = got[0]
    plain = [s for s in answers.values() if
             (s.v == 4 and s.raw[14] == 0x45) or (s.v == 6 and s.raw[20] == 6)]
    sent = delta(s0, s1, "synproxy_cookies_sent")
    check(not at, "10 IPv4 SYNs with 4 bytes of NOP options and 10 IPv6 SYNs with a "
          "PadN destination-options header, synproxy on: %d reached the server (want 0)"
          % len(at), "2")
    check(len(answers) == 20 and len(plain) == 20 and sent == 20 and
          all(s.ack == c.nxt and wellformed(s.raw) for c, s in answers.items()),
          "... answered by the proxy: %d SYN/ACKs, %d with a plain IP header, "
          "synproxy_cookies_sent +%s (want 20 each), each acknowledging ISN + 1, well formed"
          % (len(answers), len(plain), sent), "2")
    # One of each finishes the handshake with a plain ACK and talks.
    for c in (cl[0], cl[10]):
        sa = answers.get(c)
        if sa is None:
            check(False, "%s: no SYN/ACK to complete" % c.src, "2")
            continue
        c.rcv = (sa.seq + 1) & 0xffffffff
        IN.drain()
        OUT.send(c.frame(ACK))
        syn = syns_from(IN.expect(is_tcp(src=c.src, sport=c.sport, flags=SYN), 2), c.src)
        ok = wait_for(lambda: [f for f in c.flow() if "ESTABLISHED" in f], 3)
        got = c.send(b"hello")
        check(syn and ok and [g for g in got if g.data == b"got 5\n"],
              "%s: a plain ACK with the cookie gives the server a SYN (%d), the flow is "
              "ESTABLISHED (%s), data gets the server's answer (%s)"
              % (c.src, len(syn), [state_of(f) for f in c.flow()],
                 [g.data for g in got]), "2")
        c.reset()
    # An IPv6 SYN in a first fragment (whole, M set): dropped, unfit.
    src = "2001:db8::79"
    s0 = SW.stats_json()
    IN.drain()
    OUT.drain()
    OUT.send(out_frame(src, S6, 40079, 80, rnd32(), 0, SYN, opt_mss(1440), frag=True))
    s1 = settle(s0, 1)
    at = [f for f in IN.read(0.3) if src_of(f) == src]
    back = [f for f in OUT.read(0.0) if is_tcp(dport=40079)(f)]
    unfit = delta(s0, s1, "synproxy_unfit")
    check(not at and not back and unfit == 1,
          "an IPv6 SYN in a first fragment: %d frames reached the server, %d answers "
          "(want 0, 0), synproxy_unfit +%s (want 1), flows %s"
          % (len(at), len(back), unfit, [state_of(f) for f in SW.flows(r"sport=40079 ")]), "2")


def c3a_frag_ack():
    """The handshake's last ACK only as a lone IPv6 first fragment."""
    p = Played("2001:db8::75", S6, 80)
    sa = p.syn()
    if not check(sa is not None and p.flow() and "SYN_RECV" in p.flow()[0],
                 "a handshake to the real server (IPv6): its SYN/ACK (%s), SYN_RECV" % sa, "3a"):
        return
    s0 = SW.stats_json()
    OUT.send(p.frame(ACK, frag=True))
    s1 = settle(s0, 1)
    fl = p.flow()
    inv = delta(s0, s1, "invalid_frag")
    check(fl and "SYN_RECV" in fl[0] and "[ASSURED]" not in fl[0] and inv == 1,
          "the final ACK as a lone first fragment (never completed): flow %s (want "
          "SYN_RECV, not assured), invalid_frag +%s (want 1)"
          % ([state_of(f) for f in fl], inv), "3a")
    p.reset()


def frag_segment(cid, p, what):
    """p is established: 1,200 bytes in two fragments, then 100 more."""
    data = bytes(random.getrandbits(8) for _ in range(1200))
    fr = tcp_frags(p.src, p.dst, p.sport, p.dport, p.nxt, p.rcv, PSH | ACK, data,
                   (IN.mac, OUT.mac), 600)
    s0 = SW.stats_json()
    IN.drain()
    got = p.send(data, frags=fr)
    s1 = SW.stats_json()
    at = IN.read(0.1)
    seen = [x for x in (frag_of(f) for f in at) if x and x[0] == p.src]
    segs_at = [s for s in (Seg(f) for f in at) if s.ok and s.src == p.src and
               not frag_of(s.raw)]
    iseq = delta(s0, s1, "invalid_seq")
    # spillway forwards the fragments it was given (nothing before it
    # reassembles them here); one that reassembles would send one frame.
    whole = [s for s in segs_at if len(s.data) == 1200]
    check(len(seen) == 2 or len(whole) == 1,
          "%s: the segment reached the server's side as %d fragments (%d whole)"
          % (what, len(seen), len(whole)), cid)
    check([g for g in got if g.data == b"got 1200\n"] and iseq == 0,
          "%s: 1,200 bytes in two fragments within an established connection: the "
          "server's answer passes (%s; want b'got 1200\\n'), invalid_seq +%s (want 0), "
          "flow %s" % (what, [g.data for g in got], iseq, [state_of(f) for f in p.flow()]), cid)
    got = p.send(b"m" * 100)
    check([g for g in got if g.data == b"got 1300\n"],
          "%s: and the connection goes on: 100 bytes more get %s (want b'got 1300\\n')"
          % (what, [g.data for g in got]), cid)
    p.reset()


def c3b(cid, src, dst, what):
    p = Played(src, dst, 80)
    if not check(p.handshake() and wait_for(
            lambda: [f for f in p.flow() if "ESTABLISHED" in f], 2),
            "%s: a played client's handshake with the real server: %s"
            % (what, [state_of(f) for f in p.flow()]), cid):
        return
    frag_segment(cid, p, what)


def c3b6():
    c3b("3b", "2001:db8::76", S6, "IPv6 on net_af_packet")


def c3b4():
    c3b("3b", "192.0.2.76", S4, "IPv4 on net_pcap")


P1, P2 = 41001, 41002
PROBE = {}


def probe_isn():
    """The client kernel's ISN for (192.0.2.1:P2 -> server:80), seen while
    no spillway runs (the SYN dies at sw-out): the kernel's next ISN for
    that tuple is this one plus 1 every 64 ns, so an ISN a quarter of the
    space ahead is above any it sends for a minute."""
    def conn():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((C4, P2))
        s.setblocking(False)
        try:
            s.connect((S4, 80))
        except BlockingIOError:
            pass
        return s
    OUT.drain()
    s = in_ns(T.cli, conn)
    got = [f for f in OUT.read(1.0, outgoing=True) if is_tcp(src=C4, sport=P2, flags=SYN)(f)]
    s.close()
    if got:
        PROBE["isn"] = Seg(got[0]).seq
        PROBE["t"] = time.monotonic()


def c4_close_pin():
    """A spoofed SYN and its exact RST pin the client's tuple in CLOSE."""
    a1 = rnd32()
    a2 = (PROBE["isn"] + (1 << 30)) & 0xffffffff if "isn" in PROBE else rnd32()
    # The scapy-played client's kernel must not reset what the server sends.
    sh("ip netns exec %s iptables -A OUTPUT -p tcp --sport %d --tcp-flags RST RST -j DROP"
       % (T.cli, P1))
    for sport, a in ((P1, a1), (P2, a2)):
        OUT.send(out_frame(C4, S4, sport, 80, a, 0, SYN, opt_mss(1460)))
    # The server's SYN/ACK crosses: SYN_RECV (the client's kernel resets
    # :P2's at A + 1 itself, as a real client does: CLOSE at once).
    wait_for(lambda: [f for f in SW.flows(tuple_re(C4, P1, S4, 80)) if "SYN_RECV" in f], 2)
    for sport, a in ((P1, a1), (P2, a2)):
        OUT.send(out_frame(C4, S4, sport, 80, a + 1, 0, RST))
    both = lambda: [SW.flows(tuple_re(C4, sp, S4, 80)) for sp in (P1, P2)]
    wait_for(lambda: all(f and "CLOSE" in f[0] for f in both()), 2)
    f1, f2 = both()
    check(f1 and "CLOSE" in f1[0] and f2 and "CLOSE" in f2[0],
          "an off-path SYN with ISN A and an RST at A + 1 for 192.0.2.1:%d and :%d: "
          "CLOSE (%s, %s)" % (P1, P2, [state_of(f) for f in f1], [state_of(f) for f in f2]), "4")
    stop = threading.Event()
    pins = [0]

    def pin():
        while not stop.wait(1.0):
            OUT.send([out_frame(C4, S4, sp, 80, a + 1, 0, RST) for sp, a in
                      ((P1, a1), (P2, a2))])
            pins[0] += 1
    t = threading.Thread(target=pin, daemon=True)
    t.start()
    try:
        # The client comes once the RSTs have pinned the tuples again.
        wait_for(lambda: pins[0] >= 1, 5, 0.02)
        p = Played(C4, S4, 80, sport=P1, isn=a1 - 1000)
        s0 = SW.stats_json()
        IN.drain()
        sa = p.syn()
        s1 = SW.stats_json()
        at = [s for s in syns_from(IN.read(0.1), C4) if s.sport == P1]
        ok = sa is not None
        if ok:
            OUT.send(p.frame(ACK))
            ok = wait_for(lambda: [f for f in p.flow() if "ESTABLISHED" in f], 2)
        check(at and ok,
              "the client's own SYN (ISN A - 1000) on the pinned tuple: %d reached the "
              "server, SYN/ACK %s, flow %s (want ESTABLISHED), invalid_seq +%s"
              % (len(at), "back" if sa else "none", [state_of(f) for f in p.flow()],
                 delta(s0, s1, "invalid_seq")), "4")
        if sa is not None:
            got = p.send(b"hi")
            p.reset()
            check([g for g in got if g.data == b"got 2\n"],
                  "... and carries data (%s)" % [g.data for g in got], "4")
        s0 = SW.stats_json()
        OUT.drain()
        took, reply = in_ns(T.cli, tcp_talk, S4, 80, C4, P2, b"ping", 3.0)
        s1 = SW.stats_json()
        isn = [Seg(f).seq for f in OUT.read(0.0, outgoing=True)
               if is_tcp(src=C4, sport=P2, flags=SYN)(f)]
        below = isn and ((a2 + 1 - isn[0]) & 0xffffffff) < (1 << 31)
        check(reply == b"got 4\n",
              "a real connect() from 192.0.2.1:%d (its ISN %s, A + 1 %s: %s) within 3 s: "
              "%s, invalid_seq +%s"
              % (P2, isn[0] if isn else None, (a2 + 1) & 0xffffffff,
                 "below" if below else "NOT below (the probe failed)",
                 "answered in %.2f s" % took if took is not None else reply,
                 delta(s0, s1, "invalid_seq")), "4")
    finally:
        stop.set()
        t.join()
        subprocess.run(["ip", "netns", "exec", T.cli, "iptables", "-D", "OUTPUT", "-p", "tcp",
                        "--sport", str(P1), "--tcp-flags", "RST", "RST", "-j", "DROP"],
                       capture_output=True)


def c5_udp_pin(max_flows):
    """Spoofed sources fill the table with assured UDP flows."""
    tuples = []
    for i in range(20):
        for k in range(4 if i < max_flows - 60 else 3):
            tuples.append((ATT + str(10 + i), 30000 + 10 * i + k))
    assert len(tuples) == max_flows

    def queries():
        OUT.drain()
        OUT.send([udp(s, S4, sp, 53, b"q", (IN.mac, OUT.mac)) for s, sp in tuples])
        end = time.monotonic() + 3
        n = 0
        while n < len(tuples) and time.monotonic() < end:
            n += len([f for f in OUT.read(0.1) if src_of(f) == S4 and f[23] == 17])
        return n
    t0 = time.monotonic()
    r1 = queries()
    sleep_until(t0 + 2.6)		# the second query is what assures a UDP flow
    r2 = queries()
    wait_for(lambda: len(SW.flows(r"^udp ", r"\[ASSURED\]")) >= max_flows, 3)
    s0 = SW.stats_json()
    assured = SW.flows(r"^udp ", r"\[ASSURED\]")
    check(r1 == r2 == len(tuples) and s0["flows"] == max_flows and
          len(assured) == max_flows,
          "20 spoofed sources, 2 queries 2.6 s apart on %d tuples: %d and %d answered, "
          "%d flows, %d assured UDP (want %d each)"
          % (len(tuples), r1, r2, s0["flows"], len(assured), max_flows), "5")
    check(s0.get("evictable") == 0 and (s0.get("evictable_assured") or 0) > 0,
          "the table is full of assured UDP flows: evictable %s (want 0), "
          "evictable_assured %s (want > 0)"
          % (s0.get("evictable"), s0.get("evictable_assured")), "5")
    took, reply = in_ns(T.cli, tcp_talk, S4, 80, C4, 0, b"ping", 3.0)
    s1 = SW.stats_json()
    fl = SW.flows(r"^tcp ", r"src=192\.0\.2\.1 ", r"dport=80 ")
    eda = delta(s0, s1, "early_drops_assured")
    check(fl and reply == b"got 4\n" and eda is not None and eda >= 1,
          "a new TCP connection from the real client: tracked (%s), answered (%s), "
          "early_drops_assured +%s (want >= 1); spilled +%s, fallback_drop +%s"
          % ([state_of(f) for f in fl], reply, eda, delta(s0, s1, "spilled"),
             delta(s0, s1, "fallback_drop")), "5")


def c6_blind_ack():
    """A blind handshake ACK, one below the server's ISN + 1."""
    p = Played(ATT + "60", S4, 80)
    IN.drain()
    sa = p.syn()
    # As the test (not the attacker) learns it: from the server's own side.
    mine = [Seg(f) for f in IN.read(0.2, outgoing=True) if p.to_me(flags=SYNACK)(f)]
    if not check(sa is not None and mine,
                 "a spoofed SYN; the server's SYN/ACK seen on its side (%s)" % mine, "6"):
        return
    s0 = SW.stats_json()
    IN.drain()
    OUT.send(p.frame(ACK, ack=mine[0].seq))		# ISN + 1 - 1
    s1 = settle(s0, 1)
    at = [f for f in IN.read(0.1) if is_tcp(src=p.src, sport=p.sport, flags=ACK)(f)]
    fl = p.flow()
    check(fl and "ESTABLISHED" not in fl[0] and "[ASSURED]" not in fl[0] and
          delta(s0, s1, "invalid_seq") == 1 and not at,
          "the handshake ACK acknowledging the server's ISN (one short): flow %s (want "
          "SYN_RECV), invalid_seq +%s (want 1), %d reached the server"
          % ([state_of(f) for f in fl], delta(s0, s1, "invalid_seq"), len(at)), "6")


def c7_expired_cookie():
    """synproxy_cookie_period = 1: a cookie 5 s old is dead."""
    fresh = Played("192.0.2.73", S4, 8080)
    old = Played("192.0.2.72", S4, 8080)
    sa_old = old.syn()
    t = time.monotonic()
    sa = fresh.syn()
    IN.drain()
    if sa is not None:
        OUT.send(fresh.frame(ACK))
    at = syns_from(IN.expect(is_tcp(src=fresh.src, flags=SYN), 2), fresh.src)
    check(sa is not None and at,
          "a fresh cookie (period 1 s) used at once gives the server a SYN (%d)" % len(at), "7")
    fresh.reset()
    if not check(sa_old is not None, "a cookie for 192.0.2.72 (%s)" % sa_old, "7"):
        return
    sleep_until(t + 5.0)		# the cookie's age is what is tested
    s0 = SW.stats_json()
    IN.drain()
    OUT.send(old.frame(ACK))
    settle(s0, 1)
    at = syns_from(IN.read(0.6), old.src)	# room for a SYN to show, if one went out
    s1 = SW.stats_json()
    fl = old.flow()
    check(not at and not fl,
          "the same ACK 5 s after its cookie (3 slices of 1 s): %d SYN reached the server, "
          "flows %s (want none); synproxy_valid +%s, synproxy_bad_cookie +%s"
          % (len(at), [state_of(f) for f in fl], delta(s0, s1, "synproxy_valid"),
             delta(s0, s1, "synproxy_bad_cookie")), "7")


def c8_checksums():
    """Bad checksums: an IPv6 TCP SYN, an IPv4 UDP datagram, an IPv4 header."""
    mac = (IN.mac, OUT.mac)
    good_u = udp("192.0.2.78", S4, 40078, 53, b"good", mac)
    bad_h = bytearray(out_frame("192.0.2.78", S4, 40178, 80, rnd32(), 0, SYN,
                                opt_mss(1460)))
    bad_h[24] ^= 0x5a
    cases = [("an IPv6 SYN with a bad TCP checksum",
              out_frame("2001:db8::78", S6, 40078, 80, rnd32(), 0, SYN, opt_mss(1440),
                        cks=False), "2001:db8::78"),
             ("an IPv4 UDP datagram with a bad checksum",
              udp("192.0.2.78", S4, 40079, 53, b"bad", mac, cks=False), "192.0.2.78"),
             ("an IPv4 SYN with a bad header checksum", bytes(bad_h), "192.0.2.78")]
    for what, f, src in cases:
        s0 = SW.stats_json()
        IN.drain()
        OUT.send(f)
        s1 = settle(s0, 1, 3)
        at = [x for x in IN.read(0.2) if src_of(x) == src]
        bc = delta(s0, s1, "bad_checksum")
        check(bc == 1 and not at, "%s: bad_checksum +%s (want 1), %d forwarded"
              % (what, bc, len(at)), "8")
    IN.drain()
    OUT.send(good_u)
    at = [x for x in IN.expect(from_src("192.0.2.78"), 2)]
    check(len(at) == 1, "(control) the same UDP datagram with its checksum right is "
          "forwarded (%d)" % len(at), "8")


# ---- the runs ----

def group(binary, work, run, mode, checks, **kw):
    fw = Firewall(binary, work, run, mode, **kw)
    try:
        for cid, fn, args in checks:
            if not fw.ok:
                if not ONLY or cid in ONLY:
                    check(False, "spillway refused the config it needs: %s" % fw.why, cid)
                continue
            attempt(cid, fn, *args, group=cid)
    finally:
        rc = fw.stop()
        if fw.ok:
            check(rc == 0, "spillway %s exits 0 (%s)" % (run, rc), "run")


def main():
    global OUT, IN
    ap = argparse.ArgumentParser()
    ap.add_argument("binary", nargs="?")
    ap.add_argument("--only", help="check ids, e.g. 1a,3b")
    ap.add_argument("--serve", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.serve:
        serve(a.serve, 300)
        return
    need_root()
    ONLY.update(a.only.split(",") if a.only else ())
    t0 = time.monotonic()
    work = tmpdir("sw-pb-")
    topo_up()
    srv = T.role_bg(T.srv, os.path.basename(__file__), "--serve", S4, S6)
    if not check((readline(srv, 30) or "").strip() == "ready", "the server started", "run"):
        finish("e2e policy bypass")
    OUT, IN = Wire(T.cli), Wire(T.srv)
    b = a.binary
    want = lambda *ids: not ONLY or any(i in ONLY for i in ids)

    if want("1a", "1b", "2"):
        group(b, work, "on", "on", [("1a", c1a_stale_cookie, ()),
                                    ("1b", c1b_denied_port, ()),
                                    ("2", c2_unfit_syns, ())])
    if want("1c", "7"):
        group(b, work, "limits", "on", [("1c", c1c_rate_limit, ()),
                                        ("7", c7_expired_cookie, ())],
              extra=" synproxy_bad_cookies = 32; synproxy_cookie_period = 1;")
    if want("4"):
        probe_isn()
    if want("3a", "3b", "4", "6", "8"):
        group(b, work, "off", "off", [("3a", c3a_frag_ack, ()), ("3b", c3b6, ()),
                                      ("4", c4_close_pin, ()), ("6", c6_blind_ack, ()),
                                      ("8", c8_checksums, ())])
    if want("3b"):
        group(b, work, "pcap", "off", [("3b", c3b4, ())], dev=PCAP)
    if want("5"):
        group(b, work, "full", "off", [("5", c5_udp_pin, (64,))], max_flows=64,
              extra=" adaptive = { start = 0; }; per_source = { max_flows = 0; };")

    results = groups()
    print("\nsummary:")
    for cid in sorted(results):
        if cid != "run":
            print("   %-3s %s" % (cid, "ok" if results[cid] else "FAIL"))
    bad = sorted(c for c in results if not results[c])
    finish("e2e policy bypass", "%s in %.0f s" % (" (%s)" % ",".join(bad) if bad else "",
                                                  time.monotonic() - t0))


if __name__ == "__main__":
    main()
