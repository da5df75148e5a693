#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""spillway as a systemd service (issue 24), against a fake
NOTIFY_SOCKET: a unix datagram socket this test binds and reads, as
systemd's manager would for Type=notify.

  1. READY=1 comes once the ports are up, the rules built and the
     workers running, and nothing before it: when it arrives the log
     says "running:" and show ports lists both ports; STATUS= gives the
     flows and the spill state; WATCHDOG=1 every half WATCHDOG_USEC;
     STOPPING=1 at SIGTERM.
  2. A start that fails (an lcore not in the EAL list) never says
     READY=1.
  3. A worker stuck in a loop (the test hook SPILLWAY_TEST_STALL_WORKER)
     starves the watchdog: WATCHDOG=1 stops while the control thread
     still answers the CLI; spillway still stops cleanly.
  4. One log sink: with stdout the journal (JOURNAL_STREAM), every log
     line carries its priority (<6> INFO, <3> ERR ...), and DPDK's
     syslog copy of each line is gone (strace: no connect to /dev/log
     per line; DPDK 22.11's own stream tried one for every line)."""

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import NULL_PORTS, Spillway, check, finish, tmpdir, wait_for  # noqa: E402

CONF = "eal = @EAL@;\n" + NULL_PORTS + "flowtable = { max_flows = 1024; };\n"
WD_USEC = 400000		# WatchdogSec=0.4: a ping every 0.2 s


class Notify:
    """The fake manager's socket: every message, with when it came."""

    def __init__(self, work, name):
        self.path = os.path.join(work, name)
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.bind(self.path)
        self.s.settimeout(0.1)
        self.msgs = []
        self.lock = threading.Lock()
        self.on_ready = None
        self.done = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while not self.done:
            try:
                m = self.s.recv(4096).decode()
            except socket.timeout:
                continue
            except OSError:
                return
            if m.startswith("READY=1") and self.on_ready:
                self.on_ready()
            with self.lock:
                self.msgs.append((time.monotonic(), m))

    def all(self):
        with self.lock:
            return list(self.msgs)

    def count(self, prefix, since=0.0):
        return len([m for t, m in self.all() if m.startswith(prefix) and t >= since])

    def close(self):
        self.done = True
        self.s.close()


def env(n, **more):
    d = {"NOTIFY_SOCKET": n.path, "WATCHDOG_USEC": str(WD_USEC)}
    d.update(more)
    return d


def test_ready(binary, work):
    n = Notify(work, "ready.sock")
    sw = Spillway(binary, work, CONF, "ready", stats_interval=None)
    seen = {}

    def at_ready():
        # What is true the moment READY=1 arrives: the control thread
        # answers, and both ports are up and set.
        seen["ports"] = len(re.findall(r"^\s+port (outside|inside) .* link=up .*rx_offloads=",
                                       sw.cmd("show ports"), re.M))
    n.on_ready = at_ready
    sw.start(env=env(n))
    try:
        check(wait_for(lambda: n.count("READY=1"), 20), "READY=1 sent")
        first = n.all()[0][1]
        check(first.startswith("READY=1"), "nothing before READY=1 (%r)" % first[:40])
        wait_for(lambda: "ports" in seen, 5)
        check(seen.get("ports") == 2,
              "when READY=1 came, show ports listed both ports up and set")
        check(re.search(r"STATUS=running, 2 ports, 1 workers, 0 flows of 1024, not spilling",
                        first), "STATUS= with flows and spill state (%r)" % first)
        t = time.monotonic()
        check(wait_for(lambda: n.count("WATCHDOG=1", t) >= 5, 10),
              "WATCHDOG=1 every half interval (%d in %.1f s)"
              % (n.count("WATCHDOG=1", t), time.monotonic() - t))
        check("watchdog every 0.4 s" in sw.output(), "the log says the watchdog's interval")
    finally:
        rc, _ = sw.stop()
    check(rc == 0 and wait_for(lambda: n.count("STOPPING=1"), 5),
          "SIGTERM: STOPPING=1, exit %s" % rc)
    n.close()


def test_failed_start(binary, work):
    n = Notify(work, "fail.sock")
    text = CONF + "workers = { lcores = [3]; };\n"
    sw = Spillway(binary, work, text, "fail", stats_interval=None).start(env=env(n))
    try:
        sw.proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pass
    rc, _ = sw.stop()
    time.sleep(0.2)
    check(rc == 1 and n.count("READY=1") == 0 and n.count("WATCHDOG=1") == 0,
          "a start that fails (lcore 3): exit %s, no READY=1 (%r)"
          % (rc, [m for _, m in n.all()]))
    n.close()


def test_stalled_worker(binary, work):
    n = Notify(work, "stall.sock")
    sw = Spillway(binary, work, CONF, "stall", stats_interval=None)
    sw.start(env=env(n, SPILLWAY_TEST_STALL_WORKER="0:1.5"))
    try:
        check(sw.wait_running(), "spillway runs with the stall hook")
        check("test hook SPILLWAY_TEST_STALL_WORKER: worker 0 stops making progress" in
              sw.output(), "the hook is logged")
        check(wait_for(lambda: n.count("WATCHDOG=1") >= 2, 10),
              "fed while the worker makes progress (%d)" % n.count("WATCHDOG=1"))
        line = sw.wait_line(r"watchdog: worker 0 \(lcore 1\) made no progress", 20)
        t = time.monotonic()
        check(line, "the control thread sees the worker stop: %s" % line.strip())
        # Let a ping already on its way arrive, then watch 10 intervals.
        time.sleep(0.3)
        t = time.monotonic()
        alive = 0
        while time.monotonic() - t < 2.0:
            alive += "uptime_s" in sw.cmd("show stats")
            time.sleep(0.2)
        fed = n.count("WATCHDOG=1", t)
        check(fed == 0 and alive >= 5,
              "no WATCHDOG=1 in 2 s (10 intervals) while the control thread answers "
              "(%d pings, %d answers)" % (fed, alive))
    finally:
        rc, _ = sw.stop()
    check(rc == 0, "the stuck worker leaves at SIGTERM: exit %s" % rc)
    n.close()


def test_journal(binary, work):
    sw = Spillway(binary, work, CONF, "journal", stats_interval=None)
    out = os.path.join(work, "journal.txt")
    trace = os.path.join(work, "strace.txt")
    with open(out, "w") as f:
        st = os.fstat(f.fileno())
        e = dict(os.environ, JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino))
        args = [binary, "-c", sw.conf, "--duration", "0.5"]
        strace = shutil.which("strace")
        if strace:
            args = [strace, "-f", "-qq", "-e", "trace=connect", "-o", trace] + args
        p = subprocess.run(args, stdout=f, stderr=subprocess.STDOUT, env=e, timeout=60)
    text = open(out).read()
    logs = [l for l in text.splitlines() if re.match(r"^(<\d>)?[A-Z_]+: ", l)]
    check(p.returncode == 0 and logs and all(re.match(r"^<\d>", l) for l in logs),
          "stdout is the journal: every log line has its priority (%d lines, e.g. %r)"
          % (len(logs), logs[:1]))
    check(any(l.startswith("<6>SPILLWAY: running:") for l in logs),
          "INFO is <6> (%r)" % [l for l in logs if "running:" in l][:1])
    check(strace is not None, "strace is installed")
    if strace:
        syslog = len(re.findall(r'connect\(.*"/dev/log"', open(trace).read()))
        check(syslog <= 1, "no syslog copy of the %d lines (%d connects to /dev/log)"
              % (len(logs), syslog))


def main():
    binary = sys.argv[1]
    work = tmpdir("sw-systemd-")
    test_ready(binary, work)
    test_failed_start(binary, work)
    test_stalled_worker(binary, work)
    test_journal(binary, work)
    finish("systemd")


if __name__ == "__main__":
    main()
