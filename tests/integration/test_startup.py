#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""What the README says of starting and stopping spillway, on the real
binary: --check (0, or 1 with FILE:LINE: setting: what), --duration,
SIGINT (exit 0, totals, pcap output complete), the EAL arguments it
adds for the ports (-a for a PCI port, --vdev, --no-pci only when no
port is PCI), the worker lcore checks, flowtable.high_water sizing the
hash, and a symmetric RSS set-up on a device that hashes (net_tap, in a
network namespace of its own)."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (NULL_PORTS, TOP, Spillway, check, finish, need_root,  # noqa: E402
                   on_exit, pcap_conf, ports_conf, tmpdir)
from pylib.packets import E, read_pcap  # noqa: E402

from scapy.all import IP, UDP, raw  # noqa: E402

# A PCI address no machine here has.
NO_SUCH_PCI = "0000:fe:1f.7"


def write(work, name, text):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def test_check(binary, work):
    p = subprocess.run([binary, "--check", "-c", os.path.join(TOP, "config/spillway.conf")],
                       capture_output=True, text=True, timeout=30)
    check(p.returncode == 0 and "configuration is valid" in p.stdout and
          "EAL" not in p.stdout + p.stderr,
          "--check on the shipped config: exit 0, valid, no EAL started")
    for text, line, what in (
            ('eal = ["-l", "0-1"];\n\nworkers = { lcores = [1];\n  burst = 65; };\n', 4,
             "workers.burst: 65 is out of range 1..64"),
            # The known keys follow; the list grows with the features.
            ('# a comment\nbogus_key = 1;\n', 2,
             "bogus_key: unknown setting (known here: eal, ports, pairs, workers, "),
            ('rules = {\n  policy = ( { proto = "tcp"; dport = "90-80"; action = "accept"; } );\n};\n',
             2, "rules.policy[0].dport: '90-80': range 90-80 is upside down")):
        path = write(work, "bad.conf", text)
        p = subprocess.run([binary, "--check", "-c", path], capture_output=True, text=True,
                           timeout=30)
        want = "spillway: %s:%d: %s" % (path, line, what)
        got = p.stderr.strip()
        check(p.returncode == 1 and p.stdout == "" and
              (got == want or (want.endswith(", ") and got.startswith(want))),
              "--check on a bad file: exit %d, '%s'" % (p.returncode, p.stderr.strip()))


def run_to_exit(binary, work, text, tag, *args, timeout=60):
    """Start spillway on `text`; wait for it to exit by itself."""
    sw = Spillway(binary, work, text, tag).start(*args)
    t0 = time.monotonic()
    try:
        sw.proc.wait(timeout=timeout)
    finally:
        rc, totals = sw.stop()
    return rc, totals, sw.output(), time.monotonic() - t0


def test_duration(binary, work):
    rc, totals, out, secs = run_to_exit(binary, work, "eal = @EAL@;\n" + NULL_PORTS +
                                        "flowtable = { max_flows = 1024; };\n",
                                        "dur", "--duration", "1.5")
    check(rc == 0 and "spillway: totals" in out and 1.5 <= secs < 20 and
          totals.get("uptime_s", 0) >= 1,
          "--duration 1.5: stopped by itself after %.1f s, exit %d, totals printed"
          % (secs, rc))


def test_sigint(binary, work):
    frames = [raw(E / IP(src="192.0.2.10", dst="198.51.100.20") / UDP(sport=1000 + i, dport=53))
              for i in range(50)]
    text, path = pcap_conf(work, "int", frames, [], """flowtable = { max_flows = 1024; };
rules = { policy = ( { proto = "udp"; dport = 53; action = "accept"; } ); };
""")
    sw = Spillway(binary, work, text, "int").start()
    try:
        sw.wait_stats(lambda s: s.get("rx", 0) >= len(frames))
    finally:
        rc, totals = sw.stop(sig=signal.SIGINT)
    out = read_pcap(path("out1"))
    check(rc == 0 and "spillway: totals" in sw.output() and totals.get("tx") == len(frames),
          "SIGINT: exit %d, totals printed" % rc)
    check(out == frames, "SIGINT: the pcap output is complete (%d of %d frames)"
          % (len(out), len(frames)))


def eal_line(out):
    m = re.search(r"^SPILLWAY: eal: (.*)$", out, re.M)
    return m.group(1).split() if m else []


