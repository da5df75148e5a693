#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Integration: sets that live like feeds (issue 25, "Sets do not live
like feeds"), on the real binary, frame by frame through veth pairs in
a private network namespace.

1. A feed grows from 100,000 to 400,000 elements by reload, with no
   restart and no lost flow: a runtime `set add` past the set's max is
   refused whole; a reload that raises the max makes the set again
   beside the running one, holding what it holds (runtime changes
   included); the file grown to 400,000 is read by the next reload.
   The pid, the uptime and an established connection (its flow, its
   data) go through it all; the flow table loses nothing.
2. Element timeouts (ipset/nftables `timeout`): a set's default, one
   per element, 0 for none; they expire with the traffic following;
   `set load` takes `ipset save` output with its timeouts.
3. show sets flags drift (runtime changes, timeouts) and a file
   changed since it was read; `set save` is sorted (diff-able against
   a sorted feed).

  test_sets_live.py SPILLWAY_BINARY"""

import ipaddress
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import Box, VethPorts, check, finish, private_netns, tmpdir, wait_for  # noqa: E402
from pylib.packets import E, ER  # noqa: E402

from scapy.all import IP, TCP, raw  # noqa: E402

OUT, IN = 0, 1

CLIENT = "192.0.2.10"
SERVER = "198.51.100.20"
DYN = ["198.51.100.66", "198.51.100.67", "198.51.100.68"]

CONF = """flowtable = { max_flows = 1024; synproxy = "off";
              per_source = { max_flows = 0; }; };
sets = {
  feed = { family = "ipv4"; file = "feed.txt"; max = %(max)d; };
  dyn = { family = "ipv4"; timeout = 3; };
};
rules = {
  notrack = (
    { src = "@feed"; action = "drop"; comment = "feed"; },
    { src = "@dyn"; action = "drop"; comment = "dyn"; } );
  policy = ( { proto = "tcp"; dport = 80; action = "accept"; comment = "web"; } );
  policy_default = "drop";
};
"""


def feed(n, seed):
    """n random hosts, none in the test's own /24s, as integers (they
    sort in address order, and in C: hundreds of thousands of
    IPv4Address objects took seconds a sort)."""
    rng = random.Random(seed)
    own = {int(ipaddress.IPv4Address(a)) >> 8 for a in [CLIENT, SERVER]}
    out = set()
    while len(out) < n:
        a = rng.getrandbits(32)
        if a >> 8 not in own and not 224 <= a >> 24 <= 239 and a >> 24 not in (0, 127):
            out.add(a)
    return out


def ip(a):
    """An integer address in dotted quad."""
    return "%d.%d.%d.%d" % (a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255)


def write_feed(path, hosts):
    with open(path, "w") as f:
        f.write("# the feed\n" + "".join("%s\n" % ip(a) for a in hosts))


def tcp(src, dst, sport, dport, flags, seq, ack=0, side=OUT, load=b""):
    return raw((E if side == OUT else ER) / IP(src=src, dst=dst) /
               TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack) / load)


def ctl(box, *args):
    return box.sw.ctl(*args)


def show_sets(box):
    return {m.group(1): m.group(0) for m in
            re.finditer(r"^set (\w+) .*$", ctl(box, "show", "sets").stdout, re.M)}


def established(box):
    """A connection through spillway, handshake done, its flow ESTABLISHED."""
    check(box.passes(OUT, tcp(CLIENT, SERVER, 40000, 80, "S", 1000)), "SYN out")
    check(box.passes(IN, tcp(SERVER, CLIENT, 80, 40000, "SA", 5000, 1001, IN)), "SYN/ACK back")
    check(box.passes(OUT, tcp(CLIENT, SERVER, 40000, 80, "A", 1001, 5001)), "ACK out")
    flows = ctl(box, "show", "flows").stdout
    check("ESTABLISHED src=%s dst=%s sport=40000 dport=80" % (CLIENT, SERVER) in flows,
          "the connection is ESTABLISHED")


def data_passes(box, n):
    """The connection's n-th data segment passes, as a tracked packet."""
    seq = 1001 + 10 * (n - 1)
    before = int(re.search(r"^\s+tracked\s+(\d+)", ctl(box, "show", "stats").stdout,
                           re.M).group(1))
    ok = box.passes(OUT, tcp(CLIENT, SERVER, 40000, 80, "PA", seq, 5001, load=b"x" * 10))
    after = int(re.search(r"^\s+tracked\s+(\d+)", ctl(box, "show", "stats").stdout,
                          re.M).group(1))
    return ok and after == before + 1


