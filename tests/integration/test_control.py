#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Drive a running spillway over its CLI socket: every command, reload
good and bad (rules before/after, flows kept, hit counters restarted),
live reload of l2_passthrough, allow_ndp and stats.*, SIGHUP,
revalidation, the JSON stats file (replaced by rename), rte_telemetry,
a password, idle clients, and abuse (a 1 MiB line, binary junk, 40
clients at once, a client that never reads, which is closed) that must
leave spillway forwarding and answering. Then show flows' default limit
of 1,000 on a table of 1,100 flows.

Five TCP connections are opened through spillway (net_af_packet on veth
pairs in a private network namespace), each frame on its own side and in
order; then a thread replays their established exchange (client and
server retransmissions, valid in any order) with malformed frames, an
ARP request and an IPv6 neighbour solicitation among them, so the flows
stay alive and the parser sees a steady flood of bad input. After
"flush flows" the replay picks the flows up again."""

import json
import os
import re
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (Cli, Spillway, VethPorts, check, finish, ports_conf,  # noqa: E402
                   private_netns, stat, tmpdir, wait_for)
from pylib.packets import E, ER  # noqa: E402

from scapy.all import (ARP, ICMPv6ND_NS, IP, TCP, UDP, IPv6,  # noqa: E402
                       Raw, raw)

C, S = "192.0.2.10", "198.51.100.20"
NFLOWS = 5

BASE = ports_conf("%(dev0)s", "%(dev1)s") + """
control = { socket = "@SOCK@"; idle_timeout = %(idle)d; };
stats = { file = "%(stats)s"; interval_ms = %(interval)d; };
l2_passthrough = %(l2)s;
flowtable = { max_flows = %(max)d; revalidate_on_reload = %(reval)s;
              timeouts = { tcp_established = %(est)d; }; };
