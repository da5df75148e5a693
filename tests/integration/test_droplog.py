#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""The drop log, on the real binary over net_pcap ports.

1. What is logged, one line each with every field, in iptables LOG's
   order an iptables admin greps (IN= OUT= MAC= SRC= DST= LEN= TOS=
   PREC= TTL= ID= DF PROTO= SPT= DPT= WINDOW= RES= SYN URGP=), the
   prefix followed by exactly one space: a rule with log = true and a
   log_prefix; the policy default's drop; an invalid packet (by
   reason); the first packet of a spill episode, and only the first;
   UDP and IPv6 lines; nothing for a rule without log.
1b. A rule's log_level: a debug line is below the drop log's level
   (not written), a warning line is written; log.format = "json":
   each line one JSON object with the same fields.
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

import json  # noqa: E402

from scapy.all import IP, IPv6, TCP, UDP, raw  # noqa: E402

C, S = "192.0.2.10", "198.51.100.20"

RULES = """
flowtable = { max_flows = 8; early_drop = false; synproxy = "off";
              per_source = { max_flows = 0; }; };
rules = {
  policy = (
    { proto = "tcp"; dport = 23; action = "drop"; log = true; log_prefix = "telnet-deny: "; },
    { proto = "udp"; dport = 514; action = "drop"; log = true; log_prefix = "syslog";
      log_level = "warning"; },
    { proto = "udp"; dport = 515; action = "drop"; log = true; log_level = "debug"; },
    { proto = "tcp"; dport = 80; action = "accept"; comment = "web, not logged"; }
  );
  fallback = ( { proto = "tcp"; dport = 80; action = "accept"; comment = "web"; } );
};
log = { rate = %d; %s };
"""

TCP_L4 = (r"PROTO=TCP SPT=(?P<sport>\d+) DPT=(?P<dport>\d+) WINDOW=(?P<window>\d+) "
          r"RES=0x[0-9a-f]{2} (?P<flags>(?:(?:CWR|ECE|URG|ACK|PSH|RST|SYN|FIN) )*)"
          r"URGP=\d+")
UDP_L4 = r"PROTO=UDP SPT=(?P<sport>\d+) DPT=(?P<dport>\d+) LEN=(?P<ulen>\d+)"
LINE = re.compile(
    r"SPILLWAY_DROP: (?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) "
    r"(?:(?P<prefix>\S+) )?IN=(?P<in>\S*) OUT=(?P<out>\S*) "
    r"MAC=(?P<mac>(?:[0-9a-f]{2}:){13}[0-9a-f]{2}) SRC=(?P<src>\S+) DST=(?P<dst>\S+) "
    r"LEN=(?P<len>\d+) (?:TOS=0x[0-9A-F]{2} PREC=0x[0-9A-F]{2} TTL=(?P<ttl>\d+) "
    r"ID=(?P<id>\d+) (?:(?:CE|DF|MF) )*|TC=\d+ HOPLIMIT=(?P<hop>\d+) FLOWLBL=\d+ )"
    r"(?:" + TCP_L4.replace("?P<sport>", "?P<tsport>").replace("?P<dport>", "?P<tdport>") +
    r"|" + UDP_L4 + r") RULE=(?P<rule>\S+) VERDICT=(?P<verdict>\w+) "
    r"REASON=(?P<reason>\w+) WORKER=(?P<worker>\d+)$")


def rec(m):
    """A line's fields; the ports under one name whatever the protocol."""
    d = m.groupdict()
    d["sport"] = d["sport"] or d["tsport"]
    d["dport"] = d["dport"] or d["tdport"]
    d["proto"] = "tcp" if d["tsport"] else "udp"
    d["flags"] = (d["flags"] or "").split()
    return d


def syn(sport, dport, flags="S"):
    return raw(E / IP(src=C, dst=S, id=77, flags="DF", ttl=61) /
               TCP(sport=sport, dport=dport, flags=flags, seq=1, window=4321))


def udp(sport, dport):
    return raw(E / IP(src=C, dst=S) / UDP(sport=sport, dport=dport) / (b"x" * 12))


def syn6(sport, dport):
    return raw(E / IPv6(src="2001:db8::10", dst="2001:db8::20", hlim=63) /
               TCP(sport=sport, dport=dport, flags="S", seq=1))


def written(sw):
    """Whether the log writer has caught up: every record made written or
    suppressed, every line written read back, and what was held back
    reported (once a second)."""
    c = sw.counters()
    recs = len([ln for ln in sw.lines if LINE.match(ln.rstrip("\n")) or
                ln.startswith('{"time"')])
    held = sum(int(m.group(1)) for m in (re.search(r"log: (\d+) records suppressed", ln)
                                         for ln in sw.lines) if m)
    return (c["log_lines"] + c["log_suppressed"] == c["log_queued"] and
            recs == c["log_lines"] and
            held == c["log_limited"] + c["log_ring_full"] + c["log_suppressed"])


def run(binary, work, tag, frames, rate, log_extra="", args=()):
    conf, _ = pcap_conf(work, tag, frames, [], RULES % (rate, log_extra))
    sw = Spillway(binary, work, conf, tag).start(*args)
    try:
        sw.wait_stats(lambda s: s.get("rx", 0) >= len(frames))
        # The writer drains every 50 ms and reports once a second: wait
        # until it has caught up (the checks say what is missing if it
        # never does).
        wait_for(lambda: written(sw), 15, 0.1)
    finally:
        rc, totals = sw.stop()
    check(rc == 0, "%s: spillway exits 0" % tag)
    lines = [ln.rstrip("\n") for ln in sw.lines if ln.startswith("SPILLWAY_DROP: ") or
             ln.startswith("{")]
    return lines, totals, sw.output()


