#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""pcap integration: what may pass unfiltered, and fragments.

Regression: "source routes, tunnels and bad NDP pass unfiltered": IPv4
LSRR/SSRR options and IPv6 type 0 routing headers passed (pf drops
both); l2_passthrough passed MPLS, PPPoE and SNAP frames, whose IP no
rule sees; allow_ndp passed neighbour discovery with any hop limit,
before the notrack rules. Fixed by "worker: drop source routes,
tunnels and bad NDP before the rules".

Regression: "a fragment flood evicts accepted datagrams; overlaps
pass": the first-fragment table was direct-mapped and recorded drop
verdicts too, so first fragments the rules drop evicted accepted
datagrams; overlapping and duplicate fragments passed. Fixed by "frag:
set-associative table of accepted datagrams".

Every frame enters on "outside"; what passes must leave "inside"
unchanged and in order, and every drop is counted by reason."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import check, finish, run_pcap, tmpdir  # noqa: E402
from pylib.packets import MAC_C as MC, MAC_S as MS, E  # noqa: E402

from scapy.all import (ARP, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA, IP,  # noqa: E402
                       ICMPv6MLDone, ICMPv6MLQuery, ICMPv6MLReport,
                       ICMPv6MLReport2, ICMPv6MLDMultAddrRec, RouterAlert,
                       LLC, SNAP, STP, TCP, UDP, Dot1Q, Dot3, Ether,
                       IPOption_LSRR, IPOption_RR, IPOption_SSRR, IPv6,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, IPv6ExtHdrDestOpt, Raw, raw)
from scapy.contrib.mpls import MPLS  # noqa: E402
from scapy.layers.ppp import PPP, PPPoE  # noqa: E402

C, S = "192.0.2.10", "198.51.100.20"
C6, S6 = "2001:db8::10", "2001:db8:1::20"
UDPX = UDP(sport=1000, dport=53) / Raw(b"x" * 16)
ALLNODES = "ff02::1"
# MLD as hosts send it: hop limit 1, router alert, link-local source.
RA = IPv6ExtHdrHopByHop(options=[RouterAlert()])

# Notrack sees NDP first: router advertisements from outside are dropped.
CONF = """
rules = {
  notrack = ( { in = "outside"; proto = "icmpv6"; icmp_type = 134;
                action = "drop"; comment = "no RA from outside"; } );
  fallback_default = "accept";
  %(extra)s
};
flowtable = { enabled = false; };
%(top)s
"""


def passes():
    """Frames that must cross, with their kind."""
    return [
        (E / IP(src=C, dst=S) / UDPX, "ip"),
        (E / IP(src=C, dst=S, options=[IPOption_RR(routers=["0.0.0.0"] * 2)]) / UDPX, "ip"),
        (E / IPv6(src=C6, dst=S6) / IPv6ExtHdrRouting(type=2, addresses=[S6], segleft=0) / UDPX, "ip"),
        (E / IPv6(src=C6, dst=S6) / IPv6ExtHdrRouting(type=4, addresses=[S6], segleft=0) / UDPX, "ip"),
        (E / ARP(psrc=C, pdst=S), "l2"),
        (E / Dot1Q(vlan=7) / ARP(psrc=C, pdst=S), "l2"),
        (Ether(src=MC, dst="01:80:c2:00:00:0e", type=0x88cc) / Raw(b"\x02\x07\x04" + b"l" * 20), "l2"),
        (E / IPv6(src="fe80::1", dst="ff02::1:ff00:20") / ICMPv6ND_NS(tgt=S6), "ndp"),
        (E / IPv6(src="fe80::2", dst=ALLNODES) / ICMPv6ND_NA(tgt=C6), "ndp"),
        (E / IPv6(src="fe80::1", dst="ff02::16", hlim=1) / RA /
         ICMPv6MLReport2(records=[ICMPv6MLDMultAddrRec(dst="ff02::fb")]), "mld"),
        # Before the host has an address (RFC 3810 5.2.13).
        (E / IPv6(src="::", dst="ff02::16", hlim=1) / RA /
         ICMPv6MLReport2(records=[ICMPv6MLDMultAddrRec(dst="ff02::1:ff00:10")]), "mld"),
        (E / IPv6(src="fe80::1", dst="ff02::fb", hlim=1) / RA / ICMPv6MLReport(mladdr="ff02::fb"), "mld"),
        (E / IPv6(src="fe80::1", dst="ff02::2", hlim=1) / RA / ICMPv6MLDone(mladdr="ff02::fb"), "mld"),
        (E / IPv6(src="fe80::3", dst=ALLNODES, hlim=1) / RA / ICMPv6MLQuery(), "mld"),
    ]


