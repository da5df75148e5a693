#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Integration: the flow table with a tiny table (max_flows = 8), frame
by frame. Each frame enters on the side it belongs to (client frames on
"outside", server frames on "inside") in exact order, through veth pairs
in a private network namespace (pylib.run_seq), with TCP sequence and
acknowledgement numbers as real stacks send them.

Run 1: eight assured connections fill the table; the ninth and later are
decided by the fallback rules, and all their later packets keep passing
(the shard is spilling), while the tracked eight keep working.
Run 2: eight half-open SYNs fill the table; new connections early-drop
them and are tracked.
Run 3: ICMP errors about tracked flows pass as related; errors from the
wrong side, to the wrong host, or about no flow are invalid.

One client fills the table: no per-source quota, and no SYN proxy
(which would answer the SYNs past half the table); tests/e2e/synproxy.py
covers both."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import VethPorts, check, finish, private_netns, run_seq, tmpdir  # noqa: E402
from pylib.packets import E, ER  # noqa: E402

from scapy.all import (ICMP, IP, TCP, UDP, ICMPv6DestUnreach,  # noqa: E402
                       IPv6, Raw, raw)

C, S = "192.0.2.10", "198.51.100.20"

CONF = """flowtable = { max_flows = 8; early_drop = true; synproxy = "off";
              per_source = { max_flows = 0; }; };
rules = {
  policy = ( { proto = "tcp"; dst = "198.51.100.20/32"; dport = 80;
               action = "accept"; comment = "web"; },
             { proto = "udp"; dport = 53; action = "accept"; comment = "dns"; } );
  policy_default = "drop";
  fallback = (
    { proto = "tcp"; dst = "198.51.100.20/32"; dport = 80;
      action = "accept"; comment = "web in"; },
    { proto = "tcp"; src = "198.51.100.20/32"; sport = 80; tcp_flags = "ack";
      action = "accept"; comment = "web replies"; } );
  fallback_default = "drop";
};
"""


OUT, IN = 0, 1	# the side a frame enters on: client side, server side
CISN, SISN = 1000, 500000


def syn(p):
    return (OUT, raw(E / IP(src=C, dst=S) / TCP(sport=p, dport=80, flags="S",
                                                seq=CISN)))


def synack(p):
    return (IN, raw(ER / IP(src=S, dst=C) / TCP(sport=80, dport=p, flags="SA",
                                                seq=SISN, ack=CISN + 1)))


def ack(p):
    return (OUT, raw(E / IP(src=C, dst=S) / TCP(sport=p, dport=80, flags="A",
                                                seq=CISN + 1, ack=SISN + 1)))


REQ, RESP = 7, 6	# len(b"GET n\r\n"), len(b"OK n\r\n")


def data(p, i):
    """Request i and its response, numbered as a real exchange."""
    cs = CISN + 1 + (i - 1) * REQ
    ss = SISN + 1 + (i - 1) * RESP
    return [(OUT, raw(E / IP(src=C, dst=S) / TCP(sport=p, dport=80, flags="PA",
                                                 seq=cs, ack=ss) / Raw(b"GET %d\r\n" % i))),
            (IN, raw(ER / IP(src=S, dst=C) / TCP(sport=80, dport=p, flags="PA",
                                                 seq=ss, ack=cs + REQ) / Raw(b"OK %d\r\n" % i)))]


def handshake(p):
    return [syn(p), synack(p), ack(p)]


def run(binary, work, ports, tag, frames, denied):
    r = run_seq(binary, work, ports, tag, frames, CONF, "--dump-flows")
    sw, rc, t = r.sw, r.rc, r.totals
    print(sw.output())
    check(rc == 0, tag + ": spillway exits 0")
    for side, got in ((OUT, r.out1), (IN, r.out0)):
        want = [f for s, f in frames if s == side and (s, f) not in denied]
        check(got == want, "%s: %d of %d frames from the %s side passed, "
              "unchanged, in order" % (tag, len(want),
                                        len([1 for s, _ in frames if s == side]),
                                        "client" if side == OUT else "server"))
    flows = [l for l in sw.lines if l.startswith("flow: ")]
    return t, flows


