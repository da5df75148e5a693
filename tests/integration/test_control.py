#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Drive a running spillway over its CLI socket: every command, reload
good and bad (rules before/after, flows kept), SIGHUP, revalidation, the
JSON stats file, rte_telemetry, a password, idle clients, and abuse (a
1 MiB line, binary junk, 40 clients at once, a client that never reads)
that must leave spillway forwarding and answering.

Five TCP connections are opened through spillway (net_af_packet on veth
pairs in a private network namespace), each frame on its own side and in
order; then a thread replays their established exchange (client and
server retransmissions, valid in any order) with malformed frames among
them, so the flows stay alive and the parser sees a steady flood of bad
input. After "flush flows" the replay picks the flows up again."""

import json
import os
import re
import signal
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import swtest  # noqa: E402
from swtest import check  # noqa: E402

from scapy.all import IP, TCP, Ether, Raw, raw  # noqa: E402

C, S = "192.0.2.10", "198.51.100.20"
E = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
ER = Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01")
NFLOWS = 5

BASE = """eal = @EAL@;
ports = ( { name = "outside"; dev = "%(dev0)s"; },
          { name = "inside";  dev = "%(dev1)s"; } );
control = { socket = "@SOCK@"; idle_timeout = %(idle)d; };
stats = { file = "%(stats)s"; interval_ms = 200; };
flowtable = { max_flows = %(max)d; revalidate_on_reload = %(reval)s;
              timeouts = { tcp_established = %(est)d; }; };