def drops():
    """Frames that must not cross, with the counter that says why."""
    inner = IP(src=C, dst=S) / UDPX
    return [
        (E / IP(src=C, dst=S, options=[IPOption_LSRR(routers=["198.51.100.1"])]) / UDPX, "source_route"),
        (E / IP(src=C, dst=S, options=[IPOption_SSRR(routers=["198.51.100.1"])]) / UDPX, "source_route"),
        # In a later fragment too (the option is copied to every one).
        (E / IP(src=C, dst=S, frag=8, id=3, proto=17,
                options=[IPOption_LSRR(routers=["198.51.100.1"])]) / Raw(b"f" * 16), "source_route"),
        # An option list no router could walk hides what follows.
        (E / IP(src=C, dst=S, options=b"\x07\x09\x04\x00") / UDPX, "source_route"),
        (E / IPv6(src=C6, dst=S6) / IPv6ExtHdrRouting(type=0, addresses=["2001:db8::99"], segleft=0) / UDPX, "source_route"),
        (E / IPv6(src=C6, dst=S6) / IPv6ExtHdrHopByHop() / IPv6ExtHdrRouting(type=0, addresses=["2001:db8::99"]) / UDPX, "source_route"),
        (E / IPv6(src=C6, dst=S6) / IPv6ExtHdrRouting(type=0, addresses=["2001:db8::99"]) /
         IPv6ExtHdrFragment(offset=10, m=1, id=5, nh=17) / Raw(b"f" * 16), "source_route"),
        (Ether(src=MC, dst=MS, type=0x8847) / MPLS(label=16, s=1, ttl=64) / inner, "l2_hidden_ip"),
        (Ether(src=MC, dst=MS, type=0x8848) / MPLS(label=17, s=1, ttl=64) / inner, "l2_hidden_ip"),
        (E / Dot1Q(vlan=7, type=0x8847) / MPLS(label=16, s=1, ttl=64) / inner, "l2_hidden_ip"),
        (Ether(src=MC, dst=MS, type=0x8864) / PPPoE(sessionid=1) / PPP(proto=0x0021) / inner, "l2_hidden_ip"),
        (Dot3(src=MC, dst=MS) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x0800) / inner, "l2_hidden_ip"),
        (Dot3(src=MC, dst="01:80:c2:00:00:00") / LLC(dsap=0x42, ssap=0x42, ctrl=3) / STP(), "l2_dropped"),
        (Ether(src=MC, dst=MS, type=0x8137) / Raw(b"ipx" * 10), "l2_dropped"),
        # RFC 4861: hop limit 255 (not routed), code 0.
        (E / IPv6(src="fe80::1", dst="ff02::1:ff00:20", hlim=64) / ICMPv6ND_NS(tgt=S6), "ndp_invalid"),
        (E / IPv6(src="fe80::2", dst=ALLNODES) / ICMPv6ND_NA(tgt=C6, code=1), "ndp_invalid"),
        (E / IPv6(src="fe80::1", dst=ALLNODES) / ICMPv6ND_RA(), "notrack"),
        # RFC 3810 5.1.14, 5.2.13: hop limit 1, a link-local source.
        (E / IPv6(src="fe80::1", dst="ff02::16", hlim=2) / RA /
         ICMPv6MLReport2(records=[ICMPv6MLDMultAddrRec(dst="ff02::fb")]), "mld_invalid"),
        (E / IPv6(src=C6, dst="ff02::16", hlim=1) / RA /
         ICMPv6MLReport2(records=[ICMPv6MLDMultAddrRec(dst="ff02::fb")]), "mld_invalid"),
    ]


