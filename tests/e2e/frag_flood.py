#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""A fragment flood must not break fragmented DNS replies.

Regression: "a fragment flood evicts accepted datagrams": the
first-fragment table was direct-mapped (1,024 slots) and recorded drop
verdicts too, so first fragments the rules drop evicted the entries of
accepted datagrams whose later fragments had not yet come, and those
were dropped (fragmented DNS and IPsec broke). Fixed by "frag:
set-associative table of accepted datagrams".

Topology (tools/netns.sh): client 2001:db8::1 -- spillway -- server
2001:db8::2. The server answers every UDP query on port 53 with 4,000
bytes, which its kernel sends as three fragments; its link is shaped
to 256 kbit/s (tbf), so a reply's fragments are spread over about 80
ms, as on a slow or busy path. While the client makes 30 queries, an
attacker in the client's namespace sends 5,000 fragments a second:
first fragments the policy drops (spoofed from 2001:db8:bad::/64),
first fragments the policy accepts (from 2001:db8::100, to port 53:
held to fragments.per_source), and later fragments of nothing. Every
reply must arrive whole; the flood must take no room (frag_full = 0).

IPv6, because DPDK's net_af_packet asks the kernel to reassemble IPv4
fragments before it hands them over (PACKET_FANOUT_FLAG_DEFRAG): on
these virtual ports spillway never sees an IPv4 fragment (README,
"Known limits"). The pcap test covers IPv4 fragments.
Bounded: 60,000 frames at most, 30 s at most; cleaned up on exit."""

import atexit
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY = "/usr/bin/python3"
ID = "f%d" % os.getpid()
CLI, FW, SRV = "sw-cli-" + ID, "sw-fw-" + ID, "sw-srv-" + ID
C6, A6, S6 = "2001:db8::1", "2001:db8::100", "2001:db8::2"
CTL = "/run/swt-frag-%s/control.sock" % ID
QUERIES = 30

CONF = """
eal = ["-l", "0-1", "--no-huge", "-m", "512", "--no-telemetry", "--file-prefix", "swt-frag-%(id)s"];
control = { socket = "%(ctl)s"; };
flowtable = { max_flows = 65536; };
rules = {
  policy = ( { in = "outside"; proto = "udp"; dst = "2001:db8::2/128"; dport = 53;
               action = "accept"; comment = "dns"; } );
  policy_default = "drop";
};
"""

SERVER = r"""
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
s.settimeout(1)
print("ready", flush=True)
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    try:
        q, a = s.recvfrom(2048)
    except socket.timeout:
        continue
    s.sendto(q[:8] + b"R" * 3992, a)
"""

CLIENT = r"""
import json, os, socket, sys, time
ok, ms = 0, []
for i in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.settimeout(2)
    q = os.urandom(8) + b"q" * 32
    t = time.monotonic()
    try:
        s.sendto(q, (sys.argv[1], 53))
        r = s.recv(8192)
        if r[:8] == q[:8] and len(r) == 4000:
            ok += 1
            ms.append(round(1000 * (time.monotonic() - t)))
    except socket.timeout:
        pass
    s.close()
    time.sleep(0.05)
print(json.dumps({"ok": ok, "ms": ms}))
"""

ATTACK = r"""
import random, socket, struct, sys, time
iface, dmac, dst, rate, count, seconds = sys.argv[1:7]
rate, count, seconds = int(rate), int(count), float(seconds)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
smac = s.getsockname()[4]
eth = bytes.fromhex(dmac.replace(":", "")) + smac + b"\x86\xdd"
dst = socket.inet_pton(socket.AF_INET6, dst)
bad = socket.inet_pton(socket.AF_INET6, "2001:db8:bad::")
mine = socket.inet_pton(socket.AF_INET6, "2001:db8::100")

def frag(src, ident, off8, more, payload):
    fh = struct.pack("!BBHI", 17, 0, off8 << 3 | more, ident)
    ip = struct.pack("!IHBB", 6 << 28, 8 + len(payload), 44, 64) + src + dst
    return eth + ip + fh + payload

rnd = random.Random(1)
sent, start = 0, time.monotonic()
while sent < count and time.monotonic() - start < seconds:
    batch = []
    for _ in range(50):
        kind = rnd.random()
        ident = rnd.getrandbits(32)
        spoof = bad[:14] + struct.pack("!H", rnd.randrange(1, 65535))
        if kind < 0.6:	# a first fragment the policy drops
            udp = struct.pack("!HHHH", rnd.getrandbits(16), 9999, 1000, 0x1234)
            batch.append(frag(spoof, ident, 0, 1, udp + b"d" * 56))
        elif kind < 0.8:	# one it accepts (to port 53): per_source
            udp = struct.pack("!HHHH", rnd.getrandbits(16), 53, 1000, 0x1234)
            batch.append(frag(mine, ident, 0, 1, udp + b"a" * 56))
        else:		# a later fragment of nothing
            batch.append(frag(spoof, ident, rnd.randrange(1, 100), 1, b"l" * 64))
    for f in batch:
        s.send(f)
    sent += len(batch)
    ahead = sent / rate - (time.monotonic() - start)
    if ahead > 0:
        time.sleep(ahead)
