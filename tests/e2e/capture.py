#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""End to end: capture on spillway's ports with DPDK's dpdk-dumpcap.

dpdk-dumpcap is a DPDK secondary process: it maps the primary's memory
through its hugepage files, which a --no-huge spillway does not have.
So this test gives spillway hugepages of its own: a hugetlbfs mount made
for the run, limited to 256 MiB (--huge-dir, -m 128), taken from the
machine's free 2 MiB pages (raising vm.nr_hugepages for the run if too
few are free, and putting it back). Then, between client and server
namespaces, it captures a known HTTP exchange on the "outside" port,
named as spillway's start-up log says, and reads it back with tshark:
the request, the response code and its known body, and the interface
(dumpcap names an af_packet port by its kernel interface, so it runs in
spillway's namespace).

  capture.py SPILLWAY_BINARY"""

import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (PY, Topology, bg, check, finish, need_root, on_exit, settle,  # noqa: E402
                   sh, tmpdir, wait_for)

C4, S4 = Topology.C4, Topology.S4
PAGES = 128			# 2 MiB pages the mount may hold (256 MiB)
TOKEN = "spillway-capture-%d-known-body" % os.getpid()


def meminfo(key):
    with open("/proc/meminfo") as f:
        return int(re.search(r"^%s:\s+(\d+)" % key, f.read(), re.M).group(1))


def hugepages(work):
    """A hugetlbfs mount of PAGES 2 MiB pages for this run."""
    nr = "/proc/sys/vm/nr_hugepages"
    if not check(meminfo("Hugepagesize") == 2048, "the default hugepage size is 2 MiB"):
        finish("e2e capture")
    free = meminfo("HugePages_Free")
    if free < PAGES:
        with open(nr) as f:
            before = int(f.read())
        with open(nr, "w") as f:
            f.write(str(before + PAGES - free))
        on_exit(lambda: open(nr, "w").write(str(before)))
        check(meminfo("HugePages_Free") >= PAGES,
              "%d free hugepages (vm.nr_hugepages raised for the run)" % PAGES)
    mnt = os.path.join(work, "huge")
    os.mkdir(mnt)
    sh("mount -t hugetlbfs -o pagesize=2M,size=%dM nodev %s" % (2 * PAGES, mnt))
    on_exit(subprocess.run, ["umount", "-l", mnt])
    return mnt


CONF = """
flowtable = { max_flows = 1024; };
rules = {
  policy = ( { in = "outside"; proto = "tcp"; dport = 80; action = "accept"; comment = "web"; } );
};
"""


def log_match(path, pattern, timeout=20):
    """Wait until the file at path has a line matching pattern; the match."""
    def seen():
        with open(path) as f:
            return re.search(pattern, f.read(), re.M)
    return wait_for(seen, timeout, 0.1)


def main():
    need_root("namespaces, hugetlbfs")
    binary = sys.argv[1]
    work = tmpdir("sw-cap-")
    mnt = hugepages(work)
    T = Topology("c")

    sw = T.spillway(binary, CONF, "cap", mem=128, huge_dir=mnt, workdir=work).start()
    prefix = sw.prefix
    try:
        line = sw.wait_line(r"capture: port outside is DPDK port", 20)
    except RuntimeError:
        line = ""
    m = re.search(r"capture: port outside is DPDK port \d+ '([^']+)': "
                  r"dpdk-dumpcap --file-prefix=(\S+) -i (\S+)", line)
    check(m is not None and m.group(2) == prefix and m.group(1) == m.group(3),
          "spillway names each port for dpdk-dumpcap (%s)" % (m and m.group(0)))
    if m is None:
        print(sw.output())
        finish("e2e capture")
    dev = m.group(1)

    # The server: a known page.
    www = os.path.join(work, "www")
    os.mkdir(www)
    with open(os.path.join(www, "known.html"), "w") as f:
        f.write(TOKEN + "\n")
    bg(["ip", "netns", "exec", T.srv, PY, "-m", "http.server", "80", "--bind", S4,
        "--directory", www], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    listing = subprocess.run(["dpdk-dumpcap", "--file-prefix=" + prefix, "-D"],
                             capture_output=True, text=True, timeout=30).stdout
    check(re.search(r"^\d+\. %s$" % re.escape(dev), listing, re.M) is not None,
          "dpdk-dumpcap -D lists spillway's ports (%r)" % listing.strip())

    pcap = os.path.join(work, "outside.pcapng")
    dlog = os.path.join(work, "dumpcap.log")
    # In spillway's namespace, where the port's kernel interface (the
    # af_packet one) has its name; line-buffered, to see it start.
    dc = bg(["ip", "netns", "exec", T.fw, "stdbuf", "-oL", "-eL", "dpdk-dumpcap",
             "--file-prefix=" + prefix, "-i", dev, "-w", pcap, "-a", "duration:30"],
            stdout=open(dlog, "w"), stderr=subprocess.STDOUT)
    check(log_match(dlog, r"Capturing on") is not None, "dpdk-dumpcap attached and capturing")

    got = wait_for(lambda: TOKEN in T.curl(T.cli, "http://%s/known.html" % S4, 3)[1], 15, 0)
    check(got, "the page crossed spillway")
    # dpdk-dumpcap writes what it dequeues as it goes: once the file has
    # stopped growing it has the exchange.
    settle(lambda: os.path.getsize(pcap) if os.path.exists(pcap) else -1, 0.3, 10)
    dc.send_signal(signal.SIGINT)
    check(dc.wait(timeout=20) == 0, "dpdk-dumpcap stops cleanly on SIGINT")
    print(open(dlog).read().strip())

    def tshark(*args):
        return subprocess.run(["tshark", "-r", pcap] + list(args), capture_output=True,
                              text=True, timeout=60).stdout
    req = tshark("-Y", "http.request", "-T", "fields", "-e", "ip.src", "-e", "ip.dst",
                 "-e", "http.request.method", "-e", "http.request.uri")
    check("%s\t%s\tGET\t/known.html" % (C4, S4) in req,
          "tshark reads the request: GET /known.html from the client (%r)" % req)
    resp = tshark("-Y", "http.response", "-T", "fields", "-e", "ip.src",
                  "-e", "http.response.code")
    check("%s\t200" % S4 in resp, "and the server's 200 (%r)" % resp)
    body = tshark("-Y", 'http.file_data contains "%s"' % TOKEN, "-T", "fields",
                  "-e", "frame.number")
    check(body.strip() != "", "and the known body")
    syn = tshark("-Y", "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == 80",
                 "-T", "fields", "-e", "frame.interface_name")
    check(syn.strip() == "sw-out",
          "the handshake's SYN, on the interface behind %s: sw-out (%r)" % (dev, syn))

    rc, _ = sw.stop()
    check(rc == 0, "spillway exits 0")
    finish("e2e capture")


if __name__ == "__main__":
    main()
