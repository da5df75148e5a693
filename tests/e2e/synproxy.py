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
32): an attacker holding as many real connections as it can never holds
more than its quota, and legitimate connections keep succeeding.

Part 2, the flood (flowtable.synproxy = "auto", 1,024 flows): hping3
--flood of SYNs from one spoofed address to the web port while a client
makes paced connections before, during and after; the proxy engages,
then no spoofed SYN reaches the server, no attacker flow enters the
table, legitimate connections keep succeeding, and the CLI answers.

  synproxy.py SPILLWAY_BINARY [--phase N] [--flood-seconds S] [--parts 1,2,3]
              [--mode auto|off] [--rand-source] [--driver af_packet|af_xdp]
              [--json FILE]
  synproxy.py --fw linux|linux-synproxy [...]   (compare-kernel.sh)"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (Topology, bg, check, finish, need_root, ready, sh, sleep_until,  # noqa: E402
                   tmpdir, wait_for)

C4, S4, C6, S6 = Topology.C4, Topology.S4, Topology.C6, Topology.S6
SPOOF = "198.51.100.77"
T = None	# the Topology
SW = None	# the running spillway (a Firewall's)


CONF = """
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
        global SW
        self.sw = SW = T.spillway(binary, CONF % {"mode": mode, "extra": extra,
                                                  "ports": T.ports(**PORTS[DRIVER])},
                                  "px%d" % run_no, workdir=work).start()
        self.sw.wait_running()

    def stop(self):
        rc, _ = self.sw.stop()
        return rc


def run(script, ns, *args, timeout=120):
    return T.role(ns, script, *args, timeout=timeout)


def curl(url, fam):
    rc, out = T.curl(T.cli, url, 5, fam)
    return rc == 0 and "hello from spillway" in out


def part1(binary, work):
    fw = Firewall(binary, work, 1, "on")
    try:
        check(curl("http://%s/" % S4, "-4"), "curl over IPv4 through the SYN proxy")
        check(curl("http://[%s]/" % S6, "-6"), "curl over IPv6 through the SYN proxy")
        for dst, tag in ((S4, "IPv4"), (S6, "IPv6")):
            r = run("peer.py", T.cli, "get", dst, 8080, 8 << 20)
            check(r.get("ok") is True, "%s: 8 MB through a lossy bottleneck via the "
                  "proxy, byte-exact (%s s)" % (tag, r.get("seconds")))
        sh("ip netns exec %s sysctl -qw net.ipv4.tcp_timestamps=0" % T.cli)
        r = run("peer.py", T.cli, "get", S4, 8080, 2 << 20)
        sh("ip netns exec %s sysctl -qw net.ipv4.tcp_timestamps=1" % T.cli)
        check(r.get("ok") is True, "timestamps off: 2 MB byte-exact")
        sh("ip -n %s link set eth0 mtu 1280" % T.cli)
        for dst, tag in ((S4, "IPv4"), (S6, "IPv6")):
            r = run("peer.py", T.cli, "get", dst, 8080, 2 << 20)
            check(r.get("ok") is True, "a client with MTU 1280 (%s): the MSS from its "
                  "cookie reaches the server, 2 MB byte-exact" % tag)
        sh("ip -n %s link set eth0 mtu 1500" % T.cli)
        st = SW.counters("synproxy_cookies_sent", "synproxy_valid", "invalid", "policy_accept")
        check(st["synproxy_valid"] == 7 and st["synproxy_cookies_sent"] >= 7 and
              st["policy_accept"] == 0,
              "every connection came through a cookie (%d cookies, %d valid, %d direct)"
              % (st["synproxy_cookies_sent"], st["synproxy_valid"], st["policy_accept"]))
        check(st["invalid"] == 0, "nothing invalid (%d)" % st["invalid"])
    finally:
        check(fw.stop() == 0, "spillway exits 0")


def legit(n, tag, results):
    """n paced connections, each with 1 s to connect, ask and be answered
    (the issue's measure: a lost SYN costs the client its 1 s
    retransmission, so it fails); at most 1 in 200 may fail."""
    r = run("agent.py", T.cli, "legit", S4, n, 0.05, "-", 1.0, timeout=n * 1.05 + 120)
    ok = r.get("ok", 0)
    results.setdefault("phases", []).append({"phase": tag, "ok": ok, "tried": n,
                                             "clean": r.get("clean")})
    check(ok >= n - n // 200, "%s: %d/%d legitimate connections within 1 s (%s without "
          "a retransmission; p50 %s ms, max %s ms)"
          % (tag, ok, n, r.get("clean"), r.get("p50_ms"), r.get("max_ms")))


class SpillwayFlood:
    """Part 2 against spillway: engagement from "show flowtable", CLI
    latency over the control connection, loss from rx_missed."""

    def __init__(self, binary, work, mode):
        self.mode = mode
        self.fw = Firewall(binary, work, 2, mode)

    def engaged(self):
        return "synproxy=answering" in SW.cmd("show flowtable")

    def mac(self):
        """Where the client's frames go: the server, across the bridge."""
        return T.mac(T.srv)

    def flows(self):
        return SW.counters("flows")["flows"]

    def cli_latency(self, seconds):
        p = T.role_bg(T.fw, "peer.py", "clilat", self.fw.sw.sock, seconds)
        ready(p)
        return p

    def lost(self):
        j = json.loads(SW.cmd("show stats json"))
        return sum(pt["rx_missed"] for pt in j["ports"])

    def counters(self):
        return SW.counters("synproxy_cookies_sent", "synproxy_valid", "insert_failed",
                           "early_drops", "fallback_accept")

    def stop(self):
        if os.environ.get("SW_DEBUG"):
            print(SW.cmd("show stats"), SW.cmd("show flowtable"), SW.cmd("show ports"))
        check(self.fw.stop() == 0, "spillway exits 0")