print(sent, flush=True)
"""

failed = []


def check(cond, msg):
    print(("ok: " if cond else "FAIL: ") + msg, flush=True)
    if not cond:
        failed.append(msg)


def sh(cmd):
    return subprocess.run(["bash", "-c", cmd], check=True, text=True,
                          capture_output=True).stdout


def topo(action):
    sh(". %s/tools/netns.sh; sw_topo_%s" % (TOP, action)).strip()


def ns(name, *args, **kw):
    return subprocess.Popen(["ip", "netns", "exec", name] + list(args),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def cli(cmd):
    p = subprocess.run(["nc", "-U", "-q", "2", CTL], input=cmd + "\nquit\n",
                       capture_output=True, text=True, timeout=20)
    out = p.stdout.split("\n.\n")
    return out[1] if len(out) > 1 else ""


def stat(text, name):
    m = re.search(r"^\s+%s\s+(\d+)" % name, text, re.M)
    return int(m.group(1)) if m else -1


def main():
    binary = sys.argv[1]
    if os.geteuid() != 0:
        print("needs root (network namespaces)")
        sys.exit(77)
    os.environ["SW_ID"] = ID
    atexit.register(topo, "down")
    atexit.register(lambda: subprocess.run(["rm", "-rf", "/var/run/dpdk/swt-frag-" + ID,
                                            os.path.dirname(CTL)]))
    signal.signal(signal.SIGTERM, lambda *x: sys.exit(1))
    topo("up")
    # A slow link on the server side: a reply's fragments come ~40 ms apart.
    sh("ip netns exec %s tc qdisc add dev eth0 root tbf rate 256kbit burst 1600 latency 2s"
       % SRV)
    work = tempfile.mkdtemp(prefix="sw-frag-")
    conf = os.path.join(work, "sw.conf")
    with open(conf, "w") as f:
        f.write(CONF % {"id": ID, "ctl": CTL})
    log = open(os.path.join(work, "log"), "w")
    sw = subprocess.Popen(["ip", "netns", "exec", FW, binary, "-c", conf],
                          stdout=log, stderr=subprocess.STDOUT)
    atexit.register(lambda: sw.poll() is None and sw.kill())
    end = time.monotonic() + 20
    while time.monotonic() < end and "running:" not in open(log.name).read():
        time.sleep(0.1)
    srv = ns(SRV, PY, "-c", SERVER, S6, "40")
    atexit.register(srv.kill)
    check(srv.stdout.readline().strip() == "ready", "DNS-like server up")
    mac = sh("ip -n %s -br link show eth0" % SRV).split()[2]

    # Without a flood first: every reply arrives.
    r = ns(CLI, PY, "-c", CLIENT, S6, "5")
    calm = json.loads(r.communicate(timeout=60)[0])
    check(calm["ok"] == 5, "no flood: 5/5 fragmented replies (%s ms)" % calm["ms"])

    flood = ns(CLI, PY, "-c", ATTACK, "eth0", mac, S6, "5000", "60000", "30")
    time.sleep(1)
    r = ns(CLI, PY, "-c", CLIENT, S6, str(QUERIES))
    res = json.loads(r.communicate(timeout=120)[0])
    sent = int(flood.communicate(timeout=60)[0].strip() or 0)
    st = cli("show stats")
    print("replies under the flood: %d/%d, ms %s; flood frames %d" %
          (res["ok"], QUERIES, res["ms"], sent))
    check(sent > 10000, "the flood sent %d fragments" % sent)
    check(res["ok"] == QUERIES, "under the flood: %d/%d fragmented replies whole"
          % (res["ok"], QUERIES))
    check(stat(st, "frag_full") == 0, "the flood took no room (frag_full = %d)"
          % stat(st, "frag_full"))
    check(stat(st, "frag_source_limit") > 0, "2001:db8::100's accepted first fragments were "
          "held to fragments.per_source (frag_source_limit = %d)" % stat(st, "frag_source_limit"))
    check(stat(st, "frag_unknown") > 0, "later fragments of nothing dropped (frag_unknown = %d)"
          % stat(st, "frag_unknown"))
    sw.send_signal(signal.SIGTERM)
    check(sw.wait(timeout=30) == 0, "spillway exits 0")
    print("e2e frag flood: %d failed" % len(failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
