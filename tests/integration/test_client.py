#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""The tools name their target or fail (issue 24).

In a /run of its own (a private mount namespace), an instance runs on
the default control socket, /run/spillway/control.sock, as a box's
only spillway would. Then `spillway --reload -c FILE` and
`spillway --cli -c FILE` are pointed at configs that name no instance:
one whose syntax is broken, one whose control group misspells
"socket" (its instance lives elsewhere), one with a misspelt top-level
setting, one that is not there. Each must exit non-zero with the
loader's error on stderr, and the instance on the default socket must
not have been asked: its reload counters stay as they were, its log
shows no client. Symptom before: "reloaded <the other instance's
config>", exit 0.

Then the instance's own config reaches it (reload: 0; its counter +1),
and --cli's exit status follows the replies: 0 for `show stats`, 1 for
a command the instance refuses."""

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (NULL_PORTS, Cli, Spillway, check, finish, private_run, stat,  # noqa: E402
                   tmpdir)

DEFAULT_SOCK = "/run/spillway/control.sock"


def write(work, name, text):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def counters():
    c = Cli(DEFAULT_SOCK)
    try:
        s = c.cmd("show stats")
    finally:
        c.close()
    return stat(s, "reloads"), stat(s, "reload_failures")


def run(binary, *args, stdin=""):
    return subprocess.run([binary] + list(args), input=stdin, capture_output=True,
                          text=True, timeout=30)


def main():
    binary = sys.argv[1]
    private_run()
    work = tmpdir("sw-client-")
    # No control.socket: the default one, in this script's own /run.
    conf = NULL_PORTS + "flowtable = { max_flows = 1024; };\ncontrol = { idle_timeout = 60; };\n"
    sw = Spillway(binary, work, conf, "client", stats_interval=None)
    # Connections are logged at debug level: this test counts them.
    sw.eal.append("--log-level=user.sw.app:debug")
    sw.write_conf(conf)
    sw.start()
    try:
        check(sw.wait_running(), "an instance runs on the default socket")
        sw.wait_line(r"control: socket %s" % re.escape(DEFAULT_SOCK))
        before = counters()
        broken = (
            ("a syntax error", write(work, "syntax.conf",
                                     'control = { socket = "/run/spillway/edge.sock" };\n'
                                     'rules = { policy = ( { action = "drop" } ) \n'),
             r"syntax.conf:\d+: syntax error"),
            ("a misspelt control.socket", write(work, "typo.conf",
                                                'control = { sockte = "/run/spillway/edge.sock"; };\n'),
             r"typo.conf:1: control.sockte: unknown setting"),
            ("a misspelt top-level setting", write(work, "top.conf",
                                                   'contrl = { socket = "/run/spillway/edge.sock"; };\n'),
             r"top.conf:1: contrl: unknown setting"),
            ("a file that is not there", os.path.join(work, "missing.conf"),
             r"missing.conf: No such file or directory"),
        )
        for what, path, err in broken:
            for mode in ("--reload", "--cli"):
                p = run(binary, mode, "-c", path, stdin="show stats\n")
                check(p.returncode != 0 and re.search(err, p.stderr) and
                      "no instance asked" in p.stderr and p.stdout == "",
                      "%s -c (%s): exit %d, %r" % (mode, what, p.returncode,
                                                   p.stderr.strip()[-160:]))
        after = counters()
        check(after == before, "the instance on the default socket was never asked: "
              "reloads, reload_failures %s -> %s" % (before, after))
        # Two clients in all: the two counter reads of this script. The
        # second's log line may reach the output a moment after its
        # reply (a loaded machine read 1): wait for two, then count.
        def clients():
            return len(re.findall(r"control: unix client .* connected", sw.output()))
        deadline = time.monotonic() + 5
        while clients() < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)     # and a moment for a third to show, were there one
        seen = clients()
        check(seen == 2, "its log shows no client but this script's two (%d)" % seen)

        # The instance's own file reaches it.
        p = run(binary, "--reload", "-c", sw.conf)
        check(p.returncode == 0 and p.stdout.startswith("reloaded"),
              "--reload -c its own config: exit %d, %r" % (p.returncode, p.stdout.strip()[:80]))
        check(counters()[0] == before[0] + 1, "and its reload counter moved by one")
        p = run(binary, "--cli", "-c", sw.conf, stdin="show stats\n")
        check(p.returncode == 0 and "reloads" in p.stdout,
              "--cli -c its own config: show stats, exit %d" % p.returncode)
        p = run(binary, "--cli", "-c", sw.conf, stdin="show stats\nshow nonsense\n")
        check(p.returncode == 1 and "error: unknown: show nonsense" in p.stdout,
              "--cli: a refused command makes the exit status 1 (exit %d)" % p.returncode)
        # A config whose socket is "" has no instance to ask.
        path = write(work, "nosock.conf", 'control = { socket = ""; };\n')
        p = run(binary, "--reload", "-c", path)
        check(p.returncode == 1 and 'control.socket is ""' in p.stderr,
              "--reload -c a config without a socket: exit 1, %r" % p.stderr.strip()[-80:])
    finally:
        rc, _ = sw.stop()
    check(rc == 0, "the instance exits 0")
    finish("client")


if __name__ == "__main__":
    main()
