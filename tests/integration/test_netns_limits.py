#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Per-rule limits across two workers (lcores 1 and 2 share a CPU, two
queue pairs per net_af_packet port: the kernel's fanout spreads the
flows over both), in network namespaces:

  limit       a policy accept with `limit 200/second burst 100` under a
              paced flood of new UDP flows (1,600 a second): the flows
              it lets through, over the flood's span, hold 200 a second
              within 10 %, though both workers take them;
  meter       an accept with a meter of 50 a second per source, four
              sources flooding 400 a second each: each source holds 50
              a second within 10 %;
  conn_limit  an accept of TCP 8080 up to 16 live flows, real
              connections from the client: 16 of 32 open while they
              stay open, landing on both workers (a count per worker
              would let up to 32 through); 3 closed, 3 more open and
              the next is refused.

The rates are the limiter's, measured against the flood's own span
(its first and last frame), not the test's clock.

  test_netns_limits.py SPILLWAY_BINARY"""

import os
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (Topology, Wire, check, finish, in_ns, need_root,  # noqa: E402
                   rule_hits, tmpdir, wait_for)
from pylib.packets import Template  # noqa: E402

from scapy.all import IP, UDP, Ether, Raw  # noqa: E402

# Bursts of half a second: a worker the busy machine keeps off its CPU
# for less than that loses no token (GCRA banks at most the burst).
LIMIT, BURST = 200, 100		# a second, packets
METER, MBURST = 50, 25		# a second per source
SOURCES = ["192.0.2.%d" % (11 + i) for i in range(4)]
CONNS = 16

CONF = """workers = { lcores = [1, 2]; };
flowtable = { max_flows = 65536; };
rules = {
  policy = (
    { proto = "udp"; dport = 9; limit = { rate = "%d/second"; burst = %d; };
      action = "accept"; comment = "limit"; },
    { proto = "udp"; dport = 10; meter = { rate = "%d/second"; burst = %d; };
      action = "accept"; comment = "meter"; },
    { proto = "tcp"; dport = 8080; conn_limit = %d; action = "accept";
      comment = "conns"; },
    { proto = "tcp"; dport = 8080; action = "reject"; reject_with = "tcp-reset"; }
  );
};
""" % (LIMIT, BURST, METER, MBURST, CONNS)


def flood(wire, frames_of, seconds, pps):
    """Send frames_of(i) at pps for `seconds`, paced by the clock in
    slices of 5 ms; returns (first, last) send times and the count."""
    n = 0
    t0 = time.monotonic()
    end = t0 + seconds
    while True:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - t0) * pps)
        while n < due:
            wire.s.send(frames_of(n))
            n += 1
        time.sleep(0.005)
    return t0, time.monotonic(), n


def collect(wire, stop, got):
    """Frames that reach the server until stop is set: (src, dport)."""
    while not stop.is_set():
        for f in wire.read(0.1):
            e = Ether(f)
            if UDP in e and IP in e:
                got.append((e[IP].src, e[UDP].dport))


def run_rates(topo, sw):
    cw, sv = Wire(topo.cli), Wire(topo.srv)
    smac = topo.mac(topo.srv)
    t = Template(Ether(src=cw.mac, dst=smac) / IP(src=topo.C4, dst=topo.S4) /
                 UDP(sport=1, dport=9) / Raw(b"r" * 18))
    got, stop = [], threading.Event()
    rx = threading.Thread(target=collect, args=(sv, stop, got))
    rx.start()
    # A new flow every frame: every one meets the policy.
    t0, t1, sent = flood(cw, lambda i: t.make(sport=20000 + i % 40000), 4.0, 1600)
    # Four sources for the meter, round robin.
    tm = Template(Ether(src=cw.mac, dst=smac) / IP(src=topo.C4, dst=topo.S4) /
                  UDP(sport=1, dport=10) / Raw(b"m" * 18))
    m0, m1, msent = flood(cw, lambda i: tm.make(src=SOURCES[i % 4],
                                                 sport=20000 + i // 4 % 40000),
                          4.0, 1600)
    wait_for(lambda: rule_hits(cli, "meter") is not None and
             len([g for g in got if g[1] == 10]) >= rule_hits(cli, "meter"),
             10, 0.1)
    stop.set()
    rx.join()

    span = t1 - t0
    n = sum(1 for g in got if g[1] == 9)
    rate = (n - BURST) / span
    print("limit: %d sent in %.2f s (%.0f/s offered), %d passed" % (sent, span, sent / span, n))
    check(sent / span > 4 * LIMIT, "the flood offers over 4 times the limit (%.0f/s)"
          % (sent / span))
    check(abs(rate - LIMIT) <= 0.1 * LIMIT,
          "limit %d/s burst %d across two workers: %d passed, %.1f/s (within 10 %%)"
          % (LIMIT, BURST, n, rate))
    hits = rule_hits(cli, "limit")
    check(hits == n, "the limit rule's hits are what passed (%s)" % hits)
    span = m1 - m0
    mh = rule_hits(cli, "meter")
    check(mh == sum(1 for g in got if g[1] == 10),
          "the meter rule's hits are what passed (%s)" % mh)
    for s in SOURCES:
        k = sum(1 for g in got if g[1] == 10 and g[0] == s)
        r = (k - MBURST) / span
        check(abs(r - METER) <= 0.1 * METER,
              "meter %d/s per source: %s %d passed, %.1f/s (within 10 %%)"
              % (METER, s, k, r))
    return n


def shard_stat(sw, name):
    """One counter of each flow-table shard (show flowtable)."""
    out = sw.cmd("show flowtable")
    return [int(m.group(1)) for m in
            re.finditer(r"flowtable shard \d+:.*? %s=(\d+)" % name, out)]


def connect(dst, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect((dst, port))
        return s
    except OSError:
        s.close()
        return None


def run_conns(topo, sw):
    srv = socket.socket
    lst = in_ns(topo.srv, lambda: srv(socket.AF_INET, socket.SOCK_STREAM))
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind((topo.S4, 8080))
    lst.listen(64)
    ins0 = shard_stat(sw, "inserts")
    held = []
    for _ in range(2 * CONNS):
        held.append(in_ns(topo.cli, connect, topo.S4, 8080))
    up = [s for s in held if s is not None]
    check(len(up) == CONNS, "conn_limit %d: %d of %d connections open" %
          (CONNS, len(up), 2 * CONNS))
    per = [b - a for a, b in zip(ins0, shard_stat(sw, "inserts"))]
    check(len(per) == 2 and all(f > 0 for f in per) and sum(per) == CONNS,
          "the %d flows opened on both workers' shards (%s): one count" % (CONNS, per))
    # Close three, both ends (FIN, FIN, ACK): they leave the count.
    accepted = {}
    lst.settimeout(0.5)
    try:
        while len(accepted) < len(up):
            a, peer = lst.accept()
            accepted[peer[1]] = a
    except OSError:
        pass
    for s in up[:3]:
        port = s.getsockname()[1]
        s.close()
        if port in accepted:
            accepted.pop(port).close()
    wait_for(lambda: len(sw.flows(r"dport=8080", r"(TIME_WAIT|CLOSE)")) >= 3, 10, 0.1)
    more = [in_ns(topo.cli, connect, topo.S4, 8080) for _ in range(4)]
    ok = [s for s in more if s is not None]
    check(len(ok) == 3, "3 closed: 3 more open, the 4th is refused (%d opened)" % len(ok))
    check(rule_hits(cli, "conns") == CONNS + 3,
          "the rule accepted %d flows in all (%s)" % (CONNS + 3, rule_hits(cli, "conns")))
    for s in up[3:] + ok + list(accepted.values()):
        s.close()
    lst.close()


cli = None


def main():
    global cli
    binary = sys.argv[1]
    need_root()
    work = tmpdir("sw-limits-")
    topo = Topology("lim")
    sw = topo.spillway(binary, topo.ports(qpairs=2) + CONF, "limits", mem=512,
                       lcores="0@0,1@1,2@1", workdir=work)
    sw.start()
    if not check(sw.wait_running(), "spillway runs two workers"):
        print(sw.output())
        finish("netns limits")
    cli = sw.cli()
    run_rates(topo, sw)
    ins = shard_stat(sw, "inserts")
    check(len(ins) == 2 and all(i > 0 for i in ins),
          "both workers' shards took the flows the limits let through (%s)" % ins)
    run_conns(topo, sw)
    st = sw.counters()
    check(st.get("rule_limited", 0) > 0 and st.get("conn_limited", 0) >= CONNS + 1,
          "rule_limited %s, conn_limited %s" % (st.get("rule_limited"),
                                                st.get("conn_limited")))
    cli.close()
    rc, _ = sw.stop()
    check(rc == 0, "spillway exits 0 (%s)" % rc)
    finish("netns limits")


if __name__ == "__main__":
    main()
