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

import atexit
import json
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(TOP, "tests", "e2e")
PY = "/usr/bin/python3"
ID = "a%d" % os.getpid()
CLI, FW, SRV = "sw-cli-" + ID, "sw-fw-" + ID, "sw-srv-" + ID
C4, S4, ABSENT4 = "192.0.2.1", "192.0.2.2", "192.0.2.77"
C6, S6 = "2001:db8::1", "2001:db8::2"
SHORT = 5	# seconds: syn_sent, syn_recv, close, time_wait here

failed = []


def check(cond, msg):
    print(("ok: " if cond else "FAIL: ") + msg, flush=True)
    if not cond:
        failed.append(msg)


def sh(cmd, **kw):
    return subprocess.run(["bash", "-c", cmd], check=True, text=True,
                          capture_output=True, **kw).stdout


def topo(action):
    sh(". %s/tools/netns.sh; sw_topo_%s" % (TOP, action), env=dict(os.environ, SW_ID=ID))


def role(script, ns, *args, timeout=120):
    p = subprocess.run(["ip", "netns", "exec", ns, PY, os.path.join(HERE, script)]
                       + [str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout)
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    return json.loads(lines[-1]) if lines else {"error": p.stderr[-800:]}


def role_bg(script, ns, *args):
    return subprocess.Popen(["ip", "netns", "exec", ns, PY, os.path.join(HERE, script)]
                            + [str(a) for a in args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def ready(p, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        line = p.stdout.readline()
        if not line:
            break
        if '"ready": true' in line:
            return json.loads(line)
    raise RuntimeError("not ready: " + p.stderr.read()[-800:])


def result(p, timeout=60):
    out, err = p.communicate(timeout=timeout)
    lines = [l for l in out.splitlines() if l.startswith("{")]
    return json.loads(lines[-1]) if lines else {"error": err[-800:]}


def cli(cmd):
    p = subprocess.run(CLI_CMD,
                       input=cmd + "\nquit\n", capture_output=True, text=True, timeout=30)
    out = p.stdout.split("\n.\n")
    return out[1] if len(out) > 1 else ""


def stat(name):
    m = re.search(r"^\s+%s\s+(\d+)" % name, cli("show stats"), re.M)
    return int(m.group(1)) if m else -1


def stats(*names):
    """Counters by name; -1 for one this binary does not have."""
    t = cli("show stats")
    out = {}
    for n in names:
        m = re.search(r"^\s+%s\s+(\d+)" % n, t, re.M)
        out[n] = int(m.group(1)) if m else -1
    return out


def flows(*pat):
    t = cli("show flows detail 0")
    if t.startswith("error:"):		# a binary without "detail"
        t = cli("show flows 0")
    return [l for l in t.splitlines() if all(re.search(p, l) for p in pat)]


# The CLI: this run's unix socket (spillway makes its directory).
CTL = "/run/swt-att-%s/control.sock" % ID
CLI_CMD = ["nc", "-N", "-U", CTL]
# SW_TCP_CLI=1: a binary from before the unix socket (CLI on TCP 9023).
OLD_CLI = os.environ.get("SW_TCP_CLI") == "1"
if OLD_CLI:
    CLI_CMD = ["ip", "netns", "exec", FW, "nc", "-N", "127.0.0.1", "9023"]
CONF = """
control = { socket = "%(ctl)s"; };
eal = ["-l", "0-1", "--no-huge", "-m", "512", "--no-telemetry", "--file-prefix", "swt-att-%(id)s-%(run)d"];
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


class Firewall:
    def __init__(self, binary, work, run, max_flows, extra=""):
        conf = os.path.join(work, "sw%d.conf" % run)
        with open(conf, "w") as f:
            text = CONF % {"id": ID, "ctl": CTL, "run": run, "max": max_flows, "s": SHORT,
                           "extra": "" if OLD_CLI else extra}
            f.write(text.split("\n", 2)[2] if OLD_CLI else text)
        self.log = os.path.join(work, "log%d" % run)
        self.prefix = "swt-att-%s-%d" % (ID, run)
        self.p = subprocess.Popen(["ip", "netns", "exec", FW, binary, "-c", conf],
                                  stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        end = time.monotonic() + 20
        while time.monotonic() < end and "running:" not in open(self.log).read():
            time.sleep(0.1)
        check("running:" in open(self.log).read(), "spillway %d runs (max_flows %d)"
              % (run, max_flows))

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        rc = self.p.wait(timeout=30)
        subprocess.run(["rm", "-rf", "/var/run/dpdk/" + self.prefix])
        return rc


def srv_mac():
    return sh("ip netns exec %s cat /sys/class/net/eth0/address" % SRV).strip()


def frames_file(work, name, frames):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        for b in frames:
            f.write(b.hex() + "\n")
    return path


def eth(dst, src, proto=0x0800):
    return bytes.fromhex(dst.replace(":", "")) + bytes.fromhex(src.replace(":", "")) + \
        struct.pack("!H", proto)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def ip4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def tcp(src, dst, sport, dport, seq, ack, flags, data=b""):
    t = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0) + data
    c = csum(socket.inet_aton(src) + socket.inet_aton(dst) +
             struct.pack("!BBH", 0, 6, len(t)) + t)
    return ip4(src, dst, 6, t[:16] + struct.pack("!H", c) + t[18:])


def icmp(src, dst, typ, code, quote, rest=0):
    m = struct.pack("!BBHI", typ, code, 0, rest) + quote
    m = m[:2] + struct.pack("!H", csum(m)) + m[4:]
    return ip4(src, dst, 1, m)


def attack_c(work, mac):
    """(c): 16 colliding keys, then the legitimate connection they aim at."""
    before = stats("inserts", "spilled", "policy_accept")
    r = role("attacker.py", CLI, "collide", mac, C6, 40123, S6, 16)
    check(r.get("sent") == 16, "(c) 16 SYNs whose keys share CRC32C %s with the "
          "target's (the landed hash)" % r.get("crc"))
    t = role_bg("attacker.py", CLI, "talk", S6, 40123, 0.5)
    ready(t)
    r2 = result(t)
    ft = cli("show flowtable")
    after = stats("inserts", "spilled", "policy_accept")
    mine = flows(r"src=2001:db8::1 dst=2001:db8::2 sport=40123 dport=80")
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
    t = role_bg("attacker.py", CLI, "talk", S4, 40200, 14)
    ready(t)
    time.sleep(0.3)
    before = stats("invalid_rst", "invalid_zone")
    t0 = time.monotonic()
    r = role("attacker.py", CLI, "rsts", mac, C4, 40200, S4, 65536, timeout=120)
    spent = time.monotonic() - t0
    after = stats("invalid_rst", "invalid_zone")
    est = flows(r"sport=40200 dport=80", "ESTABLISHED", r"\[ASSURED\]")
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
    t = role_bg("attacker.py", CLI, "talk", S4, 40300, 4)
    ready(t)
    time.sleep(0.3)
    line = flows(r"sport=40300 dport=80", "ESTABLISHED")
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
        e + icmp("198.51.100.9", S4, 5, 1, from_srv, rest=0xc0000263),
    ]
    good = e + icmp("198.51.100.9", S4, 3, 1, from_srv)
    before = stats("icmp_unrelated", "related")
    r = role("attacker.py", CLI, "frames", mac, frames_file(work, "d.hex", bad + [good]))
    time.sleep(0.5)
    after = stats("icmp_unrelated", "related")
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
    before = stats("invalid_zone", "invalid_state")
    r = role("attacker.py", CLI, "frames", mac, frames_file(work, "fg.hex", fr))
    time.sleep(0.5)
    after = stats("invalid_zone", "invalid_state")
    est = flows(r"dst=192\.0\.2\.77", r"ESTABLISHED|SYN_RECV|\[ASSURED\]")
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
    before = stats("invalid_seq", "bad_checksum", "insert_failed", "spilled")
    r = role("attacker.py", CLI, "blindack", mac, S4, 3000, timeout=120)
    check(r.get("syns") == 3000 and r.get("synacks", 0) > 1024,
          "(a) 3,000 spoofed SYNs, %s SYN/ACKs came back, %s blind ACKs with a "
          "wrong number, %s with the right number and a bad checksum"
          % (r.get("synacks"), r.get("wrong"), r.get("badsum")))
    mid = stats("invalid_seq", "bad_checksum", "insert_failed", "spilled")
    assured = flows(r"src=198\.51\.100\.", r"\[ASSURED\]")
    check(not assured, "(a) no attacker flow is assured (%d)" % len(assured))
    check(mid["bad_checksum"] - before["bad_checksum"] >= r.get("badsum", 1),
          "(a) every badly summed ACK dropped as bad_checksum (%d)"
          % (mid["bad_checksum"] - before["bad_checksum"]))
    check(mid["invalid_seq"] - before["invalid_seq"] > 0,
          "(a) blind ACKs that hit their flow dropped as invalid_seq (%d)"
          % (mid["invalid_seq"] - before["invalid_seq"]))
    t = role_bg("attacker.py", CLI, "talk", S4, 40400, 0.2)
    ready(t)
    ok = result(t).get("ok")
    after = stats("insert_failed", "spilled")
    mine = flows(r"sport=40400 dport=80", r"\[ASSURED\]")
    check(ok is True and len(mine) == 1 and after["spilled"] == mid["spilled"] and
          after["insert_failed"] == mid["insert_failed"],
          "(a) a legitimate connection right after gets a table slot, not spilled "
          "(spilled %d -> %d)" % (mid["spilled"], after["spilled"]))
    time.sleep(SHORT + 2)
    left = flows(r"src=198\.51\.100\.")
    check(not left, "(a) once tcp_syn_recv (%d s) has run out, no attacker entry is "
          "left (%d)" % (SHORT, len(left)))


def attack_e(work, mac, cmac):
    """(e): impossible flag sets while the table spills."""
    holds = []
    for i in range(16):
        h = role_bg("attacker.py", CLI, "talk", S4, 41000 + i, 8)
        ready(h)
        holds.append(h)
    extra = role_bg("attacker.py", CLI, "talk", S4, 41100, 0.1)
    ready(extra)
    result(extra)
    check("SPILLING" in cli("show flowtable"),
          "(e) the 16-flow table is full of assured flows and spilling")
    e = eth(mac, cmac)
    fr = []
    for i in range(100):
        for fl in (0x29, 0x00, 0x03, 0x3f, 0x01):	# XMAS, NULL, SYN+FIN, all, FIN
            fr.append(e + tcp("198.51.100.%d" % (1 + i), S4, 30000 + i, 80,
                              random.getrandbits(32), 0, fl))
    before = stats("invalid_flags", "fallback_accept", "spilled")
    r = role("attacker.py", CLI, "frames", mac, frames_file(work, "e.hex", fr))
    time.sleep(0.5)
    after = stats("invalid_flags", "fallback_accept", "spilled")
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


def attempt(name, fn, *args):
    """Run one attack; an exception is a failed check, not the end."""
    try:
        return fn(*args)
    except Exception as e:	# noqa: BLE001 - every failure is reported
        check(False, "%s: %s: %s" % (name, type(e).__name__, str(e)[:300]))
        return None


def main():
    if os.geteuid() != 0:
        print("needs root (network namespaces)")
        sys.exit(77)
    binary = sys.argv[1]
    atexit.register(topo, "down")
    atexit.register(lambda: subprocess.run(["rm", "-rf", os.path.dirname(CTL)]))
    signal.signal(signal.SIGTERM, lambda *x: sys.exit(1))
    topo("up")
    sh("ip -n %s route add 198.51.100.0/24 via %s" % (SRV, C4))
    # The server answers each spoofed SYN once, and once more a second
    # later, not for a minute (Linux's 5 retries): the retransmissions of
    # attack (a) must not still be crossing when attack (e) counts what
    # reaches the fallback rules.
    sh("ip netns exec %s sysctl -qw net.ipv4.tcp_synack_retries=1" % SRV)
    sh("ip -n %s -6 route add 2001:db8:ffff::/48 via %s" % (SRV, C6))
    work = tempfile.mkdtemp(prefix="sw-att-")
    srv = role_bg("agent.py", SRV, "server", S4, S6)
    atexit.register(srv.kill)
    mac = srv_mac()
    cmac = sh("ip netns exec %s cat /sys/class/net/eth0/address" % CLI).strip()

    fw = Firewall(binary, work, 1, 1024)
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
        rc = fw.stop()
    check(rc == 0, "spillway 1 exits 0")

    time.sleep(1)
    # (e) is about the spilling table: one host's connections fill it (no
    # quota) and new ones spill (no SYN proxy, which would answer them).
    fw = Firewall(binary, work, 2, 16,
                  ' synproxy = "off"; per_source = { max_flows = 0; };')
    def second_hash():
        t = role_bg("attacker.py", CLI, "talk", S6, 40123, 0.5)
        ready(t)
        m = flows(r"src=2001:db8::1 dst=2001:db8::2 sport=40123 dport=80")
        result(t)
        return re.search(r"hash=(0x[0-9a-f]{8})", m[0]).group(1) if m else None

    try:
        h2 = attempt("(c) second start", second_hash)
        check(h1 is not None and h2 is not None and h1 != h2,
              "(c) two starts give the same key different hashes (%s, %s)" % (h1, h2))
        attempt("(e)", attack_e, work, mac, cmac)
    finally:
        rc = fw.stop()
    check(rc == 0, "spillway 2 exits 0")
    print(open(fw.log).read()[-1500:])
    print("e2e attacks: %d failed" % len(failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
