#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""End to end: real TCP, UDP and ping, v4 and v6, through spillway on
net_af_packet between namespaces; then a spoofed SYN flood and a
connection-exhaustion attack, each while a client makes 200 paced
connections before, during and after it.

  flood.py SPILLWAY_BINARY [--phase-connections N] [--json FILE]
  flood.py --fw kernel [--buckets N] [--json FILE]    (compare-kernel.sh)

Topology, spillway (tools/netns.sh): client (192.0.2.1, 192.0.2.100 for
the attacker, 2001:db8::1) -- sw-out [spillway, max_flows 1024] sw-in --
server (192.0.2.2, 2001:db8::2). Kernel: the same client and server
around a router namespace with the same policy in nftables and
nf_conntrack_max = 1024 (set by compare-kernel.sh, which owns the global
sysctls); it only reports.

spillway runs here without its SYN proxy and per-source quotas, so that
the attacks meet the table's own defences (early drop, the spill to the
fallback rules); tests/e2e/synproxy.py runs the same kinds of attack
against the defaults. Bounded in packets and seconds; every
namespace is removed on exit, whatever happens."""

import argparse
import json
import os
import re
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import pylib  # noqa: E402
from pylib import (Topology, check, finish, need_root, ready, sh, sleep_until,  # noqa: E402
                   stat, wait_for)

A4 = "192.0.2.100"
KERNEL = False	# --fw kernel: FW is a router namespace with nftables
MAX_FLOWS = 1024
SHORT = 5	# seconds: syn_sent, time_wait, close timeouts in this test
T = None	# the Topology: T.cli, T.fw, T.srv; T.C4, T.S4, T.C6, T.S6
SW = None	# the Spillway in T.fw

results = {"phases": []}


NFT = """
table inet fw {
  chain input { type filter hook input priority 0; policy accept; }
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    ct state invalid drop
    iifname "r-out" ip daddr %(s4)s tcp dport 80 accept
    iifname "r-out" ip6 daddr %(s6)s tcp dport 80 accept
    iifname "r-out" udp dport 53 accept
    iifname "r-out" icmp type echo-request accept
    iifname "r-out" icmpv6 type echo-request accept
    iifname "r-out" tcp dport 23 reject with tcp reset
    iifname "r-out" udp dport 161 reject
  }
}
"""


def kernel_topo_up():
    """client -- r-out [router: nftables, conntrack] r-in -- server."""
    global T
    T = Topology("e", router=True)
    for k, v in (("net.netfilter.nf_conntrack_tcp_timeout_syn_sent", SHORT),
                 ("net.netfilter.nf_conntrack_tcp_timeout_time_wait", SHORT),
                 ("net.netfilter.nf_conntrack_tcp_timeout_close", SHORT)):
        T.ns(T.fw, "sysctl -qw %s=%s" % (k, v))
    with tempfile.NamedTemporaryFile("w", suffix=".nft", delete=False) as f:
        f.write(NFT % {"s4": T.S4, "s6": T.S6})
    T.ns(T.fw, "nft -f %s" % f.name)
    os.unlink(f.name)


class Spillway:
    name = "spillway"

    def stats(self):
        t = SW.cmd("show stats")
        n = lambda k: stat(t, k, -1)
        return {"flows": n("flows"), "insert_failed": n("insert_failed"),
                "early_drops": n("early_drops"), "fallback_accept": n("fallback_accept"),
                "drops": n("drop") + n("invalid") + n("fallback_drop")}

    def flood_mac(self):
        return T.mac(T.srv)


class Kernel:
    name = "kernel"

    def stats(self):
        out = T.ns(T.fw, "conntrack -S 2>/dev/null || true")
        tot = {}
        for k in ("insert_failed", "drop", "early_drop"):
            tot[k] = sum(int(v) for v in re.findall(r"\b%s=(\d+)" % k, out))
        n = T.ns(T.fw, "conntrack -C 2>/dev/null || echo -1").strip()
        return {"flows": int(n), "insert_failed": tot["insert_failed"],
                "early_drops": tot["early_drop"], "fallback_accept": 0, "drops": tot["drop"]}

    def flood_mac(self):
        return T.mac(T.fw, "r-out")


FWIMPL = Spillway()


def agent(ns, *args, timeout=120):
    return T.agent(ns, *args, timeout=timeout)


def agent_bg(ns, *args):
    return T.agent_bg(ns, *args)


CONF = """
flowtable = { max_flows = %(max)d; synproxy = "off"; per_source = { max_flows = 0; };
  timeouts = { tcp_syn_sent = %(short)d; tcp_time_wait = %(short)d; tcp_close = %(short)d; }; };
