#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Integration: prefix sets, negation and return on the real binary, frame
by frame through veth pairs in a private network namespace.

The edge of issue 17: a 100,000-prefix feed (a file) tested as source and
destination in notrack drop rules; the admin /24 lies inside the feed's
192.0.0.0/12 and is let out of it by a return rule, so admin SSH reaches
the policy and is tracked. A negated set (traffic entering inside from
an address not in `internal`) is dropped as spoofed. Then the feed is
changed in place from the CLI (set add/del, -f files of 25,000 each,
test, list, save, load): membership follows at once, and no rule is
rebuilt (rule_builds and reloads stay as they were)."""

import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (Box, VethPorts, check, finish, private_netns, rule_hits,  # noqa: E402
                   stat, tmpdir)
from pylib.packets import E, ER  # noqa: E402

from scapy.all import IP, TCP, raw  # noqa: E402

OUT, IN = 0, 1

ADMIN = "192.0.2.9"		# the admin /25, inside the feed's 192.0.0.0/12
NOT_ADMIN = "192.0.2.200"	# the /12, outside the admin /25
LISTED = "198.51.100.200"	# in the feed's 198.51.100.128/25
CLEAN = "198.51.100.5"		# in nothing
SERVER = "198.51.100.20"	# an inside host (internal)
SPOOF = "198.51.100.100"	# neither internal nor listed
GONE = "198.51.100.98"		# in the feed, then deleted by the 25,000
ADDED = "198.51.100.99"	# added by the 25,000

CONF = """flowtable = { max_flows = 1024; synproxy = "off";
              per_source = { max_flows = 0; }; };
