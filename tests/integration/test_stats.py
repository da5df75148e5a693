#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Every output carries every counter, with the same value.

spillway runs on two net_pcap ports over a capture that leaves counters
of every group non-zero (verdicts, invalid reasons, flows, ports, rule
hits), then goes quiet. Then, at one instant (nothing moves any more),
the same counters are read from the five places an operator reads them:
`show stats`, `show stats json`, the stats file, rte_telemetry and the
Prometheus endpoint. Each output is turned into one dict of canonical
names (port.NAME.COUNTER, rule.SET.INDEX, ...) and the dicts must be
equal: the same names, the same values. A counter written into one
output only, or left out of one, fails here.

Then the metrics endpoint itself: `promtool check metrics` (Prometheus's
own linter) on the live scrape; HEAD, 404, 405, an oversized request;
stats.prometheus_allow closing a source it does not list; a change of
stats.prometheus_listen reported as needing a restart; and, without
stats.prometheus_listen, no TCP listener at all.

Last, ports that hash (two workers): show ports and the JSON give this
run's RSS key, a random 16-bit pattern repeated, another each run."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import NULL_PORTS, Spillway, check, finish, pcap_conf, tmpdir, wait_for  # noqa: E402
from pylib.packets import E  # noqa: E402

from scapy.all import ICMP, IP, TCP, UDP, IPv6, Raw, raw  # noqa: E402

C, S = "192.0.2.10", "198.51.100.20"

CONF = """
flowtable = { max_flows = 1024; };
rules = {
  policy = (
    { proto = "tcp"; dport = 80; action = "accept"; comment = "web \\"quoted\\" \\\\ back"; },
    { proto = "tcp"; dport = 23; action = "reject"; comment = "telnet"; },
    { proto = "icmp"; icmp_type = 8; action = "accept"; comment = "ping"; }
  );
  fallback = ( { proto = "tcp"; dport = 80; action = "accept"; comment = "web"; } );
};
stats = { file = "%(file)s"; interval_ms = 100; prometheus_listen = "127.0.0.1:0";
          rules_in_file = true; };
"""


def frames():
    out = []
    for i in range(5):		# five new flows
        out.append(E / IP(src=C, dst=S) / TCP(sport=41000 + i, dport=80, flags="S", seq=i))
    out.append(E / IP(src=C, dst=S) / TCP(sport=41100, dport=23, flags="S"))	# reject
    out.append(E / IP(src=C, dst=S) / TCP(sport=41101, dport=22, flags="S"))	# default drop
    out.append(E / IP(src=C, dst=S) / TCP(sport=41102, dport=80, flags="SF"))	# invalid flags
    out.append(E / IP(src=C, dst=S) / ICMP(type=8, id=7))			# echo: a flow
    out.append(E / IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP(sport=5, dport=6) / Raw(b"x"))
    bad = bytearray(raw(E / IP(src=C, dst=S) / UDP(sport=1, dport=2) / Raw(b"y")))
    bad[14] = 0x44		# IHL 4: malformed
    return [raw(f) for f in out] + [bytes(bad)]


# ---- each output as {canonical name: value} ----

def from_text(t):
    out = {}
    for m in re.finditer(r"^  (\S+)\s+(\d+(?:\.\d+)?)  ", t, re.M):
        out[m.group(1)] = float(m.group(2))
    return out


def num(v):
    return float(v) if not isinstance(v, bool) else float(int(v))


def from_json(j):
    out = {}
    for k, v in j.items():
        # reload_error: the last refusal's text, not a counter.
        if k not in ("ports", "flowtable", "verdicts", "counters", "rules", "reload_error",
                     "ha"):
            out[k] = num(v)
    for k, v in j["counters"].items():
        out[k] = num(v)
    for k, v in j["flowtable"].items():
        if k != "enabled":
            out[k] = num(v)
    # ha: its counters with an ha group; mode and role are words.
    for k, v in j.get("ha", {}).items():
        if k not in ("enabled", "mode", "role"):
            out[k] = num(v)
    for p in j["ports"]:
        for k, v in p.items():
            # rss_key: the port's RSS key (hex), not a counter.
            if k not in ("name", "rss_key"):
                out["port.%s.%s" % (p["name"], k)] = num(v)
    for st, rules in j.get("rules", {}).items():
        for r in rules:
            out["rule.%s.%s" % (st, r["index"] if r["index"] >= 0 else "default")] = num(r["hits"])
    verdicts = {"verdict." + k: num(v) for k, v in j["verdicts"].items()}
    return out, verdicts