def run_filters(binary, work):
    ps, ds = passes(), drops()
    frames = [raw(f) for f, _ in ps] + [raw(f) for f, _ in ds]
    r = run_pcap(binary, work, "filter", frames, [], CONF % {"extra": "", "top": ""})
    t = r.totals
    check(r.rc == 0, "spillway exits 0")
    check(r.out1 == [raw(f) for f, _ in ps],
          "%d frames pass, unchanged, in order (IP with record route, RH types 2 and 4, "
          "ARP, tagged ARP, LLDP, NS and NA with hop limit 255, MLD reports v1 and v2, "
          "done, query with hop limit 1)" % len(ps))
    want = lambda k: sum(1 for _, w in ds if w == k)
    check(t["source_route"] == want("source_route"),
          "LSRR, SSRR (in a later fragment too), a bad option list, RH0 (segments left 0, "
          "after hop-by-hop, before a fragment header) dropped: source_route = %d"
          % t["source_route"])
    check(t["l2_hidden_ip"] == want("l2_hidden_ip"),
          "MPLS (unicast, multicast, tagged), PPPoE session, SNAP carrying IP dropped: "
          "l2_hidden_ip = %d" % t["l2_hidden_ip"])
    check(t["l2_dropped"] == want("l2_hidden_ip") + want("l2_dropped"),
          "with STP and IPX, not in the default list: l2_dropped = %d" % t["l2_dropped"])
    check(t["ndp_invalid"] == want("ndp_invalid"),
          "NS with hop limit 64 and NA with code 1 dropped: ndp_invalid = %d" % t["ndp_invalid"])
    check(t["ndp"] == 2 and t["notrack"] == 1,
          "valid NS and NA passed as ndp; the RA met the notrack rule first")
    check(t["mld"] == sum(1 for _, k in ps if k == "mld"),
          "valid MLD passed before the policy as mld = %d" % t["mld"])
    check(t["mld_invalid"] == want("mld_invalid"),
          "MLD with hop limit 2 or a global source dropped: mld_invalid = %d"
          % t["mld_invalid"])
    check(t["drop"] == want("source_route") + want("ndp_invalid") + want("notrack") +
          want("mld_invalid"),
          "the IP ones counted as drops too (%d)" % t["drop"])
    check(r.out0 == [], "nothing goes back out of outside")


def run_allowed(binary, work):
    """The same frames where the config allows them by name."""
    ps = [(E / IP(src=C, dst=S, options=[IPOption_LSRR(routers=["198.51.100.1"])]) / UDPX),
          (E / IPv6(src=C6, dst=S6) / IPv6ExtHdrRouting(type=0, addresses=["2001:db8::99"]) / UDPX),
          (Ether(src=MC, dst=MS, type=0x8847) / MPLS(label=16, s=1, ttl=64) / IP(src=C, dst=S) / UDPX),
          (Ether(src=MC, dst=MS, type=0x8864) / PPPoE(sessionid=1) / PPP(proto=0x0021) / IP(src=C, dst=S)),
          (Ether(src=MC, dst=MS, type=0x88b5) / Raw(b"local" * 4)),
          (Dot3(src=MC, dst="01:80:c2:00:00:00") / LLC(dsap=0x42, ssap=0x42, ctrl=3) / STP())]
    ds = [(E / ARP(psrc=C, pdst=S)),
          (Ether(src=MC, dst="01:80:c2:00:00:0e", type=0x88cc) / Raw(b"l" * 20))]
    frames = [raw(f) for f in ps + ds]
    conf = CONF % {"extra": "allow_source_route = true;",
                   "top": 'l2_passthrough = [ "mpls", "pppoe", "0x88b5", "stp" ];'}
    r = run_pcap(binary, work, "allowed", frames, [], conf)
    t = r.totals
    check(r.rc == 0 and r.out1 == [raw(f) for f in ps],
          "allow_source_route and l2_passthrough = [mpls, pppoe, 0x88b5, stp]: those pass")
    check(t["l2_dropped"] == 2 and t["source_route"] == 0,
          "ARP and LLDP, no longer listed, are dropped (l2_dropped = %d)" % t["l2_dropped"])


