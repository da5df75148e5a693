#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""End to end: real TCP through spillway's window tracking. Linux stacks
on both sides (window scaling, SACK and timestamps on, their defaults)
in namespaces around spillway on net_af_packet:

  - 8 MB downloads over IPv4 and IPv6 through a 50 Mbit/s token bucket
    on the server's egress that drops what overflows it, so the client
    SACKs and the server recovers: byte-exact, nothing invalid;
  - the server closes first (every download): the flows end in
    TIME_WAIT; a client that resets: its flow is CLOSE;
  - TIME_WAIT reuse: a second connection from the same client port while
    the first one's flow is in TIME_WAIT reopens it.

  realtcp.py SPILLWAY_BINARY"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (Topology, check, finish, need_root, ready, sh, stat,  # noqa: E402
                   wait_for)

C4, S4, C6, S6 = Topology.C4, Topology.S4, Topology.C6, Topology.S6
MB8 = 8 * 1024 * 1024


def netstat(ns, name):
    """A TcpExt counter of a namespace's stack."""
    lines = sh("ip netns exec %s cat /proc/net/netstat" % ns).splitlines()
    for h, v in zip(lines[::2], lines[1::2]):
        if h.startswith("TcpExt:"):
            d = dict(zip(h.split()[1:], v.split()[1:]))
            return int(d.get(name, -1))
    return -1


CONF = """
flowtable = { max_flows = 1024; };
rules = {
  policy = (
    { in = "outside"; proto = "tcp"; dport = 80; action = "accept"; comment = "web"; } );
  policy_default = "drop";
};
"""


def main():
    need_root()
    binary = sys.argv[1]
    T = Topology("r")
    # Loss where a real path has it: a bottleneck's queue overflows.
    T.ns(T.srv, "tc qdisc replace dev eth0 root tbf rate 50mbit burst 16kb latency 2ms")
    sw = T.spillway(binary, CONF, "rt").start()
    check(sw.wait_running(), "spillway runs")
    cli = sw.cmd
    ready(T.role_bg(T.srv, "peer.py", "serve", S4, S6, "80"))
    peer = lambda *a: T.role(T.cli, "peer.py", *a, timeout=60)

    sack0 = netstat(T.srv, "TCPSackRecovery")
    for dst, tag in ((S4, "IPv4"), (S6, "IPv6")):
        r = peer("get", dst, 80, MB8)
        check(r.get("ok") is True and r.get("bytes") == MB8,
              "%s: 8 MB through a lossy 50 Mbit/s bottleneck, byte-exact (%s s)"
              % (tag, r.get("seconds")))
    sack = netstat(T.srv, "TCPSackRecovery") - sack0
    check(sack > 0, "the client's SACK blocks crossed the firewall: the server "
          "recovered by SACK %d times" % sack)
    det = [l for l in cli("show flows detail 0").splitlines() if "dport=80" in l]
    scaled = [l for l in det if re.search(r"orig=\[.*wscale=[1-9].*SACK_PERM\] "
                                          r"reply=\[.*wscale=[1-9].*SACK_PERM\]", l)]
    check(len(det) == 2 and len(scaled) == 2,
          "both transfers tracked with window scaling and SACK on both sides")
    check(all("TIME_WAIT" in l for l in det),
          "the server closed first: both flows in TIME_WAIT")

    r = peer("reset", S4, 80)
    # The client's RST crosses spillway: its flow goes to CLOSE.
    rs = wait_for(lambda: [l for l in cli("show flows 0").splitlines()
                           if "sport=%s dport=80" % r.get("local") in l and " CLOSE " in l],
                  5, 0.05)
    rs = rs or [l for l in cli("show flows 0").splitlines()
                if "sport=%s dport=80" % r.get("local") in l]
    check(r.get("ok") and len(rs) == 1 and " CLOSE " in rs[0],
          "a client that resets: its flow is CLOSE (the RST was exact)")

    r1 = peer("get", S4, 80, 1000, 40500)
    tw = [l for l in cli("show flows 0").splitlines() if "sport=40500 dport=80" in l]
    r2 = peer("get", S4, 80, 2000, 40500)
    after = [l for l in cli("show flows 0").splitlines() if "sport=40500 dport=80" in l]
    check(r1.get("ok") and len(tw) == 1 and "TIME_WAIT" in tw[0],
          "a connection from port 40500 ends with its flow in TIME_WAIT")
    check(r2.get("ok") is True and len(after) == 1,
          "a new connection from the same port reopens the TIME_WAIT flow and works")

    st = cli("show stats")
    n = lambda k: stat(st, k, -1)
    check(n("invalid") == 0,
          "no segment of real TCP was judged invalid (invalid=%d: seq %d, rst %d, "
          "state %d)" % (n("invalid"), n("invalid_seq"), n("invalid_rst"), n("invalid_state")))
    rc, _ = sw.stop()
    check(rc == 0, "spillway exits 0")
    finish("e2e real tcp")


if __name__ == "__main__":
    main()