def telemetry(prefix, cmds):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect("/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix)
    json.loads(s.recv(16384).decode())
    res = {}
    for c in cmds:
        s.send(c.encode())
        res[c] = json.loads(s.recv(1 << 20).decode())[c.split(",")[0]]
    s.close()
    return res


def from_telemetry(prefix):
    t = telemetry(prefix, ["/spillway/stats", "/spillway/flowtable", "/spillway/rules",
                           "/spillway/verdicts", "/spillway/ports"])
    out = {k: num(v) for k, v in t["/spillway/stats"].items() if k != "reload_error"}
    out.update({k: num(v) for k, v in t["/spillway/flowtable"].items()})
    page = t["/spillway/rules"]
    while True:			# the rule counters come a page at a time
        for name, hits in page.items():
            if name in ("total", "next"):
                continue
            st, idx = name.rsplit("_", 1)
            out["rule.%s.%s" % (st, idx)] = num(hits)
        if "next" not in page:
            break
        c = "/spillway/rules,%d" % page["next"]
        page = telemetry(prefix, [c])[c]
    for p in t["/spillway/ports"]:
        d = telemetry(prefix, ["/spillway/port," + p])["/spillway/port," + p]
        for k, v in d.items():
            out["port.%s.%s" % (p, k)] = num(v)
    verdicts = {"verdict." + k: num(v) for k, v in t["/spillway/verdicts"].items()}
    return out, verdicts


# Prometheus names that are not spillway_<canonical>[_total].
PROM_ALIAS = {"uptime_seconds": "uptime_s"}
# How shards add up (SW_FT_STATS' total column); the rest are sums.
FT_TOTAL = {"adaptive_scale_permille": min, "spilling": max, "proxying": max}
FAMILY_LABEL = {"verdict_packets_total": "verdict", "invalid_reason_packets_total": "reason",
                "dropped_reason_packets_total": "reason"}


def from_prometheus(text):
    out, shards = {}, {}
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        m = re.match(r"^spillway_(\w+?)(?:\{(.*)\})? (\S+)$", line)
        assert m, "unparsed: %r" % line
        name, labels, v = m.group(1), m.group(2) or "", float(m.group(3))
        lab = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', labels))
        if name == "build_info":
            continue
        if name in FAMILY_LABEL:
            key = lab[FAMILY_LABEL[name]]
        elif name == "rule_hits_total":
            key = "rule.%s.%s" % (lab["set"], lab["index"])
        elif name.startswith("port_"):
            key = "port.%s.%s" % (lab["port"], re.sub(r"_total$", "", name[5:]))
        elif name.startswith("flowtable_"):
            key = re.sub(r"_total$", "", name[10:])
            shards.setdefault(key, []).append(v)
            continue
        elif "worker" in lab:
            key = re.sub(r"_packets_total$", "", name)
        else:
            key = PROM_ALIAS.get(name, re.sub(r"_total$", "", name))
        out[key] = out.get(key, 0.0) + v
    for key, vals in shards.items():
        out[key] = FT_TOTAL.get(key, sum)(vals)
    return out


def http(port, request, timeout=5.0):
    s = socket.create_connection(("127.0.0.1", port), timeout)
    s.sendall(request)
    data = b""
    while True:
        try:
            b = s.recv(65536)
        except ConnectionResetError:
            break
        if not b:
            break
        data += b
    s.close()
    return data


def scrape(port):
    r = http(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n")
    head, _, body = r.partition(b"\r\n\r\n")
    check(head.startswith(b"HTTP/1.1 200 OK"), "GET /metrics: 200 (%r)" % head[:40])
    check(b"Content-Type: text/plain; version=0.0.4" in head, "exposition format 0.0.4")
    n = int(re.search(rb"Content-Length: (\d+)", head).group(1))
    check(n == len(body), "Content-Length %d is the body's length" % n)
    return body.decode()


def same(outputs):
    """outputs: {label: dict}; every dict equal to the first (uptime, which
    moves, only present)."""
    labels = list(outputs)
    ref = outputs[labels[0]]
    for lab in labels[1:]:
        o = outputs[lab]
        missing = sorted(set(ref) - set(o))
        extra = sorted(set(o) - set(ref))
        check(not missing and not extra, "%s has the same counters as %s (missing %s, extra %s)"
              % (lab, labels[0], missing, extra))
        diff = {k: (ref[k], o[k]) for k in ref if k != "uptime_s" and ref[k] != o[k]}
        check(not diff, "%s: same values as %s (%s)" % (lab, labels[0], diff))


def metrics_port(sw):
    line = sw.wait_line(r"metrics: Prometheus endpoint on http://")
    return int(re.search(r"http://127\.0\.0\.1:(\d+)/metrics", line).group(1))


def test_parity(binary, work):
    statsf = os.path.join(work, "stats.json")
    fr = frames()
    conf, _ = pcap_conf(work, "parity", fr, [], CONF % {"file": statsf})
    sw = Spillway(binary, work, conf, "stats", telemetry=True).start()
    try:
        sw.wait_stats(lambda s: s.get("rx", 0) >= len(fr))
        port = metrics_port(sw)
        cli = sw.cli()
        # Quiet now; telemetry refreshes its copy every second, the
        # stats file every 100 ms: wait until both have caught up (the
        # checks below say what differs if they never do).
        def caught_up():
            js, _ = from_json(json.loads(cli.cmd("show stats json")))
            with open(statsf) as f:
                fs, _ = from_json(json.load(f))
            tel, _ = from_telemetry(sw.prefix)
            moving = lambda d: {k: v for k, v in d.items() if k != "uptime_s"}
            return moving(js) == moving(fs) == moving(tel)
        wait_for(caught_up, 15, 0.2)
        text = from_text(cli.cmd("show stats"))
        js, jv = from_json(json.loads(cli.cmd("show stats json")))
        with open(statsf) as f:
            fs, fv = from_json(json.load(f))
        tel, tv = from_telemetry(sw.prefix)
        body = scrape(port)
        prom = from_prometheus(body)
        for k in ("accept", "drop", "reject", "invalid_flags", "malformed", "policy_accept",
                  "flows", "inserts", "port.outside.rx_packets", "rule.policy.0",
                  "rule.policy.default", "rule.policy.1"):
            check(text.get(k, 0) > 0, "show stats: %s is not zero (%s)" % (k, text.get(k)))
        check(len(text) > 80, "%d counters in show stats" % len(text))
        same({"show stats": text, "show stats json": js, "the stats file": fs,
              "telemetry": tel, "prometheus": prom})
        same({"json verdicts": jv, "file verdicts": fv, "telemetry verdicts": tv})
        check(all(jv[k] == js[k[8:]] for k in jv), "verdicts are their counters")

        # Prometheus's own linter, on the live scrape.
        promtool = shutil.which("promtool")
        check(promtool is not None, "promtool is installed (tools/install-deps.sh: prometheus)")
        p = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True,
                           text=True, timeout=60)
        check(p.returncode == 0 and not p.stdout.strip() and not p.stderr.strip(),
              "promtool check metrics: clean (rc %d %s%s)" % (p.returncode, p.stdout, p.stderr))
        check('comment="web \\"quoted\\" \\\\ back"' in body, "label values escaped")
        check(re.search(r'^spillway_verdict_packets_total\{worker="0",verdict="accept"\} [1-9]',
                        body, re.M), "verdicts labelled by worker and verdict")
        check(re.search(r'^spillway_invalid_reason_packets_total\{worker="0",reason="invalid_flags"\} 1$',
                        body, re.M), "invalid packets labelled by reason")
        check(re.search(r'^spillway_flowtable_flows\{worker="0"\} [1-9]', body, re.M),
              "flows: a gauge per worker")
        check(re.search(r'^# TYPE spillway_flowtable_occupancy_permille gauge$', body, re.M),
              "occupancy: a gauge")

        # The endpoint, as a client might misuse it.
        r = http(port, b"HEAD /metrics HTTP/1.1\r\n\r\n")
        check(r.startswith(b"HTTP/1.1 200") and r.endswith(b"\r\n\r\n"), "HEAD: the head only")
        check(http(port, b"GET / HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 404"), "GET /: 404")
        check(http(port, b"POST /metrics HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 405"),
              "POST: 405")
        check(http(port, b"GET /metrics HTTP/1.1\r\n" + b"X: " + b"a" * 4000 + b"\r\n\r\n")
              .startswith(b"HTTP/1.1 431"), "a 4 KB request head: 431, not buffered")
        check(http(port, b"\x16\x03\x01junk\r\n\r\n").startswith(b"HTTP/1.1 400"), "junk: 400")

        # The endpoint's address needs a restart; its allow list is live.
        with open(sw.conf) as f:
            c = f.read()
        with open(sw.conf, "w") as f:
            f.write(c.replace('prometheus_listen = "127.0.0.1:0";',
                              'prometheus_listen = "127.0.0.1:1"; '
                              'prometheus_allow = ["192.0.2.0/24"];'))
        r = cli.cmd("reload")
        check("restart needed: stats.prometheus_listen" in r, "new listen address: restart needed")
        r = http(port, b"GET /metrics HTTP/1.1\r\n\r\n")
        check(r == b"", "a source not in stats.prometheus_allow: closed, nothing said (%r)" % r[:30])
        sw.wait_line(r"metrics: 127\.0\.0\.1:\d+ is not in stats\.prometheus_allow")
        check(True, "the refusal is logged")
        cli.close()
    finally:
        rc, _ = sw.stop()
    check(rc == 0, "spillway exits 0")


def test_off_by_default(binary, work):
    """No stats.prometheus_listen: no TCP listener at all."""
    conf, _ = pcap_conf(work, "off", [], [])
    sw = Spillway(binary, work, conf, "statsoff").start()
    try:
        sw.wait_line(r"running: ")
        out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout
        mine = [ln for ln in out.splitlines() if "pid=%d," % sw.proc.pid in ln]
        check(not mine, "no TCP listener without prometheus_listen or control.listen (%s)" % mine)
        check(not any("metrics:" in ln for ln in sw.lines), "no metrics endpoint mentioned")
    finally:
        rc, _ = sw.stop()
    check(rc == 0, "spillway exits 0")


RSS = NULL_PORTS + """workers = { lcores = [1, 2]; };
flowtable = { max_flows = 1024; };
control = { socket = "@SOCK@"; };
"""


def rss_run(binary, work):
    """One run on two hashing ports (net_null, two workers): the key
    show ports and show stats json give."""
    sw = Spillway(binary, work, RSS, "rss", lcores="0@0,1@1,2@1").start()
    try:
        c = sw.cli()
        text = re.findall(r"^  port (\S+) .* dpdk_name=\S+ rss_key=([0-9a-f]+)(?: |$)",
                          c.cmd("show ports"), re.M)
        js = {p["name"]: p.get("rss_key") for p in json.loads(c.cmd("show stats json"))["ports"]}
        c.close()
    finally:
        rc, _ = sw.stop()
    check(rc == 0, "spillway exits 0")
    return dict(text), js


def test_rss_key(binary, work):
    """A per-run random symmetric RSS key: show ports and the JSON give
    it, the same on both ports; it is one 16-bit pattern repeated, of a
    weight the port code accepts; another run draws another."""
    keys = []
    while len(keys) < 2 or (len(keys) == 2 and keys[0] == keys[1]):
        text, js = rss_run(binary, work)
        check(sorted(text) == ["inside", "outside"] and text == js,
              "show ports and show stats json give both ports' key (%s, %s)" % (text, js))
        key = text["outside"]
        check(text["inside"] == key and len(key) == 80 and key == key[:4] * 20,
              "one 40-byte key, a 16-bit pattern repeated: %s" % key)
        w = bin(int(key[:4], 16)).count("1")
        check(w % 2 == 1 and 5 <= w <= 11, "pattern %s, weight %d: odd, 5 to 11" % (key[:4], w))
        keys.append(key)
    # Two draws match once in 31616: then a third must differ.
    check(len(set(keys)) > 1, "each run draws its own key (%s)" % ", ".join(k[:4] for k in keys))


def main():
    binary = sys.argv[1]
    work = tmpdir("sw-stats-")
    test_parity(binary, work)
    test_off_by_default(binary, work)
    test_rss_key(binary, work)
    finish("stats")


if __name__ == "__main__":
    main()
