#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""pcap integration: stateless decisions end to end (flowtable.enabled =
false: notrack, then the fallback rules decide every packet).

Every packet enters on "outside"; accepted ones must leave "inside"
unchanged and in order, rejected ones must come back out of "outside" as
a TCP RST or an ICMP/ICMPv6 port unreachable, checked field by field,
checksums included: the VLAN stack (two tags too) kept, the quote cut
at 576 (IPv4) or 1280 (IPv6) bytes of reply, and no reply to an RST, an
ICMP error or ND message, a non-first fragment, a broadcast or multicast
destination or an unspecified source. Then the reply rate limit (1 a
second; 0: none), and allow_ndp = false."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import check, finish, run_pcap, tmpdir  # noqa: E402
from pylib.packets import MAC_C as MC, MAC_S as MS, E  # noqa: E402

from scapy.all import (ICMP, IP, TCP, UDP, Dot1AD, Dot1Q, Ether,  # noqa: E402
                       ICMPv6DestUnreach, ICMPv6EchoRequest, ICMPv6ND_NA,
                       ICMPv6ND_NS, ICMPv6ND_RS, IPv6, Raw, raw)

C, S = "192.0.2.10", "198.51.100.20"
C6, S6 = "2001:db8::10", "2001:db8:1::20"

RULES = """
rules = {
  notrack = (
    { proto = "udp"; dport = 53; action = "accept"; comment = "dns"; },
    { proto = "udp"; dport = "5000-5999"; action = "drop"; comment = "junk"; }
  );
  fallback = (
    { in = "outside"; proto = "tcp"; dst = "198.51.100.20/32"; dport = "80,443";
      action = "accept"; comment = "web"; },
    { in = "outside"; proto = "tcp"; dst = "2001:db8:1::/48"; dport = 443;
      action = "accept"; comment = "web6"; },
    { in = "inside"; proto = "tcp"; sport = 80; tcp_flags = "ack";
      action = "accept"; comment = "replies, inside only"; },
    { proto = "icmp"; icmp_type = 8; action = "accept"; comment = "ping"; },
    { proto = "tcp"; dport = 23; action = "reject"; comment = "telnet"; },
    { proto = "udp"; dport = 161; action = "reject"; comment = "snmp"; },
    { proto = "icmp"; icmp_type = 3; action = "reject"; comment = "no reply due"; },
    { proto = "udp"; dport = "7000-7999"; action = "accept"; comment = "frags"; }
  );
  fallback_default = "drop";
  reject_rate = %d;
  reject_rate_per_dest = %d;
};
flowtable = { enabled = false; };   # stateless: notrack, then fallback
"""

