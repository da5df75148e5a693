#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""spillway ctl, the scriptable control tool, on the real binary over
net_pcap ports (issue 25: "It cannot be scripted").

1. One command per invocation: exit 0 only on success; an error's text
   on stderr and a non-zero status (`set add nosuch` exits 1, a socket
   that is not there 2, a config that does not parse 2 without asking
   any other socket); `--json show stats` pipes straight into
   `python3 -m json.tool`; a text reply as {"output": ...}.
2. Synchronous, counted changes: `flush flows` answers once the workers
   have swept, with the count, and `show flowtable` already says 0;
   `set add/del` say how many changed, in text and in JSON.
3. -f FILE and stdin: commands run in order, the first that fails
   stops the rest (the later ones never ran).
4. A reload that leaves a setting for a restart (max_flows) exits
   non-zero, from ctl and from spillway --reload; a clean one 0.
5. The log: a state change is logged with who asked, a look (set test,
   set list) is not, and a connection is not logged at INFO.
6. The machine mode on the wire: the status line says error and JSON.
7. Small frictions: the --stats line is short, show flowtable names
   the adaptive scale once, the exit totals show no "line 0" for a
   default and the link as it was.

  test_ctl.py SPILLWAY_BINARY"""

import json
import os
import re
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import Spillway, check, finish, pcap_conf, tmpdir, wait_for  # noqa: E402
from pylib.packets import E  # noqa: E402

from scapy.all import IP, TCP, raw  # noqa: E402

C, S = "192.0.2.10", "198.51.100.20"
NFLOWS = 6

CONF = """
flowtable = { max_flows = %(max_flows)d; synproxy = "off";
              per_source = { max_flows = 0; }; };
