#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""End to end: attacks on the flow table's integrity, through the real
spillway on net_af_packet between namespaces, with a real server (Linux
TCP) behind it and the attacker in the client's namespace sending raw
frames (tests/e2e/attacker.py). Each attack is the one the
state-integrity issue found working against the landed code:

  (a) spoofed SYN + the server's SYN/ACK + a blind ACK with a wrong
      number, or the right number and a bad checksum, 3,000 times
      against a 1,024-flow table
  (b) 65,536 blind RSTs with the right tuple and random numbers against
      a live idle connection
  (c) 16 keys whose CRC32C collides with a legitimate connection's key
      (the landed hash), sent before it
  (d) ICMP errors about a tracked flow: from the wrong side, to the
      wrong host, outside the window, and a redirect
  (e) XMAS, NULL and SYN+FIN segments while the table spills
  (f) a whole handshake (SYN, SYN/ACK, ACK) to an absent host, all
      sent from the outside
  (g) SYN, SYN/ACK, SYN, SYN/ACK... from the outside

Topology (tools/netns.sh): client 192.0.2.1, 2001:db8::1 -- sw-out
[spillway] sw-in -- server 192.0.2.2, 2001:db8::2. The server routes the
attacker's spoofed ranges (198.51.100.0/24, 2001:db8:ffff::/48) back
through the client, so its SYN/ACKs cross the firewall as they would on
the Internet. Bounded in packets and seconds; everything it made is
removed on exit, whatever happens.

  attacks.py SPILLWAY_BINARY"""

import functools
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (Topology, attempt, check, finish, need_root, ready, result,  # noqa: E402
                   settle, sh, tmpdir, wait_for)
from pylib import packets  # noqa: E402

C4, S4, C6, S6 = Topology.C4, Topology.S4, Topology.C6, Topology.S6
ABSENT4 = "192.0.2.77"
SHORT = 5	# seconds: syn_sent, syn_recv, close, time_wait here
T = None	# the Topology
SW = None	# the running spillway

# Frames of this test: IP id 1, as the quotes of ICMP errors expect.
tcp = functools.partial(packets.tcp, ident=1)
icmp = packets.icmp_error


def role(script, ns, *args, timeout=120):
    return T.role(ns, script, *args, timeout=timeout)


def role_bg(script, ns, *args):
    return T.role_bg(ns, script, *args)


CONF = """
flowtable = { max_flows = %(max)d;%(extra)s
  timeouts = { tcp_syn_sent = %(s)d; tcp_syn_recv = %(s)d; tcp_time_wait = %(s)d;
               tcp_close = %(s)d; }; };
