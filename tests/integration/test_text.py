#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Strings are UTF-8 or refused; every output escapes by its format
(issue 24).

  1. --check refuses a comment saved as Latin-1, a control character
     and a bad byte in a device string, each with FILE:LINE: SETTING.
  2. A config full of odd but valid UTF-8 (accents, emoji, a character
     beyond the BMP, a right-to-left override, a zero-width joiner,
     quotes, backslashes, braces, text that looks like a Prometheus
     line) runs, and every output reads: show stats json and the stats
     file with a strict JSON parser, the scrape with `promtool check
     metrics`, show rules and show stats as strict UTF-8, telemetry as
     JSON; each comment comes back as it was written.
  3. A reload refused for a set file's Latin-1 line: its error quotes
     the line's bytes, and every output above still reads (the JSON
     writes U+FFFD, the CLI \\xe9).

Before issue 24, (1) was accepted and (3) broke the stats JSON
(UnicodeDecodeError ... 0xe9) and Prometheus's scrape."""

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import NULL_PORTS, Spillway, check, finish, tmpdir, wait_for  # noqa: E402

COMMENTS = [
    "café ☕ naïve Ærø",
    "𝄞 beyond the BMP 🇸🇪",
    'say "hi" back\\slash',
    "rtl \u202e txet \u202c and zwj \u200d here",
    'x{comment="injected"} 1',
    "# HELP spillway_fake not a line",
    "防火墙规则",
]


def libconfig_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write(work, name, data):
    path = os.path.join(work, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


def test_check(binary, work):
    for text, line, setting, what in (
            (b'rules = { policy = ( { action = "drop";\n  comment = "caf\xe9"; } ); };\n',
             2, "rules.policy[0].comment", "byte 0xe9 is not UTF-8 at offset 3"),
            (b'rules = { policy = ( { action = "drop"; comment = "bell\\x07"; } ); };\n',
             1, "rules.policy[0].comment", "control character U+0007 at offset 4"),
            (b'ports = ( { name = "a"; dev = "net_null0"; },\n'
             b'  { name = "b"; dev = "net_null1,x=\xff"; } );\n',
             2, "ports[1].dev", "byte 0xff is not UTF-8")):
        path = write(work, "bad.conf", text)
        p = subprocess.run([binary, "--check", "-c", path], capture_output=True, timeout=30)
        err = p.stderr.decode("utf-8", "replace").strip()
        want = "spillway: %s:%d: %s: %s" % (path, line, setting, what)
        check(p.returncode == 1 and err.startswith(want),
              "--check refuses %s: exit %d, '%s'" % (setting, p.returncode, err))


def outputs_read(sw, cli, statsf, url, label, want_comments=True):
    """Every output of the running spillway reads in its format."""
    raw = cli.cmd("show stats json", raw=True)
    try:
        j = json.loads(raw.decode("utf-8"))
        ok = True
    except (UnicodeDecodeError, ValueError) as e:
        ok, j = False, {"error": str(e)}
    check(ok, "%s: show stats json is UTF-8 JSON" % label)
    if want_comments and ok:
        got = [r["comment"] for r in j["rules"]["policy"] if r["index"] >= 0]
        check(got == COMMENTS, "%s: show stats json gives each comment as written" % label)

    def stats_file():
        try:
            with open(statsf, "rb") as f:
                return json.loads(f.read().decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return None
    check(wait_for(stats_file, 10), "%s: the stats file is UTF-8 JSON" % label)

    for cmd in ("show rules", "show stats", "show ports"):
        raw = cli.cmd(cmd, raw=True)
        try:
            text = raw.decode("utf-8")
            ok = not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
        except UnicodeDecodeError:
            ok, text = False, ""
        check(ok, "%s: %s is UTF-8 without control characters" % (label, cmd))
        if cmd == "show rules" and want_comments:
            check(all(c in text for c in COMMENTS), "%s: show rules gives each comment" % label)

    body = urllib.request.urlopen(url, timeout=10).read()
    promtool = shutil.which("promtool")
    check(promtool is not None, "promtool is installed (tools/install-deps.sh: prometheus)")
    if promtool:
        p = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True,
                           timeout=30)
        check(p.returncode == 0, "%s: promtool check metrics: clean (rc %d %s)"
              % (label, p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")[:300]))
    if want_comments:
        text = body.decode("utf-8")
        got = [re.sub(r'\\(["\\n])', lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), v)
               for v in re.findall(r'spillway_rule_hits_total\{set="policy",index="\d+",'
                                   r'action="\w+",comment="((?:[^"\\]|\\.)*)"\}', text)]
        check(got == COMMENTS, "%s: the scrape's comment labels decode to the comments" % label)

    raw = sw.telemetry("/spillway/stats")
    try:
        json.loads(raw.decode("utf-8"))
        ok = True
    except (UnicodeDecodeError, ValueError):
        ok = False
    check(ok, "%s: telemetry /spillway/stats is UTF-8 JSON (%r)" % (label, raw[-300:]))


def test_outputs(binary, work):
    statsf = os.path.join(work, "stats.json")
    write(work, "feed.txt", "192.0.2.0/24\n")
    rules = ",\n".join('    { proto = "tcp"; dport = %d; action = "accept"; comment = %s; }'
                       % (1000 + i, libconfig_str(c)) for i, c in enumerate(COMMENTS))
    conf = NULL_PORTS + """
flowtable = { max_flows = 1024; };
sets = { feed = { family = "ipv4"; file = "%s"; }; };
rules = {
  policy = (
%s
  );
};
stats = { file = "%s"; interval_ms = 100; prometheus_listen = "127.0.0.1:0";
          rules_in_file = true; };
""" % (os.path.join(work, "feed.txt"), rules, statsf)
    sw = Spillway(binary, work, conf, "text", telemetry=True).start()
    try:
        check(sw.wait_running(), "a config full of odd UTF-8 runs")
        cli = sw.cli()
        url = sw.metrics_url()
        outputs_read(sw, cli, statsf, url, "odd UTF-8")

        # A set file's line in Latin-1: the reload is refused, and its
        # error quotes the line, bytes and all.
        write(work, "feed.txt", b"192.0.2.0/24\ncaf\xe9\n")
        reply = cli.cmd("reload", raw=True)
        check(b"error:" in reply and b"caf\\xe9" in reply and b"\xe9" not in reply,
              "a reload refused for a Latin-1 set line says so, the byte as \\xe9 (%r)"
              % reply[:200])
        j = json.loads(cli.cmd("show stats json"))
        check("caf\ufffd" in j.get("reload_error", ""),
              "show stats json: reload_error has U+FFFD for the byte (%r)"
              % j.get("reload_error"))
        outputs_read(sw, cli, statsf, url, "after the refused reload")
        cli.close()
    finally:
        rc, _ = sw.stop()
    check(rc == 0, "exits 0")


def main():
    binary = sys.argv[1]
    work = tmpdir("sw-text-")
    test_check(binary, work)
    test_outputs(binary, work)
    finish("text")


if __name__ == "__main__":
    main()
