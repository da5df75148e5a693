#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""End to end: jumbo frames through spillway (issue 24).

Client and server namespaces with MTU 9000 on their veths, spillway
between them on net_af_packet with ring frames large enough
(framesz=10240) and ports[].mtu = 9000. net_af_packet reports a
1518-byte frame limit whatever its interface carries, so spillway sets
MTU 9000 on its kernel interfaces itself, as the PMD would.

  1. Real TCP, both ways (IPv4 and IPv6): 4 MB downloads in 9,000-byte
     packets, tracked, byte-exact, nothing invalid or malformed; the
     frames spillway forwarded average more than 8,000 bytes.
  2. A frame over the MTU (9,100 bytes of IP: the client's veth and
     spillway's allow 9200) is counted over_mtu and dropped, never
     parsed (it claims more bytes than it has, which would be
     malformed if it were) and never forwarded.

Before issue 24 spillway had no MTU setting: the veths' 1500 bytes
held, and a jumbo frame arriving as an mbuf chain was malformed.

  jumbo.py SPILLWAY_BINARY"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (Topology, Wire, check, finish, need_root, ready, stat,  # noqa: E402
                   wait_for)

from scapy.all import IP, UDP, Ether, Raw, raw  # noqa: E402

C4, S4, C6, S6 = Topology.C4, Topology.S4, Topology.C6, Topology.S6
MB4 = 4 * 1024 * 1024
RING = "framesz=10240,blocksz=20480,framecnt=1024"

CONF = """
ports = ( { name = "outside"; dev = "net_af_packet0,iface=sw-out,%(ring)s"; mtu = 9000; },
          { name = "inside";  dev = "net_af_packet1,iface=sw-in,%(ring)s"; mtu = 9000; } );
flowtable = { max_flows = 1024; };
rules = {
  policy = (
    { in = "outside"; proto = "tcp"; dport = 80; action = "accept"; comment = "web"; },
    { in = "outside"; proto = "udp"; dport = 9; action = "accept"; comment = "discard"; } );
  policy_default = "drop";
};
""" % {"ring": RING}


def mtu_of(T, ns, dev):
    return int(re.search(r" mtu (\d+) ", T.ns(ns, "ip -o link show dev %s" % dev)).group(1))


def main():
    need_root()
    binary = sys.argv[1]
    T = Topology("j")
    for ns in (T.cli, T.srv):
        T.ns(ns, "ip link set eth0 mtu 9000")
    sw = T.spillway(binary, CONF, "jumbo", mem=512).start()
    check(sw.wait_running(), "spillway runs with MTU 9000 on net_af_packet")
    check(mtu_of(T, T.fw, "sw-out") == 9000 and mtu_of(T, T.fw, "sw-in") == 9000,
          "spillway set MTU 9000 on sw-out and sw-in (the PMD caps its own at 1500)")
    ready(T.role_bg(T.srv, "peer.py", "serve", S4, S6, "80"))
    peer = lambda *a: T.role(T.cli, "peer.py", *a, timeout=60)

    for dst, tag in ((S4, "IPv4"), (S6, "IPv6")):
        r = peer("get", dst, 80, MB4)
        check(r.get("ok") is True and r.get("bytes") == MB4,
              "%s: 4 MB at MTU 9000 through spillway, byte-exact (%s s)"
              % (tag, r.get("seconds")))
    st = sw.counters()
    flows = [l for l in sw.cmd("show flows 0").splitlines() if "dport=80" in l]
    check(len(flows) == 2, "both transfers tracked (%d flows)" % len(flows))
    line = [l for l in sw.cmd("show ports").splitlines() if "port inside" in l][0]
    rxb, rxp = (int(re.search(r" %s=(\d+)" % k, line).group(1)) for k in ("rx_bytes", "rx_packets"))
    avg = rxb / max(1, rxp)
    check(avg > 8000, "the server's frames average %.0f bytes: jumbo frames crossed" % avg)
    check(stat(st, "invalid") == 0 and stat(st, "malformed") == 0 and
          stat(st, "over_mtu") == 0,
          "nothing invalid, malformed or over the MTU (invalid %d, malformed %d, over_mtu %d)"
          % (stat(st, "invalid"), stat(st, "malformed"), stat(st, "over_mtu")))

    # Over the MTU: the client's veth (and spillway's end) allow more.
    T.ns(T.cli, "ip link set eth0 mtu 9200")
    T.ns(T.fw, "ip link set sw-out mtu 9200")
    w, s = Wire(T.cli), Wire(T.srv)
    dmac = T.mac(T.srv)
    over = Ether(src=w.mac, dst=dmac) / IP(src=C4, dst=S4) / UDP(sport=5000, dport=9) / \
        Raw(b"\xa5" * (9100 - 28))
    frame = bytearray(raw(over))
    # It claims 200 bytes more than it holds: a parser that read it
    # would call it malformed (or read past its end).
    frame[16:18] = (9100 + 200).to_bytes(2, "big")
    before = sw.counters()
    s.drain()
    w.send(bytes(frame))
    wait_for(lambda: stat(sw.counters(), "rx") > stat(before, "rx"), 5)
    after = wait_for(lambda: (lambda c: c if stat(c, "over_mtu") > stat(before, "over_mtu")
                              else None)(sw.counters()), 5) or sw.counters()
    got = s.read(0.5)
    check(stat(after, "over_mtu") == stat(before, "over_mtu") + 1 and
          stat(after, "malformed") == stat(before, "malformed") and
          not [f for f in got if len(f) > 9000],
          "a 9,100-byte packet at MTU 9000: over_mtu %d -> %d, not parsed (malformed %d), "
          "not forwarded" % (stat(before, "over_mtu"), stat(after, "over_mtu"),
                             stat(after, "malformed")))
    ok = Ether(src=w.mac, dst=dmac) / IP(src=C4, dst=S4) / UDP(sport=5001, dport=9) / \
        Raw(b"\x5a" * (9000 - 28))
    w.send(raw(ok))
    got = s.expect(lambda f: len(f) == len(raw(ok)) and f[-16:] == raw(ok)[-16:])
    check(got, "a 9,000-byte UDP datagram at MTU 9000 crosses")
    rc, _ = sw.stop()
    check(rc == 0, "spillway exits 0")
    finish("e2e jumbo")


if __name__ == "__main__":
    main()
