#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Issue 26: no single point of failure, active-standby.

Two spillway nodes side by side (pylib's HaPair: each bridges its own
pair of links between one client and one server, who pick their path by
route and static neighbour), tcp_loose = false on both, a sync link
between them. Each node runs Debian's keepalived with the shipped
config/keepalived.conf (VRRP on the sync link, spillway watched, the
transitions through a FIFO to tools/spillway-keepalived-notify, which
calls `ha role`): it elects A, which forwards.

Real TCP through A: idle and busy connections, direct (port 7000) and
SYN-proxied (7001, synproxy = true). Each one is on B within 2 s of its
handshake (show flows 0), B forwarding nothing meanwhile. A is killed
with SIGKILL; keepalived makes B active; the routes move to B; every
connection goes on, byte-exact, without a reset on either host. Then a
flap of ten transitions written to B's FIFO at once reaches spillway in
order; B made standby behind keepalived's back is set back, before and
after a keepalived reload; B's keepalived stopping leaves B standby.

  ha_failover.py SPILLWAY_BINARY"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (PY, TOP, HaPair, Wire, bg, check, finish,  # noqa: E402
                   kernel_counter, need_root, ready, result, tmpdir, wait_for)
from pylib import packets  # noqa: E402

E2E = os.path.join(TOP, "tests", "e2e")
KEY = "9f2c6a1e5b7d4c3a8e0f1b2d3c4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6\n"

CONF = """
flowtable = { max_flows = 4096; tcp_loose = false; };
rules = {
  policy = (
    { proto = "tcp"; dport = 7000; action = "accept"; comment = "echo"; },
    { proto = "tcp"; dport = 7001; action = "accept"; synproxy = true;
      comment = "echo, proxied"; } );
  policy_default = "drop";
};
"""


def keepalived_conf(binary, conf, node, peer_node, fifo):
    """config/keepalived.conf as shipped, for node "a" or "b" of t."""
    text = open(os.path.join(TOP, "config", "keepalived.conf")).read()
    text = text.replace("/usr/local/libexec/spillway/spillway-keepalived-notify",
                        os.path.join(TOP, "tools", "spillway-keepalived-notify"))
    text = text.replace("/run/keepalived-spillway.fifo", fifo)
    text = text.replace("/usr/local/bin/spillway", binary)
    text = text.replace("/etc/spillway/spillway.conf", conf)
    text = text.replace("router_id spillway-a", "router_id spillway-%s" % node)
    text = text.replace("unicast_src_ip 198.51.100.1",
                        "unicast_src_ip %s" % HaPair.SYNC[node])
    text = re.sub(r"unicast_peer \{\s*198\.51\.100\.2\s*\}",
                  "unicast_peer {\n\t\t%s\n\t}" % HaPair.SYNC[peer_node], text)
    if node == "b":
        text = text.replace("priority 150", "priority 100")
    return text


