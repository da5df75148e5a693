#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Two workers (lcores 1 and 2 share a CPU through --lcores), two queue
pairs per net_af_packet port: the kernel's fanout hash is symmetric, so
both directions of every connection must meet in one worker's shard.
If they did not, a SYN/ACK would miss its flow (invalid, or a second
insert) and no flow would become assured.

  test_netns_workers.py SPILLWAY_BINARY"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (PY, Topology, bg, check, finish, need_root, parse_stats,  # noqa: E402
                   tmpdir, wait_for)

N = 24		# connections
CONF = """workers = { lcores = [1, 2]; };
flowtable = { max_flows = 4096; };
rules = {
  policy = ( { in = "outside"; proto = "tcp"; dport = 8080; action = "accept"; },
             { in = "outside"; proto = "icmp"; icmp_type = 8; action = "accept"; } );
};
"""


def main():
    binary = sys.argv[1]
    need_root()
    work = tmpdir("sw-workers-")
    topo = Topology("w")
    sw = topo.spillway(binary, topo.ports(qpairs=2) + CONF, "workers", mem=256,
                       lcores="0@0,1@1,2@1", workdir=work)
    sw.start("--dump-flows")
    if not check(sw.wait_running(), "spillway runs two workers"):
        print(sw.output())
        finish("netns workers")

    www = os.path.join(work, "www")
    os.mkdir(www)
    with open(os.path.join(www, "index.html"), "w") as f:
        f.write("hello\n")
    bg(["ip", "netns", "exec", topo.srv, PY, "-m", "http.server", "8080", "--bind", topo.S4,
        "--directory", www], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    check(wait_for(lambda: ":8080" in topo.ns(topo.srv, "ss -ltn"), 10, 0.1),
          "the web server listens")
    check(topo.ping(topo.cli, topo.S4), "ping across")
    ok = 0
    for _ in range(N):
        rc, _ = topo.curl(topo.cli, "http://%s:8080/" % topo.S4)
        ok += rc == 0
    check(ok == N, "%d of %d HTTP fetches" % (ok, N))
    rc, _ = sw.stop()
    check(rc == 0, "spillway exits 0 (%s)" % rc)
    log = sw.output()
    print("\n".join(l for l in log.splitlines() if not l.startswith("EAL")))

    web = [l for l in log.splitlines() if re.match(r"^flow: tcp .*dport=8080", l)]
    assured = [l for l in web if "[ASSURED]" in l]
    check(len(web) == N and len(assured) == N,
          "%d connections, %d flows, %d assured" % (N, len(web), len(assured)))
    totals = parse_stats(log)
    check(totals.get("invalid") == 0,
          "no invalid packet (invalid=%s: a direction would have missed its shard)"
          % totals.get("invalid"))
    check(totals.get("inserts") == N + 1,
          "each flow inserted once: inserts=%s, want %d (%d TCP + 1 ping)"
          % (totals.get("inserts"), N + 1, N))
    shard = [re.search(r"flowtable shard %d:.* inserts=(\d+)" % i, log) for i in (0, 1)]
    s0, s1 = (int(m.group(1)) if m else 0 for m in shard)
    check(s0 > 0 and s1 > 0, "both workers' shards took flows (%d and %d)" % (s0, s1))
    finish("netns workers")


if __name__ == "__main__":
    main()