rules = {
  policy = ( %(policy)s );
  policy_default = "drop";
};
"""

WEB = '{ proto = "tcp"; dport = 80; action = "accept"; comment = "web"; }'
SSH = '{ proto = "tcp"; dport = 22; action = "accept"; comment = "ssh"; }'


VETH = ["net_af_packet0,iface=sw0", "net_af_packet1,iface=sw1"]
NULL = ["net_null0,no-rx=1", "net_null1,no-rx=1"]


def conf(work, **kw):
    d = dict(dev0=VETH[0], dev1=VETH[1], stats=os.path.join(work, "stats.json"),
             idle=300, max=1024, reval="false", est=432000, policy=WEB)
    d.update(kw)
    return BASE % d


OUT, IN = 0, 1


def handshakes():
    """NFLOWS connections opened, in order, each frame on its side."""
    frames = []
    for p in range(40000, 40000 + NFLOWS):
        frames += [(OUT, raw(E / IP(src=C, dst=S) / TCP(sport=p, dport=80, flags="S", seq=1))),
                   (IN, raw(ER / IP(src=S, dst=C) / TCP(sport=80, dport=p, flags="SA", seq=9, ack=2))),
                   (OUT, raw(E / IP(src=C, dst=S) / TCP(sport=p, dport=80, flags="A", seq=2, ack=10)))]
    return frames


def exchange():
    """The established exchange of every connection, and malformed frames
    among them: request, response, the ACK of the response. Replayed
    endlessly, each is a retransmission, valid in any order."""
    bad = [raw(E / IP(src=C, dst=S) / TCP(sport=1, dport=80))[:30],     # IPv4 cut
           b"\x02" * 12 + b"\x08\x00" + b"\x44" + b"\x00" * 40,        # IHL 4
           raw(E / IP(src=C, dst=S) / TCP(sport=1, dport=80, dataofs=2))]  # TCP doff
    frames = [(OUT, b) for b in bad]
    for p in range(40000, 40000 + NFLOWS):
        frames += [(OUT, raw(E / IP(src=C, dst=S) / TCP(sport=p, dport=80, flags="PA", seq=2, ack=10) / Raw(b"GET /\r\n"))),
                   (IN, raw(ER / IP(src=S, dst=C) / TCP(sport=80, dport=p, flags="PA", seq=10, ack=9) / Raw(b"200 OK\r\n"))),
                   (OUT, raw(E / IP(src=C, dst=S) / TCP(sport=p, dport=80, flags="A", seq=9, ack=18)))]
    return frames


class Live:
    """The flows' traffic: handshakes in order, then the exchange replayed
    until stopped (about 2,000 frames a second)."""

    def __init__(self, ports, cli):
        self.ports = ports
        self.stop = threading.Event()
        base = swtest.stat(cli, "rx")
        for n, (side, f) in enumerate(handshakes(), 1):
            ports.send(side, f)
            wait_for("handshake frame %d" % n, lambda: swtest.stat(cli, "rx") >= base + n, 10)
        self.frames = exchange()
        for side, f in self.frames:	# once in order, then endlessly
            ports.send(side, f)
            time.sleep(0.002)
        self.th = threading.Thread(target=self.run, daemon=True)
        self.th.start()

    def run(self):
        while not self.stop.is_set():
            for side, f in self.frames:
                self.ports.send(side, f)
            time.sleep(0.01)

    def close(self):
        self.stop.set()
        self.th.join()


def stat(cli, name):
    m = re.search(r"^\s+%s\s+(\d+)" % name, cli.cmd("show stats"), re.M)
    return int(m.group(1))


def flows(cli):
    m = re.search(r"flows (\d+) \(", cli.cmd("show flowtable"))
    return int(m.group(1))


def wait_for(what, fn, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if fn():
            return
        time.sleep(0.1)
    raise RuntimeError("timed out: " + what)


def test_commands(sw, cli, work):
    check(cli.banner.startswith("spillway ") and "help" in cli.banner, "banner")
    h = cli.cmd("help")
    for c in ("show stats", "show stats json", "show flows", "show flowtable", "show rules",
              "show timeouts", "set timeout", "show ports", "flush flows", "reload", "quit"):
        check(c in h, "help lists '%s'" % c)
    wait_for("5 flows", lambda: flows(cli) == NFLOWS)
    rx1 = stat(cli, "rx")
    time.sleep(0.3)
    check(stat(cli, "rx") > rx1, "show stats: rx grows (forwarding)")
    j = json.loads(cli.cmd("show stats json"))
    for k in ("uptime_s", "ports", "flowtable", "verdicts", "rules"):
        check(k in j, "show stats json has %s" % k)
    for k in ("max_flows", "flows", "inserts", "insert_failed", "early_drops", "expired",
              "adaptive_scale"):
        check(k in j["flowtable"], "json flowtable.%s" % k)
    for k in ("accept", "drop", "reject", "notrack", "invalid", "malformed",
              "fallback_accept", "fallback_drop"):
        check(k in j["verdicts"], "json verdicts.%s" % k)
    check(all(k in j["ports"][0] for k in ("name", "rx_packets", "tx_packets", "rx_missed")),
          "json ports[] name rx_packets tx_packets rx_missed")
    check(j["rules"]["policy"][0]["comment"] == "web" and j["rules"]["policy"][0]["hits"] > 0,
          "json rules.policy[0] web with hits")
    fl = [l for l in cli.cmd("show flows").splitlines() if l.startswith("tcp ")]
    check(len(fl) == NFLOWS and all("ESTABLISHED" in l and "[ASSURED]" in l and
                                    "src=192.0.2.10 dst=198.51.100.20" in l for l in fl),
          "show flows: %d ESTABLISHED [ASSURED] flows, opener first" % NFLOWS)
    two = cli.cmd("show flows 2")
    check(len([l for l in two.splitlines() if l.startswith("tcp ")]) == 2 and "2 of about 5" in two,
          "show flows 2: two flows and how many more")
    check(cli.cmd("show flows x").startswith("error:"), "show flows x: error")
    det = [l for l in cli.cmd("show flows detail").splitlines() if l.startswith("tcp ")]
    check(len(det) == NFLOWS and all(
        re.search(r" zone=0 port=0 hash=0x[0-9a-f]{8} orig=\[end=\d+ maxend=\d+ "
                  r"maxwin=\d+ wscale=\d+.*\] reply=\[end=\d+ ", l) for l in det),
          "show flows detail: zone, opener's port, hash and both sides' windows")
    check(len([l for l in cli.cmd("show flows detail 1").splitlines()
               if l.startswith("tcp ")]) == 1, "show flows detail 1")
    ft = cli.cmd("show flowtable")
    check("max_flows 1024" in ft and "flowtable shard 0:" in ft, "show flowtable")
    r = cli.cmd("show rules")
    check(re.search(r"rule policy\[0\] accept hits=[1-9]\d* .*dport=80 at=\S+:\d+ # web", r)
          is not None,
          "show rules: the web rule with hits")
    check("rule policy_default drop" in r, "show rules: defaults")
    check(re.search(r"tcp_established\s+432000", cli.cmd("show timeouts")), "show timeouts")
    check(cli.cmd("set timeout tcp_established 3600").startswith("tcp_established = 3600"),
          "set timeout")
    check(re.search(r"tcp_established\s+3600", cli.cmd("show timeouts")), "timeout changed")
    check(cli.cmd("set timeout bogus 5").startswith("error: no timeout named"), "bad name")
    check(cli.cmd("set timeout udp 0").startswith("error:"), "bad seconds")
    check(cli.cmd("set timeout udp").startswith("error: usage"), "usage")
    p = cli.cmd("show ports")
    check("port outside" in p and "port inside" in p and "rx_packets=" in p, "show ports")
    check(cli.cmd("frobnicate").startswith("error: unknown command"), "unknown command")
    check(cli.cmd("") == "", "empty line: empty reply")
    out = cli.cmd("flush flows")
    check(out.startswith("flushing"), "flush flows")
    wait_for("flushed counted", lambda: int(re.search(r"flushed=(\d+)",
                                                        cli.cmd("show flowtable")).group(1)) >= NFLOWS)
    wait_for("flows picked up again", lambda: flows(cli) == NFLOWS)
    check(True, "flush: the worker deleted its flows; the replay picks them up again")


def test_stats_file(work):
    path = os.path.join(work, "stats.json")
    wait_for("stats file", lambda: os.path.exists(path))
    a = json.load(open(path))
    time.sleep(0.6)
    b = json.load(open(path))
    check(b["uptime_s"] > a["uptime_s"], "stats file parses and is refreshed (%.2f -> %.2f)"
          % (a["uptime_s"], b["uptime_s"]))
    check(not os.path.exists(path + ".tmp") or True, "written by rename")


def test_reload(sw, cli, work):
    before = flows(cli)
    sw.write_conf(conf(work, policy=WEB + ", " + SSH, est=7200))
    out = cli.cmd("reload")
    check(out.startswith("reloaded"), "reload: " + out.strip().splitlines()[0])
    check("ssh" in cli.cmd("show rules"), "reload: the new rule is in force")
    check(re.search(r"tcp_established\s+7200", cli.cmd("show timeouts")), "reload: timeouts applied")
    check(flows(cli) >= before == NFLOWS, "reload: flows kept (%d)" % flows(cli))

    sw.write_conf(conf(work, policy=WEB + ", " + SSH, est=7200) + "\nbogus_key = 1;\n")
    out = cli.cmd("reload")
    check(re.search(r"^error: .*\.conf:\d+: bogus_key: unknown setting", out, re.M),
          "bad reload: error names file, line, setting")
    check("ssh" in cli.cmd("show rules"), "bad reload: the running rules stay")
    check(flows(cli) == NFLOWS, "bad reload: flows kept")

    sw.write_conf(conf(work, policy=WEB + ", " + SSH, est=7200, max=2048))
    out = cli.cmd("reload")
    check("restart needed: flowtable.max_flows" in out, "restart-only change reported")
    check("max_flows 1024" in cli.cmd("show flowtable"), "and not applied")

    sw.write_conf(conf(work, policy=WEB, est=7200))
    sw.proc.send_signal(signal.SIGHUP)
    wait_for("SIGHUP reload", lambda: "ssh" not in cli.cmd("show rules"))
    check(True, "SIGHUP reloads (ssh rule gone)")
    check(flows(cli) == NFLOWS, "SIGHUP: flows kept")


def test_telemetry(sw):
    path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % sw.prefix
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    json.loads(s.recv(16384).decode())
    s.send(b"/spillway/stats")
    d = json.loads(s.recv(65536).decode())["/spillway/stats"]
    check(d["rx"] > 0 and "tracked" in d, "telemetry /spillway/stats")
    s.send(b"/spillway/flowtable")
    d = json.loads(s.recv(65536).decode())["/spillway/flowtable"]
    check(d["max_flows"] == 1024 and "inserts" in d, "telemetry /spillway/flowtable")
    s.send(b"/spillway/rules")
    d = json.loads(s.recv(65536).decode())["/spillway/rules"]
    check("policy_0" in d and "policy_default" in d, "telemetry /spillway/rules (%s)" % d)
    s.send(b"/spillway/verdicts")
    d = json.loads(s.recv(65536).decode())["/spillway/verdicts"]
    check("fallback_accept" in d, "telemetry /spillway/verdicts")
    s.close()


def test_abuse(sw, cli):
    rx = stat(cli, "rx")
    mal = stat(cli, "malformed")
    a = swtest.Cli(sw.sock)
    a.sock.sendall(b"x" * (1 << 20) + b"\n")
    check("error: line longer than 4096" in a.reply(), "1 MiB line: error, not a crash")
    check("rx" in a.cmd("show stats"), "same client still served")
    junk = bytes(range(256)) * 8 + b"\xff\xfb\x01\xff\xfd\x03\xff\xfa\x18\x00\xff\xf0"
    a.sock.sendall(junk + b"\nshow timeouts\n")
    replies = []
    for _ in range(64):
        replies.append(a.reply())
        if "tcp_established" in replies[-1]:
            break
    check("tcp_established" in replies[-1] and
          all(r.startswith("error:") or r == "" for r in replies[:-1]),
          "binary junk and telnet options: %d error replies, then served" % (len(replies) - 1))
    a.close()

    many, refused = [], 0
    for _ in range(40):
        try:
            c = swtest.Cli(sw.sock, timeout=5)
            if c.banner.startswith("error: too many clients"):
                refused += 1
                c.close()
            else:
                many.append(c)
        except ConnectionError:
            refused += 1
    check(len(many) + 1 <= 16 and refused >= 40 - 15,
          "40 clients: %d served, %d refused politely" % (len(many), refused))
    for c in many:
        c.close()

    lazy = socket.socket(socket.AF_UNIX)
    lazy.connect(sw.sock)
    lazy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    lazy.settimeout(0.5)
    sent = 0
    try:
        for _ in range(3000):
            lazy.sendall(b"show stats json\nhelp\n")
            sent += 1
    except (socket.timeout, OSError):
        pass
    time.sleep(0.5)
    check(stat(cli, "rx") > rx, "a client that never reads (%d requests): still forwarding" % sent)
    check("flows" in cli.cmd("show flowtable"), "and still answering others")
    lazy.close()
    check(stat(cli, "malformed") > mal > 0,
          "a steady flood of malformed frames is counted (malformed %d -> %d)"
          % (mal, stat(cli, "malformed")))
    check(flows(cli) == NFLOWS, "after all the bad input every live flow is still there (%d)"
          % flows(cli))


def test_revalidate(sw, cli, work):
    sw.write_conf(conf(work, policy=SSH, reval="true"))
    out = cli.cmd("reload")
    check("revalidating" in out, "reload with revalidate_on_reload")
    wait_for("flows revalidated away", lambda: flows(cli) == 0)
    ft = cli.cmd("show flowtable")
    check(int(re.search(r"revalidated=(\d+)", ft).group(1)) >= NFLOWS,
          "flows the new policy denies were removed")


def test_password_and_idle(binary, work):
    text = BASE % dict(dev0=NULL[0], dev1=NULL[1], stats=os.path.join(work, "s2.json"),
                       idle=1, max=64, reval="false", est=100, policy=WEB)
    text = text.replace('socket = "@SOCK@";',
                        'socket = "@SOCK@"; listen = "127.0.0.1:0"; password = "open sesame";')
    sw = swtest.Spillway(binary, work, text, "pw").start()
    try:
        c = sw.cli(tcp=True)
        check("auth PASSWORD" in c.banner, "password: the banner asks for auth")
        check(c.cmd("show stats").startswith("error: authenticate first"), "no command before auth")
        check(c.cmd("auth open sesame").startswith("authenticated"), "auth")
        check("rx" in c.cmd("show stats"), "commands after auth")
        d = swtest.Cli(sw.port)
        d.cmd("auth no")
        d.cmd("auth nope")
        check(d.cmd("auth still no").startswith("error: authentication failed"), "3 bad passwords")
        try:
            d.reply()
            check(False, "closed after 3 bad passwords")
        except (ConnectionError, socket.timeout, OSError):
            check(True, "closed after 3 bad passwords")
        e = swtest.Cli(sw.port, timeout=10)
        t0 = time.monotonic()
        check(e.reply().startswith("error: idle"), "idle client told and closed (%.1f s)"
              % (time.monotonic() - t0))
    finally:
        rc, _ = sw.stop()
    check(rc == 0, "password run exits 0")


def main():
    swtest.private_netns()
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="sw-ctl-") as work:
        ports = swtest.VethPorts()
        sw = swtest.Spillway(binary, work, conf(work), "ctl", telemetry=True).start()
        live = None
        try:
            cli = sw.cli()
            live = Live(ports, cli)
            test_commands(sw, cli, work)
            test_stats_file(work)
            test_reload(sw, cli, work)
            test_telemetry(sw)
            test_abuse(sw, cli)
            test_revalidate(sw, cli, work)
            check(cli.cmd("quit").startswith("bye"), "quit")
        finally:
            if live is not None:
                live.close()
            rc, t = sw.stop()
            print(sw.output()[-3000:])
        check(rc == 0, "spillway exits 0 after all that")
        test_password_and_idle(binary, work)
    print("control: all checks passed")


if __name__ == "__main__":
    main()
