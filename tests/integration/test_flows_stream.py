#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""show flows 0 over a million flows, with the process's memory watched.

Regression: "show flows 0 builds the whole reply in memory": about 200
bytes a flow, 200 MB at a million flows, with the flow table's reader
online for the whole walk (so the workers' deleted slots were not
reclaimed meanwhile); the reply passed the 4 MiB a client may have
waiting, so the client was cut off as well. Fixed by "control: unix
socket by default; TCP needs a password" (the streamed listing) on
"flowtable: resumable walk, offline between chunks".

A pcap fills the table with 1,000,000 TCP flows (SYN_SENT, long
timeout) and 100,000 UDP flows. A client lists them all, while
spillway's RSS is sampled from /proc: twice as fast as it can read (RSS
must stay within 1 MiB of where it was before the second listing; the
first may also fault in pages nothing touched before, within 4 MiB: a
CI run once saw +1.6 MiB there, kept after the listing), then slowly while a second session sets the
UDP timeout to 1 s midway, and the workers must expire the UDP flows
while the listing is still going (RSS within 4 MiB: the RCU defer queue
of the 100,000 deleted slots is touched for the first time)."""

import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import Cli, Spillway, check, finish, ports_conf, tmpdir, wait_for  # noqa: E402
from pylib.packets import E, IP, TCP, UDP, Template, write_pcap  # noqa: E402

NTCP = 1000000
NUDP = 100000
LIST_BOUND = 1 << 20		# the listing itself
FIRST_BOUND = 4 << 20		# and the first touches of code and table pages
EXPIRE_BOUND = 4 << 20		# and 100,000 deletions meanwhile

# The SYN proxy stays off: past half the table it would answer these
# SYNs with cookies instead of filling the table with them.
CONF = ports_conf("net_pcap0,rx_pcap=%(a)s,tx_pcap=/dev/null",
                  "net_pcap1,rx_pcap=%(b)s,tx_pcap=/dev/null") + """
flowtable = { max_flows = %(max)d; adaptive = { start = 0; }; synproxy = "off";
              timeouts = { tcp_syn_sent = 3600; udp = 3600; }; };