# The policy of CONF in nftables, on a Linux router (compare-kernel.sh):
# plain conntrack, or SYNPROXY as the nftables wiki sets it up (SYNs to
# the port untracked in raw, the proxy answering them in forward).
NFT = """
table inet fw {
  chain forward {
    type filter hook forward priority filter; policy drop;
    %(proxy)s
    ct state established,related accept
    ct state invalid drop
    iifname "r-out" tcp dport { 80, 8080 } accept
  }
  %(raw)s
}
"""
NFT_PROXY = ("iifname \"r-out\" tcp dport { 80, 8080 } ct state invalid,untracked "
             "synproxy mss 1460 wscale 7 timestamp sack-perm")
NFT_RAW = """chain raw {
    type filter hook prerouting priority raw; policy accept;
    iifname "r-out" tcp dport { 80, 8080 } tcp flags syn notrack
  }"""


class LinuxFlood:
    """Part 2 against a Linux router (nftables, conntrack; SYNPROXY if
    asked). Its "CLI" is `conntrack -C` run on the router; frames lost
    before it are r-out's rx drops plus the backlog drops."""

    def __init__(self, synproxy):
        self.mode = "linux-synproxy" if synproxy else "linux"
        for k, v in (("tcp_timeout_syn_sent", 5), ("tcp_timeout_syn_recv", 5),
                     ("tcp_timeout_time_wait", 5), ("tcp_timeout_close", 5),
                     ("tcp_loose", 0 if synproxy else 1)):
            sh("ip netns exec %s sysctl -qw net.netfilter.nf_conntrack_%s=%s" % (T.fw, k, v))
        with tempfile.NamedTemporaryFile("w", suffix=".nft", delete=False) as f:
            f.write(NFT % {"proxy": NFT_PROXY if synproxy else "",
                           "raw": NFT_RAW if synproxy else ""})
        sh("ip netns exec %s nft -f %s" % (T.fw, f.name))
        os.unlink(f.name)
        self.lost0 = self.lost()

    def flows(self):
        return int(sh("ip netns exec %s cat /proc/sys/net/netfilter/nf_conntrack_count" % T.fw))

    def mac(self):
        """Where the client's frames go: the router."""
        return sh("ip netns exec %s cat /sys/class/net/r-out/address" % T.fw).strip()

    def cli_latency(self, seconds):
        lat, t = [], threading.Thread(target=self._lat, args=(seconds,), daemon=True)
        t.lat = lat
        t.start()
        return t

    def _lat(self, seconds):
        lat, end = threading.current_thread().lat, time.monotonic() + seconds
        while time.monotonic() < end:
            t0 = time.monotonic()
            subprocess.run(["ip", "netns", "exec", T.fw, "conntrack", "-C"],
                           capture_output=True)
            lat.append(time.monotonic() - t0)
            time.sleep(0.1)

    def lost(self):
        j = json.loads(sh("ip -n %s -s -j link show r-out" % T.fw))
        dev = j[0]["stats64"]["rx"]["dropped"]
        backlog = sum(int(l.split()[1], 16) for l in open("/proc/net/softnet_stat"))
        return dev + backlog - getattr(self, "lost0", 0)

    def counters(self):
        out = sh("ip netns exec %s conntrack -S 2>/dev/null || true" % T.fw)
        return {k: sum(int(v) for v in re.findall(r"\b%s=(\d+)" % k, out))
                for k in ("insert_failed", "early_drop", "drop")}

    def stop(self):
        pass