sets = {
  feed = { family = "ipv4"; file = "%s"; max = 200000; max_nets = 65536; };
  admin = { family = "any"; elements = [ "192.0.2.0/25", "2001:db8::/64" ]; };
  internal = { family = "ipv4"; elements = [ "198.51.100.0/26" ]; };
};
rules = {
  notrack = (
    { src = "@admin"; action = "return"; comment = "admin: stays stateful"; },
    { src = "@feed"; action = "drop"; comment = "feed, as source"; },
    { dst = "@feed"; action = "drop"; comment = "feed, as destination"; },
    { in = "inside"; src = "!@internal"; action = "drop";
      comment = "spoofed from inside"; } );
  policy = (
    { src = "@admin"; proto = "tcp"; dport = 22; action = "accept";
      comment = "admin ssh"; },
    { proto = "tcp"; dport = 80; action = "accept"; comment = "web"; },
    { in = "inside"; action = "accept"; comment = "inside out"; } );
  policy_default = "drop";
};
"""


AVOID = []


def ip_str(x):
    return "%d.%d.%d.%d" % (x >> 24, x >> 16 & 255, x >> 8 & 255, x & 255)


def feed_lines(n, rng, avoid=()):
    """A threat feed's shape: mostly hosts, some /24s and shorter, none
    touching the /24s of the addresses the test sends from."""
    out = set()
    while len(out) < n:
        r = rng.randrange(100)
        plen = 32 if r < 80 else 24 if r < 95 else 16 + rng.randrange(8)
        x = rng.getrandbits(32) & (0xffffffff << (32 - plen)) & 0xffffffff
        m = min(plen, 24)
        if any((a >> (32 - m)) == (x >> (32 - m)) for a in AVOID):
            continue
        out.add("%s/%d" % (ip_str(x), plen))
    out -= set(avoid)
    return sorted(out)


def v4(a):
    p = [int(x) for x in a.split(".")]
    return p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]


def syn(src, dst, dport, sport=40000, side=OUT):
    return raw((E if side == OUT else ER) / IP(src=src, dst=dst) /
               TCP(sport=sport, dport=dport, flags="S", seq=1000))


def main():
    binary = sys.argv[1]
    private_netns()
    work = tmpdir("sw-sets-")
    AVOID.extend(v4(a) for a in (ADMIN, LISTED, CLEAN, SERVER, SPOOF, GONE, ADDED))
    rng = random.Random(17)
    lines = feed_lines(100000 - 4, rng)
    lines += ["192.0.0.0/12", LISTED + "/32", "198.51.100.128/25", GONE + "/32"]
    with open(os.path.join(work, "feed.txt"), "w") as f:
        f.write("# the feed\n" + "\n".join(lines) + "\n")
    box = Box(binary, work, VethPorts(), CONF % "feed.txt", "sets", mem=1024)
    cli = box.cli
    try:
        sets = cli.cmd("show sets")
        check(re.search(r"set feed family=ipv4 ipv4=100000 ", sets) is not None,
              "a 100,000-prefix feed loaded from its file: " + sets.splitlines()[0])
        builds = stat(cli, "rule_builds")
        reloads = stat(cli, "reloads")

        # The feed as source and as destination; the admin /24 returns.
        check(not box.passes(OUT, syn(LISTED, SERVER, 80)),
              "a listed source is dropped (notrack)")
        check(rule_hits(cli, "feed, as source") == 1, "  by the feed rule")
        check(not box.passes(OUT, syn(CLEAN, LISTED, 80)),
              "a listed destination is dropped (src and dst feed)")
        check(rule_hits(cli, "feed, as destination") == 1, "  by the destination rule")
        check(box.passes(OUT, syn(ADMIN, SERVER, 22, 40001)),
              "admin SSH passes though the feed's /12 holds the admin /25")
        flows = cli.cmd("show flows dport=22")
        check("src=%s dst=%s sport=40001 dport=22" % (ADMIN, SERVER) in flows,
              "  and is tracked: " + flows.strip().splitlines()[0])
        check(rule_hits(cli, "admin: stays stateful") == 1, "  through the return rule")
        check(not box.passes(OUT, syn(NOT_ADMIN, SERVER, 22, 40002)),
              "a source of the /12 outside the admin /25 is dropped")
        check(box.passes(OUT, syn(CLEAN, SERVER, 80, 40003)),
              "a clean source passes the policy")
        check(not box.passes(OUT, syn(CLEAN, SERVER, 22, 40004)),
              "ssh from a non-admin: the policy default")
        # Negation: entering inside from outside `internal` is spoofed.
        check(box.passes(IN, syn(SERVER, CLEAN, 443, 40005, IN)),
              "inside, from an internal source: passes")
        check(not box.passes(IN, syn(SPOOF, CLEAN, 443, 40006, IN)),
              "inside, from a source not in internal (!@internal): dropped")
        check(rule_hits(cli, "spoofed from inside") == 1, "  by the negated rule")

        # conntrack-style filters: list, then delete only what they name.
        web = cli.cmd("show flows dport=80 state=SYN_SENT")
        check("dport=80" in web and "dport=22" not in web and "dport=443" not in web,
              "show flows dport=80 state=SYN_SENT lists only the web flow")
        check(cli.cmd("show flows state=NOPE").startswith("error:"),
              "an unknown state is an error")
        out = cli.cmd("flush flows dport=22 src=192.0.2.0/25")
        check(out.startswith("flushed 1 flows that match"), "flush flows FILTER, counted: " +
              out.strip())
        left = cli.cmd("show flows")
        check("dport=22" not in left and "dport=80" in left and "dport=443" in left,
              "  the admin's SSH flow is gone, the others stay")

        # In place from the CLI: no rule is rebuilt.
        out = cli.cmd("set del feed 198.51.100.128/25 %s 10.9.9.9" % LISTED)
        check(re.search(r"set feed: 2 deleted, 1 were not in it, .* ms, in place", out)
              is not None, "set del: " + out.strip())
        check("is not in feed" in cli.cmd("set test feed " + LISTED), "set test: gone")
        check(box.passes(OUT, syn(LISTED, SERVER, 80, 40007)),
              "the deleted source passes at once")
        out = cli.cmd("set add feed %s/32" % LISTED)
        check("1 added" in out, "set add: " + out.strip())
        check("is in feed (by %s)" % LISTED in cli.cmd("set test feed " + LISTED),
              "set test names the prefix")
        check(not box.passes(OUT, syn(LISTED, SERVER, 80, 40008)),
              "the added source is dropped at once")
        check(cli.cmd("set add feed 2001:db8::1").startswith("error:"),
              "an IPv6 prefix in an IPv4 set: refused")

        # 25,000 deletions and 25,000 additions, from files, in place.
        gone = lines[:24999] + [GONE + "/32"]
        new = feed_lines(26000, random.Random(99), lines)[:24999] + [ADDED + "/32"]
        with open(os.path.join(work, "del.txt"), "w") as f:
            f.write("\n".join(gone) + "\n")
        with open(os.path.join(work, "add.txt"), "w") as f:
            f.write("\n".join(new) + "\n")
        t0 = time.monotonic()
        d = cli.cmd("set del feed -f " + os.path.join(work, "del.txt"))
        a = cli.cmd("set add feed -f " + os.path.join(work, "add.txt"))
        t = time.monotonic() - t0
        ms = [float(x) for x in re.findall(r"([\d.]+) ms", d + a)]
        print("timing: 25,000 deletions in %.1f ms, %d additions in %.1f ms in place; "
              "%.0f ms with the CLI round trips and file reading" % (ms[0], len(new), ms[1],
                                                                     t * 1000))
        check(re.search(r"25000 deleted", d) is not None, "set del -f: " + d.strip())
        check(re.search(r"%d added" % len(new), a) is not None, "set add -f: " + a.strip())
        check("is not in feed" in cli.cmd("set test feed " + GONE) and
              "is not in feed" in cli.cmd("set test feed " + gone[0].split("/")[0]),
              "the deleted prefixes are out")
        check(box.passes(OUT, syn(GONE, SERVER, 80, 40009)),
              "  and a deleted source passes")
        check("is in feed" in cli.cmd("set test feed " + ADDED) and
              "is in feed" in cli.cmd("set test feed " + new[0].split("/")[0]),
              "the added prefixes are in")
        check(not box.passes(OUT, syn(ADDED, SERVER, 80, 40012)),
              "  and an added source is dropped")
        check(stat(cli, "rule_builds") == builds and stat(cli, "reloads") == reloads,
              "no rule rebuilt, no reload (rule_builds %d)" % builds)

        # list, save, load.
        lst = cli.cmd("set list admin")
        check("192.0.2.0/25" in lst and "2001:db8::/64" in lst, "set list admin: " +
              " ".join(lst.split()))
        lst = cli.cmd("set list feed 5")
        count = int(re.search(r"ipv4=(\d+)", cli.cmd("show sets")).group(1))
        check(len(re.findall(r"^\d+\.\d+\.\d+\.\d+", lst, re.M)) == 5 and
              "5 of %d shown" % count in lst, "set list feed 5: five, and how many")
        save = os.path.join(work, "saved.txt")
        out = cli.cmd("set save feed " + save)
        saved = [x for x in open(save).read().split("\n") if x and not x.startswith("#")]
        check(len(saved) == count and "%d prefixes written" % count in out,
              "set save writes every prefix (%d)" % len(saved))
        with open(os.path.join(work, "small.txt"), "w") as f:
            f.write("198.51.100.128/25\n")
        out = cli.cmd("set load feed " + os.path.join(work, "small.txt"))
        check("now 1 prefixes" in out, "set load swaps the content: " + out.strip())
        check(box.passes(OUT, syn(NOT_ADMIN, SERVER, 80, 40010)),
              "after the load, the /12 is gone")
        check(not box.passes(OUT, syn(LISTED, SERVER, 80, 40011)),
              "and the loaded /24 drops")
        out = cli.cmd("set load feed " + save)
        check("now %d prefixes" % count in out, "set load of the saved file restores it")
        check(stat(cli, "rule_builds") == builds, "still no rule rebuilt")
        # Issue 24: a relative path is next to the config file, as the
        # config's own set files are, not in spillway's working directory.
        out = cli.cmd("set save feed saved-rel.txt")
        rel = os.path.join(work, "saved-rel.txt")
        check(os.path.exists(rel) and "written to " + rel in out,
              "set save with a relative path writes next to the config: " + out.strip())
        out = cli.cmd("set load feed small.txt")
        check("now 1 prefixes" in out, "set load with a relative path reads next to the "
              "config: " + out.strip())
        out = cli.cmd("set load feed saved-rel.txt")
        check("now %d prefixes" % count in out, "  and restores from there")

        # A reload keeps a set whose definition and file did not change,
        # with its runtime changes; the file edited makes it again.
        cli.cmd("set add feed 198.51.100.77")
        out = cli.cmd("reload")
        check("set feed: unchanged, kept as it runs" in out, "reload keeps the set")
        check("is in feed" in cli.cmd("set test feed 198.51.100.77"),
              "  with its runtime change")
        with open(os.path.join(work, "feed.txt"), "a") as f:
            f.write("198.51.100.88\n")
        out = cli.cmd("reload")
        check("set feed: made again from the config" in out,
              "the feed file edited: the set is made again")
        check("is in feed" in cli.cmd("set test feed 198.51.100.88") and
              "is not in feed" in cli.cmd("set test feed 198.51.100.77"),
              "  from the file (the runtime change is gone, as said)")
    finally:
        rc, _ = box.stop()
    check(rc == 0, "spillway exits 0")
    finish("sets")


if __name__ == "__main__":
    main()