def test_what_is_logged(binary, work):
    frames = [syn(40000, 23),			# log = true rule: logged
              syn(40001, 22),			# policy default drop: logged
              syn(40002, 80, "SF"),		# invalid flags: logged
              syn(40003, 80),			# accepted, no log: nothing
              udp(40004, 514),			# UDP, log_level warning: logged
              udp(40005, 515),			# log_level debug: below the level
              syn6(40006, 23)]			# IPv6: logged
    frames += [syn(41000 + i, 80) for i in range(7)]	# fills the 8-flow shard
    frames += [syn(42000 + i, 80) for i in range(5)]	# spill: the first is logged
    lines, totals, out = run(binary, work, "what", frames, 1000)
    recs = []
    for ln in lines:
        if ln.startswith("SPILLWAY_DROP: log: "):
            continue
        m = LINE.match(ln)
        check(m is not None, "a log line with every field, iptables' order: %r" % ln)
        if m:
            recs.append(rec(m))
    check(len(recs) == 6, "six lines: rule, UDP, IPv6, default, invalid, spill (%d):\n%s"
          % (len(recs), "\n".join(lines)))
    by = {}
    for r in recs:
        by.setdefault(r["reason"] + ("6" if ":" in r["src"] else ""), []).append(r)
    r = by.get("rule", [None])[0]
    check(r is not None and r["prefix"] == "telnet-deny:" and r["rule"] == "policy[0]" and
          r["verdict"] == "drop" and r["in"] == "outside" and r["out"] == "inside" and
          r["proto"] == "tcp" and r["src"] == C and r["dst"] == S and r["sport"] == "40000" and
          r["dport"] == "23" and r["flags"] == ["SYN"] and r["worker"] == "0" and
          r["ttl"] == "61" and r["id"] == "77" and r["window"] == "4321" and
          r["len"] == "40" and r["mac"].endswith(":08:00"),
          "log = true: prefix, IN/OUT, MAC, LEN, TTL, ID, WINDOW, SYN, rule (%s)" % r)
    check(any("Z telnet-deny: IN=outside " in ln for ln in lines) and
          not any("telnet-deny:  " in ln for ln in lines),
          "log_prefix \"telnet-deny: \": exactly one space after it")
    check(any(" DF PROTO=TCP " in ln for ln in lines), "DF, as iptables writes it")
    r = [x for x in by.get("rule", []) if x["proto"] == "udp"]
    check(len(r) == 1 and r[0]["dport"] == "514" and r[0]["ulen"] == "20" and
          r[0]["prefix"] == "syslog", "UDP: SPT DPT LEN (%s)" % r)
    r = by.get("rule6", [None])[0]
    check(r is not None and r["hop"] == "63" and r["dport"] == "23",
          "IPv6: TC HOPLIMIT FLOWLBL (%s)" % r)
    check(not any("DPT=515" in ln for ln in lines),
          "log_level debug: below the drop log's level, not written")
    r = by.get("default", [None])[0]
    check(r is not None and r["rule"] == "policy_default" and r["dport"] == "22" and
          r["prefix"] is None, "the policy default's drop (%s)" % r)
    r = by.get("invalid_flags", [None])[0]
    check(r is not None and r["rule"] == "-" and r["verdict"] == "drop" and
          r["flags"] == ["SYN", "FIN"], "an invalid packet, by reason (%s)" % r)
    r = by.get("spill", [None])[0]
    check(r is not None and r["rule"] == "fallback[0]" and r["verdict"] == "accept" and
          r["sport"] == "42000", "the first packet of the spill episode only (%s)" % r)
    check(totals.get("spilled") == 5, "five packets spilled (%s)" % totals.get("spilled"))
    check(totals.get("log_queued") == 6 and totals.get("log_limited") == 0,
          "counters: 6 queued (none for the line under the level), none limited")
    check(totals.get("log_lines") == 6 and "records suppressed" not in out,
          "6 lines written, nothing suppressed")


def test_json(binary, work):
    frames = [syn(40000, 23), udp(40004, 514), udp(40005, 515)]
    lines, totals, _ = run(binary, work, "json", frames, 1000, 'format = "json";',
                           ("--", "--log-level", "user.sw.drop:debug"))
    docs = []
    for ln in lines:
        try:
            docs.append(json.loads(ln))
        except ValueError:
            check(False, "a JSON line: %r" % ln)
    check(len(docs) == 3, "log.format = json: a JSON object a line; the debug rule's too, "
          "the drop log at debug (%d)" % len(docs))
    d = docs[0] if docs else {}
    check(d.get("prefix") == "telnet-deny:" and d.get("in") == "outside" and
          d.get("src") == C and d.get("dpt") == 23 and d.get("ttl") == 61 and
          d.get("window") == 4321 and d.get("syn") is True and d.get("df") is True and
          d.get("proto") == "TCP" and d.get("rule") == "policy[0]" and
          d.get("verdict") == "drop", "the same fields, lower case, typed (%s)" % d)
    check(list(d)[:4] == ["time", "prefix", "in", "out"], "in iptables' order")
    check(totals["log_lines"] == 3, "all three written")


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
    test_json(binary, work)
    test_flood(binary, work)
    test_off(binary, work)
    finish("droplog")


if __name__ == "__main__":
    main()