def test_grow(box, work, old, new):
    """old and new: sorted lists of addresses (integers)."""
    pid = box.sw.proc.pid
    established(box)
    flows0 = ctl(box, "show", "flows", "0").stdout
    up0 = float(re.search(r"uptime_s\s+([\d.]+)", ctl(box, "show", "stats").stdout).group(1))
    sets = show_sets(box)
    check(" ipv4=100000 " in sets["feed"] and " max=200000 " in sets["feed"] and
          "drift=no" in sets["feed"], "the feed: 100,000 from its file, max 200,000: "
          + sets["feed"])

    # Runtime: past the max is refused whole, and says how to grow.
    more = os.path.join(work, "more.txt")
    write_feed(more, new[:150000])
    r = ctl(box, "set", "add", "feed", "-f", more)
    check(r.returncode == 1 and "full" in r.stderr and "nothing changed" in r.stderr and
          "a reload with a larger one makes the set again" in r.stderr,
          "set add of 150,000 more: refused whole, the error says to raise max and reload")
    check(ctl(box, "set", "add", "feed", "203.0.113.77").returncode == 0,
          "a runtime change that fits")
    check("drift=yes" in show_sets(box)["feed"], "show sets: drift=yes after it")

    # The max raised, the file as it was: made again beside, holding it all.
    box.write_conf(CONF % {"max": 500000})
    r = ctl(box, "reload")
    check(r.returncode == 0 and re.search(
        r"set feed: made again beside the running one \(max 500000, timeouts off\), "
        r"holding its 100001 prefixes, runtime changes included", r.stdout),
          "reload with max 500,000: made again beside, holding what it held: "
          + r.stdout.splitlines()[0])
    check("is in feed" in ctl(box, "set", "test", "feed", "203.0.113.77").stdout,
          "  the runtime change is in the new set")
    check(not box.passes(OUT, tcp("203.0.113.77", SERVER, 41000, 80, "S", 1)),
          "  and drops at once")

    # The file grown to 400,000: the next reload reads it.
    both = sorted(old + new)
    write_feed(os.path.join(work, "feed.txt"), both)
    check("file_changed=yes" in show_sets(box)["feed"],
          "show sets: file_changed=yes before the reload reads it")
    t0 = time.monotonic()
    r = ctl(box, "reload")
    t = time.monotonic() - t0
    print("timing: a reload of a 400,000-element feed took %.2f s" % t)
    check(r.returncode == 0 and "set feed: made again from the config (400000 prefixes; "
          "its runtime changes are gone)" in r.stdout,
          "the grown file: the set made again, 400,000 from the file")
    sets = show_sets(box)
    check(" ipv4=400000 " in sets["feed"] and "drift=no" in sets["feed"] and
          "file_changed=no" in sets["feed"], "show sets: 400,000, no drift: " + sets["feed"])
    probe = ip(new[123456])
    check("is in feed" in ctl(box, "set", "test", "feed", probe).stdout and
          not box.passes(OUT, tcp(probe, SERVER, 41001, 80, "S", 1)),
          "an element of the 300,000 new ones is in and drops")
    check(not box.passes(OUT, tcp(ip(old[7]), SERVER, 41002, 80, "S", 1)),
          "an element of the first 100,000 still drops")

    # No restart, no lost flow.
    up1 = float(re.search(r"uptime_s\s+([\d.]+)", ctl(box, "show", "stats").stdout).group(1))
    check(box.sw.proc.pid == pid and box.sw.proc.poll() is None and up1 > up0,
          "no restart: the same process, its uptime went on (%.1f -> %.1f s)" % (up0, up1))
    flows1 = ctl(box, "show", "flows", "0").stdout
    check("ESTABLISHED src=%s dst=%s sport=40000 dport=80" % (CLIENT, SERVER) in flows1 and
          len(flows1.splitlines()) >= len(flows0.splitlines()),
          "no lost flow: the connection's flow is still ESTABLISHED")
    check(data_passes(box, 1), "  and its data passes, as a tracked packet")
    ft = ctl(box, "show", "flowtable").stdout
    check(" flushed=0 " in ft and " revalidated=0 " in ft,
          "  nothing flushed or revalidated by the reloads")

    # set save: sorted, as the feed sorted by address.
    saved = os.path.join(work, "saved.txt")
    r = ctl(box, "set", "save", "feed", saved)
    with open(saved) as f:
        lines = [x.strip() for x in f if x.strip() and not x.startswith("#")]
    want = [ip(a) for a in both]
    check(r.returncode == 0 and lines == want,
          "set save: 400,000 lines in address order, the feed's own (a diff is empty)")