rules = {
  policy = ( %(policy)s );
  policy_default = "drop";
  allow_ndp = %(ndp)s;
};
"""

WEB = '{ proto = "tcp"; dport = 80; action = "accept"; comment = "web"; }'
SSH = '{ proto = "tcp"; dport = 22; action = "accept"; comment = "ssh"; }'


VETH = ["net_af_packet0,iface=sw0", "net_af_packet1,iface=sw1"]
NULL = ["net_null0,no-rx=1", "net_null1,no-rx=1"]


def conf(work, **kw):
    d = dict(dev0=VETH[0], dev1=VETH[1], stats=os.path.join(work, "stats.json"),
             idle=300, max=1024, reval="false", est=432000, policy=WEB, interval=200,
             l2="true", ndp="true")
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
    """The established exchange of every connection, and malformed frames,
    an ARP request and a neighbour solicitation among them: request,
    response, the ACK of the response. Replayed endlessly, each is a
    retransmission, valid in any order."""
    bad = [raw(E / IP(src=C, dst=S) / TCP(sport=1, dport=80))[:30],     # IPv4 cut
           b"\x02" * 12 + b"\x08\x00" + b"\x44" + b"\x00" * 40,        # IHL 4
           raw(E / IP(src=C, dst=S) / TCP(sport=1, dport=80, dataofs=2))]  # TCP doff
    frames = [(OUT, b) for b in bad]
    # Not tracked: ARP (l2_passthrough) and ND (allow_ndp).
    frames += [(OUT, raw(E / ARP(psrc=C, pdst=S))),
               (OUT, raw(E / IPv6(src="2001:db8::10", dst="ff02::1:ff00:20") /
                     ICMPv6ND_NS(tgt="2001:db8::20")))]
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
        base = stat(cli, "rx")
        for n, (side, f) in enumerate(handshakes(), 1):
            ports.send(side, f)
            wait_for(lambda: stat(cli, "rx") >= base + n, 10, 0.1,
                     "handshake frame %d" % n)
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


def flows(cli):
    m = re.search(r"flows (\d+) \(", cli.cmd("show flowtable"))
    return int(m.group(1))


def shard(cli, name):
    """A per-shard counter of show flowtable (one shard here)."""
    return int(re.search(r" %s=(\d+)" % name, cli.cmd("show flowtable")).group(1))


def hits(cli, comment):
    m = re.search(r"^\s*rule policy\[\d+\] \w+ hits=(\d+) .* # %s$" % comment,
                  cli.cmd("show rules"), re.M)
    return int(m.group(1)) if m else None


def closed_by_server(sock, timeout=10.0):
    """Read sock to its end: "yes" when the server closed it (end of
    stream, or a reset: spillway closed with requests of ours unread),
    else why not. Returns (verdict, bytes read before the end)."""
    sock.settimeout(timeout)
    got = 0
    while True:
        try:
            b = sock.recv(1 << 16)
        except ConnectionResetError:
            return "yes", got
        except socket.timeout:
            return ("no: still open after %.0f s" % timeout
                    + (", %d bytes answered" % got if got else "")), got
        if not b:
            return "yes", got
        got += len(b)


def served_client(path):
    """A new session on path, once a slot is free: the refused ones
    (closed by the server) are let go and tried again."""
    got = []

    def one():
        c = Cli(path)
        if c.banner.startswith("spillway "):
            got.append(c)
            return True
        c.close()
        return False
    wait_for(one, 15.0, 0.1, "a free slot")
    return got[0]


def test_commands(sw, cli, work):
    check(cli.banner.startswith("spillway ") and "help" in cli.banner, "banner")
    h = cli.cmd("help")
    for c in ("show stats", "show stats json", "show flows", "show flowtable", "show rules",
              "show timeouts", "set timeout", "show ports", "flush flows", "reload", "quit"):
        check(c in h, "help lists '%s'" % c)
    wait_for(lambda: flows(cli) == NFLOWS, 15.0, 0.1, "5 flows")
    rx1 = stat(cli, "rx")
    check(wait_for(lambda: stat(cli, "rx") > rx1, 10), "show stats: rx grows (forwarding)")
    j = json.loads(cli.cmd("show stats json"))
    for k in ("uptime_s", "ports", "flowtable", "verdicts", "rules"):
        check(k in j, "show stats json has %s" % k)
    for k in ("max_flows", "flows", "inserts", "insert_failed", "early_drops", "expired",
              "adaptive_scale_permille"):
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
    ins = shard(cli, "inserts")
    out = cli.cmd("flush flows")
    m = re.match(r"flushed (\d+) flows \(every worker has swept its shard\)", out)
    # The reply waits for the sweep: the count is there at once.
    check(m is not None and int(m.group(1)) >= NFLOWS and shard(cli, "flushed") >= NFLOWS,
          "flush flows answers once done, with the count: " + out.strip())
    wait_for(lambda: flows(cli) == NFLOWS, 15.0, 0.1, "flows picked up again")
    check(shard(cli, "flushed") >= NFLOWS and shard(cli, "inserts") >= ins + NFLOWS,
          "flush: the worker deleted its %d flows; the replay inserted them again"
          % NFLOWS)


def stats_file_refreshes(path, n=3, timeout=30.0):
    """Read the stats file until it was replaced n times: every read must
    parse, uptime must grow, and each new version must be another inode
    than the one before (a new file renamed over the old, not the old
    one rewritten in place: a reader never sees half of one).
    Returns the inodes seen."""
    try:
        wait_for(lambda: os.path.exists(path), 15.0, 0.1, "stats file " + path)
    except TimeoutError:
        pass
    check(os.path.exists(path), "stats file %s written" % os.path.basename(path))
    inodes, last = [], None
    end = time.monotonic() + timeout
    while len(inodes) <= n and time.monotonic() < end:
        with open(path) as f:
            ino = os.fstat(f.fileno()).st_ino
            d = json.load(f)
        if last is None or d["uptime_s"] != last:
            check(last is None or d["uptime_s"] > last, "stats file %s: uptime grows "
                  "(%.2f)" % (os.path.basename(path), d["uptime_s"]))
            # Inode numbers are reused: compare with the previous one.
            check(not inodes or ino != inodes[-1], "stats file %s: version %d is a "
                  "new file (inode %d), renamed into place" % (os.path.basename(path),
                                                               len(inodes), ino))
            inodes.append(ino)
            last = d["uptime_s"]
        time.sleep(0.02)
    check(len(inodes) > n, "stats file %s refreshed %d times" % (os.path.basename(path), n))
    return inodes


def test_stats_file(work):
    stats_file_refreshes(os.path.join(work, "stats.json"))


def test_reload(sw, cli, work):
    wait_for(lambda: flows(cli) == NFLOWS, 15.0, 0.1, "5 flows")
    ins = shard(cli, "inserts")
    web = hits(cli, "web")
    check(web is not None and web >= NFLOWS, "before reload: web rule hits=%s" % web)
    sw.write_conf(conf(work, policy=WEB + ", " + SSH, est=7200))
    out = cli.cmd("reload")
    check(out.startswith("reloaded"), "reload: " + out.strip().splitlines()[0])
    check("ssh" in cli.cmd("show rules"), "reload: the new rule is in force")
    check(re.search(r"tcp_established\s+7200", cli.cmd("show timeouts")), "reload: timeouts applied")
    # The replay goes on: every TCP packet of it must meet its kept flow,
    # none the new rules (ARP and ND pass before the rules).
    rx = stat(cli, "rx")
    wait_for(lambda: stat(cli, "rx") > rx + 100, 30, 0.1, "traffic after the reload")
    check(flows(cli) == NFLOWS and shard(cli, "inserts") == ins,
          "reload: flows kept (%d live, no flow inserted again)" % flows(cli))
    # The web rule did not change: it keeps its count, and the replayed
    # packets, which meet their kept flows, add nothing to it; the new
    # ssh rule starts from zero.
    check(hits(cli, "web") == web and hits(cli, "ssh") == 0,
          "reload: an unchanged rule keeps its hit count (web %s -> %s), a new one "
          "starts at 0 (ssh %s); the replayed packets hit their kept flows"
          % (web, hits(cli, "web"), hits(cli, "ssh")))

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
    wait_for(lambda: "ssh" not in cli.cmd("show rules"), 15.0, 0.1, "SIGHUP reload")
    check("ssh" not in cli.cmd("show rules") and hits(cli, "web") == web,
          "SIGHUP reloads (ssh rule gone; web keeps its %s hits)" % web)
    check(flows(cli) == NFLOWS and shard(cli, "inserts") == ins, "SIGHUP: flows kept")


def growing(cli, name):
    """Whether counter `name` grows over a stretch of replayed traffic
    (200 frames: ten rounds of the exchange, each with its ARP and ND)."""
    a, rx = stat(cli, name), stat(cli, "rx")
    wait_for(lambda: stat(cli, "rx") > rx + 200, 30, 0.1, "traffic")
    return stat(cli, name) > a


def test_reload_live_settings(sw, cli, work):
    """l2_passthrough, allow_ndp and stats.* change on reload."""
    check(growing(cli, "l2_passthrough") and growing(cli, "ndp") and
          not growing(cli, "l2_dropped") and not growing(cli, "drop"),
          "ARP passes, ND passes before the rules (nothing dropped)")
    old = os.path.join(work, "stats.json")
    new = os.path.join(work, "stats-new.json")
    sw.write_conf(conf(work, l2="false", ndp="false", stats=new, interval=100, est=7200))
    out = cli.cmd("reload")
    check(out.startswith("reloaded") and "restart needed" not in out,
          "reload of l2_passthrough, allow_ndp, stats.*: live, no restart")
    check(growing(cli, "l2_dropped") and not growing(cli, "l2_passthrough"),
          "l2_passthrough = false: ARP now dropped and counted")
    check(not growing(cli, "ndp") and growing(cli, "drop"),
          "allow_ndp = false: ND now meets the rules (policy_default drop)")
    stats_file_refreshes(new)
    a = json.load(open(old))["uptime_s"]
    stats_file_refreshes(new, n=2)
    check(json.load(open(old))["uptime_s"] == a, "stats.file: the old file is no "
          "longer written")
    sw.write_conf(conf(work, policy=WEB, est=7200))
    check(cli.cmd("reload").startswith("reloaded"), "reload back")
    check(growing(cli, "l2_passthrough") and growing(cli, "ndp"),
          "l2_passthrough and allow_ndp back on")
    check(flows(cli) == NFLOWS, "live settings reloaded: flows kept")


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
    a = Cli(sw.sock)
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
    # quit, and read to the end: its slot is free once the server closed.
    bye = a.cmd("quit")
    closed, more = closed_by_server(a.sock)
    more += len(a.buf)
    check(bye.startswith("bye") and closed == "yes" and more == 0,
          "quit: bye, then closed (%s, %d bytes more)" % (closed, more))
    a.close()

    # control.max_clients is 16 and, on the unix socket, every slot is
    # open to local clients (only TCP is held to half). cli holds one:
    # exactly 15 more are served, and each of the other 25 reads the
    # refusal before the server closes.
    many, polite, other = [], 0, []
    for _ in range(40):
        try:
            c = Cli(sw.sock, timeout=5)
        except (ConnectionError, OSError) as e:
            other.append(repr(e))
            continue
        if c.banner.startswith("error: too many clients"):
            polite += 1
            closed, more = closed_by_server(c.sock, 5)
            if closed != "yes" or more or c.buf:
                other.append("refused but not closed (%s)" % closed)
            c.close()
        elif c.banner.startswith("spillway "):
            many.append(c)
        else:
            other.append(c.banner)
    check(len(many) == 15 and polite == 25 and not other,
          "40 clients: %d served, %d refused politely, then closed (%s)"
          % (len(many), polite, other))
    check(all("rx" in c.cmd("show stats") for c in many), "the 15 are served")
    for c in many:
        c.close()

    # A client that sends requests and never reads a reply. It must have
    # been served (a refused one is closed too, which would prove nothing).
    lazy = served_client(sw.sock).sock
    lazy.settimeout(10)
    # About 2.4 kB of replies per request: the replies fill the socket's
    # buffer in the kernel (some 200 KiB; on a unix socket the sender's
    # counts, not our SO_RCVBUF) and then more than 4 MiB wait in
    # spillway's, long before 10,000 requests are sent. The sends end
    # with an error once spillway has closed the connection.
    sent = 0
    try:
        for _ in range(10000):
            lazy.sendall(b"show stats json\nhelp\n")
            sent += 1
    except OSError:
        pass
    check(stat(cli, "rx") > rx, "a client that never reads (%d requests): still forwarding" % sent)
    check("flows" in cli.cmd("show flowtable"), "and still answering others")
    # Now read what it was sent: the server must have closed it (once
    # 4 MiB of replies waited), so the stream ends (EOF or reset).
    closed, got = closed_by_server(lazy)
    check(closed == "yes", "the client that never read (%d requests) was closed by the "
          "server: %s (%d bytes of replies had reached it)" % (sent, closed, got))
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
    wait_for(lambda: flows(cli) == 0, 15.0, 0.1, "flows revalidated away")
    ft = cli.cmd("show flowtable")
    check(int(re.search(r"revalidated=(\d+)", ft).group(1)) >= NFLOWS,
          "flows the new policy denies were removed")


def test_password_and_idle(binary, work):
    # idle_timeout 9 s: shorter than the 10 s login window, so it is
    # the window; long enough for 3 wrong passwords (answered after 1,
    # 2 and 4 s of back-off).
    text = conf(work, dev0=NULL[0], dev1=NULL[1], stats=os.path.join(work, "s2.json"),
                idle=9, max=64, est=100)
    text = text.replace('socket = "@SOCK@";',
                        'socket = "@SOCK@"; listen = "127.0.0.1:0"; password = "open sesame";')
    sw = Spillway(binary, work, text, "pw").start()
    try:
        c = sw.cli(tcp=True)
        check("auth PASSWORD" in c.banner, "password: the banner asks for auth")
        check(c.cmd("show stats").startswith("error: authenticate first"), "no command before auth")
        check(c.cmd("auth open sesame").startswith("authenticated"), "auth")
        check("rx" in c.cmd("show stats"), "commands after auth")
        # Left silent while d fails: a TCP client gets the login window
        # on the wall clock, waits on d's back-off included; an idle
        # session on the socket, idle_timeout.
        t0 = time.monotonic()
        e = Cli(sw.port, timeout=15)
        f = sw.cli(timeout=15)
        d = Cli(sw.port)
        d.cmd("auth no")
        d.cmd("auth nope")
        check(d.cmd("auth still no").startswith("error: authentication failed"), "3 bad passwords")
        # Closed, not answered, not left open: read to the end.
        closed, more = closed_by_server(d.sock)
        more += len(d.buf)
        if closed == "yes" and more:
            closed = "no: it answered %d bytes more" % more
        check(closed == "yes", "closed after 3 bad passwords (%s)" % closed)
        r = e.reply()
        dt = time.monotonic() - t0
        check(r.startswith("error: not authenticated within 9 s") and 8 <= dt < 12,
              "unauthenticated client told and closed at its deadline (%r after %.1f s)"
              % (r.strip(), dt))
        r = f.reply()
        dt = time.monotonic() - t0
        check(r.startswith("error: idle for 9 s") and 8 <= dt < 12,
              "idle session told and closed (%r after %.1f s)" % (r.strip(), dt))
    finally:
        rc, _ = sw.stop()
    check(rc == 0, "password run exits 0")


LIMIT = ports_conf(*VETH) + """flowtable = { max_flows = 2048; per_source = { max_flows = 0; };
              timeouts = { udp = 3600; }; };