def test_eal_ports(binary, work):
    rc, _, out, _ = run_to_exit(binary, work, "eal = @EAL@;\n" + NULL_PORTS +
                                "flowtable = { max_flows = 1024; };\n",
                                "vdev", "--duration", "0.5")
    eal = eal_line(out)
    check(rc == 0 and eal.count("--vdev") == 2 and "net_null0,no-rx=1" in eal and
          "--no-pci" in eal and "-a" not in eal,
          "virtual ports only: --vdev for each, and --no-pci (%s)" % " ".join(eal))
    text = """eal = @EAL@;
ports = ( { name = "nic"; dev = "%s,rxq_cqe_comp_en=0"; },
          { name = "tap"; dev = "net_null0,no-rx=1"; } );
flowtable = { max_flows = 1024; };
""" % NO_SUCH_PCI
    rc, _, out, _ = run_to_exit(binary, work, text, "pci")
    eal = eal_line(out)
    check("-a" in eal and eal[eal.index("-a") + 1] == NO_SUCH_PCI + ",rxq_cqe_comp_en=0" and
          "--no-pci" not in eal and eal.count("-a") == 1,
          "a PCI port: -a ADDR with its devargs, no --no-pci (%s)" % " ".join(eal))
    check(rc == 1 and "port nic: no DPDK device '%s'" % NO_SUCH_PCI in out,
          "a PCI port that is not there: exit 1, named")


def test_lcores(binary, work):
    for lcores, want in (("[3]", "workers.lcores: lcore 3 is not in the EAL core list"),
                         ("[0]", "workers.lcores: lcore 0 is the main lcore")):
        text = "eal = @EAL@;\n" + NULL_PORTS + \
            "workers = { lcores = %s; };\nflowtable = { max_flows = 1024; };\n" % lcores
        rc, _, out, _ = run_to_exit(binary, work, text, "lc")
        check(rc == 1 and want in out and "running:" not in out,
              "workers.lcores = %s with -l 0-1: refused at start (%s)" % (lcores, want))


def flowtable_bytes(binary, work, high_water):
    text = "eal = @EAL@;\n" + NULL_PORTS + \
        "flowtable = { max_flows = 65536; high_water = %d; };\n" % high_water
    rc, _, out, _ = run_to_exit(binary, work, text, "hw", "--duration", "0.3")
    m = re.search(r"flowtable: 65536 flows in 1 shards of 65536, (\d+) bytes allocated", out)
    check(rc == 0 and m is not None, "high_water %d: started" % high_water)
    return int(m.group(1))


def test_high_water(binary, work):
    """high_water = 50 gives the hash twice the slots of 100 (65,536 and
    131,072: powers of two, no rounding): about twice the memory."""
    full, half = flowtable_bytes(binary, work, 100), flowtable_bytes(binary, work, 50)
    check(1.8 < half / full < 2.2, "high_water 50 takes %.2f times the memory of 100 "
          "(%d / %d bytes)" % (half / full, half, full))


def telemetry(prefix, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect("/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix)
    json.loads(s.recv(16384).decode())
    s.send(cmd.encode())
    d = json.loads(s.recv(65536).decode())
    s.close()
    return d[cmd.split(",")[0]]


def test_rss(binary, work):
    """Two workers on net_tap ports, which hash: each port gets two queues
    and RSS, with the symmetric key (its symmetry: unit suite "port")."""
    ns = "sw-rss-%d" % os.getpid()
    subprocess.run(["ip", "netns", "add", ns], check=True)
    on_exit(subprocess.run, ["ip", "netns", "del", ns])
    text = ports_conf("net_tap0,iface=swtap0", "net_tap1,iface=swtap1") + """
workers = { lcores = [1, 2]; };
flowtable = { max_flows = 1024; };
control = { socket = "@SOCK@"; listen = ""; };
"""
    sw = Spillway(binary, work, text, "rss", telemetry=True, lcores="0@0,1@1,2@1",
                  netns=ns, stats_interval=None).start()
    try:
        check(sw.wait_running(), "two workers on net_tap ports started")
        out = sw.output()
        for port in ("outside", "inside"):
            check("port %s: symmetric RSS over 2 queues" % port in out,
                  "port %s: symmetric RSS over 2 queues" % port)
        for pid in (0, 1):
            info = telemetry(sw.prefix, "/ethdev/info,%d" % pid)
            check(info["nb_rx_queues"] == 2 and info["ethdev_rss_hf"] != 0,
                  "port %d: 2 rx queues, RSS hash functions 0x%x" % (pid, info["ethdev_rss_hf"]))
    finally:
        rc, _ = sw.stop()
    check(rc == 0, "exits 0")


def main():
    binary = sys.argv[1]
    need_root("a network namespace for net_tap")
    work = tmpdir("sw-start-")
    test_check(binary, work)
    test_duration(binary, work)
    test_sigint(binary, work)
    test_eal_ports(binary, work)
    test_lcores(binary, work)
    test_high_water(binary, work)
    test_rss(binary, work)
    finish("startup")


if __name__ == "__main__":
    main()