def main():
    private_netns()
    binary = sys.argv[1]
    work = tmpdir("sw-flows-")
    ports = VethPorts()
    # Run 1: a table full of assured flows spills.
    frames = []
    for p in range(1001, 1009):
        frames += handshake(p)
    late = []
    for p in range(2001, 2005):
        late += handshake(p) + data(p, 1) + data(p, 2)
    frames += late
    for p in range(1001, 1009):
        frames += data(p, 1)
    telnet = (OUT, raw(E / IP(src=C, dst=S) / TCP(sport=3000, dport=23, flags="S")))
    frames.append(telnet)
    t, flows = run(binary, work, ports, "spill", frames, [telnet])
    check(t["inserts"] == 8 and t["flows"] == 8,
          "spill: 8 flows inserted and live (inserts=%d flows=%d)"
          % (t["inserts"], t["flows"]))
    check(t["insert_failed"] == 4,
          "spill: the 4 later SYNs found the table full (insert_failed=%d)"
          % t["insert_failed"])
    check(t["early_drops"] == 0, "spill: assured flows are never early-dropped")
    check(t["spilled"] == len(late) and t["fallback_accept"] == len(late),
          "spill: all %d packets of the later connections decided by "
          "the fallback rules and accepted (spilled=%d fallback_accept=%d)"
          % (len(late), t["spilled"], t["fallback_accept"]))
    check(t["tracked"] == 8 * 2 + 8 * 2,
          "spill: the tracked connections' later packets hit their flows "
          "(tracked=%d)" % t["tracked"])
    check(t["drop"] == 1 and t["invalid"] == 0,
          "spill: only the telnet SYN dropped (policy), nothing invalid")
    check(len(flows) == 8 and all("ESTABLISHED" in f and "[ASSURED]" in f
                                  for f in flows),
          "spill: --dump-flows lists 8 ESTABLISHED [ASSURED] flows")
    check(all(re.search(r"packets=3 .*packets=2 ", f) for f in flows),
          "spill: each flow counted 3 packets out, 2 back")

    # Run 2: half-open entries are early-dropped for new connections.
    frames = [syn(p) for p in range(3001, 3009)]
    new = []
    for p in range(4001, 4005):
        new += handshake(p) + data(p, 1)
    frames += new
    t, flows = run(binary, work, ports, "earlydrop", frames, [])
    check(t["early_drops"] == 4 and t["insert_failed"] == 0,
          "earlydrop: 4 half-open flows evicted, no insert failed "
          "(early_drops=%d)" % t["early_drops"])
    check(t["inserts"] == 12 and t["flows"] == 8,
          "earlydrop: 12 inserts, 8 live")
    check(t["fallback_accept"] == 0 and t["spilled"] == 0,
          "earlydrop: nothing spilled")
    assured = [f for f in flows if "[ASSURED]" in f]
    check(len(assured) == 4 and all("sport=400" in f for f in assured),
          "earlydrop: the 4 new connections are tracked and assured")
    # Run 3: ICMP errors about a tracked flow pass as related when they
    # come from the side the quoted packet went to, addressed to its
    # sender; from the wrong side, to another host, about no flow, or
    # a redirect, they are invalid (icmp_unrelated).
    C6, S6 = "2001:db8::10", "2001:db8:1::20"
    q = IP(src=C, dst=S) / UDP(sport=5000, dport=53) / Raw(b"query")
    q6 = IPv6(src=C6, dst=S6) / UDP(sport=5000, dport=53) / Raw(b"query")
    frames = [(OUT, raw(E / q)), (OUT, raw(E / q6)),
              (IN, raw(ER / IP(src=S, dst=C) / ICMP(type=3, code=3) / raw(q))),
              (IN, raw(ER / IPv6(src=S6, dst=C6) / ICMPv6DestUnreach(code=4) / raw(q6)))]
    other = IP(src=C, dst=S) / UDP(sport=5001, dport=53)
    bad = [
        # about no flow
        (IN, raw(ER / IP(src=S, dst=C) / ICMP(type=3, code=3) / raw(other))),
        # from the client's own side
        (OUT, raw(E / IP(src="198.51.100.99", dst=C) / ICMP(type=3, code=3) / raw(q))),
        # to a host that did not send the quoted packet
        (IN, raw(ER / IP(src=S, dst="192.0.2.99") / ICMP(type=3, code=3) / raw(q))),
        # a redirect, from the right side
        (IN, raw(ER / IP(src=S, dst=C) / ICMP(type=5, code=1, gw="198.51.100.1") / raw(q))),
    ]
    frames += bad
    t, flows = run(binary, work, ports, "related", frames, bad)
    check(t["related"] == 2, "related: ICMP and ICMPv6 errors about "
          "tracked flows passed (related=%d)" % t["related"])
    check(t["icmp_unrelated"] == len(bad) and t["invalid"] == len(bad),
          "related: %d errors from the wrong side, to the wrong host, "
          "about no flow or redirecting, dropped as icmp_unrelated (%d)"
          % (len(bad), t["icmp_unrelated"]))
    finish("flows")


if __name__ == "__main__":
    main()
