#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Integration: reloads that never stall and never fail silently, and
listings that scale (issue 17).

One spillway (1 GB, net_af_packet on veth pairs in a private network
namespace, telemetry on, a stats file every 200 ms):
  * a reload to 60,000 rules builds on its own thread: while it builds, a
    second CLI client keeps getting answers and the stats file keeps
    being rewritten (latencies printed, not asserted);
  * the rule that did not change keeps its hit count, a changed one
    starts again;
  * show rules lists all 60,000 (streamed) and takes a filter;
    telemetry pages through every rule counter;
  * spillway --reload exits 0 when the file takes and 1 with the error
    when it does not; reloads, reload_failures and the last error are in
    show stats, the stats file and telemetry; the reload is logged with
    its client.
A second spillway whose memory the flow table has taken refuses a reload
it cannot build, with what it needs, what is free and what to raise, and
keeps the running rules.

A third has a rule on a set read from a file; reloads whose file parses
but whose set cannot be built are refused through `spillway --reload -c
FILE` (the systemd unit's ExecReload): the set's file missing, a
directory, a FIFO (all three fail for root, unlike a mode-000 file), or
holding a bad prefix. Each exits 1 with the error naming the file,
counts one reload failure, and the old set and rule still decide
traffic."""

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (Box, Cli, Spillway, VethPorts, check, finish,  # noqa: E402
                   ports_conf, private_netns, tmpdir, wait_for)
from pylib.packets import E  # noqa: E402

from scapy.all import IP, TCP, Ether, raw  # noqa: E402
WEB = ('{ in = "outside"; proto = "tcp"; dst = "198.51.100.20"; dport = 80; '
       'action = "accept"; comment = "web"; }')
SSH = ('{ in = "outside"; proto = "tcp"; dport = 22; action = "accept"; '
       'comment = "ssh"; }')


def conf(policy, extra=""):
    return """flowtable = { max_flows = 1024; synproxy = "off"; };
stats = { file = "%%s"; interval_ms = 200; };
rules = {
  policy = ( %s );
  policy_default = "drop";
};
%s""" % (", ".join(policy), extra)


def many(n):
    """n edge-like rules: one source each, a port, a comment."""
    out = []
    for i in range(n):
        out.append('{ src = "198.51.%d.%d"; proto = "tcp"; dport = %d; '
                   'action = "drop"; comment = "feed %d"; }'
                   % (i // 256 % 256, i % 256, 1024 + i % 50000, i))
    return out


def tel(path, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    s.recv(16384)
    s.send(cmd.encode())
    buf = b""
    while True:
        buf += s.recv(65536)
        try:
            d = json.loads(buf.decode())
            break
        except ValueError:
            continue
    s.close()
    return d[cmd.split(",")[0]]


def reload_cmd(binary, sock):
    p = subprocess.run([binary, "--reload", "--socket", sock], capture_output=True,
                       text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def stats_file(path, pred):
    """The stats file's JSON when pred(it) holds, else None."""
    try:
        with open(path) as f:
            j = json.load(f)
    except (OSError, ValueError):
        return None
    return j if pred(j) else None


def rule_hits(cli, comment):
    m = re.search(r"hits=(\d+) .*# %s$" % re.escape(comment), cli.cmd("show rules"), re.M)
    return int(m.group(1)) if m else None


def test_big_reload(binary, work, ports):
    stats = os.path.join(work, "stats.json")
    box = Box(binary, work, ports, conf([WEB, SSH]) % stats, "rl", telemetry=True, mem=1024,
              cli_timeout=120)
    sw, cli = box.sw, box.cli
    try:
        for p in range(3):
            box.send(0, raw(E / IP(src="192.0.2.10", dst="198.51.100.20") /
                            TCP(sport=41000 + p, dport=80, flags="S")))
        sw.wait_stats(lambda s: s.get("policy_accept", 0) >= 3)
        check(rule_hits(cli, "web") == 3, "the web rule has 3 hits")

        # 60,000 rules, the web rule now last, ssh changed (port 2222).
        ssh2 = SSH.replace("dport = 22", "dport = 2222")
        box.write_conf(conf(many(60000) + [ssh2, WEB]) % stats)
        result = {}

        def do_reload():
            c = Cli(sw.sock, 300)
            t0 = time.monotonic()
            result["out"] = c.cmd("reload")
            result["s"] = time.monotonic() - t0
            c.close()

        other = Cli(sw.sock, 10)
        th = threading.Thread(target=do_reload)
        uptimes, lat = [], []
        th.start()
        while th.is_alive():
            t0 = time.monotonic()
            r = other.cmd("show stats")
            lat.append(time.monotonic() - t0)
            check_ok = "rx " in r or re.search(r"^\s+rx\s", r, re.M)
            if not check_ok:
                check(False, "a CLI answer during the reload")
            try:
                uptimes.append(json.load(open(stats))["uptime_s"])
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        th.join()
        out = result["out"]
        check(out.startswith("reloaded"), "60,000-rule reload: " + out.strip().splitlines()[-1])
        files = sorted(set(uptimes))
        gaps = [b - a for a, b in zip(files, files[1:])]
        print("timing: reload %.2f s; the other client's answers: %d, slowest %.1f ms, "
              "median %.1f ms; the stats file rewritten %d times, largest gap %.2f s"
              % (result["s"], len(lat), max(lat) * 1000,
                 sorted(lat)[len(lat) // 2] * 1000, len(files),
                 max(gaps) if gaps else 0))
        check(len(lat) >= 10, "the second client was answered during the reload (%d times)"
              % len(lat))
        check(len(files) >= 3, "the stats file kept being rewritten (%d versions)" % len(files))

        check(rule_hits(cli, "web") == 3, "the unchanged web rule kept its 3 hits "
              "(now rule %s)" % re.search(r"rule policy\[(\d+)\] accept \S+ [^\n]*# web",
                                          cli.cmd("show rules policy web")).group(1))
        check(rule_hits(cli, "ssh") == 0, "the changed ssh rule starts from 0")

        # Listings.
        t0 = time.monotonic()
        lines = cli.cmd("show rules").count("\n")
        print("timing: show rules with 60,002 policy rules: %d lines in %.2f s"
              % (lines, time.monotonic() - t0))
        check(lines == 60002 + 2, "show rules lists every rule and the defaults (%d)" % lines)
        one = cli.cmd("show rules policy feed 59999")
        check(one.count("\n") == 1 and "src=198.51.234.95" in one and
              re.search(r"at=\S+\.conf:\d+ # feed 59999$", one.strip()) is not None,
              "show rules policy TEXT: " + one.strip())
        path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % sw.prefix
        start, seen, pages = 0, {}, 0
        while True:
            d = tel(path, "/spillway/rules,%d" % start)
            pages += 1
            seen.update({k: v for k, v in d.items() if k not in ("next", "total")})
            if "next" not in d:
                break
            start = d["next"]
        check(len(seen) == d["total"] == 60002 + 2 and seen["policy_60001"] == 3,
              "telemetry lists every rule counter (%d in %d pages)" % (len(seen), pages))

        # spillway --reload: exit codes; failures counted everywhere.
        rc, text = reload_cmd(binary, sw.sock)
        check(rc == 0 and text.startswith("reloaded"), "spillway --reload exits 0 when it takes")
        box.write_conf(conf([WEB]) % stats + "\nbogus = 1;\n")
        rc, text = reload_cmd(binary, sw.sock)
        check(rc == 1 and re.search(r"error: .*bogus: unknown setting", text),
              "spillway --reload exits 1 on a refused file, with the reason")
        st = cli.cmd("show stats")
        check(re.search(r"reload_failures\s+1 ", st) and
              re.search(r"reload_error\s+.*bogus: unknown setting", st),
              "show stats: reload_failures 1 and the error")
        # The stats file says so at its next write (every 200 ms).
        js = wait_for(lambda: stats_file(stats, lambda j: j["reload_failures"] == 1), 10)
        js = js or stats_file(stats, lambda j: True)
        check(js["reload_failures"] == 1 and "bogus" in js["reload_error"] and
              "rules" not in js, "stats file: the same (and no per-rule list by default)")
        d = tel(path, "/spillway/stats")
        check(d["reload_failures"] == 1 and "bogus" in d["reload_error"],
              "telemetry /spillway/stats: the same")
        check(rule_hits(cli, "web") == 3, "the refused file left the rules in force")
        check(re.search(r"control: unix client pid \d+ uid \d+ gid \d+: reload", sw.output()),
              "the reload command is logged with its client")
        check(re.search(r"reload \d+ \(CLI\) refused: .*bogus", sw.output()),
              "the refusal is logged")
    finally:
        cli.close()
        rc, _ = sw.stop()
    check(rc == 0, "spillway exits 0")


def test_refused_for_memory(binary, work):
    """The flow table takes most of 256 MB; the new rules would take
    more than what is left (about 420 bytes a rule here)."""
    text = ports_conf("net_null0", "net_null1") + """flowtable = { max_flows = 1250000; };
rules = { policy = ( %s ); };
"""
    sw = Spillway(binary, work, text % WEB, "mem", mem=256).start()
    cli = sw.cli(timeout=120)
    try:
        free = int(re.search(r"memory_free_bytes\s+(\d+)", cli.cmd("show stats")).group(1)) >> 20
        n = 60000
        check(free * 2 ** 20 < 1.25 * 512 * n, "the flow table left %d MB: too little for %d rules" % (free, n))
        print("%d MB free: reloading to %d rules" % (free, n))
        sw.write_conf(text % ", ".join(many(n) + [WEB]))
        rc, out = reload_cmd(binary, sw.sock)
        print(out.strip())
        m = re.search(r"needs about (\d+) MB .* (\d+) MB free .* raise eal -m", out)
        check(rc == 1 and m is not None and int(m.group(1)) > int(m.group(2)),
              "a reload that cannot get its memory is refused with the numbers and "
              "what to raise")
        check(re.search(r"reload_failures\s+1 ", cli.cmd("show stats")) is not None,
              "reload_failures 1")
        check(cli.cmd("show rules").count("\n") == 1 + 2, "the running rules stay")
    finally:
        cli.close()
        rc, _ = sw.stop()
    check(rc == 0, "spillway exits 0")


FEED = ('{ in = "outside"; proto = "tcp"; src = "@feed"; dport = 80; '
        'action = "accept"; comment = "feed web"; }')


def set_conf(stats, path):
    return conf([FEED], 'sets = { feed = { family = "ipv4"; file = "%s"; }; };\n'
                % path) % stats


def reload_failures(cli):
    return int(re.search(r"^\s*reload_failures\s+(\d+)", cli.cmd("show stats"), re.M).group(1))


def test_refused_sets(binary, work, ports):
    """Regression: "reload failures that parse but cannot build".
    `spillway --reload -c FILE` read FILE itself to find the control
    socket, and a file whose set could not be read made it fall back to
    the default socket: the instance was never asked, never counted the
    failure, and the error said only that /run/spillway/control.sock was
    not there. A set file that is a FIFO hung the reload (and a start)
    in open(). Fixed by "main: --reload and --cli find the socket by the
    config's syntax alone" and "prefixfile: refuse a FIFO without
    waiting on a writer"."""
    stats = os.path.join(work, "sets.json")
    feed = os.path.join(work, "feed.txt")
    with open(feed, "w") as f:
        f.write("# the feed\n192.0.2.0/25\n")
    missing = os.path.join(work, "missing.txt")
    adir = os.path.join(work, "feed-dir")
    os.mkdir(adir)
    fifo = os.path.join(work, "feed-fifo")
    os.mkfifo(fifo, 0)
    bad = os.path.join(work, "bad.txt")
    with open(bad, "w") as f:
        f.write("192.0.2.0/25\n192.0.2.300/24\n")
    box = Box(binary, work, ports, set_conf(stats, feed), "rlset")
    sw, cli = box.sw, box.cli
    sport = [43000]

    def through():
        """A SYN from a feed address is accepted by the feed rule and
        forwarded; one from outside the feed (192.0.2.200) is not."""
        ports.drain(1)
        h = rule_hits(cli, "feed web")
        sport[0] += 2
        for src, sp in (("192.0.2.10", sport[0]), ("192.0.2.200", sport[0] + 1)):
            box.send(0, raw(E / IP(src=src, dst="198.51.100.20") /
                            TCP(sport=sp, dport=80, flags="S")))
        out = [TCP in Ether(f) and Ether(f)[TCP].sport for f in box.sent_out(1)]
        return (rule_hits(cli, "feed web") == h + 1 and sport[0] in out and
                sport[0] + 1 not in out)

    try:
        check(through(), "the feed rule accepts 192.0.2.10 and not 192.0.2.200")
        cases = (("missing", missing, re.escape(missing) + r": No such file or directory"),
                 ("a directory", adir, re.escape(adir) + r": not a regular file"),
                 ("a FIFO", fifo, re.escape(fifo) + r": not a regular file"),
                 ("holding 192.0.2.300/24", bad, re.escape(bad) + r":2: .*192\.0\.2\.300"))
        for what, path, err in cases:
            box.write_conf(set_conf(stats, path))
            before = reload_failures(cli)
            try:
                p = subprocess.run([binary, "--reload", "-c", sw.conf], capture_output=True,
                                   text=True, timeout=20)
                rc, out, text = p.returncode, p.stdout, p.stderr.strip()
            except subprocess.TimeoutExpired:
                rc, out, text = None, "", "no answer in 20 s"
            check(rc == 1 and not out and re.search(r"sets\.feed\.file.*" + err, text),
                  "set file %s: spillway --reload -c exits 1 and says why (%s: %r)"
                  % (what, rc, text))
            after = reload_failures(cli)
            check(after == before + 1, "set file %s: reload_failures %d -> %d"
                  % (what, before, after))
            check(through(), "set file %s: the old set and rule still decide traffic" % what)
        # The file restored, the next reload takes (and counts no failure).
        box.write_conf(set_conf(stats, feed))
        before = reload_failures(cli)
        p = subprocess.run([binary, "--reload", "-c", sw.conf], capture_output=True,
                           text=True, timeout=20)
        check(p.returncode == 0 and re.search(r"^reloaded ", p.stdout, re.M) and
              reload_failures(cli) == before, "the set file restored: reloaded (%s: %r)"
              % (p.returncode, (p.stdout + p.stderr).strip()))
        check(through(), "and the feed rule still decides")
    finally:
        cli.close()
        rc, _ = sw.stop()
    check(rc == 0, "spillway exits 0")


def main():
    binary = sys.argv[1]
    private_netns()
    work = tmpdir("sw-reload-")
    ports = VethPorts()
    test_refused_sets(binary, work, ports)
    test_big_reload(binary, work, ports)
    test_refused_for_memory(binary, work)
    finish("reload")


if __name__ == "__main__":
    main()