def frag4(ident, off, payload, more, sport=1000, dport=7000, first=False, src=C):
    """An IPv4 UDP fragment of datagram ident: payload bytes at off."""
    flags = "MF" if more else 0
    if first:
        return E / IP(src=src, dst=S, id=ident, flags=flags) / UDP(sport=sport, dport=dport, len=8 + 64) / Raw(payload)
    return E / IP(src=src, dst=S, id=ident, flags=flags, frag=off // 8, proto=17) / Raw(payload)


def run_fragments(binary, work):
    conf = """
rules = {
  fallback = ( { proto = "udp"; dport = "7000-7999"; action = "accept"; } );
  fallback_default = "drop";
};
flowtable = { enabled = false; };
fragments = { per_source = 4; };
"""
    frames, want_out, why = [], [], {}

    def add(f, passes, reason=None):
        frames.append(raw(f))
        if passes:
            want_out.append(raw(f))
        if reason:
            why[reason] = why.get(reason, 0) + 1

    # 20 accepted datagrams from distinct sources, first fragments now,
    # the rest after 6,000 first fragments the rules drop (the old table
    # recorded those too and evicted accepted datagrams: 1,024 slots).
    for i in range(20):
        add(frag4(100 + i, 0, b"a" * 56, True, first=True, src="192.0.2.%d" % (100 + i)), True)
    for i in range(6000):
        add(frag4(5000 + i, 0, b"d" * 56, True, dport=8000, first=True,
                  src="198.51.100.%d" % (i % 250)), False)
    for i in range(20):
        add(frag4(100 + i, 64, b"b" * 30, False, src="192.0.2.%d" % (100 + i)), True)
    # Overlaps: a datagram whose bytes come twice never passes them twice.
    add(frag4(300, 0, b"a" * 56, True, first=True), True)
    add(frag4(300, 0, b"A" * 56, True, first=True), False, "frag_overlap")	# a second first
    add(frag4(300, 32, b"x" * 64, True), False, "frag_overlap")		# rewrites bytes 32..63
    add(frag4(300, 64, b"b" * 64, True), True)
    add(frag4(300, 64, b"b" * 64, True), False, "frag_overlap")		# exact duplicate
    add(frag4(300, 120, b"c" * 8, True), False, "frag_overlap")
    add(frag4(300, 128, b"e" * 20, False), True)
    add(frag4(300, 148, b"z" * 8, False), False, "frag_unknown")		# complete: gone
    # Geometry: a fragment but the last must be a multiple of 8.
    add(frag4(301, 0, b"a" * 56, True, first=True), True)
    add(frag4(301, 64, b"b" * 12, True), False, "frag_bad")
    # One source holds 4 datagrams at most (fragments.per_source).
    for i in range(6):
        add(frag4(400 + i, 0, b"a" * 56, True, first=True, src="192.0.2.77"), i < 4,
            None if i < 4 else "frag_source_limit")
    # IPv6: the same rules, and RFC 7112: a first fragment holds the
    # whole header chain (a cut TCP header or extension is malformed).
    v6 = E / IPv6(src=C6, dst=S6)
    add(v6 / IPv6ExtHdrFragment(offset=0, m=1, id=9, nh=17) / UDP(sport=1, dport=7000, len=200) / Raw(b"a" * 24), True)
    add(v6 / IPv6ExtHdrFragment(offset=2, m=1, id=9, nh=17) / Raw(b"x" * 16), False, "frag_overlap")
    add(v6 / IPv6ExtHdrFragment(offset=4, m=0, id=9, nh=17) / Raw(b"b" * 16), True)
    add(v6 / IPv6ExtHdrFragment(offset=0, m=1, id=10, nh=6) / Raw(b"t" * 16), False, "malformed")
    add(v6 / IPv6ExtHdrFragment(offset=0, m=1, id=11, nh=60) / Raw(b"\x11\x08" + b"o" * 14), False, "malformed")
    # IPv4 tiny first fragment (TCP header cut) and offset 8 (RFC 1858).
    add(E / IP(src=C, dst=S, id=12, flags="MF", proto=6) / Raw(b"t" * 16), False, "malformed")
    add(E / IP(src=C, dst=S, id=12, frag=1, proto=6) / Raw(b"t" * 16), False, "malformed")

    r = run_pcap(binary, work, "frags", frames, [], conf)
    t = r.totals
    check(r.rc == 0 and t["rx"] == len(frames), "%d frames read" % len(frames))
    check(r.out1 == want_out, "%d fragments forwarded, in order: every accepted datagram "
          "whole, nothing twice (%d forwarded)" % (len(want_out), len(r.out1)))
    for k, n in sorted(why.items()):
        check(t[k] == n, "%s = %d (want %d)" % (k, t[k], n))
    check(t["frag_full"] == 0, "6,000 denied first fragments took no room (frag_full = 0)")


def main():
    binary = sys.argv[1]
    work = tmpdir("sw-filter-")
    run_filters(binary, work)
    run_allowed(binary, work)
    run_fragments(binary, work)
    finish("pcap filter")


if __name__ == "__main__":
    main()
