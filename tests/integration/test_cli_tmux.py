#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""One interactive session as a person has it: tmux runs spillway --cli
on the control socket, keys are typed, the screen is read back.

Each step waits for what it must see with a deadline on the clock (not
a count of tries), long enough for a loaded machine: the check passes
as soon as the screen shows it. (It once failed with "screen never
showed '^bye'" while another process took the second core: 50 tries
0.1 s apart were not enough there.)

  test_cli_tmux.py SPILLWAY_BINARY"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import Spillway, check, finish, on_exit, ports_conf, tmpdir, wait_for  # noqa: E402

SCREEN_WAIT = 30	# seconds: a deadline, not a pause
CONF = ports_conf("net_null0", "net_null1") + """flowtable = { max_flows = 1024; };
"""


class Tmux:
    """A tmux server of this run's own, one session "s" in it."""

    def __init__(self, command):
        self.sock = "sw-tmux-%d" % os.getpid()
        on_exit(self.close)
        self.tmux("new-session", "-d", "-s", "s", "-x", "160", "-y", "60", command)
        self.path = self.tmux("display-message", "-p", "#{socket_path}").strip()
        # Keep the screen readable after the session ends with quit.
        self.tmux("set-option", "-t", "s", "remain-on-exit", "on")

    def close(self):
        """Stop the server, and remove its socket (kill-server leaves it)."""
        self.tmux("kill-server")
        if getattr(self, "path", None):
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.sock] + list(args), capture_output=True,
                              text=True, timeout=30).stdout

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "s", "-S", "-200")

    def type(self, line):
        self.tmux("send-keys", "-t", "s", line, "Enter")

    def shows(self, regex):
        """Wait until a line of the screen matches regex; whether it did."""
        return wait_for(lambda: re.search(regex, self.screen(), re.M), SCREEN_WAIT, 0.1)


def main():
    binary = sys.argv[1]
    work = tmpdir("sw-tmux-")
    sw = Spillway(binary, work, CONF, "tmux", stats_interval=None).start()
    try:
        sw.wait_line(r"control: socket %s" % re.escape(sw.sock))
        check(True, "spillway is up, its control socket %s" % sw.sock)
        t = Tmux("%s --cli --socket %s" % (binary, sw.sock))
        steps = [
            (None, r"'help' lists the commands", "spillway --cli connected, banner shown"),
            ("help", r"set timeout NAME SECONDS", "help"),
            ("show stats", r"l2_passthrough  *[0-9]", "show stats"),
            ("set timeout udp 12", r"udp = 12", "set timeout"),
            ("show timeouts", r"udp  *12", "show timeouts"),
            ("show flowtable", r"max_flows 1024", "show flowtable"),
            ("no such thing", r"error: unknown command 'no'", "an error line"),
            ("quit", r"^bye", "quit"),
        ]
        for line, regex, what in steps:
            if line is not None:
                t.type(line)
            if not check(t.shows(regex), "%s: the screen shows '%s'" % (what, regex)):
                print(t.screen())
                break
        print("\n".join(t.screen().rstrip("\n").splitlines()[-5:]))
    finally:
        rc, totals = sw.stop()
    check(rc == 0, "spillway exits 0 (%s)" % rc)
    check("spillway: totals" in sw.output(), "spillway printed its totals")
    finish("cli tmux")


if __name__ == "__main__":
    main()
