#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Issue 26: flows survive a clean restart (flowtable.state_file).

One spillway node (pylib's HaPair, node A alone, no ha group) between a
client and a server, tcp_loose = false. Idle and busy connections,
direct (7000) and SYN-proxied (7001), run through it; spillway is
stopped cleanly (SIGTERM), which writes the state file, and started
again with the same config: it loads the flows aged by the downtime and
every connection goes on byte-exact, without a reset on either host.

A crafted connection (raw frames, the hosts' kernels told to ignore
it) checks what real ones only hit by chance under load: the client's
first segment after the restart is a retransmission from 300 bytes
back, so its side is learnt behind what it sent, and the server's ACK
of everything must still pass (it was refused as invalid_seq and the
connection stalled before SW_FT_TCPF_RELEARNT).

Then files that must be refused, each named in the log with its
reason, the table starting empty (never half-loaded): one with a byte
of a record changed (corrupted), one whose header says another format
(another version), one written under other zones (flowtable.zone_vlan
changed).

  state_file.py SPILLWAY_BINARY"""

import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (PY, TOP, HaPair, Wire, bg, check, finish,  # noqa: E402
                   kernel_counter, need_root, ready, result, tmpdir, wait_for)
from pylib import packets  # noqa: E402
from scapy.layers.inet import TCP  # noqa: E402

E2E = os.path.join(TOP, "tests", "e2e")
HDR = 64			# the state file's header (app/ha/ha_state.c)

CONF = """
flowtable = { max_flows = 4096; tcp_loose = false; state_file = "%s";%s };
rules = {
  policy = (
    { proto = "tcp"; dport = 7000; action = "accept"; comment = "echo"; },
    { proto = "tcp"; dport = 7001; action = "accept"; synproxy = true;
      comment = "echo, proxied"; } );
  policy_default = "drop";
};
"""


def established(sw):
    return len(re.findall(r"ESTABLISHED", sw.cmd("show flows 0")))


CP = 45555			# the crafted connection's client port
ISN_C, ISN_S = 1000, 5000


def crafted(t):
    """The crafted connection's two ends (raw sockets on ethA) and a
    function that sends a segment from the client (c=True) or server."""
    for ns, rule in ((t.cli, "tcp dport %d drop" % CP), (t.srv, "tcp sport %d drop" % CP)):
        subprocess.run(["ip", "netns", "exec", ns, "nft",
                        "add table inet swt; add chain inet swt pre { type filter "
                        "hook prerouting priority -400; }; add rule inet swt pre " + rule],
                       check=True)
    wc, ws = Wire(t.cli, "ethA"), Wire(t.srv, "ethA")

    def send(c, seq, ack, flags, n=0):
        if c:
            wc.send(packets.tcp(t.C4, t.S4, CP, 7000, seq=seq, ack=ack, flags=flags,
                                data=b"x" * n, mac=(ws.mac, wc.mac)))
        else:
            ws.send(packets.tcp(t.S4, t.C4, 7000, CP, seq=seq, ack=ack, flags=flags,
                                mac=(wc.mac, ws.mac)))
    return wc, ws, send


def reached(wire, sport, ack):
    """A segment from port sport acknowledging ack came out at wire."""
    def pred(f):
        seg = packets.Ether(f).getlayer(TCP)
        return seg is not None and seg.sport == sport and seg.ack == ack
    return bool(wire.expect(pred, 2.0))


def main():
    need_root()
    binary = sys.argv[1]
    t = HaPair("sf")
    d = tmpdir()
    path = os.path.join(d, "flows.state")
    conf = CONF % (path, "")

    def node(text=conf):
        sw = t.spillway("a", binary, text).start()
        check(sw.wait_running(), "spillway runs")
        return sw

    sw = node()
    t.route_all("a")
    for port in (7000, 7001):
        ready(bg(["ip", "netns", "exec", t.srv, PY, os.path.join(E2E, "peer.py"), "echo",
                  t.S4, str(port), "120"]))
    sessions = []
    for port in (7000, 7001):
        for kind in ("idle", "active"):
            p = bg(["ip", "netns", "exec", t.cli, PY, os.path.join(E2E, "peer.py"),
                    "session", t.S4, str(port), kind, "90"], stdin=subprocess.PIPE)
            sessions.append((port, kind, p, ready(p)["local"]))
    check(wait_for(lambda: established(sw) >= 4, 5), "four connections established")
    wc, ws, send = crafted(t)
    send(True, ISN_C, 0, packets.SYN)
    send(False, ISN_S, ISN_C + 1, packets.SYN | packets.ACK)
    send(True, ISN_C + 1, ISN_S + 1, packets.ACK)
    for i in range(10):		# 1,000 bytes; the server's ACK is lost
        send(True, ISN_C + 1 + 100 * i, ISN_S + 1, packets.ACK | packets.PSH, 100)
    check(reached(ws, CP, ISN_S + 1) and
          wait_for(lambda: established(sw) >= 5, 2),
          "the crafted connection is established and its data passed")
    rst0 = {ns: kernel_counter(ns, "Tcp", "OutRsts") for ns in (t.cli, t.srv)}
    wait_for(lambda: False, 0.5)		# the busy ones move data

    rc, _ = sw.stop()
    check(rc == 0 and os.path.exists(path), "a clean stop writes the state file")
    m = re.search(r"state_file \S+: (\d+) flows", sw.output())
    check(m is not None and int(m.group(1)) >= 4,
          "the log says how many flows it wrote (%s)" % (m and m.group(0)))
    saved = os.path.join(d, "saved.state")
    shutil.copy(path, saved)

    sw = node()
    check(re.search(r"state_file \S+: (\d+) flows loaded", sw.output()) is not None,
          "the next start loads it: %s"
          % [l.strip() for l in sw.lines if "state_file" in l])
    check(established(sw) >= 4, "the established flows are back (%d)" % established(sw))
    wait_for(lambda: False, 1.0)		# the busy ones go on through it
    for s in sessions:
        s[2].stdin.write("go\n" if s[1] == "idle" else "stop\n")
        s[2].stdin.flush()
    for port, kind, p, local in sessions:
        r = result(p, 90)
        check(r.get("ok") is True, "%s connection %d (port %d) goes on byte-exact, "
              "no reset: %s" % (kind, local, port, r))
    c = sw.counters()
    check(c["policy_accept"] == 0 and c["invalid"] == 0,
          "carried on as loaded flows: none opened anew, nothing invalid (%d, %s)"
          % (c["policy_accept"], {k: v for k, v in c.items()
                                  if k.startswith("invalid") and v}))
    rst = {ns: kernel_counter(ns, "Tcp", "OutRsts") - rst0[ns] for ns in (t.cli, t.srv)}
    check(all(v == 0 for v in rst.values()), "no host sent a reset (%s)" % rst)
    # The crafted connection: a retransmission first, then the ACK of all.
    ws.drain()
    wc.drain()
    send(True, ISN_C + 1 + 700, ISN_S + 1, packets.ACK | packets.PSH, 100)
    check(reached(ws, CP, ISN_S + 1), "the client's retransmission passes")
    inv = sw.counters()["invalid_seq"]
    send(False, ISN_S + 1, ISN_C + 1 + 1000, packets.ACK)
    check(reached(wc, 7000, ISN_C + 1 + 1000) and sw.counters()["invalid_seq"] == inv,
          "the server's ACK of the bytes sent before the restart passes (invalid_seq "
          "+%d)" % (sw.counters()["invalid_seq"] - inv))
    sw.stop()

    data = open(saved, "rb").read()
    bad = [("corrupted", bytearray(data), conf),
           ("another version", bytearray(data), conf),
           ("another config's zones", bytearray(data), CONF % (path, " zone_vlan = true;"))]
    bad[0][1][HDR + 50] ^= 0x40		# a byte of the first flow's record
    bad[1][1][8] ^= 0x7f			# the format
    for what, content, text in bad:
        with open(path, "wb") as f:
            f.write(content)
        sw = node(text)
        line = [l.strip() for l in sw.lines if "refused" in l and path in l]
        check(len(line) == 1, "a state file from %s is refused, named in the log: %s"
              % (what, line))
        check(established(sw) == 0 and sw.counters()["flows"] == 0,
              "  and nothing of it is loaded")
        sw.stop()
    finish("state-file")


if __name__ == "__main__":
    main()
