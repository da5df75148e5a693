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

import atexit
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ID = "c%d" % os.getpid()
CLI, FW, SRV = "sw-cli-" + ID, "sw-fw-" + ID, "sw-srv-" + ID
C4, S4 = "192.0.2.1", "192.0.2.2"
PREFIX = "swt-cap-" + ID
PAGES = 128			# 2 MiB pages the mount may hold (256 MiB)
TOKEN = "spillway-capture-%s-known-body" % ID

failed = []


def check(cond, msg):
    print(("ok: " if cond else "FAIL: ") + msg, flush=True)
    if not cond:
        failed.append(msg)


def sh(cmd, **kw):
    return subprocess.run(["bash", "-c", cmd], check=True, text=True,
                          capture_output=True, **kw).stdout


def topo(action):
    subprocess.run(["bash", "-c", ". %s/tools/netns.sh; sw_topo_%s" % (TOP, action)],
                   env=dict(os.environ, SW_ID=ID), check=True, capture_output=True)


def meminfo(key):
    with open("/proc/meminfo") as f:
        return int(re.search(r"^%s:\s+(\d+)" % key, f.read(), re.M).group(1))


def hugepages(work):
    """A hugetlbfs mount of PAGES 2 MiB pages for this run."""
    nr = "/proc/sys/vm/nr_hugepages"
    if meminfo("Hugepagesize") != 2048:
        print("FAIL: the default hugepage size is not 2 MiB")
        sys.exit(1)
    free = meminfo("HugePages_Free")
    if free < PAGES:
        with open(nr) as f:
            before = int(f.read())
        with open(nr, "w") as f:
            f.write(str(before + PAGES - free))
        atexit.register(lambda: open(nr, "w").write(str(before)))
        check(meminfo("HugePages_Free") >= PAGES,
              "%d free hugepages (vm.nr_hugepages raised for the run)" % PAGES)
    mnt = os.path.join(work, "huge")
    os.mkdir(mnt)
    sh("mount -t hugetlbfs -o pagesize=2M,size=%dM nodev %s" % (2 * PAGES, mnt))
    atexit.register(lambda: subprocess.run(["umount", "-l", mnt]))
    return mnt


CONF = """
control = { socket = "%(work)s/ctl.sock"; };
eal = ["-l", "0-1", "--huge-dir", "%(mnt)s", "-m", "128", "--no-telemetry",
       "--file-prefix", "%(prefix)s"];
ports = ( { name = "outside"; dev = "net_af_packet0,iface=sw-out"; },
          { name = "inside";  dev = "net_af_packet1,iface=sw-in"; } );
flowtable = { max_flows = 1024; };
rules = {
  policy = ( { in = "outside"; proto = "tcp"; dport = 80; action = "accept"; comment = "web"; } );
};
"""


def wait_for(path, pattern, timeout=20):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with open(path) as f:
            m = re.search(pattern, f.read(), re.M)
        if m:
            return m
        time.sleep(0.1)
    return None


def main():
    if os.geteuid() != 0:
        print("needs root (namespaces, hugetlbfs)")
        sys.exit(77)
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="sw-cap-")
    atexit.register(lambda: subprocess.run(["rm", "-rf", work]))
    atexit.register(lambda: subprocess.run(["rm", "-rf", "/var/run/dpdk/" + PREFIX]))
    atexit.register(topo, "down")
    signal.signal(signal.SIGTERM, lambda *x: sys.exit(1))
    mnt = hugepages(work)
    topo("up")

    conf = os.path.join(work, "sw.conf")
    with open(conf, "w") as f:
        f.write(CONF % {"work": work, "mnt": mnt, "prefix": PREFIX})
    log = os.path.join(work, "log")
    sw = subprocess.Popen(["ip", "netns", "exec", FW, binary, "-c", conf],
                          stdout=open(log, "w"), stderr=subprocess.STDOUT)
    atexit.register(lambda: sw.poll() is None and sw.kill())
    m = wait_for(log, r"capture: port outside is DPDK port \d+ '([^']+)': "
                      r"dpdk-dumpcap --file-prefix=(\S+) -i (\S+)")
    check(m is not None and m.group(2) == PREFIX and m.group(1) == m.group(3),
          "spillway names each port for dpdk-dumpcap (%s)" % (m and m.group(0)))
    if m is None:
        print(open(log).read())
        sys.exit(1)
    dev = m.group(1)

    # The server: a known page.
    www = os.path.join(work, "www")
    os.mkdir(www)
    with open(os.path.join(www, "known.html"), "w") as f:
        f.write(TOKEN + "\n")
    srv = subprocess.Popen(["ip", "netns", "exec", SRV, "/usr/bin/python3", "-m", "http.server",
                            "80", "--bind", S4, "--directory", www],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    atexit.register(srv.kill)

    listing = subprocess.run(["dpdk-dumpcap", "--file-prefix=" + PREFIX, "-D"],
                             capture_output=True, text=True, timeout=30).stdout
    check(re.search(r"^\d+\. %s$" % re.escape(dev), listing, re.M) is not None,
          "dpdk-dumpcap -D lists spillway's ports (%r)" % listing.strip())

    pcap = os.path.join(work, "outside.pcapng")
    dlog = os.path.join(work, "dumpcap.log")
    # In spillway's namespace, where the port's kernel interface (the
    # af_packet one) has its name; line-buffered, to see it start.
    dc = subprocess.Popen(["ip", "netns", "exec", FW, "stdbuf", "-oL", "-eL", "dpdk-dumpcap",
                           "--file-prefix=" + PREFIX, "-i", dev, "-w", pcap,
                           "-a", "duration:30"],
                          stdout=open(dlog, "w"), stderr=subprocess.STDOUT)
    atexit.register(lambda: dc.poll() is None and dc.kill())
    check(wait_for(dlog, r"Capturing on") is not None, "dpdk-dumpcap attached and capturing")

    got = ""
    end = time.monotonic() + 15
    while time.monotonic() < end and TOKEN not in got:
        got = subprocess.run(["ip", "netns", "exec", CLI, "curl", "-s", "-m", "3",
                              "http://%s/known.html" % S4],
                             capture_output=True, text=True).stdout
    check(TOKEN in got, "the page crossed spillway")
    time.sleep(0.5)
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

    sw.send_signal(signal.SIGTERM)
    check(sw.wait(timeout=30) == 0, "spillway exits 0")
    print("e2e capture: %d failed" % len(failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