rules = {
  policy = (
    { in = "outside"; proto = "tcp"; dst = "192.0.2.2/32"; dport = 80; action = "accept"; comment = "web"; },
    { in = "outside"; proto = "tcp"; dst = "2001:db8::2/128"; dport = 80; action = "accept"; comment = "web6"; },
    { in = "outside"; proto = "udp"; dport = 53; action = "accept"; comment = "dns"; },
    { in = "outside"; proto = "icmp"; icmp_type = 8; action = "accept"; comment = "ping"; },
    { in = "outside"; proto = "icmpv6"; icmp_type = 128; action = "accept"; comment = "ping6"; },
    { in = "outside"; proto = "tcp"; dport = 23; action = "reject"; comment = "telnet"; },
    { in = "outside"; proto = "udp"; dport = 161; action = "reject"; comment = "snmp"; } );
  policy_default = "drop";
  fallback = (
    { in = "outside"; proto = "tcp"; dst = "192.0.2.2/32"; dport = 80; action = "accept"; comment = "web in"; },
    { in = "inside"; proto = "tcp"; src = "192.0.2.2/32"; sport = 80; tcp_flags = "ack"; action = "accept"; comment = "web out"; },
    { in = "outside"; proto = "tcp"; dst = "2001:db8::2/128"; dport = 80; action = "accept"; comment = "web6 in"; },
    { in = "inside"; proto = "tcp"; src = "2001:db8::2/128"; sport = 80; tcp_flags = "ack"; action = "accept"; comment = "web6 out"; },
    { in = "outside"; proto = "udp"; dport = 53; action = "accept"; comment = "dns in"; },
    { in = "inside"; proto = "udp"; sport = 53; action = "accept"; comment = "dns out"; } );
  fallback_default = "drop";
};
"""


def phase(name, attack, n, interval):
    """n paced legit connections; returns the result. At least 99 % must
    complete (within 3 s: a shared, slow CPU is not loss), and at least
    95 % without a single retransmitted segment: a firewall that drops
    legitimate SYNs and lets their retransmissions through fails."""
    r = agent(T.cli, "legit", T.S4, n, interval, T.C4, timeout=n * interval + 300)
    ok, clean = r.get("ok", 0), r.get("clean", 0)
    results["phases"].append({"attack": attack, "phase": name, "tried": n, "ok": ok,
                              "clean": clean, "recover_s": r.get("recover_s"),
                              "p50_ms": r.get("p50_ms"), "max_ms": r.get("max_ms")})
    check(ok >= 0.99 * n and clean >= 0.95 * n,
          "%s, %s: %d/%d legit connections, %d with nothing lost (p50 %s ms, max %s ms)"
          % (attack, name, ok, n, clean, r.get("p50_ms"), r.get("max_ms")))
    return r


def phase_bg(name, attack, n, interval):
    """phase() in a thread, so that checks can run while it does."""
    t = threading.Thread(target=phase, args=(name, attack, n, interval))
    t.start()
    return t


def basic_traffic():
    for dst, tag in ((T.S4, "v4"), (T.S6, "v6")):
        check(T.ping(T.cli, dst), "ping %s across spillway" % tag)
        r = agent(T.cli, "legit", dst, 5, 0.05)
        check(r.get("ok") == 5, "HTTP over TCP %s: 5/5 fetches" % tag)
        r = agent(T.cli, "udp", dst, 53)
        check(r.get("result") == "reply", "UDP %s request/response on 53" % tag)
        r = agent(T.cli, "udp", dst, 161)
        check(r.get("result") == "refused" and r["ms"] < 500,
              "UDP %s 161: reject rule -> ICMP error at once (%s ms)" % (tag, r.get("ms")))
        r = agent(T.cli, "probe", dst, 23)
        check(r.get("result") == "refused" and r["ms"] < 500,
              "TCP %s 23: reject rule -> RST at once (%s ms)" % (tag, r.get("ms")))
        r = agent(T.cli, "probe", dst, 22, 1.5)
        check(r.get("result") == "timeout", "TCP %s 22: no rule, dropped (time-out)" % tag)
    lst = agent_bg(T.cli, "listen", T.C4, 8080, 4)
    ready(lst)
    r = agent(T.srv, "probe", T.C4, 8080, 1.5)
    check(r.get("result") == "timeout", "the server cannot open a connection to the client")
    lst.kill()	# its 4 s only had to cover the probe
    lst.wait(timeout=10)
    h = agent_bg(T.cli, "hold", T.S4, 80, 3)
    port = ready(h)["local"]
    flows = SW.cmd("show flows")
    check(re.search(r"ESTABLISHED src=192\.0\.2\.1 dst=192\.0\.2\.2 sport=%d dport=80 .*\[ASSURED\]"
                    % port, flows) is not None, "show flows lists the live connection (sport %d)" % port)
    h.kill()	# listed: its 3 s need not run out
    h.wait(timeout=10)


def expiry_via_cli():
    """Wait (bounded) for the idle flow to go, and check the busy one
    (a byte every 0.2 s) is there at that moment: no fixed sleep."""
    idle = agent_bg(T.cli, "hold", T.S4, 80, 60)
    busy = agent_bg(T.cli, "hold", T.S4, 80, 60, "busy")
    pi, pb = ready(idle)["local"], ready(busy)["local"]
    has = lambda flows, p: re.search(r"ESTABLISHED src=%s dst=%s sport=%d dport=80 "
                                     % (T.C4, T.S4, p), flows) is not None
    flows = SW.cmd("show flows")
    check(has(flows, pi) and has(flows, pb), "idle (sport %d) and busy (sport %d) "
          "connections both tracked" % (pi, pb))
    out = SW.cmd("set timeout tcp_established 2")
    check(out.startswith("tcp_established = 2"), "set timeout tcp_established 2")
    t0 = time.monotonic()
    fl = {"now": flows}

    def idle_gone():
        fl["now"] = SW.cmd("show flows")
        return not has(fl["now"], pi)
    wait_for(idle_gone, 30, 0.2)
    flows = fl["now"]
    check(not has(flows, pi) and has(flows, pb),
          "the idle flow is gone after %.1f s, the busy one stays"
          % (time.monotonic() - t0))
    SW.cmd("set timeout tcp_established 432000")
    idle.kill()
    busy.kill()


def attack_entries(pattern, states=None):
    """Attack entries listed by show flows now (in the given states)."""
    return [l for l in SW.cmd("show flows 0").splitlines()
            if re.search(pattern, l) and
            (states is None or any(" %s " % st in l for st in states))]


def attack_synflood(n, interval):
    phase("before", "syn flood", n, interval)
    mac = FWIMPL.flood_mac()
    before = FWIMPL.stats()
    dur = n * interval
    flood = agent_bg(T.cli, "synflood", "eth0", mac, T.S4, int(3000 * (dur + 2)), dur + 2)
    peak = sampler()
    # Not a wait for a condition: "during" starts a second into the
    # flood and ends (n * interval s later) before the flood does.
    time.sleep(1)
    phase("during", "syn flood", n, interval)
    peak["stop"] = True
    out, err = flood.communicate(timeout=60)
    if not out.strip():
        check(False, "syn flood: the generator reported nothing (exit %s): %s"
              % (flood.returncode, (err or "").strip()[-400:]))
        return
    fl = json.loads(out.splitlines()[-1])
    t_end = time.monotonic()	# the last spoofed SYN was sent before this
    after = FWIMPL.stats()
    check(fl["sent"] > 10 * MAX_FLOWS, "syn flood: %d spoofed SYNs sent in %.1f s"
          % (fl["sent"], fl["seconds"]))
    ed = after["early_drops"] - before["early_drops"]
    check(ed > 0, "syn flood: the table filled with half-open entries, %d early drops" % ed)
    results["synflood"] = {"sent": fl["sent"], "peak_flows": peak["n"],
                           **{k: after[k] - before[k] for k in
                              ("early_drops", "insert_failed", "fallback_accept", "drops")}}
    th = phase_bg("after", "syn flood", n, interval)
    if not KERNEL:
        spoofed_gone(t_end)
    th.join()


def spoofed_gone(t_end):
    """Half-open spoofed entries (tcp_syn_sent = SHORT s) are in the
    table when the flood ends, and none is left SHORT + 1 s after its
    last SYN: no entry outlives its timeout by more than a second."""
    n = len(attack_entries(r"src=198\.51\.100\.", ("SYN_SENT",)))
    check(n > 0, "syn flood: %d spoofed half-open entries when it ends" % n)
    sleep_until(t_end + SHORT + 1)	# the deadline itself is what is tested
    n = len(attack_entries(r"src=198\.51\.100\."))
    check(n == 0, "syn flood: no spoofed entry left %d s + 1 s after the last SYN (%d)"
          % (SHORT, n))


def sampler():
    """Track the table's peak occupancy in the background."""
    st = {"n": 0, "stop": False}

    def run():
        while not st["stop"]:
            try:
                st["n"] = max(st["n"], FWIMPL.stats()["flows"])
            except Exception:
                pass
            time.sleep(0.5)
    threading.Thread(target=run, daemon=True).start()
    return st