rules = {
  policy = (
    { in = "outside"; proto = "tcp"; dst = "192.0.2.0/24"; dport = 80; action = "accept"; comment = "web"; },
    { in = "outside"; proto = "tcp"; dst = "2001:db8::/32"; dport = 80; action = "accept"; comment = "web6"; } );
  policy_default = "drop";
  fallback = (
    { in = "outside"; proto = "tcp"; dst = "192.0.2.2/32"; dport = 80; action = "accept"; comment = "web in"; },
    { in = "inside"; proto = "tcp"; src = "192.0.2.2/32"; sport = 80; tcp_flags = "ack"; action = "accept"; comment = "web out"; } );
  fallback_default = "drop";
};
"""


def firewall(binary, work, run, max_flows, extra=""):
    global SW
    SW = T.spillway(binary, CONF % {"max": max_flows, "s": SHORT, "extra": extra},
                    "att%d" % run, workdir=work).start()
    check(SW.wait_running(), "spillway %d runs (max_flows %d)" % (run, max_flows))
    return SW


def frames_file(work, name, frames):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        for b in frames:
            f.write(b.hex() + "\n")
    return path


def eth(dst, src):
    return bytes(packets.ether((dst, src), 0x0800))


def counted(s0, n, *names):
    """Wait until spillway has received n frames more than at s0 (its
    "rx") and the counters named have stopped moving; their values."""
    wait_for(lambda: SW.counters("rx")["rx"] - s0["rx"] >= n, 10)
    return settle(lambda: SW.counters(*names), 0.2, 5)


def attack_c(work, mac):
    """(c): 16 colliding keys, then the legitimate connection they aim at."""
    before = SW.counters("inserts", "spilled", "policy_accept")
    r = role("attacker.py", T.cli, "collide", mac, C6, 40123, S6, 16)
    check(r.get("sent") == 16, "(c) 16 SYNs whose keys share CRC32C %s with the "
          "target's (the landed hash)" % r.get("crc"))
    t = role_bg("attacker.py", T.cli, "talk", S6, 40123, 0.5)
    ready(t)
    r2 = result(t)
    ft = SW.cmd("show flowtable")
    after = SW.counters("inserts", "spilled", "policy_accept")
    mine = SW.flows(r"src=2001:db8::1 dst=2001:db8::2 sport=40123 dport=80")
    check(r2.get("ok") is True, "(c) the target connection works")
    check(len(mine) == 1 and after["spilled"] == before["spilled"],
          "(c) its insert succeeded in a mostly empty table: tracked, nothing "
          "spilled (spilled %d -> %d)" % (before["spilled"], after["spilled"]))
    check(after["inserts"] - before["inserts"] == 17,
          "(c) all 17 keys inserted (%d)" % (after["inserts"] - before["inserts"]))
    check("SPILLING" not in ft and "insert_busy=0" in ft,
          "(c) the shard never spills, no key found its buckets full")
    m = re.search(r"hash=(0x[0-9a-f]{8})", mine[0]) if mine else None
    return m.group(1) if m else None


def attack_b(mac):
    """(b): blind RSTs against a live, idle connection."""
    t = role_bg("attacker.py", T.cli, "talk", S4, 40200, 14)
    ready(t)
    wait_for(lambda: SW.flows(r"sport=40200 dport=80", "ESTABLISHED", r"\[ASSURED\]"), 5)
    before = SW.counters("invalid_rst", "invalid_zone")
    t0 = time.monotonic()
    r = role("attacker.py", T.cli, "rsts", mac, C4, 40200, S4, 65536, timeout=120)
    spent = time.monotonic() - t0
    after = SW.counters("invalid_rst", "invalid_zone")
    est = SW.flows(r"sport=40200 dport=80", "ESTABLISHED", r"\[ASSURED\]")
    check(r.get("sent") == 65536, "(b) 65,536 blind RSTs sent in %.1f s, and %d "
          "from the wrong side" % (spent, r.get("wrong_side", 0)))
    check(len(est) == 1, "(b) the connection is still ESTABLISHED [ASSURED]")
    check(after["invalid_rst"] - before["invalid_rst"] > 60000,
          "(b) RSTs outside the window dropped as invalid_rst (%d)"
          % (after["invalid_rst"] - before["invalid_rst"]))
    check(after["invalid_zone"] - before["invalid_zone"] == 65536 // 64,
          "(b) RSTs claiming the server's side from the outside: invalid_zone (%d)"
          % (after["invalid_zone"] - before["invalid_zone"]))
    check(spent + SHORT + 1 < 14, "(b) the idle gap after them is longer than tcp_close")
    r2 = result(t, 60)
    check(r2.get("ok") is True, "(b) after an idle gap longer than tcp_close (%d s) the "
          "connection still works" % SHORT)


def attack_d(work, mac, cmac):
    """(d): ICMP errors about a tracked flow that must not pass."""
    t = role_bg("attacker.py", T.cli, "talk", S4, 40300, 4)
    ready(t)
    line = wait_for(lambda: SW.flows(r"sport=40300 dport=80", "ESTABLISHED"), 5)
    m = re.search(r"reply=\[end=(\d+)", line[0]) if line else None
    check(m is not None, "(d) the flow's server side is at a known sequence number")
    srv_seq = int(m.group(1)) if m else 0
    cli_end = int(re.search(r"orig=\[end=(\d+)", line[0]).group(1)) if line else 0
    # What the server sent the client, and what the client sent.
    from_srv = tcp(S4, C4, 80, 40300, srv_seq, cli_end, 0x10)[:28]
    from_cli = tcp(C4, S4, 40300, 80, cli_end, srv_seq, 0x10)[:28]
    e = eth(mac, cmac)
    bad = [
        # quoting the client's own packet, entering from the client side
        e + icmp("198.51.100.9", C4, 3, 1, from_cli),
        # to a host that did not send the quoted packet
        e + icmp("198.51.100.9", "192.0.2.99", 3, 1, from_srv),
        # the quoted sequence number far outside the server's window
        e + icmp("198.51.100.9", S4, 3, 1,
                 tcp(S4, C4, 80, 40300, (srv_seq + 0x40000000) & 0xffffffff,
                     cli_end, 0x10)[:28]),
        # a redirect, with everything else right
        e + icmp("198.51.100.9", S4, 5, 1, from_srv, gw="192.0.2.99"),
    ]
    good = e + icmp("198.51.100.9", S4, 3, 1, from_srv)
    before = SW.counters("rx", "icmp_unrelated", "related")
    r = role("attacker.py", T.cli, "frames", mac, frames_file(work, "d.hex", bad + [good]))
    after = counted(before, 5, "icmp_unrelated", "related")
    check(r.get("sent") == 5 and after["icmp_unrelated"] - before["icmp_unrelated"] == 4,
          "(d) from the wrong side, to the wrong host, outside the window, a "
          "redirect: 4 of 4 dropped as icmp_unrelated (%d)"
          % (after["icmp_unrelated"] - before["icmp_unrelated"]))
    check(after["related"] - before["related"] == 1,
          "(d) the same error from the right side, in the window, is related (%d)"
          % (after["related"] - before["related"]))
    check(result(t).get("ok") is True, "(d) the connection still works")


def attack_fg(work, mac, cmac):
    """(f) a handshake to an absent host, all from the outside; (g) SYN,
    SYN/ACK, SYN, SYN/ACK from the outside."""
    e = eth(mac, cmac)
    fr = []
    for i in range(60):
        sp, isn, risn = 20000 + i, random.getrandbits(31), random.getrandbits(31)
        fr += [e + tcp(C4, ABSENT4, sp, 80, isn, 0, 0x02),
               e + tcp(ABSENT4, C4, 80, sp, risn, isn + 1, 0x12),
               e + tcp(C4, ABSENT4, sp, 80, isn + 1, risn + 1, 0x10)]
    for i in range(20):
        sp, isn, risn = 21000 + i, random.getrandbits(31), random.getrandbits(31)
        for _ in range(3):
            fr += [e + tcp(C4, ABSENT4, sp, 80, isn, 0, 0x02),
                   e + tcp(ABSENT4, C4, 80, sp, risn, isn + 1, 0x12)]
        fr.append(e + tcp(C4, ABSENT4, sp, 80, isn + 1, risn + 1, 0x10))
    before = SW.counters("rx", "invalid_zone", "invalid_state")
    r = role("attacker.py", T.cli, "frames", mac, frames_file(work, "fg.hex", fr))
    after = counted(before, len(fr), "invalid_zone", "invalid_state")
    est = SW.flows(r"dst=192\.0\.2\.77", r"ESTABLISHED|SYN_RECV|\[ASSURED\]")
    check(r.get("sent") == len(fr) and not est,
          "(f)(g) %d frames: no flow to the absent host ESTABLISHED, SYN_RECV or "
          "assured (%d)" % (len(fr), len(est)))
    check(after["invalid_zone"] - before["invalid_zone"] == 60 + 60,
          "(f)(g) every SYN/ACK from the outside for an outside opener: "
          "invalid_zone (%d)" % (after["invalid_zone"] - before["invalid_zone"]))
    check(after["invalid_state"] - before["invalid_state"] == 80,
          "(f)(g) every ACK that follows: invalid_state (%d)"
          % (after["invalid_state"] - before["invalid_state"]))


def attack_a(mac):
    """(a): spoofed SYNs, real SYN/ACKs, blind or badly summed ACKs."""
    before = SW.counters("invalid_seq", "bad_checksum", "insert_failed", "spilled")
    r = role("attacker.py", T.cli, "blindack", mac, S4, 3000, timeout=120)
    check(r.get("syns") == 3000 and r.get("synacks", 0) > 1024,
          "(a) 3,000 spoofed SYNs, %s SYN/ACKs came back, %s blind ACKs with a "
          "wrong number, %s with the right number and a bad checksum"
          % (r.get("synacks"), r.get("wrong"), r.get("badsum")))
    mid = SW.counters("invalid_seq", "bad_checksum", "insert_failed", "spilled")
    assured = SW.flows(r"src=198\.51\.100\.", r"\[ASSURED\]")
    check(not assured, "(a) no attacker flow is assured (%d)" % len(assured))
    check(mid["bad_checksum"] - before["bad_checksum"] >= r.get("badsum", 1),
          "(a) every badly summed ACK dropped as bad_checksum (%d)"
          % (mid["bad_checksum"] - before["bad_checksum"]))
    check(mid["invalid_seq"] - before["invalid_seq"] > 0,
          "(a) blind ACKs that hit their flow dropped as invalid_seq (%d)"
          % (mid["invalid_seq"] - before["invalid_seq"]))
    t = role_bg("attacker.py", T.cli, "talk", S4, 40400, 0.2)
    ready(t)
    ok = result(t).get("ok")
    after = SW.counters("insert_failed", "spilled")
    mine = SW.flows(r"sport=40400 dport=80", r"\[ASSURED\]")
    check(ok is True and len(mine) == 1 and after["spilled"] == mid["spilled"] and
          after["insert_failed"] == mid["insert_failed"],
          "(a) a legitimate connection right after gets a table slot, not spilled "
          "(spilled %d -> %d)" % (mid["spilled"], after["spilled"]))
    # None may be left SHORT + 2 s from now; polled until then.
    wait_for(lambda: not SW.flows(r"src=198\.51\.100\."), SHORT + 2, 0.2)
    left = SW.flows(r"src=198\.51\.100\.")
    check(not left, "(a) once tcp_syn_recv (%d s) has run out, no attacker entry is "
          "left (%d)" % (SHORT, len(left)))


def attack_e(work, mac, cmac):
    """(e): impossible flag sets while the table spills."""
    holds = []
    for i in range(16):
        h = role_bg("attacker.py", T.cli, "talk", S4, 41000 + i, 8)
        ready(h)
        holds.append(h)
    extra = role_bg("attacker.py", T.cli, "talk", S4, 41100, 0.1)
    ready(extra)
    result(extra)
    check("SPILLING" in SW.cmd("show flowtable"),
          "(e) the 16-flow table is full of assured flows and spilling")
    e = eth(mac, cmac)
    fr = []
    for i in range(100):
        for fl in (0x29, 0x00, 0x03, 0x3f, 0x01):	# XMAS, NULL, SYN+FIN, all, FIN
            fr.append(e + tcp("198.51.100.%d" % (1 + i), S4, 30000 + i, 80,
                              random.getrandbits(32), 0, fl))
    before = SW.counters("rx", "invalid_flags", "fallback_accept", "spilled")
    r = role("attacker.py", T.cli, "frames", mac, frames_file(work, "e.hex", fr))
    after = counted(before, len(fr), "invalid_flags", "fallback_accept", "spilled")
    check(r.get("sent") == 500 and after["invalid_flags"] - before["invalid_flags"] == 500,
          "(e) 500 XMAS/NULL/SYN+FIN/FIN segments while spilling: all invalid_flags (%d)"
          % (after["invalid_flags"] - before["invalid_flags"]))
    check(after["fallback_accept"] == before["fallback_accept"] and
          after["spilled"] == before["spilled"],
          "(e) none reached the fallback rules, which accept TCP to port 80 "
          "(fallback_accept +%d, spilled +%d)" % (
              after["fallback_accept"] - before["fallback_accept"],
              after["spilled"] - before["spilled"]))
    for h in holds:
        h.kill()


def syn_recv_gone():
    """The server holds no half-open connection (its SYN/ACKs to spoofed
    sources are no longer being sent again)."""
    return not T.ns(T.srv, "ss -tanH state syn-recv", check=False).strip()


def main():
    global T
    need_root()
    binary = sys.argv[1]
    T = Topology("a")
    sh("ip -n %s route add 198.51.100.0/24 via %s" % (T.srv, C4))
    # The server answers each spoofed SYN once, and once more a second
    # later, not for a minute (Linux's 5 retries): the retransmissions of
    # attack (a) must not still be crossing when attack (e) counts what
    # reaches the fallback rules.
    T.ns(T.srv, "sysctl -qw net.ipv4.tcp_synack_retries=1")
    sh("ip -n %s -6 route add 2001:db8:ffff::/48 via %s" % (T.srv, C6))
    work = tmpdir("sw-att-")
    srv = role_bg("agent.py", T.srv, "server", S4, S6)
    mac, cmac = T.mac(T.srv), T.mac(T.cli)

    fw = firewall(binary, work, 1, 1024)
    ready(srv)
    try:
        # (f)(g) first: the others leave the server retransmitting SYN/ACKs
        # for spoofed sources, which rightly count as invalid_state.
        attempt("(f)(g)", attack_fg, work, mac, cmac)
        h1 = attempt("(c)", attack_c, work, mac)
        attempt("(b)", attack_b, mac)
        attempt("(d)", attack_d, work, mac, cmac)
        attempt("(a)", attack_a, mac)
    finally:
        rc, _ = fw.stop()
    check(rc == 0, "spillway 1 exits 0")

    # No SYN/ACK of attack (a)'s may still be on its way when (e) counts.
    wait_for(syn_recv_gone, 10, 0.1)
    # (e) is about the spilling table: one host's connections fill it (no
    # quota) and new ones spill (no SYN proxy, which would answer them).
    fw = firewall(binary, work, 2, 16, ' synproxy = "off"; per_source = { max_flows = 0; };')

    def second_hash():
        t = role_bg("attacker.py", T.cli, "talk", S6, 40123, 0.5)
        ready(t)
        m = SW.flows(r"src=2001:db8::1 dst=2001:db8::2 sport=40123 dport=80")
        result(t)
        return re.search(r"hash=(0x[0-9a-f]{8})", m[0]).group(1) if m else None

    try:
        h2 = attempt("(c) second start", second_hash)
        check(h1 is not None and h2 is not None and h1 != h2,
              "(c) two starts give the same key different hashes (%s, %s)" % (h1, h2))
        attempt("(e)", attack_e, work, mac, cmac)
    finally:
        rc, _ = fw.stop()
    check(rc == 0, "spillway 2 exits 0")
    print(fw.output()[-1500:])
    finish("e2e attacks")


if __name__ == "__main__":
    main()
