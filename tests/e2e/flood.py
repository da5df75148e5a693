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
import atexit
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AGENT = os.path.join(TOP, "tests", "e2e", "agent.py")
PY = "/usr/bin/python3"
ID = "e%d" % os.getpid()
CLI, FW, SRV = "sw-cli-" + ID, "sw-fw-" + ID, "sw-srv-" + ID
C4, A4, S4 = "192.0.2.1", "192.0.2.100", "192.0.2.2"
C6, S6 = "2001:db8::1", "2001:db8::2"
KERNEL = False	# --fw kernel: FW is a router namespace with nftables
MAX_FLOWS = 1024
SHORT = 5	# seconds: syn_sent, time_wait, close timeouts in this test

results = {"checks": [], "phases": []}
failed = []


def check(cond, msg):
    results["checks"].append({"ok": bool(cond), "what": msg})
    if KERNEL:
        print(("yes: " if cond else "no: ") + msg, flush=True)
        return
    print(("ok: " if cond else "FAIL: ") + msg, flush=True)
    if not cond:
        failed.append(msg)


def sh(cmd, **kw):
    return subprocess.run(["bash", "-c", cmd], check=True, text=True,
                          capture_output=True, **kw).stdout


def topo(action):
    sh(". %s/tools/netns.sh; sw_topo_%s" % (TOP, action), env=dict(os.environ, SW_ID=ID))


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
    global S4, S6
    S4, S6 = "192.0.2.130", "2001:db8:2::2"
    topo("router_up")
    for k, v in (("net.netfilter.nf_conntrack_tcp_timeout_syn_sent", SHORT),
                 ("net.netfilter.nf_conntrack_tcp_timeout_time_wait", SHORT),
                 ("net.netfilter.nf_conntrack_tcp_timeout_close", SHORT)):
        sh("ip netns exec %s sysctl -qw %s=%s" % (FW, k, v))
    with tempfile.NamedTemporaryFile("w", suffix=".nft", delete=False) as f:
        f.write(NFT % {"s4": S4, "s6": S6})
    sh("ip netns exec %s nft -f %s" % (FW, f.name))
    os.unlink(f.name)


class Spillway:
    name = "spillway"

    def stats(self):
        t = cli("show stats")
        return {"flows": stat(t, "flows"), "insert_failed": stat(t, "insert_failed"),
                "early_drops": stat(t, "early_drops"), "fallback_accept": stat(t, "fallback_accept"),
                "drops": stat(t, "drop") + stat(t, "invalid") + stat(t, "fallback_drop")}

    def flood_mac(self):
        return sh("ip netns exec %s cat /sys/class/net/eth0/address" % SRV).strip()


class Kernel:
    name = "kernel"

    def stats(self):
        out = sh("ip netns exec %s conntrack -S 2>/dev/null || true" % FW)
        tot = {}
        for k in ("insert_failed", "drop", "early_drop"):
            tot[k] = sum(int(v) for v in re.findall(r"\b%s=(\d+)" % k, out))
        n = sh("ip netns exec %s conntrack -C 2>/dev/null || echo -1" % FW).strip()
        return {"flows": int(n), "insert_failed": tot["insert_failed"],
                "early_drops": tot["early_drop"], "fallback_accept": 0, "drops": tot["drop"]}

    def flood_mac(self):
        return sh("ip netns exec %s cat /sys/class/net/r-out/address" % FW).strip()


FWIMPL = Spillway()


def agent(ns, *args, timeout=120):
    """Run an agent role in a namespace, wait, return its last JSON line."""
    p = subprocess.run(["ip", "netns", "exec", ns, PY, AGENT] + [str(a) for a in args],
                       capture_output=True, text=True, timeout=timeout)
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    return json.loads(lines[-1]) if lines else {"error": p.stderr[-500:]}