def attack_exhaustion(n, interval):
    phase("before", "exhaustion", n, interval)
    before = FWIMPL.stats()
    dur = n * interval
    att = agent_bg(T.cli, "exhaust", T.S4, A4, MAX_FLOWS + 500, dur + 6)
    peak = sampler()
    wait_for(lambda: FWIMPL.stats()["flows"] >= MAX_FLOWS - 8, 15, 0.3)
    flows = FWIMPL.stats()["flows"]
    check(flows >= MAX_FLOWS - 8,
          "exhaustion: the attacker's assured connections fill the table (%d flows)" % flows)
    phase("during", "exhaustion", n, interval)
    check(att.poll() is None, "exhaustion: the attacker still held its "
          "connections when the \"during\" phase ended")
    a = json.loads(att.communicate(timeout=60)[0].splitlines()[-1])
    t_end = time.monotonic()
    after = FWIMPL.stats()
    peak["stop"] = True
    check(a["peak"] > MAX_FLOWS, "exhaustion: the attacker held %d established "
          "connections at once (> max_flows %d)" % (a["peak"], MAX_FLOWS))
    d = {k: after[k] - before[k] for k in ("early_drops", "insert_failed", "fallback_accept", "drops")}
    # The attacker's handshakes complete one at a time, so the flows it
    # has in the table are assured: each connection past max_flows must
    # fail to insert (no early drop can make room) and spill.
    check(d["insert_failed"] >= a["peak"] - MAX_FLOWS if not KERNEL else d["insert_failed"] > 0,
          "exhaustion: insert_failed = %d (>= %d connections past max_flows)"
          % (d["insert_failed"], a["peak"] - MAX_FLOWS))
    check(d["fallback_accept"] > 0 or KERNEL, "exhaustion: fallback_accept = %d (legit and "
          "attacker packets spilled and judged)" % d["fallback_accept"])
    results["exhaustion"] = {"peak": a["peak"], "peak_flows": peak["n"], **d}
    results["exhaustion"]["after_phase_started_s"] = round(time.monotonic() - t_end, 1)
    th = phase_bg("after", "exhaustion", n, interval)
    if not KERNEL:
        attacker_closed_gone(t_end)
    th.join()