def test_timeouts(box, work):
    r = ctl(box, "set", "add", "dyn", DYN[0], DYN[1], "timeout", "0", DYN[2], "timeout", "600")
    check(r.returncode == 0 and "3 added" in r.stdout, "set add dyn: three, with timeouts")
    lst = ctl(box, "set", "list", "dyn").stdout
    m = re.search(r"^%s timeout (\d+)$" % re.escape(DYN[0]), lst, re.M)
    check(m is not None and 1 <= int(m.group(1)) <= 3 and
          re.search(r"^%s$" % re.escape(DYN[1]), lst, re.M) and
          re.search(r"^%s timeout \d+$" % re.escape(DYN[2]), lst, re.M),
          "set list: the default timeout (3 s), none (0), 600 s:\n" + lst)
    check(not box.passes(OUT, tcp(DYN[0], SERVER, 42000, 80, "S", 1)), "listed: dropped")
    check(wait_for(lambda: "is not in dyn" in ctl(box, "set", "test", "dyn", DYN[0]).stdout,
                   20, 0.2), "the element with the default timeout expires")
    check(box.passes(OUT, tcp(DYN[0], SERVER, 42001, 80, "S", 1)),
          "  and its traffic passes again")
    check("is in dyn" in ctl(box, "set", "test", "dyn", DYN[1]).stdout and
          "is in dyn" in ctl(box, "set", "test", "dyn", DYN[2]).stdout,
          "the permanent one and the 600 s one stay")
    check(" timed=1 " in show_sets(box)["dyn"], "show sets: one element still timed")
    check("drift=yes" in show_sets(box)["dyn"], "and the set drifted from its (empty) config")

    # ipset save output, as it comes, into set load.
    ips = os.path.join(work, "dyn.ipset")
    with open(ips, "w") as f:
        f.write("create dyn hash:ip family inet hashsize 1024 maxelem 65536 timeout 3\n"
                "add dyn 198.51.100.81 timeout 2\n"
                "add dyn 198.51.100.82 timeout 0 packets 5 bytes 300\n"
                "add dyn 198.51.100.83\n")
    r = ctl(box, "set", "load", "dyn", ips)
    check(r.returncode == 0 and "now 3 prefixes" in r.stdout,
          "set load of ipset save output: " + r.stdout.strip())
    check(wait_for(lambda: ctl(box, "set", "list", "dyn").stdout.splitlines() ==
                   ["198.51.100.82"], 20, 0.2),
          "  its timeouts expire (2 s, and the set's 3 s default); timeout 0 stays")


def main():
    binary = sys.argv[1]
    private_netns()
    work = tmpdir("sw-sets-live-")
    old = feed(100000, 25)
    new = sorted(feed(300000 + 100000, 26) - old)[:300000]
    old = sorted(old)
    write_feed(os.path.join(work, "feed.txt"), old)
    box = Box(binary, work, VethPorts(), CONF % {"max": 200000}, "live", mem=1024)
    try:
        test_grow(box, work, old, new)
        test_timeouts(box, work)
    finally:
        rc, _ = box.stop()
    check(rc == 0, "spillway exits 0")
    finish("sets-live")


if __name__ == "__main__":
    main()