def keepalived(t, d, binary, sw, node):
    other = "b" if node == "a" else "a"
    conf = os.path.join(d, "keepalived-%s.conf" % node)
    with open(conf, "w") as f:
        f.write(keepalived_conf(binary, sw.conf, node, other, fifo(d, node)))
    args = ["ip", "netns", "exec", t.fw[node], "keepalived", "-n", "-l", "-D", "-G",
            "-P", "-f", conf, "-p", os.path.join(d, "ka-%s.pid" % node),
            "-r", os.path.join(d, "ka-vrrp-%s.pid" % node)]
    log = open(os.path.join(d, "keepalived-%s.log" % node), "w")
    p = bg(args, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    return p


def fifo(d, node):
    """Where node's keepalived writes its transitions."""
    return os.path.join(d, "ka-%s.fifo" % node)


def election_log(d, sw, node, lines=40):
    """The tail of node's keepalived log and spillway's HA lines: why an
    election went wrong."""
    try:
        text = open(os.path.join(d, "keepalived-%s.log" % node)).read()
    except OSError as e:
        text = "(no keepalived log: %s)" % e
    out = ["   ka-%s: %s" % (node, line) for line in text.splitlines()[-lines:]]
    out += ["   sw-%s: %s" % (node, line) for line in sw.output().splitlines()
            if "ha:" in line or "control:" in line][-lines:]
    return "\n".join(out)


def role_of(sw):
    m = re.search(r"^role\s+(\w+)", sw.cmd("show ha"), re.M)
    return m.group(1) if m else None


def synced(sw, ports):
    """The local ports of the ESTABLISHED flows sw lists (show flows 0)."""
    text = sw.cmd("show flows 0")
    got = set(int(p) for p in re.findall(r"ESTABLISHED src=\S+ dst=\S+ sport=(\d+)", text))
    return ports <= got


def main():
    need_root()
    binary = sys.argv[1]
    if shutil.which("keepalived") is None:
        check(False, "keepalived is installed (tools/install-deps.sh)")
        finish("ha-failover")
    t = HaPair("fo")
    d = tmpdir()
    key = os.path.join(d, "ha.key")
    with open(key, "w") as f:
        f.write(KEY)
    os.chmod(key, 0o600)
    # Each node's worker on a CPU of its own: two busy pollers.
    a = t.spillway("a", binary, CONF + t.ha_conf("a", key)).start()
    b = t.spillway("b", binary, CONF + t.ha_conf("b", key), lcores="0@1,1@0").start()
    check(a.wait_running() and b.wait_running(), "both nodes run")
    check(role_of(a) == "standby" and role_of(b) == "standby",
          "both start standby (ha.role's default): keepalived decides")
    keepalived(t, d, binary, a, "a")
    kb = keepalived(t, d, binary, b, "b")
    if not check(wait_for(lambda: role_of(a) == "active", 20),
                 "keepalived makes A active (VRRP on the sync link, MASTER)"):
        print(election_log(d, a, "a"))
        print(election_log(d, b, "b"))
    check(role_of(b) == "standby", "B stays standby")
    t.route_all("a")
    for port in (7000, 7001):
        ready(bg(["ip", "netns", "exec", t.srv, PY, os.path.join(E2E, "peer.py"), "echo",
                  t.S4, str(port), "120"]))

    sessions, late = [], []
    for port in (7000, 7001):
        for kind in ("idle", "active", "idle", "active"):
            p = bg(["ip", "netns", "exec", t.cli, PY, os.path.join(E2E, "peer.py"), "session",
                    t.S4, str(port), kind, "90"], stdin=subprocess.PIPE)
            r = ready(p)	# connect() returned: established
            t0 = time.monotonic()
            if not wait_for(lambda: synced(b, {r["local"]}), 2.0):
                late.append(r["local"])
            print("   %s %d on B after %.3f s" % (kind, r["local"], time.monotonic() - t0),
                  flush=True)
            sessions.append((port, kind, p, r["local"]))
    check(not late, "B holds every connection within 2 s of its handshake "
          "(show flows 0 on the standby; late: %s)" % late)
    proxied = [l for l in b.cmd("show flows 0").splitlines() if "dport=7001" in l]
    check(len(proxied) == 4 and all("[SYNPROXY]" in l for l in proxied),
          "B has the SYN proxy's flows as proxied (their sequence offsets)")
    # A frame the client sends through B: dropped, counted, not forwarded.
    wc, ws = Wire(t.cli, "ethB"), Wire(t.srv, "ethB")
    ws.drain()
    wc.send(packets.tcp(t.C4, t.S4, 45000, 7000, seq=1, flags=packets.SYN,
                        mac=(ws.mac, wc.mac)))
    check(wait_for(lambda: b.counters()["ha_standby"] >= 1, 5),
          "the standby counts the frame it drops (ha_standby)")
    check(not ws.read(0.5), "and nothing of it comes out on the server's side")
    bs = b.counters()
    check(bs["tx"] == 0 and bs["inserts"] == 0,
          "B forwarded nothing and opened no flow while standby")
    check(b.cmd("show ha").count("peer      198.51.100.1:7400  up") == 1, "B sees A up")
    rst0 = {ns: kernel_counter(ns, "Tcp", "OutRsts") for ns in (t.cli, t.srv)}
    time.sleep(1.0)			# the busy ones keep going through A

    a.proc.send_signal(signal.SIGKILL)
    t_kill = time.monotonic()
    if not check(wait_for(lambda: role_of(b) == "active", 20),
                 "keepalived makes B active once A is gone (MASTER)"):
        print(election_log(d, b, "b"))
    print("   B active %.1f s after A was killed" % (time.monotonic() - t_kill), flush=True)
    t.route_all("b")
    time.sleep(2.0)			# busy connections go on through B
    for s in sessions:
        s[2].stdin.write("go\n" if s[1] == "idle" else "stop\n")
        s[2].stdin.flush()
    for port, kind, p, local in sessions:
        r = result(p, 90)
        check(r.get("ok") is True,
              "%s connection %d (port %d) goes on byte-exact, no reset: %s"
              % (kind, local, port, r))
        if kind == "active":
            check(r.get("rounds", 0) > 100, "  it kept moving data (%s rounds)"
                  % r.get("rounds"))
    bs = b.counters()
    check(bs["tracked"] > 0 and bs["policy_accept"] == 0,
          "B carried them on as tracked flows, none opened anew (%d tracked)" % bs["tracked"])
    why = {k: v for k, v in bs.items()    # the reasons, for a failure's log
           if v and (k.startswith("invalid_") or
                     k in ("icmp_unrelated", "bad_checksum"))}
    check(bs["invalid"] == 0, "nothing invalid on B (%d: %s)" % (bs["invalid"], why))
    rst = {ns: kernel_counter(ns, "Tcp", "OutRsts") - rst0[ns] for ns in (t.cli, t.srv)}
    check(all(v == 0 for v in rst.values()), "no host sent a reset (%s)" % rst)

    # A flap, as keepalived writes it: ten transitions at once. Each
    # reaches spillway in order (notify_master and notify_backup, one
    # process each, raced), the last one stays.
    mark = len(b.output())
    flap = ["BACKUP", "MASTER", "FAULT", "MASTER"] * 2 + ["BACKUP", "MASTER"]
    with open(fifo(d, "b"), "w") as f:
        f.write("".join('INSTANCE "spillway" %s 100\n' % st for st in flap))
    want = ["active -> standby", "standby -> active"] * 5

    def changes():
        return re.findall(r"ha: role (\w+ -> \w+)", b.output()[mark:])
    wait_for(lambda: len(changes()) >= len(want), 20)
    check(changes() == want and role_of(b) == "active",
          "a flap of 10 transitions reaches spillway in order, the last stays "
          "(%s, role %s)" % (changes(), role_of(b)))
    # Level, not only edges: spillway standby on keepalived's master (a
    # restart faster than the watch script, here the CLI) is set back.
    b.cmd("ha role standby")
    t_std = time.monotonic()
    check(wait_for(lambda: role_of(b) == "active", 5),
          "B made standby behind keepalived's back is active again (%.1f s)"
          % (time.monotonic() - t_std))
    # And after keepalived reloads (SIGHUP: it starts the reader anew).
    kb.send_signal(signal.SIGHUP)
    time.sleep(2.0)
    b.cmd("ha role standby")
    t_std = time.monotonic()
    check(wait_for(lambda: role_of(b) == "active", 5),
          "after a keepalived reload too (%.1f s)" % (time.monotonic() - t_std))
    # keepalived stopping leaves the node standby: its STOP line.
    kb.send_signal(signal.SIGTERM)
    check(wait_for(lambda: role_of(b) == "standby", 10),
          "keepalived stopped on B: B is standby (STOP, after the SIGTERM)")
    b.stop()
    finish("ha-failover")


if __name__ == "__main__":
    main()
