#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""pcap integration: the real spillway between two net_pcap ports.

Well-formed frames of every header kind must come out of the paired port
unchanged and in order; malformed frames must be dropped and counted;
non-IP frames pass or drop with l2_passthrough; frames with a wrong
checksum (net_pcap gives no verdict: spillway computes) are dropped and
counted as bad_checksum while their correct twins pass. The rules accept
every well-formed packet: this test is about the parser and the bridge."""

import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import check, finish, run_pcap, tmpdir  # noqa: E402
from pylib.packets import E, ER  # noqa: E402

from scapy.all import (ARP, ICMP, IP, TCP, UDP, Dot1AD, Dot1Q,  # noqa: E402
                       Ether, ICMPv6EchoRequest, ICMPv6ND_NS, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Raw, raw)

C, S = "192.0.2.10", "198.51.100.20"
C6, S6 = "2001:db8::10", "2001:db8:1::20"


def good_frames():
    """Well-formed frames client -> server, one of each kind."""
    f = [
        E / IP(src=C, dst=S) / TCP(sport=40000, dport=80, flags="S"),
        E / IP(src=C, dst=S, options=b"\x01" * 8) / TCP(sport=40000, dport=80, flags="A") / Raw(b"GET / HTTP/1.0\r\n\r\n"),
        E / IP(src=C, dst=S) / UDP(sport=5353, dport=53) / Raw(b"q" * 30),
        E / IP(src=C, dst=S) / ICMP(type=8, id=7, seq=1) / Raw(b"x" * 56),
        E / Dot1Q(vlan=10) / IP(src=C, dst=S) / TCP(sport=1, dport=2, flags="PA") / Raw(b"v"),
        E / Dot1AD(vlan=100) / Dot1Q(vlan=10) / IP(src=C, dst=S) / UDP(sport=1, dport=2),
        E / IPv6(src=C6, dst=S6) / TCP(sport=40001, dport=443, flags="S"),
        E / IPv6(src=C6, dst=S6) / IPv6ExtHdrHopByHop() / IPv6ExtHdrRouting(type=2, addresses=[S6], segleft=0) / IPv6ExtHdrDestOpt() / UDP(sport=9, dport=53) / Raw(b"six"),
        E / IPv6(src=C6, dst=S6) / ICMPv6EchoRequest(id=3) / Raw(b"p" * 20),
        E / IPv6(src=C6, dst="ff02::1:ff00:20") / ICMPv6ND_NS(tgt=S6),
        E / IP(src=C, dst=S, flags="MF", id=99) / UDP(sport=7, dport=7, len=1408) / Raw(b"f" * 64),
        E / IP(src=C, dst=S, frag=100, id=99, proto=17) / Raw(b"g" * 64),
        E / IPv6(src=C6, dst=S6) / IPv6ExtHdrFragment(offset=0, m=1, id=5, nh=17) / UDP(sport=8, dport=8, len=900) / Raw(b"h" * 32),
        E / IPv6(src=C6, dst=S6) / IPv6ExtHdrFragment(offset=100, m=0, id=5, nh=17) / Raw(b"h" * 32),
        E / IP(src=C, dst=S, proto=47) / Raw(b"gre" * 4),
        E / IP(src=C, dst=S) / UDP(sport=1, dport=53) / Raw(b"m" * 1472),  # 1,514 bytes: one mbuf
        E / ARP(psrc=C, pdst=S),
    ]
    out = [raw(p) for p in f]
    # A short IPv4 packet padded to Ethernet's 60 bytes: padding is normal.
    pad = raw(E / IP(src=C, dst=S) / UDP(sport=1, dport=2) / Raw(b"ab"))
    out.append(pad + b"\x00" * (60 - len(pad)))
    return out


def patch(b, off, val):
    b = bytearray(b)
    b[off:off + len(val)] = val
    return bytes(b)


def malformed_frames():
    """Frames the parser must refuse, each for one reason."""
    tcp = raw(E / IP(src=C, dst=S) / TCP(sport=1, dport=80) / Raw(b"data"))
    udp = raw(E / IP(src=C, dst=S) / UDP(sport=1, dport=53) / Raw(b"data"))
    v6 = raw(E / IPv6(src=C6, dst=S6) / UDP(sport=1, dport=53) / Raw(b"data"))
    return [
        tcp[:12],                                   # no full Ethernet header
        tcp[:30],                                   # IPv4 header cut short
        patch(tcp, 14, b"\x44"),                    # IHL 4
        patch(tcp, 14, b"\x55"),                    # version 5
        patch(tcp, 16, (len(tcp) - 14 + 10).to_bytes(2, "big")),  # tot len > frame
        patch(tcp, 34 + 12, b"\x40"),               # TCP data offset 4
        patch(udp, 34 + 4, (100).to_bytes(2, "big")),  # UDP length > payload
        raw(E / IP(src=C, dst=S) / ICMP())[:14 + 20 + 4] ,  # ICMP cut (tot len too)
        v6[:14 + 30],                               # IPv6 header cut short
        patch(v6, 14 + 4, (500).to_bytes(2, "big")),  # payload len > frame
        raw(E / IPv6(src=C6, dst=S6) / IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop() / UDP()),
        raw(E / Dot1AD(vlan=1) / Dot1Q(vlan=2) / Dot1Q(vlan=3) / IP(src=C, dst=S) / UDP()),
        raw(E / IP(src=C, dst=S, frag=1, proto=6) / Raw(b"\x00" * 12)),  # RFC 1858
        jumbogram(),
    ]


def over_mtu_frames():
    """3,000 bytes: over the port's MTU (1500), and more than one 2 KiB
    mbuf holds, so net_pcap hands it over as a chain of segments. It is
    dropped before any header is read, and counted over_mtu."""
    return [raw(E / IP(src=C, dst=S) / UDP(sport=1, dport=53) / Raw(b"j" * 2958))]


def jumbogram():
    """IPv6 payload length 0 and a hop-by-hop Jumbo Payload option
    (RFC 2675): not carried, malformed (README, known limits)."""
    hbh = bytes([17, 0, 0xc2, 4]) + (8 + 20).to_bytes(4, "big")
    udp = raw(UDP(sport=1, dport=53, len=28, chksum=0) / Raw(b"x" * 20))
    ip = bytes([0x60, 0, 0, 0, 0, 0, 0, 64]) + socket.inet_pton(socket.AF_INET6, C6) + \
        socket.inet_pton(socket.AF_INET6, S6)
    return raw(E)[:12] + b"\x86\xdd" + ip + hbh + udp


def flip16(b, off, mask=0x5aa5):
    """b with the 16-bit field at off XORed with mask (a sum made wrong,
    never 0: over IPv4 a UDP sum of 0 means none)."""
    v = int.from_bytes(b[off:off + 2], "big") ^ mask
    assert v != 0
    return patch(b, off, v.to_bytes(2, "big"))


def checksum_frames():
    """(frame, forwarded) in order: correct sums pass, a wrong IPv4
    header sum or UDP sum is dropped, and UDP's 0 is "none" over IPv4
    but invalid over IPv6."""
    u4 = raw(E / IP(src=C, dst=S) / UDP(sport=4444, dport=53) / Raw(b"sum"))
    u6 = raw(E / IPv6(src=C6, dst=S6) / UDP(sport=4444, dport=53) / Raw(b"sum"))
    t4 = raw(E / IP(src=C, dst=S) / TCP(sport=4445, dport=80, flags="PA") / Raw(b"sum"))
    return [
        (u4, True),
        (flip16(u4, 14 + 10), False),          # IPv4 header checksum
        (flip16(u4, 34 + 6), False),           # UDP checksum
        (patch(u4, 34 + 6, b"\x00\x00"), True),  # UDP over IPv4: none
        (u6, True),
        (patch(u6, 54 + 6, b"\x00\x00"), False),  # UDP over IPv6: invalid
        (t4, True),
        (flip16(t4, 34 + 16), False),          # TCP checksum
    ]


def orphan_fragments():
    """Non-first fragments whose first fragment never came: dropped,
    never accepted for lack of ports to deny."""
    return [raw(E / IP(src=C, dst=S, frag=50, id=1234, proto=17) / Raw(b"o" * 16)),
            raw(E / IPv6(src=C6, dst=S6) / IPv6ExtHdrFragment(offset=50, m=1, id=77, nh=6) / Raw(b"o" * 16))]


def reply_frames():
    return [raw(ER / IP(src=S, dst=C) / TCP(sport=80, dport=40000, flags="SA")),
            raw(ER / IPv6(src=S6, dst=C6) / TCP(sport=443, dport=40001, flags="SA")),
            raw(ER / ARP(op=2, psrc=S, pdst=C))]


def fix_icmp_cut(frames):
    # The cut ICMP frame must still be a consistent IPv4 packet whose
    # payload (4 bytes) is too short for ICMP: set its total length.
    b = bytearray(frames[7])
    b[16:18] = (20 + 4).to_bytes(2, "big")
    frames[7] = bytes(b)
    return frames


def run(binary, work, l2_passthrough):
    good = good_frames()
    bad = fix_icmp_cut(malformed_frames())
    # Interleave: every good frame followed by a bad one while they last.
    mixed, expect_out1 = [], []
    for i, g in enumerate(good):
        mixed.append(g)
        if l2_passthrough or Ether(g).type != 0x0806:
            expect_out1.append(g)
        if i < len(bad):
            mixed.append(bad[i])
    cks = checksum_frames()
    for f, forwarded in cks:
        mixed.append(f)
        if forwarded:
            expect_out1.append(f)
    n_bad_sum = sum(1 for _, forwarded in cks if not forwarded)
    orphans = orphan_fragments()
    mixed += orphans
    big = over_mtu_frames()
    mixed += big
    rep = reply_frames()
    expect_out0 = [r for r in rep if l2_passthrough or Ether(r).type != 0x0806]
    n_l2 = sum(1 for g in good + rep if Ether(g).type == 0x0806)

    tag = "l2on" if l2_passthrough else "l2off"
    conf = """l2_passthrough = %s;
