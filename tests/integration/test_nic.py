#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""The NIC path on net_tap, which offers what a NIC does (issue 24).

In a network namespace of its own, spillway runs on two net_tap ports;
the test writes frames into one tap interface and reads what spillway
sends out of the other (AF_PACKET sockets on the kernel's side).

  1. Checksum offloads: `show ports` reports the rx checksum offloads
     in force (the port asked for what the device offers), a TCP
     segment with a good checksum passes with its checksum checked by
     the port (cksum_by_nic), and a corrupted one is still bad_checksum
     and never forwarded.
  2. The port settings in force: MTU 9000 on a driver that caps it
     (net_tap reports 1522-byte frames) is set on its kernel interface;
     show ports gives mtu, dev_mtu, queues and descriptors.
  3. Link propagation (pairs[].link_propagate): one tap interface set
     down takes the other down, and back up after; either way round;
     and the held side never holds the other (no lock-up).
  4. A device that cannot: link_propagate on net_null is refused at
     start, with the port named."""

import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (Spillway, check, finish, private_netns, sh, stat, tmpdir,  # noqa: E402
                   wait_for)
from pylib.packets import E  # noqa: E402

from scapy.all import IP, TCP, raw  # noqa: E402

C, S = "192.0.2.10", "198.51.100.20"
TAPS = ("swtap0", "swtap1")
CONF = """
ports = ( { name = "outside"; dev = "net_tap0,iface=swtap0"; mtu = 9000; },
          { name = "inside";  dev = "net_tap1,iface=swtap1"; mtu = 9000; } );
pairs = ( { ports = ("outside", "inside"); link_propagate = true; } );
flowtable = { max_flows = 1024; };
rules = { policy = ( { in = "outside"; proto = "tcp"; dport = 80; action = "accept"; } ); };
"""


def sock(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((iface, 0))
    s.settimeout(0.05)
    return s


def received(s, pred, timeout=3.0):
    """Frames arriving on s (not sent by us) matching pred, within timeout."""
    got, end = [], time.monotonic() + timeout
    while time.monotonic() < end and not got:
        try:
            f, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        if addr[2] != socket.PACKET_OUTGOING and pred(f):
            got.append(f)
    return got


def link_up(iface):
    return "UP" in re.search(r"<([^>]*)>", sh("ip -o link show dev %s" % iface)).group(1).split(",")


def test_offloads(sw, cli):
    ports = cli.cmd("show ports")
    line = [l for l in ports.splitlines() if "port outside" in l]
    m = re.search(r"rx_offloads=(\S+)", line[0]) if line else None
    offs = m.group(1).split(",") if m else []
    check(all(o in offs for o in ("IPV4_CKSUM", "UDP_CKSUM", "TCP_CKSUM")),
          "show ports: rx checksum offloads in force on net_tap (%s)" % (m and m.group(1)))
    out, inn = sock(TAPS[0]), sock(TAPS[1])
    before = sw.counters()
    good = raw(E / IP(src=C, dst=S) / TCP(sport=41000, dport=80, flags="S", seq=1))
    out.send(good)
    fwd = received(inn, lambda f: f[-20:] == good[-20:])
    after = sw.counters()
    check(fwd, "a good SYN crosses the tap pair")
    check(stat(after, "cksum_by_nic") > stat(before, "cksum_by_nic"),
          "its TCP checksum was checked by the port, not summed in software "
          "(cksum_by_nic %d -> %d)" % (stat(before, "cksum_by_nic"), stat(after, "cksum_by_nic")))
    bad = bytearray(raw(E / IP(src=C, dst=S) / TCP(sport=41001, dport=80, flags="S", seq=1)))
    bad[14 + 20 + 16] ^= 0x5a		# the TCP checksum
    out.send(bytes(bad))
    wait_for(lambda: stat(sw.counters(), "rx") > stat(after, "rx"), 5)
    time.sleep(0.2)			# let a wrong forward show, if any
    fwd = received(inn, lambda f: f[-20:] == bytes(bad[-20:]), 0.5)
    final = sw.counters()
    check(stat(final, "bad_checksum") == stat(after, "bad_checksum") + 1 and not fwd,
          "a corrupted segment is still bad_checksum, not forwarded (%d -> %d)"
          % (stat(after, "bad_checksum"), stat(final, "bad_checksum")))
    out.close()
    inn.close()


def test_settings(cli):
    ports = cli.cmd("show ports")
    line = [l for l in ports.splitlines() if "port outside" in l][0]
    check(re.search(r" mtu=9000 ", line) and re.search(r" dev_mtu=1500 ", line) and
          re.search(r" queues=1 rx_desc=1024 tx_desc=1024 ", line) and
          re.search(r" link=up speed=\d+ ", line),
          "show ports: link, speed, mtu 9000 (the driver's 1500), queues, descriptors")
    mtu = int(re.search(r" mtu (\d+) ", sh("ip -o link show dev swtap0")).group(1))
    check(mtu == 9000, "MTU 9000 set on the tap's kernel interface (%d)" % mtu)


def test_link_propagation(sw):
    for down, other in ((TAPS[0], TAPS[1]), (TAPS[1], TAPS[0])):
        check(wait_for(lambda: link_up(down) and link_up(other), 5),
              "both taps up before %s goes down" % down)
        t = time.monotonic()
        sh("ip link set %s down" % down)
        gone = wait_for(lambda: not link_up(other), 5, 0.01)
        dt = time.monotonic() - t
        check(gone, "%s down: spillway takes %s down (%.2f s)" % (down, other, dt))
        time.sleep(0.3)		# spillway reads links every 0.1 s
        check(not link_up(other) and not link_up(down),
              "%s stays held down, and does not hold %s in turn" % (other, down))
        t = time.monotonic()
        sh("ip link set %s up" % down)
        back = wait_for(lambda: link_up(other), 5, 0.01)
        dt = time.monotonic() - t
        check(back, "%s up again: %s brought back up (%.2f s)" % (down, other, dt))
    time.sleep(0.3)
    check(link_up(TAPS[0]) and link_up(TAPS[1]), "both stay up")
    out = sw.output()
    check("port outside: link down: port inside taken down with it" in out and
          "port inside: link up: port outside brought back up" in out,
          "the log says which port took which down and up")


def test_refused(binary, work):
    text = ("eal = @EAL@;\nports = ( { name = \"a\"; dev = \"net_null0,no-rx=1\"; },\n"
            "  { name = \"b\"; dev = \"net_null1,no-rx=1\"; } );\n"
            "pairs = ( { ports = (\"a\", \"b\"); link_propagate = true; } );\n"
            "flowtable = { max_flows = 1024; };\n")
    sw = Spillway(binary, work, text, "nolink", stats_interval=None).start()
    try:
        sw.proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pass
    rc, _ = sw.stop()
    check(rc == 1 and "port a (net_null): pairs[].link_propagate: the device cannot set "
          "its link up or down" in sw.output(),
          "link_propagate on a device that cannot: refused at start (exit %s)" % rc)


def main():
    binary = sys.argv[1]
    private_netns()
    sh("sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1")
    sh("ip link set lo up")
    work = tmpdir("sw-nic-")
    sw = Spillway(binary, work, CONF, "nic").start()
    try:
        check(sw.wait_running(), "spillway runs on two net_tap ports")
        cli = sw.cli()
        test_offloads(sw, cli)
        test_settings(cli)
        test_link_propagation(sw)
        cli.close()
    finally:
        rc, _ = sw.stop()
    check(rc == 0, "exits 0")
    test_refused(binary, work)
    finish("nic")


if __name__ == "__main__":
    main()