sets = { feed = { family = "ipv4"; elements = [ "203.0.113.0/25" ]; }; };
rules = {
  notrack = ( { src = "@feed"; action = "drop"; comment = "feed"; } );
  policy = ( { proto = "tcp"; dport = 80; action = "accept"; comment = "web"; } );
};
"""


def syn(sport):
    return raw(E / IP(src=C, dst=S) / TCP(sport=sport, dport=80, flags="S", seq=1))


def flows_of(text):
    m = re.search(r"flows (\d+) \(", text)
    return int(m.group(1)) if m else None


def test_one_shot(sw):
    r = sw.ctl("set", "add", "nosuch", "1.2.3.4")
    check(r.returncode == 1 and r.stdout == "" and
          r.stderr.startswith("error: no set named 'nosuch'"),
          "set add nosuch 1.2.3.4: exit 1, the error on stderr (%d %r %r)"
          % (r.returncode, r.stdout, r.stderr))
    p = subprocess.run("%s ctl -c %s --json show stats | /usr/bin/python3 -m json.tool"
                       % (sw.binary, sw.conf), shell=True, capture_output=True, text=True,
                       timeout=60)
    check(p.returncode == 0 and '"verdicts": {' in p.stdout,
          "ctl --json show stats | python3 -m json.tool: parses (rc %d %s)"
          % (p.returncode, p.stderr.strip()))
    j = json.loads(sw.ctl("--json", "show", "stats").stdout)
    check(j["flowtable"]["max_flows"] == 1024 and j["rules"]["policy"][0]["comment"] == "web",
          "one JSON document, nothing around it")
    r = sw.ctl("--json", "show", "timeouts")
    j = json.loads(r.stdout)
    check(r.returncode == 0 and "tcp_established" in j["output"],
          "a command without JSON of its own: {\"output\": TEXT}")
    r = sw.ctl("--json", "set", "add", "nosuch", "1.2.3.4")
    check(r.returncode == 1 and r.stdout == "" and "no set named" in r.stderr,
          "--json and an error: nothing on stdout, exit 1")
    r = sw.ctl("show", "timeouts")
    check(r.returncode == 0 and re.search(r"^\s+udp\s+30$", r.stdout, re.M) and
          "." not in r.stdout.splitlines() and "control;" not in r.stdout,
          "a text reply: no greeting, no '.' line")
    r = sw.ctl("frobnicate")
    check(r.returncode == 1 and r.stderr.startswith("error: unknown command"),
          "an unknown command: exit 1")
    r = sw.ctl("--socket", os.path.join(sw.workdir, "nothing.sock"), "show", "stats")
    check(r.returncode == 2 and "nothing.sock" in r.stderr,
          "no socket there: exit 2, could not ask (%d %s)" % (r.returncode, r.stderr.strip()))
    bad = os.path.join(sw.workdir, "bad.conf")
    with open(bad, "w") as f:
        f.write("control = { socket = \"%s\"; };\nrules = {\n" % sw.sock)
    r = sw.ctl("-c", bad, "show", "stats", config=False)
    check(r.returncode == 2 and "syntax error" in r.stderr,
          "a config that does not parse: exit 2, no socket asked (%s)" % r.stderr.strip())
    r = sw.ctl("--json", "show", "sets")
    j = json.loads(r.stdout)
    check(j["sets"][0]["name"] == "feed" and j["sets"][0]["ipv4"] == 1, "show sets in JSON")


def test_counted(sw):
    wait_for(lambda: flows_of(sw.ctl("show", "flowtable").stdout) == NFLOWS, 15, 0.1,
             "%d flows" % NFLOWS)
    r = sw.ctl("flush", "flows")
    ft = sw.ctl("show", "flowtable").stdout
    check(r.returncode == 0 and r.stdout.startswith("flushed %d flows" % NFLOWS),
          "flush flows: answers once done, with the count: " + r.stdout.strip())
    check(flows_of(ft) == 0, "show flowtable right after: flows 0 (%s)" % ft.splitlines()[0])
    r = sw.ctl("--json", "flush", "flows")
    check(json.loads(r.stdout) == {"flushed": 0}, "flush flows in JSON: " + r.stdout.strip())
    r = sw.ctl("flush", "flows", "dport=80")
    check(r.stdout.startswith("flushed 0 flows that match"), "a filtered flush counts too")
    r = sw.ctl("set", "add", "feed", "192.0.2.1", "203.0.113.0/25")
    check(r.returncode == 0 and "set feed: 1 added, 1 were already in it" in r.stdout,
          "set add: how many changed: " + r.stdout.strip())
    r = sw.ctl("--json", "set", "del", "feed", "192.0.2.1", "198.51.100.99")
    j = json.loads(r.stdout)
    check(j["set"] == "feed" and j["op"] == "del" and j["changed"] == 1 and
          j["unchanged"] == 1, "set del in JSON: changed 1, unchanged 1")
    r = sw.ctl("set", "add", "feed", "2001:db8::1", "192.0.2.2")
    check(r.returncode == 1 and "not of the set's family" in r.stderr and
          "is not in feed" in sw.ctl("set", "test", "feed", "192.0.2.2").stdout,
          "all or none: one bad prefix and nothing is added")


def test_files(sw):
    cmds = os.path.join(sw.workdir, "cmds.txt")
    with open(cmds, "w") as f:
        f.write("# a feed's cron job\nset add feed 198.51.100.1\n\n"
                "set add nosuch 198.51.100.2\nset add feed 198.51.100.3\n")
    r = sw.ctl("-f", cmds)
    check(r.returncode == 1 and "cmds.txt:4: set add nosuch" in r.stderr and
          "1 added" in r.stdout, "-f: exit 1 at the first failure, which it names (%s)"
          % r.stderr.strip())
    check("is in feed" in sw.ctl("set", "test", "feed", "198.51.100.1").stdout and
          "is not in feed" in sw.ctl("set", "test", "feed", "198.51.100.3").stdout,
          "  the commands before it ran, those after did not")
    r = sw.ctl(stdin="show timeouts\nset del feed 198.51.100.1\n")
    check(r.returncode == 0 and "udp" in r.stdout and "1 deleted" in r.stdout,
          "commands from a pipe on stdin: exit 0")
    r = sw.ctl("-f", "-", stdin="set test feed 203.0.113.9\nset test nosuch 1.2.3.4\n")
    check(r.returncode == 1 and "stdin:2" in r.stderr, "-f -: stdin, stops at line 2")
    r = sw.ctl("--json", stdin="show sets\nset test feed 203.0.113.9\n")
    docs = [json.loads(x) for x in r.stdout.splitlines()]
    check(r.returncode == 0 and len(docs) == 2 and docs[1]["member"] is True,
          "--json with commands from stdin: a JSON document a line")


def test_reload(sw):
    r = sw.ctl("reload")
    check(r.returncode == 0 and "\nreloaded " in r.stdout,
          "a clean reload: exit 0 (%d %s%s)" % (r.returncode, r.stdout, r.stderr))
    with open(sw.conf) as f:
        text = f.read()
    with open(sw.conf, "w") as f:
        f.write(text.replace("max_flows = 1024;", "max_flows = 2048;"))
    r = sw.ctl("reload")
    check(r.returncode == 1 and "error: restart needed: flowtable.max_flows changed" in r.stderr
          and "error: reload incomplete: 1 setting above needs a restart" in r.stderr,
          "max_flows changed: ctl reload exits 1, says what was not applied")
    p = subprocess.run([sw.binary, "-c", sw.conf, "--reload"], capture_output=True, text=True,
                       timeout=60)
    check(p.returncode == 1 and "restart needed: flowtable.max_flows" in p.stderr,
          "spillway --reload exits 1 too (%d)" % p.returncode)
    check(flows_of(sw.ctl("show", "flowtable").stdout) is not None and
          "max_flows 1024," in sw.ctl("show", "flowtable").stdout,
          "  and the running table keeps its size")
    with open(sw.conf, "w") as f:
        f.write(text)
    r = sw.ctl("reload")
    check(r.returncode == 0, "the file put back: exit 0")


def test_log(sw):
    sw.ctl("set", "test", "feed", "203.0.113.1")
    sw.ctl("set", "list", "feed")
    sw.ctl("set", "add", "feed", "198.51.100.77")
    wait_for(lambda: "set add feed 198.51.100.77" in sw.output(), 10, 0.1, "the change logged")
    out = sw.output()
    check(re.search(r"control: unix client pid \d+ uid \d+ gid \d+: set add feed 198.51.100.77",
                    out) is not None, "a state change is logged with who asked")
    check("set test feed" not in out and "set list feed" not in out,
          "set test and set list are looks: not logged")
    check(" connected" not in out, "connections are not logged at INFO")


def machine(sock_path, lines):
    """Raw replies of the machine mode, each up to its status line."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(sock_path)
    buf = b""
    for ln in lines:
        s.sendall(ln.encode() + b"\n")
    out = []
    want = len(lines) + 1   # and the greeting (text mode: ".")
    while len(out) < want:
        data = s.recv(65536)
        if not data:
            break
        buf += data
        while True:
            m = re.search(rb"^(\.|\. (ok|error) (text|json))\n", buf, re.M)
            if not m:
                break
            out.append((buf[:m.start()].decode(), m.group(1).decode()))
            buf = buf[m.end():]
    s.close()
    return out