def attacker_closed_gone(t_end):
    """The attacker closed all its connections when it ended (t_end):
    they pass through TIME_WAIT (or CLOSE after an RST), whose timeouts
    are SHORT s. None may be left SHORT + 1 s later, allowing one more
    second for the closing handshakes themselves."""
    short = ("SYN_SENT", "TIME_WAIT", "CLOSE")
    n = wait_for(lambda: len(attack_entries(r"src=192\.0\.2\.100 ", short)), 3, 0.05)
    check(n > 0, "exhaustion: %d closed attacker entries after it ends" % n)
    sleep_until(t_end + SHORT + 2)	# the deadline itself is what is tested
    n = len(attack_entries(r"src=192\.0\.2\.100 ", short))
    check(n == 0, "exhaustion: no closed attacker entry left %d s + 1 s after "
          "its close (%d)" % (SHORT, n))


def main():
    global KERNEL, FWIMPL, T, SW
    ap = argparse.ArgumentParser()
    ap.add_argument("binary", nargs="?")
    ap.add_argument("--phase-connections", type=int, default=200)
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--json")
    ap.add_argument("--fw", choices=("spillway", "kernel"), default="spillway")
    a = ap.parse_args()
    need_root()

    if a.fw == "kernel":
        KERNEL, FWIMPL = True, Kernel()
        pylib.harness.report_only = True	# the kernel is compared, not tested
        kernel_topo_up()
        sh("ip -n %s addr add %s/25 dev eth0" % (T.cli, A4))
        ready(agent_bg(T.srv, "server", T.S4, T.S6))
        results["fw"] = "kernel"
        attack_synflood(a.phase_connections, a.interval)
        attack_exhaustion(a.phase_connections, a.interval)
        write_json(a.json)
        return
    results["fw"] = "spillway"
    T = Topology("e")
    sh("ip -n %s addr add %s/24 dev eth0" % (T.cli, A4))
    SW = T.spillway(a.binary, CONF % {"max": MAX_FLOWS, "short": SHORT}, "e2e").start()
    check(SW.wait_running(), "spillway runs")
    ready(agent_bg(T.srv, "server", T.S4, T.S6))

    basic_traffic()
    expiry_via_cli()
    attack_synflood(a.phase_connections, a.interval)
    attack_exhaustion(a.phase_connections, a.interval)
    st = SW.cmd("show stats")
    check(stat(st, "rx", -1) > 0, "spillway still answers the CLI after both attacks")
    results["stats"] = {k: stat(st, k, -1) for k in (
        "rx", "flows", "inserts", "insert_failed", "early_drops", "expired",
        "fallback_accept", "fallback_drop", "invalid", "spilled")}
    rc, _ = SW.stop()
    check(rc == 0, "spillway exits 0")
    print(SW.output()[-2500:])
    write_json(a.json)
    finish("e2e flood")


def write_json(path):
    if path:
        with open(path, "w") as f:
            json.dump(dict(results, checks=pylib.checks()), f, indent=1)


if __name__ == "__main__":
    main()
