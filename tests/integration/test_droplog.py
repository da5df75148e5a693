#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""The drop log, on the real binary over net_pcap ports.

1. What is logged, one line each with every field: a rule with
   log = true and a log_prefix; the policy default's drop; an invalid
   packet (by reason); the first packet of a spill episode, and only
   the first; nothing for a rule without log.
2. A flood of logged packets (2,000 SYNs at a log = true rule) with
   log.rate = 5: a handful of lines, the rest counted and reported as
   suppressed, and the counters add up (made + held back = logged
   packets; written + suppressed = made).
3. log.rate = 0 and a rule without log: no line at all."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import Spillway, check, finish, pcap_conf, tmpdir, wait_for  # noqa: E402
from pylib.packets import E  # noqa: E402

from scapy.all import IP, TCP, raw  # noqa: E402

C, S = "192.0.2.10", "198.51.100.20"

RULES = """
flowtable = { max_flows = 8; early_drop = false; synproxy = "off";
              per_source = { max_flows = 0; }; };
rules = {
  policy = (
    { proto = "tcp"; dport = 23; action = "drop"; log = true; log_prefix = "telnet-deny:"; },
    { proto = "tcp"; dport = 80; action = "accept"; comment = "web, not logged"; }
  );
  fallback = ( { proto = "tcp"; dport = 80; action = "accept"; comment = "web"; } );
};
log = { rate = %d; };
"""

LINE = re.compile(
    r"SPILLWAY_DROP: (?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) (?:(?P<prefix>\S+) )?"
    r"worker=(?P<worker>\d+) rule=(?P<rule>\S+) verdict=(?P<verdict>\w+) "
    r"reason=(?P<reason>\w+) in=(?P<in>\S+) proto=(?P<proto>\w+) src=(?P<src>\S+) "
    r"dst=(?P<dst>\S+) sport=(?P<sport>\d+) dport=(?P<dport>\d+) flags=(?P<flags>[A-Z]*)$")


def syn(sport, dport, flags="S"):
    return raw(E / IP(src=C, dst=S) / TCP(sport=sport, dport=dport, flags=flags, seq=1))


def written(sw):
    """Whether the log writer has caught up: every record made written or
    suppressed, every line written read back, and what was held back
    reported (once a second)."""
    c = sw.counters()
    recs = len([ln for ln in sw.lines if LINE.match(ln.rstrip("\n"))])
    held = sum(int(m.group(1)) for m in (re.search(r"log: (\d+) records suppressed", ln)
                                         for ln in sw.lines) if m)
    return (c["log_lines"] + c["log_suppressed"] == c["log_queued"] and
            recs == c["log_lines"] and
            held == c["log_limited"] + c["log_ring_full"] + c["log_suppressed"])


def run(binary, work, tag, frames, rate):
    conf, _ = pcap_conf(work, tag, frames, [], RULES % rate)
    sw = Spillway(binary, work, conf, tag).start()
    try:
        sw.wait_stats(lambda s: s.get("rx", 0) >= len(frames))
        # The writer drains every 50 ms and reports once a second: wait
        # until it has caught up (the checks say what is missing if it
        # never does).
        wait_for(lambda: written(sw), 15, 0.1)
    finally:
        rc, totals = sw.stop()
    check(rc == 0, "%s: spillway exits 0" % tag)
    lines = [ln.rstrip("\n") for ln in sw.lines if ln.startswith("SPILLWAY_DROP: ")]
    return lines, totals, sw.output()


def test_what_is_logged(binary, work):
    frames = [syn(40000, 23),			# log = true rule: logged
              syn(40001, 22),			# policy default drop: logged
              syn(40002, 80, "SF"),		# invalid flags: logged
              syn(40003, 80)]			# accepted, no log: nothing
    frames += [syn(41000 + i, 80) for i in range(7)]	# fills the 8-flow shard
    frames += [syn(42000 + i, 80) for i in range(5)]	# spill: the first is logged
    lines, totals, out = run(binary, work, "what", frames, 1000)
    recs = []
    for ln in lines:
        if ln.startswith("SPILLWAY_DROP: log: "):
            continue
        m = LINE.match(ln)
        check(m is not None, "a log line with every field: %r" % ln)
        recs.append(m.groupdict())
    check(len(recs) == 4, "four lines: rule, default, invalid, spill (%d):\n%s"
          % (len(recs), "\n".join(lines)))
    by = {r["reason"]: r for r in recs}
    r = by.get("rule")
    check(r is not None and r["prefix"] == "telnet-deny:" and r["rule"] == "policy[0]" and
          r["verdict"] == "drop" and r["in"] == "outside" and r["proto"] == "tcp" and
          r["src"] == C and r["dst"] == S and r["sport"] == "40000" and r["dport"] == "23" and
          r["flags"] == "S" and r["worker"] == "0",
          "log = true: prefix, worker, rule, verdict, reason, port, 5-tuple, flags (%s)" % r)
    r = by.get("default")
    check(r is not None and r["rule"] == "policy_default" and r["dport"] == "22" and
          r["prefix"] is None, "the policy default's drop (%s)" % r)
    r = by.get("invalid_flags")
    check(r is not None and r["rule"] == "-" and r["verdict"] == "drop" and r["flags"] == "FS",
          "an invalid packet, by reason (%s)" % r)
    r = by.get("spill")
    check(r is not None and r["rule"] == "fallback[0]" and r["verdict"] == "accept" and
          r["sport"] == "42000", "the first packet of the spill episode only (%s)" % r)
    check(totals.get("spilled") == 5, "five packets spilled (%s)" % totals.get("spilled"))
    check(totals.get("log_queued") == 4 and totals.get("log_limited") == 0,
          "counters: 4 queued, none limited")
    check(totals.get("log_lines") == 4 and "records suppressed" not in out,
          "4 lines written, nothing suppressed")


def test_flood(binary, work):
    n = 2000
    frames = [syn(10000 + i, 23) for i in range(n)]
    lines, totals, out = run(binary, work, "flood", frames, 5)
    recs = [ln for ln in lines if LINE.match(ln)]
    rep = [ln for ln in lines if " records suppressed in the last second" in ln]
    check(1 <= len(recs) <= 15, "log.rate = 5: a handful of lines for %d drops (%d)"
          % (n, len(recs)))
    held = sum(int(re.search(r"log: (\d+) records", ln).group(1)) for ln in rep)
    check(rep and held > 0, "the suppressed count is reported (%s)" % rep)
    made, lim, full = totals["log_queued"], totals["log_limited"], totals["log_ring_full"]
    check(made + lim + full == n, "every logged packet is made or held back (%d + %d + %d)"
          % (made, lim, full))
    check(totals["log_lines"] == len(recs) and
          totals["log_lines"] + totals["log_suppressed"] == made,
          "written + suppressed at the writer = records made")
    check(held == lim + full + totals["log_suppressed"],
          "the reports add up to what was held back (%d)" % held)
    check(totals["drop"] == n, "every packet still dropped and counted")


def test_off(binary, work):
    frames = [syn(40000, 23), syn(40001, 22), syn(40002, 80, "SF")]
    lines, totals, _ = run(binary, work, "off", frames, 0)
    check(not lines and totals["log_queued"] == 0, "log.rate = 0: no line, no record")


def main():
    binary = sys.argv[1]
    work = tmpdir("sw-droplog-")
    test_what_is_logged(binary, work)
    test_flood(binary, work)
    test_off(binary, work)
    finish("droplog")


if __name__ == "__main__":
    main()