# (frame, expected verdict, label). Verdicts: accept, drop, reject
# (a reply is due), reject-silent (rejected, no reply due).
def cases():
    syn23 = E / IP(src=C, dst=S) / TCP(sport=40000, dport=23, flags="S", seq=1000)
    pa23 = E / IP(src=C, dst=S) / TCP(sport=40001, dport=23, flags="PA", seq=7, ack=5000) / Raw(b"hello")
    udp161 = E / IP(src=C, dst=S, options=b"\x01" * 4) / UDP(sport=999, dport=161) / Raw(b"q" * 40)
    return [
        (E / IP(src=C, dst=S) / TCP(sport=40002, dport=80, flags="S"), "accept", "tcp 80 fallback"),
        (E / IP(src=C, dst=S) / TCP(sport=40003, dport=22, flags="S"), "drop", "tcp 22 default"),
        (E / IP(src=C, dst=S) / UDP(sport=999, dport=53) / Raw(b"d"), "accept", "udp 53 notrack"),
        (E / IP(src=C, dst=S) / UDP(sport=999, dport=5353), "drop", "udp 5353 notrack drop"),
        (syn23, "reject", "tcp syn 23 -> RST/ACK"),
        (pa23, "reject", "tcp ack 23 -> RST seq=ack"),
        (udp161, "reject", "udp 161 -> icmp port unreachable"),
        (E / IPv6(src=C6, dst=S6) / TCP(sport=40004, dport=443, flags="S"), "accept", "v6 tcp 443"),
        (E / IPv6(src=C6, dst=S6) / TCP(sport=40005, dport=80, flags="S"), "drop", "v6 tcp 80 not allowed"),
        (E / IPv6(src=C6, dst=S6) / UDP(sport=999, dport=161) / Raw(b"x" * 60), "reject", "v6 udp 161 -> icmpv6"),
        (E / IPv6(src=C6, dst=S6) / TCP(sport=40006, dport=23, flags="S", seq=42), "reject", "v6 tcp 23 -> RST"),
        (E / IP(src=C, dst=S) / ICMP(type=8, id=1), "accept", "ping"),
        (E / IP(src=C, dst=S) / ICMP(type=13), "drop", "icmp timestamp default"),
        (E / IP(src=C, dst=S) / TCP(sport=80, dport=40007, flags="A"), "drop", "reply rule is inside only"),
        (E / Dot1Q(vlan=42) / IP(src=C, dst=S) / UDP(sport=998, dport=161) / Raw(b"v" * 28), "reject", "vlan udp 161 -> tagged icmp"),
        # No reply longer than the packet: an error must quote the IP
        # header and 8 bytes, which 28 + 28 bytes would outgrow.
        (E / IP(src=C, dst=S) / UDP(sport=997, dport=161) / Raw(b"t" * 27), "reject-silent", "short udp 161: no reply (it would be longer)"),
        (E / IPv6(src=C6, dst=S6) / UDP(sport=997, dport=161) / Raw(b"t" * 47), "reject-silent", "short v6 udp 161: no reply"),
        # Never to or from a group MAC: one frame must not fan out.
        (Ether(src=MC, dst="ff:ff:ff:ff:ff:ff") / IP(src=C, dst=S) / TCP(sport=40009, dport=23, flags="S"), "reject-silent", "sent to broadcast MAC: no reply"),
        (Ether(src=MC, dst="01:00:5e:00:00:09") / IP(src=C, dst=S) / TCP(sport=40010, dport=23, flags="S"), "reject-silent", "sent to a multicast MAC: no reply"),
        (Ether(src="03:00:00:00:00:01", dst=MS) / IP(src=C, dst=S) / TCP(sport=40011, dport=23, flags="S"), "reject-silent", "from a multicast MAC: no reply"),
        (E / IP(src=C, dst=S) / ICMP(type=3, code=1) / Raw(b"e" * 28), "reject-silent", "icmp error: no reply"),
        (E / IP(src=C, dst="224.0.0.9") / UDP(sport=999, dport=161), "reject-silent", "multicast: no reply"),
        (E / IP(src=C, dst=S) / TCP(sport=40008, dport=23, flags="R"), "reject-silent", "rst: never answered"),
        (E / IPv6(src=C6, dst="ff02::1:ff00:20") / ICMPv6ND_NS(tgt=S6), "accept", "ndp before rules"),
        (E / IPv6(src=C6, dst=S6) / ICMPv6EchoRequest(), "drop", "v6 ping: no rule"),
        (E / IP(src=C, dst=S, flags="MF", id=7) / UDP(sport=1, dport=7000, len=200) / Raw(b"a" * 24), "accept", "first fragment ok"),
        (E / IP(src=C, dst=S, frag=4, id=7, proto=17) / Raw(b"b" * 24), "accept", "its later fragment"),
        (E / IP(src=C, dst=S, flags="MF", id=8) / UDP(sport=1, dport=8000, len=200) / Raw(b"a" * 24), "drop", "first fragment denied"),
        (E / IP(src=C, dst=S, frag=4, id=8, proto=17) / Raw(b"b" * 24), "drop", "its later fragment too"),
        # Quotes are cut so the whole error fits 576 / 1280 bytes.
        (E / IP(src=C, dst=S) / UDP(sport=997, dport=161) / Raw(b"L" * 1400), "reject", "big udp 161 -> icmp quotes 548 bytes"),
        (E / IPv6(src=C6, dst=S6) / UDP(sport=997, dport=161) / Raw(b"L" * 1400), "reject", "big v6 udp 161 -> icmpv6 quotes 1232 bytes"),
        (E / Dot1AD(vlan=100) / Dot1Q(vlan=10) / IP(src=C, dst=S) / UDP(sport=996, dport=161) / Raw(b"w" * 28), "reject", "two tags udp 161 -> reply keeps both"),
        (E / IP(src=C, dst="255.255.255.255") / UDP(sport=995, dport=161), "reject-silent", "broadcast: no reply"),
        (E / IP(src="0.0.0.0", dst=S) / UDP(sport=994, dport=161), "reject-silent", "unspecified source: no reply"),
        (E / IPv6(src="::", dst=S6) / UDP(sport=994, dport=161), "reject-silent", "v6 unspecified source: no reply"),
        (E / IP(src=C, dst=S, flags="MF", id=9) / UDP(sport=993, dport=161, len=200) / Raw(b"a" * 32), "reject", "first fragment rejected -> icmp"),
        (E / IP(src=C, dst=S, frag=5, id=9, proto=17) / Raw(b"b" * 24), "drop", "its later fragment: dropped, no reply"),
    ]