def test_wire(sw):
    r = machine(sw.sock, ["mode json", "show stats", "set add nosuch 1.2.3.4", "help",
                          "mode text", "help"])
    check(r[0][1] == "." and "spillway" in r[0][0], "greeting: text framing")
    check(r[1] == ("mode json\n", ". ok text"), "mode json: its reply in the new framing")
    check(r[2][1] == ". ok json" and json.loads(r[2][0])["verdicts"] is not None,
          "show stats: '. ok json', a JSON body")
    check(r[3][1] == ". error text" and r[3][0].startswith("error: no set named"),
          "an error: '. error text'")
    check(r[4][1] == ". ok text" and "this list" in r[4][0], "help: '. ok text'")
    check(r[6][1] == "." and "this list" in r[6][0], "mode text: '.' again for people")


def test_frictions(sw, rc, out):
    line = [ln for ln in out.splitlines() if ln.startswith("stats:")][-1]
    names = re.findall(r" (\w+)=", line)
    check(len(names) <= 20 and "rx" in names and "flows" in names and "spilled" in names,
          "the --stats line: %d fields, the ones to watch (%s)" % (len(names), line))
    check("adaptive scale" not in out and "adaptive_scale_permille 1000" in out,
          "show flowtable: adaptive_scale_permille, one name for one value")
    check("line 0: default" not in out and
          re.search(r"rule\.policy\.default +\d+  drop, the policy list's default", out),
          "exit totals: a default has no line 0")
    check(re.search(r"port\.outside\.link_up +1 ", out),
          "exit totals: the link as it was while up, not after the stop")
    check(rc == 0, "spillway exits 0")


def main():
    binary = sys.argv[1]
    work = tmpdir("sw-ctl-")
    frames = [syn(40000 + i) for i in range(NFLOWS)]
    conf, _ = pcap_conf(work, "ctl", frames, [], CONF % {"max_flows": 1024})
    sw = Spillway(binary, work, conf, "ctl").start()
    try:
        sw.wait_stats(lambda s: s.get("rx", 0) >= NFLOWS)
        sw.wait_line(r"control: socket ")
        test_one_shot(sw)
        test_counted(sw)
        test_files(sw)
        test_reload(sw)
        test_log(sw)
        test_wire(sw)
        sw.ctl("show", "flowtable")
    finally:
        rc, _ = sw.stop()
    test_frictions(sw, rc, sw.output())
    finish("ctl")


if __name__ == "__main__":
    main()
