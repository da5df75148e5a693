#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""spillway import against Linux itself. An edge router's iptables-save,
ip6tables-save and ipset save (tests/integration/import/: conntrack
states, multiport, --match-set, LOG, REJECT variants, connlimit,
hashlimit, limit, recent, NOTRACK in raw, user chains with jump, goto
and return) are imported; then the same probes (the first packets of
44 new flows, IPv4 and IPv6, both ways, some spoofed) go through

  Linux     the ruleset loaded with iptables-restore, ip6tables-restore
            and ipset restore into a router namespace between a client
            and a server namespace (tools/netns.sh's router topology);
  spillway  the imported rules, as a bump in the wire between the same
            namespaces (the same addresses in the frames),

and each probe must meet the same fate in both: passed (seen on the far
side), dropped, or answered (an RST, or ICMP / ICMPv6 of the same type
and code). Linux must also give the ruleset's intent (what the fixture's
comments say), so a broken reference cannot pass by matching a broken
spillway. The import must exit 2 and report the two -m recent rules,
and only them, as left out: the probes never reach recent's hit count,
so Linux's verdicts do not depend on them.

  test_import.py SPILLWAY_BINARY"""

import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import Topology, Wire, check, finish, need_root, sh, tmpdir  # noqa: E402

from scapy.all import (ICMP, IP, TCP, UDP, Ether, ICMPv6DestUnreach,  # noqa: E402
                       ICMPv6EchoRequest, IPerror, IPerror6, IPv6, Raw, TCPerror,
                       UDPerror, raw)

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "import")

C, S, S2 = "192.0.2.1", "192.0.2.130", "192.0.2.140"
X, X2, B = "198.51.100.7", "198.51.100.8", "198.51.100.70"
C6, S6 = "2001:db8:1::1", "2001:db8:2::2"
X6, B6 = "2001:db8:5::7", "2001:db8:bad::1"


def probes():
    """(label, direction, scapy L3 packet, intent). direction "out": the
    client sends it toward the server; "in": the server toward the
    client. Intents: pass, drop, rst, icmp:T/C (IPv4 type 3 / IPv6 1)."""
    n = [30000]

    def tcp(src, dst, dport, v6=False):
        n[0] += 1
        l3 = IPv6(src=src, dst=dst) if v6 else IP(src=src, dst=dst)
        return l3 / TCP(sport=n[0], dport=dport, flags="S", seq=7) / Raw(b"t" * 60)

    def udp(src, dst, dport, v6=False):
        n[0] += 1
        l3 = IPv6(src=src, dst=dst) if v6 else IP(src=src, dst=dst)
        return l3 / UDP(sport=n[0], dport=dport) / Raw(b"u" * 64)

    def echo(src, dst, v6=False):
        n[0] += 1
        if v6:
            return IPv6(src=src, dst=dst) / ICMPv6EchoRequest(id=n[0]) / Raw(b"e" * 64)
        return IP(src=src, dst=dst) / ICMP(type=8, id=n[0]) / Raw(b"e" * 64)
    p = [
        ("web 80", "out", tcp(C, S, 80), "pass"),
        ("web 443", "out", tcp(C, S, 443), "pass"),
        ("web 8085 (multiport range)", "out", tcp(C, S, 8085), "pass"),
        ("8095: from_out ends, FORWARD rejects", "out", tcp(C, S, 8095), "icmp:3/13"),
        ("web to .140: RETURN, rejected", "out", tcp(C, S2, 80), "icmp:3/13"),
        ("ssh 1", "out", tcp(C, S, 22), "pass"),
        ("ssh 2", "out", tcp(C, S, 22), "pass"),
        ("ssh 3: connlimit above 2", "out", tcp(C, S, 22), "rst"),
        ("ssh from another source", "out", tcp(X, S, 22), "pass"),
        ("dns, notrack", "out", udp(C, S, 53), "pass"),
        ("dns to .140: tracked, rejected", "out", udp(C, S2, 53), "icmp:3/13"),
    ]
    p += [("ping %d: limit burst 3" % i, "out", echo(C, S), "pass" if i < 3 else "drop")
          for i in range(5)]
    p += [
        ("smtp: host-prohibited", "out", tcp(C, S, 25), "icmp:3/10"),
        ("telnet: logged, dropped", "out", tcp(C, S, 23), "drop"),
        ("snmp: net-unreachable", "out", udp(C, S, 161), "icmp:3/0"),
        ("ident: tcp-reset", "out", tcp(C, S, 113), "rst"),
        ("sip 1: hashlimit burst 2", "out", udp(X, S, 5060), "pass"),
        ("sip 2", "out", udp(X, S, 5060), "pass"),
        ("sip 3: over the source's rate", "out", udp(X, S, 5060), "drop"),
        ("sip from another source", "out", udp(X2, S, 5060), "pass"),
        ("blocklisted source", "out", tcp(B, S, 80), "drop"),
        ("inside to outside", "in", tcp(S, C, 5555), "pass"),
        ("udp 9999: rejected", "out", udp(C, S, 9999), "icmp:3/13"),
        ("v6 web 80", "out", tcp(C6, S6, 80, True), "pass"),
        ("v6 web 443", "out", tcp(C6, S6, 443, True), "pass"),
        ("v6 8080: adm-prohibited", "out", tcp(C6, S6, 8080, True), "icmp:1/1"),
    ]
    p += [("v6 ping %d: limit burst 3" % i, "out", echo(C6, S6, True),
           "pass" if i < 3 else "drop") for i in range(4)]
    p += [
        ("v6 smtp: port-unreachable", "out", tcp(C6, S6, 25, True), "icmp:1/4"),
        ("v6 ident: tcp-reset", "out", tcp(C6, S6, 113, True), "rst"),
        ("v6 sip 1: goto udp6, under the rate", "out", udp(X6, S6, 5060, True), "pass"),
        ("v6 sip 2", "out", udp(X6, S6, 5060, True), "pass"),
        ("v6 sip 3: hashlimit above", "out", udp(X6, S6, 5060, True), "drop"),
        ("v6 5061: RETURN from a goto", "out", udp(C6, S6, 5061, True), "icmp:1/1"),
        ("v6 udp 7000: udp6 ends", "out", udp(C6, S6, 7000, True), "icmp:1/1"),
        ("v6 blocklisted source", "out", tcp(B6, S6, 80, True), "drop"),
        ("v6 inside to outside", "in", tcp(S6, C6, 5556, True), "pass"),
        ("v6 ssh", "out", tcp(C6, S6, 22, True), "pass"),
    ]
    return p


def key(pkt):
    """(family, proto, src, dst, id): what finds a probe again."""
    ip = pkt[IP] if IP in pkt else pkt[IPv6]
    if TCP in pkt:
        return (ip.src, ip.dst, "tcp", pkt[TCP].sport, pkt[TCP].dport)
    if UDP in pkt:
        return (ip.src, ip.dst, "udp", pkt[UDP].sport, pkt[UDP].dport)
    if ICMP in pkt:
        return (ip.src, ip.dst, "icmp", pkt[ICMP].id, 0)
    return (ip.src, ip.dst, "icmp", pkt[ICMPv6EchoRequest].id, 0)


def arrived(frames):
    """Keys of the probes among frames seen on the far side."""
    out = set()
    for f in frames:
        e = Ether(f)
        if IPerror in e or IPerror6 in e:
            continue		# an ICMP error: an answer, not a probe
        if (TCP in e or UDP in e or (ICMP in e and e[ICMP].type == 8) or
                ICMPv6EchoRequest in e):
            out.add(key(e))
    return out


def answers(frames):
    """{probe key: "rst" / "icmp:T/C"} of the answers on the near side."""
    out = {}
    for f in frames:
        e = Ether(f)
        if ICMP in e and e[ICMP].type == 3 and IPerror in e:
            q = e[IPerror]
            inner = e[TCPerror] if TCPerror in e else e[UDPerror] if UDPerror in e else None
            if inner is not None:
                out[(q.src, q.dst, "tcp" if TCPerror in e else "udp", inner.sport,
                     inner.dport)] = "icmp:3/%d" % e[ICMP].code
        elif ICMPv6DestUnreach in e and IPerror6 in e:
            q = e[IPerror6]
            inner = e[TCPerror] if TCPerror in e else e[UDPerror] if UDPerror in e else None
            if inner is not None:
                out[(q.src, q.dst, "tcp" if TCPerror in e else "udp", inner.sport,
                     inner.dport)] = "icmp:1/%d" % e[ICMPv6DestUnreach].code
        elif TCP in e and "R" in e[TCP].flags:
            ip = e[IP] if IP in e else e[IPv6]
            out[(ip.dst, ip.src, "tcp", e[TCP].dport, e[TCP].sport)] = "rst"
    return out


def run_probes(topo, ps, mac_toward):
    """Send each probe from its side (to mac_toward[direction]), then
    read both sides: each probe's fate."""
    cw, sw = Wire(topo.cli), Wire(topo.srv)
    cw.drain()
    sw.drain()
    for label, d, pkt, _ in ps:
        w = cw if d == "out" else sw
        w.send(raw(Ether(src=w.mac, dst=mac_toward[d]) / pkt))
        time.sleep(0.02)
    time.sleep(1.5)
    got_s, got_c = sw.read(0.5), cw.read(0.5)
    seen = {"out": arrived(got_s), "in": arrived(got_c)}
    ans = {"out": answers(got_c), "in": answers(got_s)}
    fate = []
    for label, d, pkt, _ in ps:
        k = key(pkt)
        if k in seen[d]:
            fate.append("pass")
        else:
            fate.append(ans[d].get(k, "drop"))
    return fate


