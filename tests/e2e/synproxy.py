#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""End to end: the SYN proxy, through the real spillway between
namespaces, with Linux stacks on both sides.

Part 1, real clients through the proxy (flowtable.synproxy = "on"): curl
over IPv4 and IPv6; 8 MB downloads through a lossy bottleneck (window
scaling, SACK, timestamps); timestamps off on the client; a client whose
MTU is 1280 (the MSS clamp must reach the server). Byte-exact, nothing
invalid, every connection through a cookie.

Part 3, exhaustion from one source (flowtable.per_source.max_flows =
64): an attacker holding as many real connections as it can never holds
more than its quota, and legitimate connections keep succeeding.

Part 2, the flood (flowtable.synproxy = "auto", 1,024 flows): hping3
--flood of SYNs from one spoofed address to the web port while a client
makes paced connections before, during and after; the proxy engages,
then no spoofed SYN reaches the server, no attacker flow enters the
table, legitimate connections keep succeeding, and the CLI answers.

  synproxy.py SPILLWAY_BINARY [--phase N] [--flood-seconds S]"""

import argparse
import atexit
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
E2E = os.path.join(TOP, "tests", "e2e")
PY = "/usr/bin/python3"
ID = "p%d" % os.getpid()
CLI, FW, SRV = "sw-cli-" + ID, "sw-fw-" + ID, "sw-srv-" + ID
C4, S4, C6, S6 = "192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"
SPOOF = "198.51.100.77"

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


def run(script, ns, *args, timeout=120):
    p = subprocess.run(["ip", "netns", "exec", ns, PY, os.path.join(E2E, script)]
                       + [str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout)
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    return json.loads(lines[-1]) if lines else {"error": p.stderr[-800:]}


def bg(script, ns, *args):
    p = subprocess.Popen(["ip", "netns", "exec", ns, PY, os.path.join(E2E, script)]
                         + [str(a) for a in args], stdout=subprocess.PIPE, text=True)
    atexit.register(p.kill)
    return p


def cli(cmd, timeout=30):
    p = subprocess.run(["ip", "netns", "exec", FW, "nc", "-N", "127.0.0.1", "9023"],
                       input=cmd + "\nquit\n", capture_output=True, text=True,
                       timeout=timeout)
    out = p.stdout.split("\n.\n")
    return out[1] if len(out) > 1 else ""


def stats(*names):
    t = cli("show stats")
    out = {}
    for n in names:
        m = re.search(r"^\s+%s\s+(\d+)" % n, t, re.M)
        out[n] = int(m.group(1)) if m else -1
    return out


CONF = """
eal = ["-l", "0-1", "--no-huge", "-m", "512", "--no-telemetry", "--file-prefix", "swt-px-%(id)s-%(run)d"];
%(ports)s
flowtable = { max_flows = 1024; synproxy = "%(mode)s";%(extra)s
  timeouts = { tcp_syn_sent = 5; tcp_syn_recv = 5; tcp_time_wait = 5; tcp_close = 5; }; };
