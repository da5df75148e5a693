#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""End to end, in namespaces (tools/netns.sh): the edge of issue 17.

1. "Drop the feed, except the admin /24, which stays stateful": a
   feed set (a file of 20,000 prefixes) holds 192.0.0.0/12, which covers
   the admin /24 192.0.2.0/24, and 198.51.100.0/24. A notrack return rule
   lets @admin out of the feed's drop rule, so the admin's SSH (TCP 22
   to the server) reaches the policy, connects and is tracked; a source
   the feed lists (198.51.100.7, on the client too) is dropped, for SSH
   and for the web the policy would accept.
2. rules.fallback_from_policy with the demo's policy and no hand-written
   fallback rule: a table of 16 flows is filled with held, assured
   connections (no SYN proxy, no per-source quota, so it really fills),
   and while the shard spills, web (TCP 80) and ping keep working in
   both directions, IPv4 and IPv6, through the derived rules.

Only 192.0.2.0/24, 198.51.100.0/24 and 2001:db8::/32, only in the
namespaces the test makes; removed on exit, whatever happens."""

import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (Topology, check, finish, need_root, ready, sh, stat, tmpdir,  # noqa: E402
                   wait_for)

C4, S4, C6, S6 = Topology.C4, Topology.S4, Topology.C6, Topology.S6
LISTED = "198.51.100.7"
HOLDER = "192.0.2.100"
T = None	# the Topology

FEED = """
sets = {
  feed = { family = "ipv4"; file = "feed.txt"; };
  admin = { family = "any"; elements = [ "192.0.2.0/24", "2001:db8::/64" ]; };
};
rules = {
  notrack = (
    { src = "@admin"; action = "return"; comment = "admin: out of the feed, stateful"; },
    { src = "@feed"; action = "drop"; comment = "feed"; } );
  policy = (
    { in = "outside"; src = "@admin"; proto = "tcp"; dport = 22; action = "accept";
      comment = "admin ssh"; },
    { in = "outside"; proto = "tcp"; dst = "192.0.2.2"; dport = 80; action = "accept";
      comment = "web"; } );
  policy_default = "drop";
};
"""

# The demo's policy (config/spillway.conf), its fallback derived.
SPILL = """
flowtable = { max_flows = 16; synproxy = "off"; per_source = { max_flows = 0; }; };
rules = {
  fallback_from_policy = true;
  policy = (
    { in = "outside"; proto = "tcp"; dst = "192.0.2.2/32"; dport = "80,8080";
      action = "accept"; comment = "web"; },
    { in = "outside"; proto = "tcp"; dst = "2001:db8::2/128"; dport = "80,8080";
      action = "accept"; comment = "web, IPv6"; },
    { in = "outside"; proto = "icmp"; icmp_type = 8; action = "accept"; comment = "ping"; },
    { in = "outside"; proto = "icmpv6"; icmp_type = 128; action = "accept";
      comment = "ping, IPv6"; },
    { in = "outside"; proto = "tcp"; dport = 23; action = "reject"; comment = "telnet"; },
    { in = "inside"; action = "accept"; comment = "inside may open anything"; } );
  policy_default = "drop";
  fallback_default = "drop";
};
"""


def start(binary, work, text, tag):
    sw = T.spillway(binary, text, "edge-" + tag, workdir=work).start()
    if not sw.wait_running():
        print(sw.output())
        sys.exit("spillway did not start")
    return sw


def stop(sw, what):
    rc, _ = sw.stop()
    check(rc == 0, "%s: spillway exits 0" % what)


def feed_part(binary, work):
    rng = random.Random(5)
    lines = {"192.0.0.0/12", "198.51.100.0/24"}
    while len(lines) < 20000:
        x = rng.getrandbits(32)
        if x >> 24 in (192, 198):
            continue
        lines.add("%d.%d.%d.%d" % (x >> 24, x >> 16 & 255, x >> 8 & 255, x & 255))
    with open(os.path.join(work, "feed.txt"), "w") as f:
        f.write("\n".join(sorted(lines)) + "\n")
    sw = start(binary, work, FEED, "feed")
    cli = sw.cmd
    lst = T.agent_bg(T.srv, "listen", S4, 22, 20)
    ready(lst)
    r = T.agent(T.cli, "probe", S4, 22, 3, C4)
    check(r.get("result") == "ok", "admin SSH (192.0.2.1 -> 22) connects though the feed "
          "holds 192.0.0.0/12")
    flows = cli("show flows dport=22 src=192.0.2.0/24")
    check(re.search(r"src=192\.0\.2\.1 dst=192\.0\.2\.2 sport=\d+ dport=22 .*\[ASSURED\]", flows)
          is not None, "  and is tracked: " + (flows.strip().splitlines() or ["none"])[0])
    r = T.agent(T.cli, "probe", S4, 22, 1.5, LISTED)
    check(r.get("result") == "timeout", "a listed source (198.51.100.7) cannot reach SSH")
    r = T.agent(T.cli, "probe", S4, 80, 1.5, LISTED)
    check(r.get("result") == "timeout", "  nor the web the policy accepts for others")
    r = T.agent(T.cli, "probe", S4, 80, 3, C4)
    check(r.get("result") in ("ok", "refused"), "the admin reaches port 80 too (%s)"
          % r.get("result"))
    rules = cli("show rules notrack")
    m = re.search(r"rule notrack\[1\] drop hits=(\d+) src=@feed", rules)
    check(m is not None and int(m.group(1)) >= 2, "the feed rule counted the listed source's "
          "SYNs (%s)" % (m.group(1) if m else "?"))
    m = re.search(r"rule notrack\[0\] return hits=(\d+)", rules)
    check(m is not None and int(m.group(1)) > 0, "the return rule counted the admin's packets")
    check(cli("show flows src=198.51.100.7").count("src=198.51.100.7") == 0,
          "the listed source left no flow")
    lst.kill()
    stop(sw, "feed")


def spill_part(binary, work):
    sw = start(binary, work, SPILL, "spill")
    cli = sw.cmd
    rules = cli("show rules fallback")
    check("generated(policy[0])" in rules and "generated(policy[0] reply)" in rules,
          "show rules fallback marks the derived rules")
    holder = T.agent_bg(T.cli, "exhaust", S4, HOLDER, 40, 25)
    def spilling():
        st = cli("show stats")
        return stat(st, "insert_failed", -1) > 0 and stat(st, "flows", -1) >= 16
    wait_for(spilling, 15, 0.3)
    st0 = cli("show stats")
    check(stat(st0, "flows", -1) >= 16 and stat(st0, "insert_failed", -1) > 0,
          "the 16-flow table is full (%d flows, %d inserts failed)"
          % (stat(st0, "flows", -1), stat(st0, "insert_failed", -1)))
    check("SPILLING" in cli("show flowtable"), "  and spilling")
    for dst, tag in ((S4, "v4"), (S6, "v6")):
        check(T.ping(T.cli, dst), "spilling: ping client -> server %s" % tag)
        r = T.agent(T.cli, "legit", dst, 5, 0.05)
        check(r.get("ok") == 5, "spilling: web client -> server %s, %s/5" % (tag, r.get("ok")))
    for dst, tag in ((C4, "v4"), (C6, "v6")):
        # Regression: an echo reply missing the table while it spilled
        # went to the policy (which never accepts replies from outside)
        # instead of the fallback rules that let its request through.
        check(T.ping(T.srv, dst), "spilling: ping server -> client %s" % tag)
        r = T.agent(T.srv, "legit", dst, 5, 0.05)
        check(r.get("ok") == 5, "spilling: web server -> client %s, %s/5" % (tag, r.get("ok")))
    st = cli("show stats")
    fa = stat(st, "fallback_accept", -1) - stat(st0, "fallback_accept", -1)
    check(fa > 0 and stat(st, "spilled", -1) > 0,
          "the derived fallback rules decided them (%d accepted while spilling)" % fa)
    holder.kill()
    stop(sw, "spill")


def main():
    global T
    binary = sys.argv[1]
    need_root()
    T = Topology("edge")
    sh("ip -n %s addr add %s/24 dev eth0" % (T.cli, LISTED))
    sh("ip -n %s addr add %s/24 dev eth0" % (T.cli, HOLDER))
    sh("ip -n %s route add 198.51.100.0/24 dev eth0" % T.srv)
    ready(T.agent_bg(T.srv, "server", S4, S6))
    ready(T.agent_bg(T.cli, "server", C4, C6))
    work = tmpdir("sw-edge-")
    feed_part(binary, work)
    spill_part(binary, work)
    finish("e2e edge")


if __name__ == "__main__":
    main()