def linux(work, ps):
    topo = Topology("impl", router=True)
    fw = topo.fw
    for cmd in ("sysctl -qw net.ipv4.icmp_ratelimit=0", "sysctl -qw net.ipv6.icmp.ratelimit=0",
                "sysctl -qw net.ipv4.icmp_msgs_per_sec=100000",
                "sysctl -qw net.ipv4.icmp_msgs_burst=100000",
                "ip route add default via %s" % C, "ip -6 route add default via %s" % C6):
        topo.ns(fw, cmd, check=False)
    topo.ns(fw, "ipset restore -file %s" % os.path.join(FIX, "edge.ipset"))
    topo.ns(fw, "iptables-restore %s" % os.path.join(FIX, "edge-v4.save"))
    topo.ns(fw, "ip6tables-restore %s" % os.path.join(FIX, "edge-v6.save"))
    # The server takes the probes in silence (a reset of its own would
    # close what connlimit counts, and read as the firewall's).
    for cmd in ("iptables -A INPUT -p tcp -j DROP", "iptables -A INPUT -p udp -j DROP",
                "iptables -A INPUT -p icmp -j DROP", "ip6tables -A INPUT -p tcp -j DROP",
                "ip6tables -A INPUT -p udp -j DROP",
                "ip6tables -A INPUT -p ipv6-icmp --icmpv6-type echo-request -j DROP"):
        topo.ns(topo.srv, cmd)
    # Neighbours first: the router learns both ends before the probes.
    topo.ns(topo.cli, "ping -c 1 -W 2 192.0.2.126", check=False)
    topo.ns(topo.srv, "ping -c 1 -W 2 192.0.2.129", check=False)
    topo.ns(topo.cli, "ping -6 -c 1 -W 2 2001:db8:1::ff", check=False)
    topo.ns(topo.srv, "ping -6 -c 1 -W 2 2001:db8:2::ff", check=False)
    macs = {"out": topo.mac(fw, "r-out"), "in": topo.mac(fw, "r-in")}
    fate = run_probes(topo, ps, macs)
    topo.down()
    return fate


