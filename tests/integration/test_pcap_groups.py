#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""pcap integration: what an iptables or nftables admin's rules do
beyond first match, end to end through the real binary.

  groups     jump, goto and return (iptables' user chains): every
             packet gets the verdict iptables would give it, in the
             fallback (stateless) and in the policy (new flows);
  reject     every reject_with kind answers with its ICMP type and
             code (IPv4) or ICMPv6 code, tcp-reset with an RST, and an
             ICMP kind answers TCP too (as iptables' default does);
  limits     a limit and a per-source meter let their burst through and
             no more (the frames arrive at once: no token comes back
             within the run), the packets over them get the rule below;
  conn_limit a policy accept up to 2 flows: the third SYN goes on to
             the reject below it.

  test_pcap_groups.py SPILLWAY_BINARY"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import check, finish, rule_hits, run_pcap, tmpdir  # noqa: E402,F401
from pylib.packets import E  # noqa: E402

from scapy.all import (ICMP, IP, TCP, UDP, Ether, ICMPv6DestUnreach,  # noqa: E402
                       IPerror, IPerror6, IPv6, Raw, TCPerror, UDPerror, raw)

C, S = "192.0.2.10", "198.51.100.20"
C6, S6 = "2001:db8::10", "2001:db8:1::20"

# The groups as iptables would write them:
#   -A FORWARD -p tcp -j tcp_in          (jump)
#   -A FORWARD -p udp -g udp_in          (goto)
#   -A FORWARD -p tcp --dport 8000:8999 -j ACCEPT
#   -A FORWARD -j REJECT
#   -A tcp_in -p tcp --dport 22 -s 192.0.2.0/24 -j ACCEPT
#   -A tcp_in -p tcp --dport 22 -j DROP
#   -A tcp_in -p tcp --dport 8000:8999 -j RETURN
#   -A tcp_in -p tcp -j web
#   -A tcp_in -p tcp --dport 8443 -j DROP   (web returned)
#   -A web -p tcp --dport 80 -j ACCEPT
#   -A web -p tcp --dport 443 -j ACCEPT
#   -A udp_in -p udp --dport 53 -j ACCEPT
#   -A udp_in -p udp --dport 123 -j RETURN  (goto: the caller's end)
GROUPS = """
rules = {
  %(list)s = (
    { proto = "tcp"; jump = "tcp_in"; comment = "to tcp_in"; },
    { proto = "udp"; goto = "udp_in"; },
    { proto = "tcp"; dport = "8000-8999"; action = "accept"; comment = "high"; },
    { action = "reject"; comment = "the rest"; }
  );
  %(list)s_default = "drop";
  groups = {
    tcp_in = (
      { proto = "tcp"; dport = "ssh"; src = ["192.0.2.0/24", "2001:db8::/64"];
        action = "accept"; comment = "ssh in"; },
      { proto = "tcp"; dport = 22; action = "drop"; },
      { proto = "tcp"; dport = "8000-8999"; action = "return"; },
      { proto = "tcp"; jump = "web"; },
      { proto = "tcp"; dport = 8443; action = "drop"; comment = "after web"; }
    );
    web = (
      { proto = "tcp"; dport = "http"; action = "accept"; comment = "web 80"; },
      { proto = "tcp"; dport = 443; action = "accept"; }
    );
    udp_in = (
      { proto = "udp"; dport = "domain"; action = "accept"; },
      { proto = "udp"; dport = 123; action = "return"; }
    );
  };
};
%(flowtable)s
"""


def group_cases():
    """(frame, verdict): accept (leaves inside), reject (an answer comes
    back), drop."""
    n = [40000]

    def tcp(src, dst, dport, v6=False):
        n[0] += 1
        l3 = IPv6(src=src, dst=dst) if v6 else IP(src=src, dst=dst)
        return E / l3 / TCP(sport=n[0], dport=dport, flags="S", seq=1000)

    def udp(dport):
        n[0] += 1
        return E / IP(src=C, dst=S) / UDP(sport=n[0], dport=dport) / Raw(b"u" * 32)
    return [
        (tcp(C, S, 22), "accept"),			# tcp_in: ssh in
        (tcp("198.51.100.9", S, 22), "drop"),		# tcp_in: drop 22
        (tcp(C, S, 8080), "accept"),			# return, then "high"
        (tcp(C, S, 80), "accept"),			# tcp_in -> web: 80
        (tcp(C, S, 443), "accept"),			# web: 443
        (tcp(C, S, 8443), "accept"),			# tcp_in's return wins first
        (tcp(C, S, 25), "reject"),			# web ends, tcp_in ends
        (udp(53), "accept"),				# goto udp_in
        (udp(123), "drop"),				# return from a goto: default
        (udp(500), "drop"),				# udp_in ends: the default
        (E / IP(src=C, dst=S) / ICMP(type=8, id=9) / Raw(b"p" * 32), "reject"),
        (tcp(C6, S6, 22, True), "accept"),
        (tcp("2001:db8:9::1", S6, 22, True), "drop"),
        (tcp(C6, S6, 443, True), "accept"),
        (tcp(C6, S6, 25, True), "reject"),
    ]


def key_of_request(f):
    """What identifies a request in its answer: the client's port (or
    the ICMP echo id)."""
    p = Ether(raw(f))
    if TCP in p:
        return ("tcp", p[TCP].sport)
    if UDP in p:
        return ("udp", p[UDP].sport)
    return ("icmp", p[ICMP].id)


def key_of_reply(rep):
    r = Ether(rep)
    if TCP in r and not (ICMP in r or ICMPv6DestUnreach in r):
        return ("tcp", r[TCP].dport)
    for inner in (TCPerror, UDPerror):
        if inner in r:
            return ("tcp" if inner is TCPerror else "udp", r[inner].sport)
    return ("icmp", None)


def run_groups(binary, work, where):
    cs = group_cases()
    if where == "fallback":
        conf = GROUPS % {"list": "fallback",
                         "flowtable": "flowtable = { enabled = false; };"}
    else:
        conf = GROUPS % {"list": "policy",
                         "flowtable": "flowtable = { max_flows = 4096; };"}
    r = run_pcap(binary, work, "groups-" + where, [raw(f) for f, _ in cs], [], conf)
    check(r.rc == 0, "%s: spillway exits 0" % where)
    want = [raw(f) for f, v in cs if v == "accept"]
    check(r.out1 == want, "%s: the %d accepted frames, and only they, leave inside "
          "(%d)" % (where, len(want), len(r.out1)))
    replied = {key_of_reply(p) for p in r.out0}
    for f, v in cs:
        k = key_of_request(f)
        if k[0] == "icmp":
            k = ("icmp", None)
        if v == "reject":
            check(k in replied, "%s: %s %s rejected: answered" % (where, k[0], k[1]))
        else:
            check(k not in replied, "%s: %s %s not answered" % (where, k[0], k[1]))
    t = r.totals
    check(t["reject"] == sum(1 for _, v in cs if v == "reject") and
          t["drop"] == sum(1 for _, v in cs if v == "drop"),
          "%s: reject %d, drop %d" % (where, t["reject"], t["drop"]))
    out = r.sw.output()
    check("rule group:tcp_in[0] accept hits=2" in out and
          "rule group:web[0] accept hits=1" in out,
          "%s: group rules count their hits (show rules)" % where)
    check(("rule %s[0] jump hits=11" % where) in out and " jump=tcp_in " in out,
          "%s: the jump counts every packet it sent to its group" % where)


REJECT = """
rules = {
  fallback = (
%s
  );
  reject_rate_per_dest = 0;
};
flowtable = { enabled = false; };
"""

# reject_with -> (ICMP code, ICMPv6 code); "rst" for an RST.
KINDS = [
    ("port-unreachable", 3, 4),
    ("host-unreachable", 1, 3),
    ("net-unreachable", 0, 0),
    ("admin-prohibited", 13, 1),
    ("icmp-host-prohibited", 10, 1),
    ("icmp-net-prohibited", 9, 1),
    ("icmp6-adm-prohibited", 13, 1),
]


def run_reject_kinds(binary, work):
    rules, frames, want = [], [], {}
    for i, (kind, c4, c6) in enumerate(KINDS):
        port = 7000 + i
        rules.append('    { proto = "udp"; dport = %d; action = "reject"; '
                     'reject_with = "%s"; },' % (port, kind))
        frames.append(E / IP(src=C, dst=S) / UDP(sport=port, dport=port) / Raw(b"k" * 40))
        frames.append(E / IPv6(src=C6, dst=S6) / UDP(sport=port, dport=port) / Raw(b"k" * 60))
        want[(4, port)] = c4
        want[(6, port)] = c6
    # prot-unreachable: IPv4 only; an ICMP kind answers TCP as well;
    # tcp-reset; a reject without a kind keeps the default (RST).
    rules.append('    { proto = "udp"; dport = 7100; src = "192.0.2.0/24"; '
                 'action = "reject"; reject_with = "icmp-proto-unreachable"; },')
    frames.append(E / IP(src=C, dst=S) / UDP(sport=7100, dport=7100) / Raw(b"k" * 40))
    want[(4, 7100)] = 2
    rules.append('    { proto = "tcp"; dport = 7101; action = "reject"; '
                 'reject_with = "admin-prohibited"; },')
    # Room to quote: an error is never longer than what it answers.
    frames.append(E / IP(src=C, dst=S) / TCP(sport=7101, dport=7101, flags="S") /
                  Raw(b"k" * 40))
    frames.append(E / IPv6(src=C6, dst=S6) / TCP(sport=7101, dport=7101, flags="S") /
                  Raw(b"k" * 60))
    want[(4, 7101)] = 13
    want[(6, 7101)] = 1
    rules.append('    { proto = "tcp"; dport = 7102; action = "reject"; '
                 'reject_with = "tcp-reset"; },')
    rules.append('    { proto = "tcp"; dport = 7103; action = "reject"; }')
    for port in (7102, 7103):
        frames.append(E / IP(src=C, dst=S) / TCP(sport=port, dport=port, flags="S", seq=7))
        frames.append(E / IPv6(src=C6, dst=S6) / TCP(sport=port, dport=port, flags="S", seq=7))
        want[(4, port)] = "rst"
        want[(6, port)] = "rst"
    r = run_pcap(binary, work, "reject", [raw(f) for f in frames], [],
                 REJECT % "\n".join(rules))
    check(r.rc == 0 and not r.out1, "reject: spillway exits 0, nothing passes")
    check(len(r.out0) == len(frames), "reject: %d answers to %d rejects"
          % (len(r.out0), len(frames)))
    got = {}
    for rep in r.out0:
        p = Ether(rep)
        fam = 6 if IPv6 in p else 4
        if ICMP in p:
            check(p[ICMP].type == 3, "reject: ICMP type 3")
            got[(fam, p[UDPerror].sport if UDPerror in p else p[TCPerror].sport)] = \
                p[ICMP].code
        elif ICMPv6DestUnreach in p:
            inner = p[UDPerror] if UDPerror in p else p[TCPerror]
            got[(fam, inner.sport)] = p[ICMPv6DestUnreach].code
            check(IPerror6 in p, "reject: ICMPv6 quotes the packet")
        elif TCP in p:
            check(p[TCP].flags == "RA" and p[TCP].ack == 8,
                  "reject: RST/ACK answers the SYN (ack %d)" % p[TCP].ack)
            got[(fam, p[TCP].dport)] = "rst"
        check((IPerror in p) == (ICMP in p), "reject: ICMP quotes the packet")
    for k, v in sorted(want.items(), key=str):
        check(got.get(k) == v, "reject: IPv%d port %d answered with %s (%s)"
              % (k[0], k[1], "an RST" if v == "rst" else "code %s" % v, got.get(k)))


LIMITS = """
rules = {
  fallback = (
    { proto = "udp"; dport = 9; limit = { rate = "1/minute"; burst = 4; };
      action = "accept"; comment = "limit"; },
    { proto = "udp"; dport = 9; action = "reject"; comment = "over"; },
    { proto = "udp"; dport = 10; meter = { rate = "1/minute"; burst = 2;
      v4_prefix = 24; }; action = "accept"; comment = "meter"; },
    { proto = "udp"; dport = 11; limit = { rate = "1/minute"; burst = 3;
      over = true; }; action = "drop"; comment = "over drop"; },
    { proto = "udp"; dport = 11; action = "accept"; }
  );
};
flowtable = { enabled = false; };
"""


def run_limits(binary, work):
    frames = [E / IP(src=C, dst=S) / UDP(sport=100 + i, dport=9) / Raw(b"l" * 32)
              for i in range(10)]
    # Three /24s, five each, and a second host of the first /24.
    for net in ("192.0.2", "198.51.100", "203.0.113"):
        frames += [E / IP(src="%s.7" % net, dst=S) / UDP(sport=200 + i, dport=10)
                   for i in range(5)]
    frames += [E / IP(src="192.0.2.99", dst=S) / UDP(sport=300, dport=10)]
    frames += [E / IP(src=C, dst=S) / UDP(sport=400 + i, dport=11) for i in range(6)]
    r = run_pcap(binary, work, "limits", [raw(f) for f in frames], [], LIMITS)
    t = r.totals
    out = [Ether(p) for p in r.out1]
    n9 = sum(1 for p in out if p[UDP].dport == 9)
    check(n9 == 4, "limit burst 4: 4 of 10 pass (%d)" % n9)
    check(len(r.out0) == 6, "the 6 over the limit meet the rule below: rejected (%d)"
          % len(r.out0))
    per = {}
    for p in out:
        if p[UDP].dport == 10:
            per[p[IP].src.rsplit(".", 1)[0]] = per.get(p[IP].src.rsplit(".", 1)[0], 0) + 1
    check(per == {"192.0.2": 2, "198.51.100": 2, "203.0.113": 2},
          "meter burst 2 per /24: each /24 passes 2, its second host none (%s)" % per)
    n11 = sum(1 for p in out if p[UDP].dport == 11)
    check(n11 == 3, "limit over: the first 3 conform and pass on, 3 dropped (%d)" % n11)
    check(t["rule_limited"] == 6 + 3 * 3 + 1,
          "rule_limited counts the matches the limit and meter turned away (%d)"
          % t["rule_limited"])


CONN = """
rules = {
  policy = (
    { proto = "tcp"; dport = 80; conn_limit = 2; action = "accept"; comment = "two"; },
    { proto = "tcp"; dport = 80; action = "reject"; }
  );
};
flowtable = { max_flows = 4096; };
"""


def run_conn_limit(binary, work):
    syns = [E / IP(src=C, dst=S) / TCP(sport=5000 + i, dport=80, flags="S", seq=1)
            for i in range(5)]
    r = run_pcap(binary, work, "conn", [raw(f) for f in syns], [], CONN)
    t = r.totals
    check(r.rc == 0 and len(r.out1) == 2, "conn_limit 2: 2 of 5 SYNs open flows (%d)"
          % len(r.out1))
    check(len(r.out0) == 3 and t["conn_limited"] == 3,
          "the other 3 meet the reject below it (%d replies, conn_limited %d)"
          % (len(r.out0), t["conn_limited"]))


def main():
    binary = sys.argv[1]
    work = tmpdir("sw-groups-")
    run_groups(binary, work, "fallback")
    run_groups(binary, work, "policy")
    run_reject_kinds(binary, work)
    run_limits(binary, work)
    run_conn_limit(binary, work)
    finish("pcap groups")


if __name__ == "__main__":
    main()