rules = { policy = ( { proto = "udp"; dport = 53; action = "accept"; } ); };
"""


def test_show_flows_limit(binary, work, ports):
    """1,100 live flows: show flows lists the first 1,000 and says how
    many there are; show flows 0 lists them all. One source opens them
    all, so its quota (a quarter of the table by default) is off."""
    n = 1100
    frames = [raw(E / IP(src=C, dst=S) / UDP(sport=10000 + i, dport=53)) for i in range(n)]
    sw = Spillway(binary, work, LIMIT, "lim").start()
    try:
        c = sw.cli()
        base = stat(c, "rx")
        # A batch at a time, never more than net_af_packet's ring holds.
        for i in range(0, n, 50):
            for f in frames[i:i + 50]:
                ports.send(OUT, f)
            k = min(i + 50, n)
            wait_for(lambda: stat(c, "rx") >= base + k, 30, 0.1, "%d frames received" % k)
        try:
            wait_for(lambda: flows(c) >= n, 15.0, 0.1, "%d flows" % n)
        except TimeoutError:
            pass
        check(flows(c) == n, "%d UDP flows live (%d)" % (n, flows(c)))
        out = c.cmd("show flows")
        lines = [l for l in out.splitlines() if l.startswith("udp ")]
        trailer = ("(1000 of about %d flows shown; %d more: show flows N, or show flows 0 "
                   "for all)" % (n, n - 1000))
        check(len(lines) == 1000 and trailer in out.splitlines(),
              "show flows: the first 1,000 by default (%d), and how many more there are"
              % len(lines))
        out = c.cmd("show flows 0")
        lines = [l for l in out.splitlines() if l.startswith("udp ")]
        check(len(lines) == n and len(set(lines)) == n and "more:" not in out,
              "show flows 0: all %d, no trailer" % len(lines))
        c.close()
    finally:
        rc, _ = sw.stop()
    check(rc == 0, "show flows limit run exits 0")


def main():
    private_netns()
    binary = sys.argv[1]
    work = tmpdir("sw-ctl-")
    ports = VethPorts()
    sw = Spillway(binary, work, conf(work), "ctl", telemetry=True).start()
    live = None
    try:
        cli = sw.cli()
        live = Live(ports, cli)
        test_commands(sw, cli, work)
        test_stats_file(work)
        test_reload(sw, cli, work)
        test_reload_live_settings(sw, cli, work)
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
    test_show_flows_limit(binary, work, ports)
    finish("control")


if __name__ == "__main__":
    main()