rules = {
  policy = ( { in = "outside"; proto = "tcp"; dport = "80,8080"; action = "accept"; comment = "web"; } );
  policy_default = "drop";
};
"""


class Firewall:
    def __init__(self, binary, work, run_no, mode, extra=""):
        conf = os.path.join(work, "sw%d.conf" % run_no)
        with open(conf, "w") as f:
            f.write(CONF % {"id": ID, "run": run_no, "mode": mode,
                            "extra": extra, "ports": PORTS[DRIVER]})
        self.log = os.path.join(work, "log%d" % run_no)
        self.prefix = "swt-px-%s-%d" % (ID, run_no)
        self.p = subprocess.Popen(["ip", "netns", "exec", FW, binary, "-c", conf],
                                  stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        end = time.monotonic() + 20
        while time.monotonic() < end and "running:" not in open(self.log).read():
            time.sleep(0.1)

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        rc = self.p.wait(timeout=30)
        subprocess.run(["rm", "-rf", "/var/run/dpdk/" + self.prefix])
        return rc


def curl(url, fam):
    p = subprocess.run(["ip", "netns", "exec", CLI, "curl", "-s", fam, "--max-time", "5", url],
                       capture_output=True, text=True)
    return p.returncode == 0 and "hello from spillway" in p.stdout


def part1(binary, work):
    fw = Firewall(binary, work, 1, "on")
    try:
        check(curl("http://%s/" % S4, "-4"), "curl over IPv4 through the SYN proxy")
        check(curl("http://[%s]/" % S6, "-6"), "curl over IPv6 through the SYN proxy")
        for dst, tag in ((S4, "IPv4"), (S6, "IPv6")):
            r = run("peer.py", CLI, "get", dst, 8080, 8 << 20)
            check(r.get("ok") is True, "%s: 8 MB through a lossy bottleneck via the "
                  "proxy, byte-exact (%s s)" % (tag, r.get("seconds")))
        sh("ip netns exec %s sysctl -qw net.ipv4.tcp_timestamps=0" % CLI)
        r = run("peer.py", CLI, "get", S4, 8080, 2 << 20)
        sh("ip netns exec %s sysctl -qw net.ipv4.tcp_timestamps=1" % CLI)
        check(r.get("ok") is True, "timestamps off: 2 MB byte-exact")
        sh("ip -n %s link set eth0 mtu 1280" % CLI)
        for dst, tag in ((S4, "IPv4"), (S6, "IPv6")):
            r = run("peer.py", CLI, "get", dst, 8080, 2 << 20)
            check(r.get("ok") is True, "a client with MTU 1280 (%s): the MSS from its "
                  "cookie reaches the server, 2 MB byte-exact" % tag)
        sh("ip -n %s link set eth0 mtu 1500" % CLI)
        st = stats("synproxy_cookies_sent", "synproxy_valid", "invalid", "policy_accept")
        check(st["synproxy_valid"] == 7 and st["synproxy_cookies_sent"] >= 7 and
              st["policy_accept"] == 0,
              "every connection came through a cookie (%d cookies, %d valid, %d direct)"
              % (st["synproxy_cookies_sent"], st["synproxy_valid"], st["policy_accept"]))
        check(st["invalid"] == 0, "nothing invalid (%d)" % st["invalid"])
    finally:
        check(fw.stop() == 0, "spillway exits 0")


def legit(n, tag, results):
    r = run("agent.py", CLI, "legit", S4, n, 0.05, timeout=n * 0.05 + 120)
    ok = r.get("ok", 0)
    results.append((tag, ok, n))
    check(ok >= n - n // 200, "%s: %d/%d legitimate connections (p50 %s ms, max %s ms)"
          % (tag, ok, n, r.get("p50_ms"), r.get("max_ms")))


def cli_latency(stop, out):
    """Time a CLI round trip every 100 ms until told to stop."""
    while not stop.is_set():
        t0 = time.monotonic()
        cli("show flowtable")
        out.append(time.monotonic() - t0)
        time.sleep(0.1)


def part2(binary, work, n, seconds):
    fw = Firewall(binary, work, 2, "auto")
    results = []
    try:
        legit(n, "before the flood", results)
        flood = subprocess.Popen(["ip", "netns", "exec", CLI, "hping3", "-S", "-p", "80",
                                  "-a", SPOOF, "--flood", S4],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        atexit.register(lambda: flood.poll() is None and flood.kill())
        t0 = time.monotonic()
        engaged = None
        while time.monotonic() - t0 < 5:
            if "synproxy=answering" in cli("show flowtable"):
                engaged = time.monotonic() - t0
                break
            time.sleep(0.05)
        check(engaged is not None and engaged < 1.5,
              "auto: the proxy engaged %s s into the flood" % (
                  "%.2f" % engaged if engaged is not None else "never"))
        time.sleep(0.5)
        sniff = bg("peer.py", SRV, "synsniff", SPOOF, seconds)
        sniff.stdout.readline()
        lat = bg("peer.py", FW, "clilat", 9023, seconds - 2)
        lat.stdout.readline()
        legit(n, "during the flood", results)
        left = t0 + seconds - time.monotonic()
        if left > 0:
            time.sleep(left)
        cl = json.loads(lat.communicate(timeout=30)[0].splitlines()[-1])
        st = stats("synproxy_cookies_sent", "synproxy_valid", "rx")
        flood.send_signal(signal.SIGINT)
        flood.wait(timeout=10)
        r = json.loads(sniff.communicate(timeout=seconds + 30)[0].splitlines()[-1])
        check(st["synproxy_cookies_sent"] > 10000,
              "the flood: %d SYNs answered with cookies, %d valid ACKs (the legit "
              "clients')" % (st["synproxy_cookies_sent"], st["synproxy_valid"]))
        check(r.get("syns") == 0, "once engaged, spoofed SYNs that reached the server: %s"
              % r.get("syns"))
        fl = cli("show flows 0")
        check(SPOOF not in fl, "the table holds no flow of the spoofed address")
        check(cl.get("p99_ms") is not None and cl["p99_ms"] < 100,
              "the CLI answered %s times during the flood: p50 %s ms, p99 %s ms, "
              "max %s ms" % (cl.get("n"), cl.get("p50_ms"), cl.get("p99_ms"),
                             cl.get("max_ms")))
        j = json.loads(cli("show stats json"))
        missed = {pt["name"]: pt["rx_missed"] for pt in j["ports"]}
        print("frames lost before the firewall (rx_missed): %s" % missed, flush=True)
        legit(n, "after the flood", results)
        if os.environ.get("SW_DEBUG"):
            print(cli("show stats"), cli("show flowtable"), cli("show ports"))
            print(sh("ip netns exec %s ethtool -S sw-out; ip -n %s -s link show sw-out" % (FW, FW)))
    finally:
        check(fw.stop() == 0, "spillway exits 0")
    return results


# net_af_packet with deep kernel rings (16,384 frames: a full-rate flood
# must not push legitimate frames out before the worker reads them), or
# net_af_xdp (the frames skip the kernel's socket path).
PORTS = {
    "af_packet": """ports = ( { name = "outside"; dev = "net_af_packet0,iface=sw-out,framecnt=16384"; },
          { name = "inside"; dev = "net_af_packet1,iface=sw-in,framecnt=16384"; } );""",
    "af_xdp": """ports = ( { name = "outside"; dev = "net_af_xdp0,iface=sw-out"; },
          { name = "inside"; dev = "net_af_xdp1,iface=sw-in"; } );""",
}
DRIVER = "af_packet"
ATTACKER = "192.0.2.100"
QUOTA = 64


def part3(binary, work, n):
    fw = Firewall(binary, work, 3, "auto",
                  " per_source = { max_flows = %d; over = \"drop\"; };" % QUOTA)
    results = []
    try:
        legit(n, "before the exhaustion", results)
        att = bg("agent.py", CLI, "exhaust", S4, ATTACKER, 1500, n * 0.05 + 12)
        peak = 0
        end = time.monotonic() + 4
        while time.monotonic() < end:
            m = re.search(r"source %s/32 flows=(\d+)" % re.escape(ATTACKER),
                          cli("show sources 5"))
            peak = max(peak, int(m.group(1)) if m else 0)
            time.sleep(0.2)
        legit(n, "during the exhaustion", results)
        for _ in range(10):
            m = re.search(r"source %s/32 flows=(\d+)" % re.escape(ATTACKER),
                          cli("show sources 5"))
            peak = max(peak, int(m.group(1)) if m else 0)
            time.sleep(0.2)
        st = stats("source_over")
        check(QUOTA - 8 <= peak <= QUOTA, "the attacker's source held at most its "
              "quota: peak %d of %d flows" % (peak, QUOTA))
        check(st["source_over"] > 0, "its connections beyond the quota were refused "
              "(source_over %d)" % st["source_over"])
        att.kill()
        legit(n, "after the exhaustion", results)
    finally:
        check(fw.stop() == 0, "spillway exits 0")
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--phase", type=int, default=60)
    ap.add_argument("--flood-seconds", type=float, default=15)
    ap.add_argument("--flood-only", action="store_true")
    ap.add_argument("--driver", choices=sorted(PORTS), default="af_packet")
    a = ap.parse_args()
    global DRIVER
    DRIVER = a.driver
    if os.geteuid() != 0:
        print("needs root (network namespaces)")
        sys.exit(77)
    atexit.register(topo, "down")
    signal.signal(signal.SIGTERM, lambda *x: sys.exit(1))
    topo("up")
    sh("ip netns exec %s tc qdisc replace dev eth0 root tbf rate 50mbit "
       "burst 16kb latency 2ms" % SRV)
    work = tempfile.mkdtemp(prefix="sw-px-")
    web = bg("agent.py", SRV, "server", S4, S6)
    bulk = bg("peer.py", SRV, "serve", S4, S6, "8080")
    web.stdout.readline()
    bulk.stdout.readline()
    if not a.flood_only:
        part1(a.binary, work)
    part2(a.binary, work, a.phase, a.flood_seconds)
    sh("ip -n %s addr add %s/24 dev eth0" % (CLI, ATTACKER))
    part3(a.binary, work, a.phase)
    print("e2e synproxy: %d failed" % len(failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