rules = { policy = ( { action = "accept"; } ); };
"""


def write_flows(path, n, tcp):
    """n distinct flows, one frame each: TCP SYNs 192.0.2.x:port ->
    198.51.100.1:80 (seq = i), or UDP 198.51.100.x:port -> 192.0.2.1:53,
    with valid checksums (a template's fields changed: fast enough)."""
    if tcp:
        t = Template(E / IP(src="192.0.2.0", dst="198.51.100.1", flags="DF", id=0) /
                     TCP(sport=1024, dport=80, flags="S", window=65535))
        frames = (t.make(src=bytes([192, 0, 2, i % 256]), sport=1024 + i // 256, seq=i)
                  for i in range(n))
    else:
        t = Template(E / IP(src="198.51.100.0", dst="192.0.2.1", flags="DF", id=0) /
                     UDP(sport=1024, dport=53))
        frames = (t.make(src=bytes([198, 51, 100, i % 256]), sport=1024 + i // 256)
                  for i in range(n))
    write_pcap(path, frames)


def rss(pid):
    """VmRSS and its parts (anon, file, shmem), in bytes."""
    with open("/proc/%d/status" % pid) as f:
        t = f.read()
    return tuple(int(re.search(r"%s:\s+(\d+) kB" % k, t).group(1)) * 1024
                 for k in ("VmRSS", "RssAnon", "RssFile", "RssShmem"))


def flowtable(cli):
    t = cli.cmd("show flowtable")
    m = re.search(r"flows=(\d+) .*\binserts=(\d+) .*\bexpired=(\d+)", t)
    return {"flows": int(m.group(1)), "inserts": int(m.group(2)), "expired": int(m.group(3))}


def listing(sw, pid, ctl, pause, expire=False):
    """show flows 0 on a connection of its own, read with a pause after
    each recv, spillway's RSS sampled every 10 ms. With expire, the UDP
    timeout is set to 1 s once 40 MB have come, and the expired count
    read 2.5 s later (the listing still going)."""
    base = rss(pid)
    samples = [base]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            samples.append(rss(pid))
            time.sleep(0.01)
    th = threading.Thread(target=sample)
    th.start()
    s = Cli(sw.sock, timeout=60).sock	# the banner read
    s.sendall(b"show flows 0\n")
    got, tcp, udp, tail, done = 0, 0, 0, b"", False
    set_at, expired = None, None
    t0 = time.monotonic()
    while not done:
        data = s.recv(256 << 10)
        if not data:
            break
        got += len(data)
        parts = (tail + data).split(b"\n")
        tail = parts.pop()
        tcp += sum(1 for p in parts if p.startswith(b"tcp 6 "))
        udp += sum(1 for p in parts if p.startswith(b"udp 17 "))
        done = b"." in parts
        if expire and set_at is None and got > (40 << 20):
            set_at = time.monotonic()
            check(ctl.cmd("set timeout udp 1").startswith("udp = 1"),
                  "midway through the listing: set timeout udp 1")
        if set_at is not None and expired is None and time.monotonic() - set_at > 2.5:
            expired = flowtable(ctl)["expired"]
            check(not done, "(the listing was still going)")
        if pause:
            time.sleep(pause)
    took = time.monotonic() - t0
    stop.set()
    th.join()
    s.close()
    top = max(samples)
    print("listing: %.1f MB in %.1f s; RSS before %.1f MiB, peak %.1f MiB (+%d KiB: "
          "anon %+d, file %+d, shmem %+d KiB), %d samples"
          % (got / 1e6, took, base[0] / 2**20, top[0] / 2**20, (top[0] - base[0]) // 1024,
             (top[1] - base[1]) // 1024, (top[2] - base[2]) // 1024,
             (top[3] - base[3]) // 1024, len(samples)))
    return {"tcp": tcp, "udp": udp, "base": base[0], "peak": top[0], "expired": expired}


def main():
    binary = sys.argv[1]
    work = tmpdir("sw-flows-")
    a, b = os.path.join(work, "tcp.pcap"), os.path.join(work, "udp.pcap")
    t0 = time.monotonic()
    write_flows(a, NTCP, True)
    write_flows(b, NUDP, False)
    print("pcaps of %d + %d flows written in %.1f s" % (NTCP, NUDP, time.monotonic() - t0))
    conf = CONF % {"a": a, "b": b, "max": NTCP + NUDP}
    sw = Spillway(binary, work, conf, "flows", mem=768).start()
    try:
        ctl = sw.cli(timeout=60)
        wait_for(lambda: flowtable(ctl)["inserts"] >= NTCP + NUDP, 120, 0.2)
        ft = flowtable(ctl)
        check(ft["flows"] == NTCP + NUDP, "table filled: %d flows" % ft["flows"])
        pid = sw.proc.pid
        # 1. As fast as it can be read, twice: the first listing may
        # fault in pages nothing touched before (code, parts of the
        # table); the second shows the listing's own cost.
        r = listing(sw, pid, ctl, pause=0)
        check(r["tcp"] == NTCP and r["udp"] == NUDP,
              "show flows 0 listed every flow (%d tcp, %d udp)" % (r["tcp"], r["udp"]))
        check(r["peak"] - r["base"] < FIRST_BOUND,
              "RSS during the first show flows 0 within %d KiB of its start (+%d KiB)"
              % (FIRST_BOUND // 1024, (r["peak"] - r["base"]) // 1024))
        r = listing(sw, pid, ctl, pause=0)
        check(r["tcp"] == NTCP and r["udp"] == NUDP,
              "listed every flow again (%d tcp, %d udp)" % (r["tcp"], r["udp"]))
        check(r["peak"] - r["base"] < LIST_BOUND,
              "RSS during the second stayed within %d KiB of its start (+%d KiB)"
              % (LIST_BOUND // 1024, (r["peak"] - r["base"]) // 1024))
        # 2. A slow reader, and the workers expiring meanwhile.
        r = listing(sw, pid, ctl, pause=0.003, expire=True)
        check(r["tcp"] == NTCP, "every TCP flow listed again (%d)" % r["tcp"])
        check(r["expired"] is not None and r["expired"] >= NUDP,
              "the workers expired the %d UDP flows while the listing went on (%s)"
              % (NUDP, r["expired"]))
        check(r["peak"] - r["base"] < EXPIRE_BOUND,
              "RSS during it within %d KiB (+%d KiB: the deleted slots' RCU "
              "defer queue, not the listing)"
              % (EXPIRE_BOUND // 1024, (r["peak"] - r["base"]) // 1024))
        check(flowtable(ctl)["flows"] == NTCP, "the TCP flows are still there")
    finally:
        rc, _ = sw.stop(timeout=60)
    check(rc == 0, "exit 0")
    finish("flows stream")


if __name__ == "__main__":
    main()