def valid_cksums(frame):
    """True when scapy, recomputing every checksum of the reply's own
    headers (not those of a quoted packet), gets the same bytes."""
    p = Ether(frame)
    layer = p
    while layer is not None and layer.name != "NoPayload":
        if type(layer) in (IP, TCP, UDP, ICMP, ICMPv6DestUnreach):
            for f in ("chksum", "cksum"):
                # This layer's field: getattr would find a quote's too.
                if f in [fd.name for fd in layer.fields_desc]:
                    delattr(layer, f)
        layer = layer.payload
    return raw(p) == frame


def check_reply(orig, rep, label):
    o = Ether(raw(orig))
    r = Ether(rep)
    check(r.src == o.dst and r.dst == o.src, label + ": MACs swapped")
    ip_o = o[IP] if IP in o else o[IPv6]
    l2 = len(raw(o)) - len(raw(ip_o))
    check(rep[12:l2] == raw(o)[12:l2], label + ": the VLAN tag stack kept (%d tags)"
          % ((l2 - 14) // 4))
    check(valid_cksums(rep), label + ": checksums valid")
    if TCP in o and not (ICMP in r or ICMPv6DestUnreach in r):
        ip_r = r[IP] if IP in r else r[IPv6]
        t, to = r[TCP], o[TCP]
        check(ip_r.src == ip_o.dst and ip_r.dst == ip_o.src, label + ": addresses swapped")
        check(t.sport == to.dport and t.dport == to.sport, label + ": ports swapped")
        seglen = len(to.payload) + (1 if "S" in to.flags else 0) + (1 if "F" in to.flags else 0)
        if "A" in to.flags:
            check(t.flags == "R" and t.seq == to.ack,
                  label + ": RST, seq = segment's ack (%d)" % t.seq)
        else:
            check(t.flags == "RA" and t.seq == 0 and t.ack == to.seq + seglen,
                  label + ": RST/ACK, ack = seq + len (%d)" % t.ack)
        return
    if IP in o:
        check(ICMP in r and r[ICMP].type == 3 and r[ICMP].code == 3,
              label + ": ICMP type 3 code 3")
        check(r[IP].src == o[IP].dst and r[IP].dst == o[IP].src, label + ": addresses")
        # RFC 1812 4.3.2.3: as much as fits in 576 bytes of reply, and
        # never a reply longer than the packet it answers.
        full = raw(o[IP])
        quoted = full[:min(len(full) - 28, 576 - 20 - 8)]
        body = raw(r[ICMP])[8:]
        check(body == quoted and len(raw(r[IP])) <= min(len(full), 576),
              label + ": quotes the packet, %d of %d bytes: the reply is no longer"
              % (len(body), len(full)))
    else:
        check(ICMPv6DestUnreach in r and r[ICMPv6DestUnreach].code == 4,
              label + ": ICMPv6 type 1 code 4")
        check(r[IPv6].src == o[IPv6].dst and r[IPv6].dst == o[IPv6].src, label + ": addresses")
        # RFC 4443 2.4 (c): as much as fits in the minimum MTU, 1280.
        full = raw(o[IPv6])
        quoted = full[:min(len(full) - 48, 1280 - 40 - 8)]
        body = raw(r[ICMPv6DestUnreach])[8:]
        check(body == quoted and len(raw(r[IPv6])) <= min(len(full), 1280),
              label + ": quotes the packet, %d of %d bytes: the reply is no longer"
              % (len(body), len(full)))


def run_main(binary, work):
    cs = cases()
    frames = [raw(f) for f, _, _ in cs]
    r = run_pcap(binary, work, "rules", frames, [], RULES % (1000, 1000))
    sw, rc, t = r.sw, r.rc, r.totals
    print(sw.output())
    check(rc == 0, "spillway exits 0")

    fwd = r.out1
    replies = r.out0
    want_fwd = [raw(f) for f, v, _ in cs if v == "accept"]
    check(fwd == want_fwd, "%d accepted frames leave inside, unchanged, in order"
          % len(want_fwd))
    rej = [(f, l) for f, v, l in cs if v == "reject"]
    check(len(replies) == len(rej), "%d replies out of outside (%d)"
          % (len(rej), len(replies)))
    for (f, label), rep in zip(rej, replies):
        check_reply(f, rep, label)

    n = lambda v: sum(1 for _, x, _ in cs if x == v)
    check(t["accept"] == n("accept"), "accept counter %d" % t["accept"])
    check(t["reject"] == n("reject") + n("reject-silent"), "reject counter %d" % t["reject"])
    check(t["reject_limited"] == 0 and t["reject_dest_limited"] == 0,
          "no reply due was held back by a rate")
    check(t["reject_sent"] == n("reject"), "reject_sent %d" % t["reject_sent"])
    check(t["drop"] == n("drop"), "drop counter %d" % t["drop"])
    check(t["notrack"] == 2, "notrack decided 2")
    check(t["ndp"] == 1, "one ND packet passed before the rules")
    out = sw.output()
    check(re.search(r"rule notrack\[0\] accept hits=1 proto=udp .*at=\S+:\d+ # dns", out)
          is not None, "dns rule hit once")
    check(re.search(r"rule fallback\[4\] reject hits=7 .*at=\S+:\d+ # telnet", out)
          is not None,
          "telnet rule hit 7 times (syn, ack, v6 syn, rst, group MACs)")


def run_rate_limit(binary, work):
    frames = [raw(E / IP(src=C, dst=S) / UDP(sport=1000 + i, dport=161) / Raw(b"q" * 40))
              for i in range(20)]
    r = run_pcap(binary, work, "ratelimit", frames, [], RULES % (1, 0))
    rc, t = r.rc, r.totals
    sent = len(r.out0)
    # One reply a second: the first goes at once; a few more only if
    # start-up was slow. Far fewer than 20 either way.
    check(rc == 0 and t["reject"] == 20, "20 rejected")
    # A bucket of one token, refilled once a second. All 20 arrive in
    # one rx burst: the first reply goes; one more only if that burst
    # came over a second after start-up. A burst of 5 fails.
    check(1 <= sent <= 2 and t["reject_sent"] == sent and
          t["reject_limited"] == 20 - sent,
          "rate limit: %d of 20 replies sent at 1/s, the rest counted" % sent)


def run_reflection(binary, work):
    """Regression: "spoofed rejects reflect at one victim": one bucket per
    worker let spoofed packets aim every reply it allowed (1,000/s) at
    one host, and one source spend them all. Fixed by "reject: a
    per-destination bucket, no group MACs, no growth".

    300 spoofed packets from the victim's /24 (many hosts of it) and 300
    from its IPv6 /64, at 1,000 replies/s per worker and 5 per /24 or
    /64: at most 5 (and a second's worth, were the run slow) go to each;
    then a client of another /24 and /64 is still answered."""
    victim4 = ["192.0.2.%d" % (1 + i % 200) for i in range(300)]
    victim6 = ["2001:db8:66:1::%x" % (1 + i) for i in range(300)]
    frames = [raw(E / IP(src=v, dst=S) / UDP(sport=2000 + i, dport=161) / Raw(b"q" * 40))
              for i, v in enumerate(victim4)]
    frames += [raw(E / IPv6(src=v, dst=S6) / UDP(sport=2000 + i, dport=161) / Raw(b"q" * 60))
               for i, v in enumerate(victim6)]
    frames.append(raw(E / IP(src="198.51.100.7", dst=S) / UDP(sport=53000, dport=161) / Raw(b"q" * 40)))
    frames.append(raw(E / IPv6(src="2001:db8:77::7", dst=S6) / UDP(sport=53000, dport=161) / Raw(b"q" * 60)))
    r = run_pcap(binary, work, "reflect", frames, [], RULES % (1000, 5))
    t = r.totals
    to4 = [p for p in r.out0 if IP in Ether(p) and Ether(p)[IP].dst.startswith("192.0.2.")]
    to6 = [p for p in r.out0 if IPv6 in Ether(p) and Ether(p)[IPv6].dst.startswith("2001:db8:66:1:")]
    other = [p for p in r.out0 if (IP in Ether(p) and Ether(p)[IP].dst == "198.51.100.7") or
             (IPv6 in Ether(p) and Ether(p)[IPv6].dst == "2001:db8:77::7")]
    check(r.rc == 0 and t["reject"] == len(frames), "%d rejected" % len(frames))
    check(5 <= len(to4) <= 10, "300 spoofed from one /24: %d replies reach it" % len(to4))
    check(5 <= len(to6) <= 10, "300 spoofed from one /64: %d replies reach it" % len(to6))
    check(len(other) == 2, "a client of another /24 and /64 is still answered")
    check(t["reject_dest_limited"] == 600 - len(to4) - len(to6) and
          t["reject_sent"] == len(r.out0),
          "the rest counted as reject_dest_limited (%d)" % t["reject_dest_limited"])


def run_no_replies(binary, work):
    """reject_rate = 0: rejected packets are dropped silently."""
    # Each would get a reply (room to quote) but for the rate of 0.
    frames = [raw(E / IP(src=C, dst=S) / UDP(sport=1000 + i, dport=161) / Raw(b"q" * 40))
              for i in range(5)]
    frames.append(raw(E / IP(src=C, dst=S) / TCP(sport=2000, dport=23, flags="S")))
    r = run_pcap(binary, work, "rate0", frames, [], RULES % (0, 0))
    t = r.totals
    check(r.rc == 0 and t["reject"] == 6 and t["reject_sent"] == 0 and not r.out0
          and not r.out1, "reject_rate = 0: 6 rejected, no reply sent (%d)"
          % len(r.out0))


NDP_RULES = """
rules = {
  fallback = ( { proto = "icmpv6"; action = "reject"; comment = "all icmpv6"; } );
  fallback_default = "accept";
  allow_ndp = false;
};
flowtable = { enabled = false; };
"""


def run_allow_ndp_off(binary, work):
    """allow_ndp = false: ND meets the rules (a reject here), which
    never answer an ND message; an echo request is answered."""
    nd = [E / IPv6(src=C6, dst="ff02::1:ff00:20") / ICMPv6ND_NS(tgt=S6),
          E / IPv6(src=C6, dst="ff02::2") / ICMPv6ND_RS(),
          E / IPv6(src=C6, dst=S6) / ICMPv6ND_NA(tgt=C6)]
    # With room to quote the header and 8 bytes: a reply is never longer.
    echo = E / IPv6(src=C6, dst=S6) / ICMPv6EchoRequest(id=4, data=b"p" * 48)
    r = run_pcap(binary, work, "ndpoff", [raw(p) for p in nd + [echo]], [],
                 NDP_RULES)
    t = r.totals
    check(r.rc == 0 and t["ndp"] == 0 and t["reject"] == 4 and not r.out1,
          "allow_ndp = false: no ND passed before the rules, all 4 rejected")
    check(len(r.out0) == 1 and t["reject_sent"] == 1,
          "no reply to ND messages, one to the echo request")
    check_reply(echo, r.out0[0], "echo request rejected")


def main():
    binary = sys.argv[1]
    work = tmpdir("sw-rules-")
    run_main(binary, work)
    run_rate_limit(binary, work)
    run_reflection(binary, work)
    run_no_replies(binary, work)
    run_allow_ndp_off(binary, work)
    finish("pcap rules")


if __name__ == "__main__":
    main()