def latency(p):
    """The CLI round trips of a cli_latency() run: p50, p99, max in ms."""
    if isinstance(p, threading.Thread):
        p.join()
        lat = sorted(p.lat)
    else:
        r = json.loads(p.communicate(timeout=30)[0].splitlines()[-1])
        return r
    q = lambda f: round(lat[min(len(lat) - 1, int(len(lat) * f))] * 1000, 1) if lat else None
    return {"n": len(lat), "p50_ms": q(0.5), "p99_ms": q(0.99), "max_ms": q(1.0)}


def part2(fw, n, seconds):
    """The full-rate spoofed SYN flood with paced legitimate connections
    before, during and after it; returns what compare-kernel.sh tabulates."""
    res = {"fw": fw.mode}
    peak = {"n": 0, "stop": False}

    def sample():
        while not peak["stop"]:
            try:
                peak["n"] = max(peak["n"], fw.flows())
            except (subprocess.CalledProcessError, ValueError, IndexError):
                pass
            time.sleep(0.25)
    try:
        legit(n, "before the flood", res)
        lost0, c0 = fw.lost(), fw.counters()
        threading.Thread(target=sample, daemon=True).start()
        if RAND:
            # Random sources in 198.51.100.0/24 (hping3's --rand-source
            # would spoof the whole address space), as fast as Python
            # sends: quotas cannot hold 254 sources, the proxy must.
            flood = T.role_bg(T.cli, "agent.py", "synblast", "eth0", fw.mac(), S4,
                              seconds + 1.5)
            ready(flood, 60)
        else:
            flood = bg(["ip", "netns", "exec", T.cli, "hping3", "-S", "-p", "80",
                        "-a", SPOOF, "--flood", S4], stderr=subprocess.STDOUT)
        t0 = time.monotonic()
        engaged = None
        if fw.mode == "auto" and wait_for(fw.engaged, 5, 0.05):
            engaged = time.monotonic() - t0
        if fw.mode == "auto":
            check(engaged is not None and engaged < 1.5,
                  "auto: the proxy engaged %s s into the flood" % (
                      "%.2f" % engaged if engaged is not None else "never"))
        # The schedule of the flood, not waits for a condition: the
        # sniffer and the "during" phase start a second into it, and it
        # runs `seconds` from there.
        sleep_until(t0 + 1)
        sniff = T.role_bg(T.srv, "peer.py", "synsniff", "!" + C4 if RAND else SPOOF, seconds)
        ready(sniff)
        lat = fw.cli_latency(seconds - 2)
        legit(n, "during the flood", res)
        sleep_until(t0 + 1 + seconds)
        cl = latency(lat)
        if RAND:
            o = flood.communicate(timeout=30)[0]
            m = re.search(r'"sent": (\d+)', o)
        else:
            flood.send_signal(signal.SIGINT)
            m = re.search(r"(\d+) packets transmitted", flood.communicate(timeout=10)[0])
        res["sent"] = int(m.group(1)) if m else None
        res["sent_per_s"] = round(res["sent"] / (time.monotonic() - t0)) if m else None
        sn = json.loads(sniff.communicate(timeout=seconds + 30)[0].splitlines()[-1])
        peak["stop"] = True
        c1 = fw.counters()
        res.update({"spoofed_at_server": sn.get("syns"), "peak_flows": peak["n"],
                    "cli": cl, "lost": fw.lost() - lost0,
                    "counters": {k: c1[k] - c0[k] for k in c1}})
        print("flood: %s SYNs (%s/s) sent; frames lost before the firewall: %d; "
              "counters: %s" % (res["sent"], res["sent_per_s"], res["lost"],
                                res["counters"]), flush=True)
        if fw.mode == "auto":
            check(c1["synproxy_cookies_sent"] - c0["synproxy_cookies_sent"] > 10000,
                  "the flood: %d SYNs answered with cookies, %d valid ACKs (the legit "
                  "clients')" % (c1["synproxy_cookies_sent"], c1["synproxy_valid"]))
            check(sn.get("syns") == 0, "once engaged, spoofed SYNs that reached the "
                  "server: %s" % sn.get("syns"))
            fl = SW.cmd("show flows 0").splitlines()
            theirs = [l for l in fl if (SPOOF in l) or
                      (RAND and "src=%s " % C4 not in l and "src=%s " % S4 not in l)]
            check(not theirs, "the table holds no flow of the spoofed source%s (%d)"
                  % ("s" if RAND else "", len(theirs)))
        else:
            print("spoofed SYNs that reached the server: %s; peak table %d"
                  % (sn.get("syns"), peak["n"]), flush=True)
        check(fw.mode != "auto" or (cl.get("p99_ms") is not None and cl["p99_ms"] < 100),
              "the CLI answered %s times during the flood: p50 %s ms, p99 %s ms, "
              "max %s ms" % (cl.get("n"), cl.get("p50_ms"), cl.get("p99_ms"),
                             cl.get("max_ms")))
        legit(n, "after the flood", res)
    finally:
        peak["stop"] = True
        fw.stop()
    return res


