#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""HA speed: incremental sync, bulk and the state file with many flows.

Two spillway nodes on this host, their sync link on the loopback (the
ha group's local and peer on 127.0.0.1, two ports). A is active and
reads pcaps of N TCP connections, each with its whole handshake (so
each is worth syncing at once; tcp_loose = false); B is standby.

  incremental  flows B applied / the time from B's first to its N-th
               (polled every 20 ms: a lower bound of the rate; the pcap
               and A's worker are inside it)
  bulk         B restarted: it asks A for every flow; the time B's log
               gives from the bulk's first to its last datagram
  state write  A stopped cleanly: the time its log gives to write the
               state file of N flows
  state load   A started again: the time its log gives to check and load

  bench/ha_speed.py SPILLWAY_BINARY [N] [RUNS]   (N: 1000000, RUNS: 3)

Prints each run and the medians. Needs root (DPDK's --no-huge still
wants /var/run/dpdk), about 2 GB of memory and a few minutes."""

import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests"))
from pylib import Spillway, ports_conf, tmpdir, wait_for  # noqa: E402
from pylib.packets import E, IP, TCP, Template, write_pcap  # noqa: E402

KEY = b"ha speed key: 0123456789abcdef0123456789abcdef\n"


def write_flows(d, n):
    """Two pcaps that open n TCP connections with their whole handshake
    (the only flows worth syncing): the worker reads a burst of 32 from
    port 0, then one from port 1, so each batch of 32 connections is
    laid out as SYNs | SYN/ACKs, then ACKs | the server's ACKs."""
    c, srv = "192.0.2.0", "198.51.100.1"
    tpl = {f: Template(E / IP(src=a, dst=b, flags="DF", id=0) /
                       TCP(sport=sp, dport=dp, flags=f, window=65535))
           for f, a, b, sp, dp in (("S", c, srv, 1024, 80), ("SA", srv, c, 80, 1024),
                                   ("A", c, srv, 1024, 80))}
    sa = Template(E / IP(src=srv, dst=c, flags="DF", id=0) /
                  TCP(sport=80, dport=1024, flags="A", window=65535))
    out, back = [], []
    for k in range(0, n, 32):
        batch = range(k, min(n, k + 32))
        cl = [(bytes([192, 0, 2, i % 256]), 1024 + i // 256) for i in batch]
        out += [tpl["S"].make(src=a, sport=p, seq=1000) for a, p in cl]
        back += [tpl["SA"].make(dst=a, dport=p, seq=2000, ack=1001) for a, p in cl]
        out += [tpl["A"].make(src=a, sport=p, seq=1001, ack=2001) for a, p in cl]
        back += [sa.make(dst=a, dport=p, seq=2001, ack=1001) for a, p in cl]
    write_pcap(os.path.join(d, "flows0.pcap"), out)
    write_pcap(os.path.join(d, "flows1.pcap"), back)


def conf(d, node, rx, n, port_a, port_b, ha=True):
    """rx: the pcaps' name before 0.pcap and 1.pcap."""
    local, peer = (port_a, port_b) if node == "a" else (port_b, port_a)
    group = """ha = { mode = "active-standby"; role = "%s"; local = "127.0.0.1:%d";
       peer = "127.0.0.1:%d"; key_file = "%s"; };
""" % ("active" if node == "a" else "standby", local, peer, os.path.join(d, "key"))
    return ports_conf("net_pcap%s0,rx_pcap=%s0.pcap,tx_pcap=/dev/null" % (node, rx),
                      "net_pcap%s1,rx_pcap=%s1.pcap,tx_pcap=/dev/null" % (node, rx)) + """
flowtable = { max_flows = %d; tcp_loose = false; synproxy = "off";
              per_source = { max_flows = 0; };
              adaptive = { start = 0; }; state_file = "%s";
              timeouts = { tcp_established = 86400; }; };
rules = { policy = ( { action = "accept"; } ); };
""" % (int(n * 1.3), os.path.join(d, "state-%s" % node)) + (group if ha else "")


def ha_value(sw, name):
    m = re.search(r"^\s*%s\s+(\d+)" % name, sw.cmd("show ha"), re.M)
    return int(m.group(1)) if m else -1


def logged(sw, pattern, timeout):
    if not wait_for(lambda: re.search(pattern, sw.output()), timeout):
        raise RuntimeError("no %r in:\n%s" % (pattern, sw.output()[-3000:]))
    return float(re.search(pattern, sw.output()).group(1))


def one(binary, d, n, pcap, run):
    pa, pb = 17400 + 2 * run + os.getpid() % 500 * 10, 17401 + 2 * run + os.getpid() % 500 * 10
    for f in ("state-a", "state-b"):
        if os.path.exists(os.path.join(d, f)):
            os.unlink(os.path.join(d, f))
    b = Spillway(binary, d, conf(d, "b", os.path.join(d, "empty"), n, pa, pb), "hsb",
                 mem=1024, lcores="0-1").start()
    b.wait_running(60)
    a = Spillway(binary, d, conf(d, "a", os.path.join(d, "empty"), n, pa, pb), "hsa",
                 mem=1024, lcores="0-1")
    a.write_conf(conf(d, "a", pcap, n, pa, pb))
    a.start()
    a.wait_running(60)
    # Incremental: B's flows_applied, from its first to the N-th.
    t_first = None
    end = time.monotonic() + 120
    while time.monotonic() < end:
        v = ha_value(b, "flows_applied")
        if v > 0 and t_first is None:
            t_first = time.monotonic()
        if v >= n:
            break
        time.sleep(0.02)
    t_inc = time.monotonic() - t_first
    got = ha_value(b, "flows_applied")
    print("   incremental: %d applied in %.2f s" % (got, t_inc), flush=True)
    inc = got / t_inc if t_inc > 0 else 0
    # Bulk: B again, from nothing.
    b.stop()
    b2 = Spillway(binary, d, conf(d, "b", os.path.join(d, "empty"), n, pa, pb), "hsb",
                  mem=1024, lcores="0-1").start()
    bulk = logged(b2, r"ha: bulk from the peer: \d+ flows in ([\d.]+) s", 120)
    nbulk = int(re.search(r"ha: bulk from the peer: (\d+) flows", b2.output()).group(1))
    b2.stop()
    # The state file: A's clean stop, and A again without a peer's bulk
    # to wait for (B is gone: A loads its file).
    a.stop(timeout=120)
    write = logged(a, r"state_file \S+: %d flows written in ([\d.]+) s" % n, 1)
    a2 = Spillway(binary, d, conf(d, "a", os.path.join(d, "empty"), n, pa, pb), "hsa",
                  mem=1024, lcores="0-1")
    a2.write_conf(conf(d, "a", os.path.join(d, "empty"), n, pa, pb, ha=False))
    a2.start()
    load = logged(a2, r"state_file \S+: %d flows loaded in ([\d.]+) s" % n, 120)
    a2.stop(timeout=120)
    print("run %d: incremental %d flows in %.2f s = %.0f/s; bulk of %d flows %.2f s; "
          "state write %.2f s, load %.2f s" % (run, got, t_inc, inc, nbulk, bulk, write, load),
          flush=True)
    return inc, bulk, write, load


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    d = tmpdir()
    with open(os.path.join(d, "key"), "wb") as f:
        f.write(KEY)
    os.chmod(os.path.join(d, "key"), 0o600)
    write_pcap(os.path.join(d, "empty0.pcap"), [])
    write_pcap(os.path.join(d, "empty1.pcap"), [])
    write_flows(d, n)
    pcap = os.path.join(d, "flows")
    res = [one(binary, d, n, pcap, r) for r in range(runs)]
    med = [statistics.median(x) for x in zip(*res)]
    print("median of %d: incremental %.0f flow updates/s; bulk of %d flows %.2f s; "
          "state file write %.2f s, load %.2f s" % (runs, med[0], n, med[1], med[2], med[3]))


if __name__ == "__main__":
    main()