rules = { fallback_default = "accept"; };
flowtable = { enabled = false; };
""" % ("true" if l2_passthrough else "false")
    r = run_pcap(binary, work, tag, mixed, rep, conf)
    rc, totals, sw = r.rc, r.totals, r.sw
    total = len(mixed) + len(rep)
    check(rc == 0, "%s: spillway exits 0 on SIGTERM" % tag)
    print(sw.output())

    got1, got0 = r.out1, r.out0
    check(got1 == expect_out1,
          "%s: %d well-formed frames outside->inside, unchanged, in order"
          % (tag, len(expect_out1)))
    check(got0 == expect_out0,
          "%s: %d frames inside->outside, unchanged, in order"
          % (tag, len(expect_out0)))
    check(totals.get("malformed") == len(bad),
          "%s: malformed counter %s == %d dropped" % (tag, totals.get("malformed"), len(bad)))
    check(totals.get("over_mtu") == len(big),
          "%s: %d frame over the MTU dropped unparsed: over_mtu %s"
          % (tag, len(big), totals.get("over_mtu")))
    check(totals.get("bad_checksum") == n_bad_sum,
          "%s: %d frames with a wrong checksum dropped, counted in bad_checksum (%s)"
          % (tag, n_bad_sum, totals.get("bad_checksum")))
    check(totals.get("rx") == total, "%s: rx %s == %d" % (tag, totals.get("rx"), total))
    check(totals.get("frag_unknown") == len(orphans),
          "%s: %d orphan fragments dropped (frag_unknown)" % (tag, len(orphans)))
    if l2_passthrough:
        check(totals.get("l2_passthrough") == n_l2, "%s: %d ARP frames passed" % (tag, n_l2))
    else:
        check(totals.get("l2_dropped") == n_l2, "%s: %d ARP frames dropped" % (tag, n_l2))
    check(totals.get("tx") == len(expect_out0) + len(expect_out1) and
          totals.get("tx_dropped") == 0, "%s: tx counter matches" % tag)


def main():
    binary = sys.argv[1]
    work = tmpdir("sw-pcap-")
    run(binary, work, True)
    run(binary, work, False)
    finish("pcap forward")


if __name__ == "__main__":
    main()