def agent_bg(ns, *args):
    return subprocess.Popen(["ip", "netns", "exec", ns, PY, AGENT] + [str(a) for a in args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_ready(p, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        line = p.stdout.readline()
        if '"ready": true' in line:
            return json.loads(line)
    raise RuntimeError("agent not ready: " + p.stderr.read()[-500:])


def cli(cmd):
    p = subprocess.run(["nc", "-U", "-q", "2", CTL],
                       input=cmd + "\nquit\n", capture_output=True, text=True, timeout=20)
    out = p.stdout.split("\n.\n")
    return out[1] if len(out) > 1 else ""


def stat(text, name):
    m = re.search(r"^\s+%s\s+(\d+)" % name, text, re.M)
    return int(m.group(1)) if m else -1


CTL = "/run/swt-e2e-%s/control.sock" % ID	# the CLI's socket, this run's
CONF = """
eal = ["-l", "0-1", "--no-huge", "-m", "512", "--no-telemetry", "--file-prefix", "swt-e2e-%(id)s"];
control = { socket = "%(ctl)s"; };
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
    r = agent(CLI, "legit", S4, n, interval, C4, timeout=n * interval + 300)
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
    for dst, tag in ((S4, "v4"), (S6, "v6")):
        fam = "-6" if tag == "v6" else "-4"
        p = subprocess.run(["ip", "netns", "exec", CLI, "ping", fam, "-c", "2", "-i", "0.2",
                            "-W", "2", dst], capture_output=True, text=True)
        check(p.returncode == 0, "ping %s across spillway" % tag)
        r = agent(CLI, "legit", dst, 5, 0.05)
        check(r.get("ok") == 5, "HTTP over TCP %s: 5/5 fetches" % tag)
        r = agent(CLI, "udp", dst, 53)
        check(r.get("result") == "reply", "UDP %s request/response on 53" % tag)
        r = agent(CLI, "udp", dst, 161)
        check(r.get("result") == "refused" and r["ms"] < 500,
              "UDP %s 161: reject rule -> ICMP error at once (%s ms)" % (tag, r.get("ms")))
        r = agent(CLI, "probe", dst, 23)
        check(r.get("result") == "refused" and r["ms"] < 500,
              "TCP %s 23: reject rule -> RST at once (%s ms)" % (tag, r.get("ms")))
        r = agent(CLI, "probe", dst, 22, 1.5)
        check(r.get("result") == "timeout", "TCP %s 22: no rule, dropped (time-out)" % tag)
    lst = agent_bg(CLI, "listen", C4, 8080, 4)
    wait_ready(lst)
    r = agent(SRV, "probe", C4, 8080, 1.5)
    check(r.get("result") == "timeout", "the server cannot open a connection to the client")
    lst.wait(timeout=10)
    h = agent_bg(CLI, "hold", S4, 80, 3)
    port = wait_ready(h)["local"]
    flows = cli("show flows")
    check(re.search(r"ESTABLISHED src=192\.0\.2\.1 dst=192\.0\.2\.2 sport=%d dport=80 .*\[ASSURED\]"
                    % port, flows) is not None, "show flows lists the live connection (sport %d)" % port)
    h.wait(timeout=10)


def expiry_via_cli():
    """Wait (bounded) for the idle flow to go, and check the busy one
    (a byte every 0.2 s) is there at that moment: no fixed sleep."""
    idle = agent_bg(CLI, "hold", S4, 80, 60)
    busy = agent_bg(CLI, "hold", S4, 80, 60, "busy")
    pi, pb = wait_ready(idle)["local"], wait_ready(busy)["local"]
    has = lambda flows, p: re.search(r"ESTABLISHED src=%s dst=%s sport=%d dport=80 "
                                     % (C4, S4, p), flows) is not None
    flows = cli("show flows")
    check(has(flows, pi) and has(flows, pb), "idle (sport %d) and busy (sport %d) "
          "connections both tracked" % (pi, pb))
    out = cli("set timeout tcp_established 2")
    check(out.startswith("tcp_established = 2"), "set timeout tcp_established 2")
    t0 = time.monotonic()
    while time.monotonic() - t0 < 30 and has(flows, pi):
        time.sleep(0.2)
        flows = cli("show flows")
    check(not has(flows, pi) and has(flows, pb),
          "the idle flow is gone after %.1f s, the busy one stays"
          % (time.monotonic() - t0))
    cli("set timeout tcp_established 432000")
    idle.kill()
    busy.kill()


def attack_entries(pattern, states=None):
    """Attack entries listed by show flows now (in the given states)."""
    return [l for l in cli("show flows 0").splitlines()
            if re.search(pattern, l) and
            (states is None or any(" %s " % st in l for st in states))]


def attack_synflood(n, interval):
    phase("before", "syn flood", n, interval)
    mac = FWIMPL.flood_mac()
    before = FWIMPL.stats()
    dur = n * interval
    flood = agent_bg(CLI, "synflood", "eth0", mac, S4, int(3000 * (dur + 2)), dur + 2)
    peak = sampler()
    time.sleep(1)
    phase("during", "syn flood", n, interval)
    peak["stop"] = True
    fl = json.loads(flood.communicate(timeout=60)[0].splitlines()[-1])
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
    time.sleep(max(0.0, t_end + SHORT + 1 - time.monotonic()))
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
    att = agent_bg(CLI, "exhaust", S4, A4, MAX_FLOWS + 500, dur + 6)
    peak = sampler()
    end = time.monotonic() + 15
    while time.monotonic() < end and FWIMPL.stats()["flows"] < MAX_FLOWS - 8:
        time.sleep(0.3)
    flows = FWIMPL.stats()["flows"]
    check(flows >= MAX_FLOWS - 8,
          "exhaustion: the attacker's assured connections fill the table (%d flows)" % flows)
    phase("during", "exhaustion", n, interval)
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
    n, end = 0, time.monotonic() + 3
    while n == 0 and time.monotonic() < end:
        n = len(attack_entries(r"src=192\.0\.2\.100 ", short))
    check(n > 0, "exhaustion: %d closed attacker entries after it ends" % n)
    time.sleep(max(0.0, t_end + SHORT + 2 - time.monotonic()))
    n = len(attack_entries(r"src=192\.0\.2\.100 ", short))
    check(n == 0, "exhaustion: no closed attacker entry left %d s + 1 s after "
          "its close (%d)" % (SHORT, n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary", nargs="?")
    ap.add_argument("--phase-connections", type=int, default=200)
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--json")
    ap.add_argument("--fw", choices=("spillway", "kernel"), default="spillway")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("needs root (network namespaces)")
        sys.exit(77)

    atexit.register(topo, "down")
    atexit.register(lambda: subprocess.run(["rm", "-rf", "/var/run/dpdk/swt-e2e-" + ID,
                                            os.path.dirname(CTL)]))
    signal.signal(signal.SIGTERM, lambda *x: sys.exit(1))
    if a.fw == "kernel":
        global KERNEL, FWIMPL
        KERNEL, FWIMPL = True, Kernel()
        kernel_topo_up()
        sh("ip -n %s addr add %s/25 dev eth0" % (CLI, A4))
        srv = agent_bg(SRV, "server", S4, S6)
        atexit.register(srv.kill)
        wait_ready(srv)
        results["fw"] = "kernel"
        attack_synflood(a.phase_connections, a.interval)
        attack_exhaustion(a.phase_connections, a.interval)
        if a.json:
            with open(a.json, "w") as f:
                json.dump(results, f, indent=1)
        return
    results["fw"] = "spillway"
    topo("up")
    sh("ip -n %s addr add %s/24 dev eth0" % (CLI, A4))
    work = tempfile.mkdtemp(prefix="sw-e2e-")
    conf = os.path.join(work, "sw.conf")
    with open(conf, "w") as f:
        f.write(CONF % {"id": ID, "max": MAX_FLOWS, "short": SHORT, "ctl": CTL})
    log = open(os.path.join(work, "log"), "w")
    sw = subprocess.Popen(["ip", "netns", "exec", FW, a.binary, "-c", conf],
                          stdout=log, stderr=subprocess.STDOUT)
    atexit.register(lambda: sw.poll() is None and sw.kill())
    end = time.monotonic() + 20
    while time.monotonic() < end and "running:" not in open(log.name).read():
        time.sleep(0.1)
    srv = agent_bg(SRV, "server", S4, S6)
    atexit.register(srv.kill)
    wait_ready(srv)

    basic_traffic()
    expiry_via_cli()
    attack_synflood(a.phase_connections, a.interval)
    attack_exhaustion(a.phase_connections, a.interval)
    st = cli("show stats")
    check(stat(st, "rx") > 0, "spillway still answers the CLI after both attacks")
    results["stats"] = {k: stat(st, k) for k in ("rx", "flows", "inserts", "insert_failed",
                                                   "early_drops", "expired", "fallback_accept",
                                                   "fallback_drop", "invalid", "spilled")}
    sw.send_signal(signal.SIGTERM)
    check(sw.wait(timeout=30) == 0, "spillway exits 0")
    print(open(log.name).read()[-2500:])
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    print("e2e flood: %d checks, %d failed" % (len(results["checks"]), len(failed)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
