#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""End to end: real TCP through spillway's window tracking. Linux stacks
on both sides (window scaling, SACK and timestamps on, their defaults)
in namespaces around spillway on net_af_packet:

  - 8 MB downloads over IPv4 and IPv6 through a 50 Mbit/s token bucket
    on the server's egress that drops what overflows it, so the client
    SACKs and the server recovers: byte-exact, nothing invalid;
  - the server closes first (every download): the flows end in
    TIME_WAIT; a client that resets: its flow is CLOSE;
  - TIME_WAIT reuse: a second connection from the same client port while
    the first one's flow is in TIME_WAIT reopens it.

  realtcp.py SPILLWAY_BINARY"""

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
PEER = os.path.join(TOP, "tests", "e2e", "peer.py")
PY = "/usr/bin/python3"
ID = "r%d" % os.getpid()
CLI, FW, SRV = "sw-cli-" + ID, "sw-fw-" + ID, "sw-srv-" + ID
C4, S4, C6, S6 = "192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"
MB8 = 8 * 1024 * 1024

failed = []


def check(cond, msg):
    print(("ok: " if cond else "FAIL: ") + msg, flush=True)
    if not cond:
        failed.append(msg)


def sh(cmd):
    return subprocess.run(["bash", "-c", cmd], check=True, text=True,
                          capture_output=True).stdout


def topo(action):
    subprocess.run(["bash", "-c", ". %s/tools/netns.sh; sw_topo_%s" % (TOP, action)],
                   env=dict(os.environ, SW_ID=ID), check=True, capture_output=True)


def peer(ns, *args, timeout=60):
    p = subprocess.run(["ip", "netns", "exec", ns, PY, PEER] + [str(a) for a in args],
                       capture_output=True, text=True, timeout=timeout)
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    return json.loads(lines[-1]) if lines else {"error": p.stderr[-800:]}


def cli(cmd):
    p = subprocess.run(CLI_CMD,
                       input=cmd + "\nquit\n", capture_output=True, text=True, timeout=30)
    out = p.stdout.split("\n.\n")
    return out[1] if len(out) > 1 else ""


def stat(text, name):
    m = re.search(r"^\s+%s\s+(\d+)" % name, text, re.M)
    return int(m.group(1)) if m else -1


def netstat(ns, name):
    """A TcpExt counter of a namespace's stack."""
    lines = sh("ip netns exec %s cat /proc/net/netstat" % ns).splitlines()
    for h, v in zip(lines[::2], lines[1::2]):
        if h.startswith("TcpExt:"):
            d = dict(zip(h.split()[1:], v.split()[1:]))
            return int(d.get(name, -1))
    return -1


# The CLI: this run's unix socket (spillway makes its directory).
CTL = "/run/swt-rt-%s/control.sock" % ID
CLI_CMD = ["nc", "-N", "-U", CTL]
CONF = """
control = { socket = "%(ctl)s"; };
eal = ["-l", "0-1", "--no-huge", "-m", "512", "--no-telemetry", "--file-prefix", "swt-rt-%(id)s"];
flowtable = { max_flows = 1024; };
rules = {
  policy = (
    { in = "outside"; proto = "tcp"; dport = 80; action = "accept"; comment = "web"; } );
  policy_default = "drop";
};
"""


def main():
    if os.geteuid() != 0:
        print("needs root (network namespaces)")
        sys.exit(77)
    binary = sys.argv[1]
    atexit.register(topo, "down")
    atexit.register(lambda: subprocess.run(["rm", "-rf", os.path.dirname(CTL)]))
    atexit.register(lambda: subprocess.run(["rm", "-rf", "/var/run/dpdk/swt-rt-" + ID]))
    signal.signal(signal.SIGTERM, lambda *x: sys.exit(1))
    topo("up")
    # Loss where a real path has it: a bottleneck's queue overflows.
    sh("ip netns exec %s tc qdisc replace dev eth0 root tbf rate 50mbit "
       "burst 16kb latency 2ms" % SRV)
    work = tempfile.mkdtemp(prefix="sw-rt-")
    conf = os.path.join(work, "sw.conf")
    with open(conf, "w") as f:
        f.write(CONF % {"id": ID, "ctl": CTL})
    log = os.path.join(work, "log")
    sw = subprocess.Popen(["ip", "netns", "exec", FW, binary, "-c", conf],
                          stdout=open(log, "w"), stderr=subprocess.STDOUT)
    atexit.register(lambda: sw.poll() is None and sw.kill())
    end = time.monotonic() + 20
    while time.monotonic() < end and "running:" not in open(log).read():
        time.sleep(0.1)
    srv = subprocess.Popen(["ip", "netns", "exec", SRV, PY, PEER, "serve", S4, S6, "80"],
                           stdout=subprocess.PIPE, text=True)
    atexit.register(srv.kill)
    srv.stdout.readline()

    sack0 = netstat(SRV, "TCPSackRecovery")
    for dst, tag in ((S4, "IPv4"), (S6, "IPv6")):
        r = peer(CLI, "get", dst, 80, MB8)
        check(r.get("ok") is True and r.get("bytes") == MB8,
              "%s: 8 MB through a lossy 50 Mbit/s bottleneck, byte-exact (%s s)"
              % (tag, r.get("seconds")))
    sack = netstat(SRV, "TCPSackRecovery") - sack0
    check(sack > 0, "the client's SACK blocks crossed the firewall: the server "
          "recovered by SACK %d times" % sack)
    det = [l for l in cli("show flows detail 0").splitlines() if "dport=80" in l]
    scaled = [l for l in det if re.search(r"orig=\[.*wscale=[1-9].*SACK_PERM\] "
                                          r"reply=\[.*wscale=[1-9].*SACK_PERM\]", l)]
    check(len(det) == 2 and len(scaled) == 2,
          "both transfers tracked with window scaling and SACK on both sides")
    check(all("TIME_WAIT" in l for l in det),
          "the server closed first: both flows in TIME_WAIT")

    r = peer(CLI, "reset", S4, 80)
    time.sleep(0.3)
    rs = [l for l in cli("show flows 0").splitlines()
          if "sport=%s dport=80" % r.get("local") in l]
    check(r.get("ok") and len(rs) == 1 and " CLOSE " in rs[0],
          "a client that resets: its flow is CLOSE (the RST was exact)")

    r1 = peer(CLI, "get", S4, 80, 1000, 40500)
    tw = [l for l in cli("show flows 0").splitlines() if "sport=40500 dport=80" in l]
    r2 = peer(CLI, "get", S4, 80, 2000, 40500)
    after = [l for l in cli("show flows 0").splitlines() if "sport=40500 dport=80" in l]
    check(r1.get("ok") and len(tw) == 1 and "TIME_WAIT" in tw[0],
          "a connection from port 40500 ends with its flow in TIME_WAIT")
    check(r2.get("ok") is True and len(after) == 1,
          "a new connection from the same port reopens the TIME_WAIT flow and works")

    st = cli("show stats")
    check(stat(st, "invalid") == 0,
          "no segment of real TCP was judged invalid (invalid=%d: seq %d, rst %d, "
          "state %d)" % (stat(st, "invalid"), stat(st, "invalid_seq"),
                         stat(st, "invalid_rst"), stat(st, "invalid_state")))
    sw.send_signal(signal.SIGTERM)
    check(sw.wait(timeout=30) == 0, "spillway exits 0")
    print("e2e real tcp: %d failed" % len(failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