def spillway(binary, work, imported, ps):
    topo = Topology("imps")
    conf_dir = os.path.join(work, "sw")
    shutil.copytree(imported, conf_dir)
    sw = topo.spillway(binary, 'flowtable = { max_flows = 4096; };\n'
                       '@include "rules.conf"\n', "import", workdir=conf_dir)
    sw.start()
    if not check(sw.wait_running(), "spillway runs the imported rules"):
        print(sw.output())
        return None
    macs = {"out": topo.mac(topo.srv), "in": topo.mac(topo.cli)}
    fate = run_probes(topo, ps, macs)
    print(sw.cmd("show rules"))
    rc, _ = sw.stop()
    check(rc == 0, "spillway exits 0 (%s)" % rc)
    topo.down()
    return fate


def run_import(binary, out):
    p = subprocess.run([binary, "import", "-4", os.path.join(FIX, "edge-v4.save"),
                        "-6", os.path.join(FIX, "edge-v6.save"),
                        "--ipset", os.path.join(FIX, "edge.ipset"),
                        "--iface", "r-out=outside", "--iface", "r-in=inside",
                        "-o", out], capture_output=True, text=True)
    print(p.stderr)
    check(p.returncode == 2, "spillway import exits 2: something was left out (%d)"
          % p.returncode)
    rep = open(os.path.join(out, "import-report.txt")).read()
    left = rep.split("LEFT OUT", 1)[1].split("\napproximated", 1)[0] \
        if "LEFT OUT" in rep else ""
    lines = [l for l in left.splitlines() if re.match(r"  \S", l)]
    check(len(lines) == 2 and all("-m recent" in l for l in lines),
          "the report leaves out the two -m recent rules, and only them")
    check(re.search(r"spillway import: (\d+) translated", rep) is not None and
          int(re.search(r"(\d+) translated", rep).group(1)) >= 30,
          "the report counts what it translated")
    conf = open(os.path.join(out, "rules.conf")).read()
    for what, pat in (("connlimit", r"conn_limit = \{ max = 2; over = true; per_source = true"),
                      ("hashlimit (upto)", r"meter = \{ rate = \"2/minute\"; burst = 2; "
                                           r"by = \"src\"; v4_prefix = 32; \}; action = \"accept\""),
                      ("hashlimit (above)", r"meter = \{ rate = \"2/minute\"; burst = 2; by = "
                                            r"\"src\"; v6_prefix = 64; over = true; \}"),
                      ("limit", r"limit = \{ rate = \"6/minute\"; burst = 3; \}"),
                      ("REJECT tcp-reset", r"reject_with = \"tcp-reset\""),
                      ("REJECT host-prohibited", r"reject_with = \"icmp-host-prohibited\""),
                      ("REJECT net-unreachable", r"reject_with = \"icmp-net-unreachable\""),
                      ("REJECT icmp6", r"reject_with = \"icmp6-adm-prohibited\""),
                      ("user chain (jump)", r"jump = \"from_out\""),
                      ("user chain (goto)", r"goto = \"udp6\""),
                      ("RETURN", r"action = \"return\""),
                      ("multiport", r"dport = \"80,443,8080-8090\""),
                      ("--match-set", r"src = \"@blocklist\""),
                      ("LOG onto its rule", r"log = true; log_prefix = \"telnet:\""),
                      ("NOTRACK", r"notrack = \(\n.*goto = \"untracked\""),
                      ("policy DROP", r"policy_default = \"drop\"")):
        check(re.search(pat, conf) is not None, "imported, not dropped: %s" % what)
    check(os.path.exists(os.path.join(out, "sets", "blocklist.txt")) and
          "198.51.100.64/26" in open(os.path.join(out, "sets", "blocklist.txt")).read(),
          "the ipset became a set file")


def main():
    binary = sys.argv[1]
    need_root()
    for tool in ("iptables-restore", "ip6tables-restore", "ipset"):
        if shutil.which(tool) is None:
            check(False, "%s is installed (apt-get install iptables ipset)" % tool)
            finish("import")
    work = tmpdir("sw-import-")
    out = os.path.join(work, "imported")
    run_import(binary, out)
    ps = probes()
    ref = linux(work, ps)
    got = spillway(binary, work, out, ps)
    for (label, _, _, intent), r in zip(ps, ref):
        check(r == intent, "Linux: %s: %s (the ruleset's intent: %s)" % (label, r, intent))
    if got is not None:
        for (label, _, _, _), r, g in zip(ps, ref, got):
            check(g == r, "spillway: %s: %s, as Linux (%s)" % (label, g, r))
    finish("import")


if __name__ == "__main__":
    main()
