#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Issue 26: active-active with asymmetric paths.

Two spillway nodes side by side (pylib's HaPair), ha.mode =
"active-active" on both, tcp_loose = false: the client's packets go
through A, the server's through B. Neither node sees a whole connection:
A sees the SYN and the client's segments, B the SYN/ACK and the
server's. New connections open and run, byte-exact: A holds a new
flow's first packet until B has the flow, and either node holds a
packet that changes a shared flow's state until the other has the
change (pfsync's defer), so the answer never beats the state to the
node it goes through.

  ha_active_active.py SPILLWAY_BINARY"""

import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (PY, TOP, HaPair, bg, check, finish, need_root, ready,  # noqa: E402
                   result, tmpdir, wait_for)

E2E = os.path.join(TOP, "tests", "e2e")
KEY = "active-active test key, any bytes will do: 0123456789\n"
N = 6

CONF = """
flowtable = { max_flows = 4096; tcp_loose = false; };
rules = {
  policy = ( { proto = "tcp"; dport = 7000; action = "accept"; comment = "echo"; } );
  policy_default = "drop";
};
"""


def ha_json(sw):
    return json.loads(sw.cmd("show stats json"))["ha"]


def main():
    need_root()
    binary = sys.argv[1]
    t = HaPair("aa")
    d = tmpdir()
    key = os.path.join(d, "ha.key")
    with open(key, "w") as f:
        f.write(KEY)
    os.chmod(key, 0o600)
    conf = lambda n: CONF + t.ha_conf(n, key, mode="active-active")
    a = t.spillway("a", binary, conf("a")).start()
    b = t.spillway("b", binary, conf("b"), lcores="0@1,1@0").start()
    check(a.wait_running() and b.wait_running(), "both nodes run")
    ja, jb = ha_json(a), ha_json(b)
    check(ja["role"] == "active" and jb["role"] == "active" and
          ja["mode"] == "active-active", "active-active: both have role active (%s, %s)"
          % (ja["role"], jb["role"]))
    check(wait_for(lambda: ha_json(a)["peer_up"] and ha_json(b)["peer_up"], 10),
          "each sees the other up")
    t.route(t.cli, "a")		# client -> A -> server
    t.route(t.srv, "b")		# server -> B -> client
    ready(bg(["ip", "netns", "exec", t.srv, PY, os.path.join(E2E, "peer.py"), "echo",
              t.S4, "7000", "120"]))
    sessions = []
    for i in range(N):
        kind = "active" if i % 2 else "idle"
        p = bg(["ip", "netns", "exec", t.cli, PY, os.path.join(E2E, "peer.py"), "session",
                t.S4, "7000", kind, "60"], stdin=subprocess.PIPE)
        r = ready(p, 30)
        sessions.append((kind, p, r["local"]))
    check(len(sessions) == N, "%d new connections open through the two nodes" % N)
    wait_for(lambda: False, 1.5)	# the busy ones run a while
    for kind, p, _ in sessions:
        p.stdin.write("go\n" if kind == "idle" else "stop\n")
        p.stdin.flush()
    for kind, p, local in sessions:
        r = result(p, 60)
        check(r.get("ok") is True, "%s connection %d runs byte-exact: %s" % (kind, local, r))
    sa, sb = a.counters(), b.counters()
    check(sa["policy_accept"] == N and sb["policy_accept"] == 0,
          "A opened the %d flows (its policy), B had them from A (%d, %d)"
          % (N, sa["policy_accept"], sb["policy_accept"]))
    flows_a = a.cmd("show flows 0")
    flows_b = b.cmd("show flows 0")
    one_way = lambda text, side: all(
        re.search(r"sport=%d .*?packets=(\d+).*?packets=(\d+)" % local, text) and
        re.search(r"sport=%d .*?packets=(\d+).*?packets=(\d+)" % local,
                  text).group(side) == "0" for _, _, local in sessions)
    check(one_way(flows_a, 2) and one_way(flows_b, 1),
          "each node saw one direction only: A no replies, B nothing of the client")
    ja, jb = ha_json(a), ha_json(b)
    check(ja["deferred_held"] >= N, "A held the first packet of each new flow "
          "until B had it (%d held, %d released, %d timed out)"
          % (ja["deferred_held"], ja["deferred_released"], ja["deferred_timed_out"]))
    check(jb["deferred_held"] >= N, "B held each SYN/ACK until A had the change "
          "(%d held, %d released, %d timed out)"
          % (jb["deferred_held"], jb["deferred_released"], jb["deferred_timed_out"]))
    check(ja["acks_received"] > 0 and jb["acks_received"] > 0,
          "each acknowledged the other's holds")
    print("   invalid: A %d, B %d (a hold that ran out on a busy machine lets a "
          "segment beat its state; TCP sends it again)" % (sa["invalid"], sb["invalid"]),
          flush=True)
    finish("ha-active-active")


if __name__ == "__main__":
    main()
