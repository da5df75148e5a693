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

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import PY, Topology, bg, check, finish, need_root, readline, result, stat  # noqa: E402

C6, A6, S6 = "2001:db8::1", "2001:db8::100", "2001:db8::2"
QUERIES = 30

CONF = """
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

def ns(name, *args):
    return bg(["ip", "netns", "exec", name] + list(args))


def main():
    binary = sys.argv[1]
    need_root()
    T = Topology("f")
    # A slow link on the server side: a reply's fragments come ~40 ms apart.
    T.ns(T.srv, "tc qdisc add dev eth0 root tbf rate 256kbit burst 1600 latency 2s")
    sw = T.spillway(binary, CONF, "frag").start()
    check(sw.wait_running(), "spillway runs")
    srv = ns(T.srv, PY, "-c", SERVER, S6, "40")
    check((readline(srv, 20) or "").strip() == "ready", "DNS-like server up")
    mac = T.mac(T.srv)

    # Without a flood first: every reply arrives.
    r = ns(T.cli, PY, "-c", CLIENT, S6, "5")
    calm = json.loads(r.communicate(timeout=60)[0])
    check(calm["ok"] == 5, "no flood: 5/5 fragmented replies (%s ms)" % calm["ms"])

    flood = T.agent_bg(T.cli, "fragflood", "eth0", mac, S6, 5000, 60000, 30)
    # The queries start once the flood is under way: spillway has seen
    # a thousand of its fragments (about 0.2 s of it).
    base = stat(sw.cmd("show stats"), "rx", 0)
    under_way = lambda c: c.get("rx", 0) >= base + 1000
    check(under_way(sw.wait_counters(under_way, 10)), "the flood reaches spillway")
    r = ns(T.cli, PY, "-c", CLIENT, S6, str(QUERIES))
    res = json.loads(r.communicate(timeout=120)[0])
    sent = result(flood, 60).get("sent", 0)
    st = sw.cmd("show stats")
    print("replies under the flood: %d/%d, ms %s; flood frames %d" %
          (res["ok"], QUERIES, res["ms"], sent))
    check(sent > 10000, "the flood sent %d fragments" % sent)
    check(res["ok"] == QUERIES, "under the flood: %d/%d fragmented replies whole"
          % (res["ok"], QUERIES))
    n = lambda k: stat(st, k, -1)
    check(n("frag_full") == 0, "the flood took no room (frag_full = %d)" % n("frag_full"))
    check(n("frag_source_limit") > 0, "2001:db8::100's accepted first fragments were "
          "held to fragments.per_source (frag_source_limit = %d)" % n("frag_source_limit"))
    check(n("frag_unknown") > 0, "later fragments of nothing dropped (frag_unknown = %d)"
          % n("frag_unknown"))
    rc, _ = sw.stop()
    check(rc == 0, "spillway exits 0")
    finish("e2e frag flood")


if __name__ == "__main__":
    main()