# net_af_packet with deep kernel rings (16,384 frames: a full-rate flood
# must not push legitimate frames out before the worker reads them), or
# net_af_xdp (the frames skip the kernel's socket path).
PORTS = {"af_packet": dict(framecnt=16384), "af_xdp": dict(driver="af_xdp")}
DRIVER = "af_packet"
RAND = False	# --rand-source
ATTACKER = "192.0.2.100"
QUOTA = 32


def part3(binary, work, n):
    fw = Firewall(binary, work, 3, "auto",
                  " per_source = { max_flows = %d; over = \"drop\"; };" % QUOTA)
    results = {"fw": "quota"}
    try:
        legit(n, "before the exhaustion", results)
        att = T.role_bg(T.cli, "agent.py", "exhaust", S4, ATTACKER, 1500, n * 0.05 + 12)
        peak = 0
        end = time.monotonic() + 4
        while time.monotonic() < end:
            m = re.search(r"source %s/32 flows=(\d+)" % re.escape(ATTACKER),
                          SW.cmd("show sources 5"))
            peak = max(peak, int(m.group(1)) if m else 0)
            time.sleep(0.2)
        legit(n, "during the exhaustion", results)
        for _ in range(10):
            m = re.search(r"source %s/32 flows=(\d+)" % re.escape(ATTACKER),
                          SW.cmd("show sources 5"))
            peak = max(peak, int(m.group(1)) if m else 0)
            time.sleep(0.2)
        st = SW.counters("source_over")
        check(QUOTA - 8 <= peak <= QUOTA, "the attacker's source held at most its "
              "quota: peak %d of %d flows" % (peak, QUOTA))
        check(st["source_over"] > 0, "its connections beyond the quota were refused "
              "(source_over %d)" % st["source_over"])
        results.update({"quota": QUOTA, "peak_source": peak,
                        "source_over": st["source_over"]})
        att.kill()
        legit(n, "after the exhaustion", results)
    finally:
        check(fw.stop() == 0, "spillway exits 0")
    return results


def main():
    global DRIVER, S4, S6, RAND, T
    ap = argparse.ArgumentParser()
    ap.add_argument("binary", nargs="?")
    ap.add_argument("--phase", type=int, default=60)
    ap.add_argument("--flood-seconds", type=float, default=12)
    ap.add_argument("--parts", default="1,2,3")
    ap.add_argument("--driver", choices=sorted(PORTS), default="af_packet")
    ap.add_argument("--fw", choices=("spillway", "linux", "linux-synproxy"),
                    default="spillway")
    ap.add_argument("--mode", choices=("auto", "off"), default="auto",
                    help="flowtable.synproxy for part 2")
    ap.add_argument("--rand-source", action="store_true",
                    help="part 2: the flood from random sources (hping3 --rand-source)")
    ap.add_argument("--json")
    a = ap.parse_args()
    RAND = a.rand_source
    DRIVER = a.driver
    parts = {int(x) for x in a.parts.split(",")}
    need_root()
    out = {}
    if a.fw != "spillway":
        T = Topology("p", router=True)
        S4, S6 = T.S4, T.S6
        ready(T.role_bg(T.srv, "agent.py", "server", S4, S6))
        out["flood"] = part2(LinuxFlood(a.fw == "linux-synproxy"), a.phase, a.flood_seconds)
    else:
        T = Topology("p")
        T.ns(T.srv, "tc qdisc replace dev eth0 root tbf rate 50mbit burst 16kb latency 2ms")
        work = tmpdir("sw-px-")
        web = T.role_bg(T.srv, "agent.py", "server", S4, S6)
        bulk = T.role_bg(T.srv, "peer.py", "serve", S4, S6, "8080")
        ready(web)
        ready(bulk)
        if 1 in parts:
            part1(a.binary, work)
        if 2 in parts:
            out["flood"] = part2(SpillwayFlood(a.binary, work, a.mode), a.phase,
                                 a.flood_seconds)
        if 3 in parts:
            sh("ip -n %s addr add %s/24 dev eth0" % (T.cli, ATTACKER))
            out["exhaustion"] = part3(a.binary, work, a.phase)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)
    finish("e2e synproxy")


if __name__ == "__main__":
    main()
