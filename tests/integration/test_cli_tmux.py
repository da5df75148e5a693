#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""One interactive session as a person has it: tmux runs spillway --cli
on the control socket, keys are typed, the screen is read back. The
line editor (libedit): a prompt, history (the up arrow runs the last
command again, never its escape bytes: the "error: unknown: show
timeouts" of issue 25), Tab completing commands and set names, the
history kept in ~/.spillway_history.

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
sets = { feed = { family = "ipv4"; }; };
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
        self.tmux("send-keys", "-t", "s", "-l", line)
        self.tmux("send-keys", "-t", "s", "Enter")

    def keys(self, *keys):
        """Keys by name (Up, Tab, Enter) or literal text ("-l" first)."""
        if keys and keys[0] == "-l":
            self.tmux("send-keys", "-t", "s", "-l", *keys[1:])
        else:
            self.tmux("send-keys", "-t", "s", *keys)

    def count(self, regex):
        return len(re.findall(regex, self.screen(), re.M))

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
        t = Tmux("HOME=%s %s --cli --socket %s" % (work, binary, sw.sock))
        steps = [
            (None, r"'help' lists the commands", "spillway --cli connected, banner shown"),
            (None, r"^spillway>", "the prompt"),
            ("help", r"set timeout NAME SECONDS", "help"),
            ("show stats", r"l2_passthrough  *[0-9]", "show stats"),
            ("set timeout udp 12", r"udp = 12", "set timeout"),
            ("show timeouts", r"udp  *12", "show timeouts"),
            ("show flowtable", r"max_flows 1024", "show flowtable"),
            ("no such thing", r"error: unknown command 'no'", "an error line"),
        ]
        for line, regex, what in steps:
            if line is not None:
                t.type(line)
            if not check(t.shows(regex), "%s: the screen shows '%s'" % (what, regex)):
                print(t.screen())
                break
        # History: Up twice is "show flowtable" again, run as it was.
        n = t.count(r"max_flows 1024")
        nerr = t.count(r"error: unknown")
        t.keys("Up")
        t.keys("Up")
        t.keys("Enter")
        check(wait_for(lambda: t.count(r"max_flows 1024") == n + 1, SCREEN_WAIT, 0.1),
              "up arrow, up arrow, Enter: show flowtable again")
        check(t.count(r"error: unknown") == nerr and "control character" not in t.screen(),
              "  no escape byte reached spillway")
        # Tab: a unique word completes; a set name completes from the server.
        n = t.count(r"max_flows 1024")
        t.keys("-l", "show flowt")
        t.keys("Tab")
        t.keys("Enter")
        check(wait_for(lambda: t.count(r"max_flows 1024") == n + 1, SCREEN_WAIT, 0.1),
              "'show flowt' Tab: completed to show flowtable")
        t.keys("-l", "set add fe")
        t.keys("Tab")
        t.keys("-l", "192.0.2.1")
        t.keys("Enter")
        check(t.shows(r"set feed: 1 added"), "'set add fe' Tab: the set name completed")
        t.keys("-l", "show fl")
        t.keys("Tab")
        t.keys("Tab")
        check(t.shows(r"^flows  flowtable$"), "Tab on an ambiguous word lists the choices")
        t.keys("C-u")
        t.type("quit")
        check(t.shows(r"^bye"), "quit")
        hist = os.path.join(work, ".spillway_history")
        check(wait_for(lambda: os.path.exists(hist) and
                       re.search(r"show(\\040| )flowtable",  # libedit writes a space \040
                                 open(hist, errors="replace").read()), SCREEN_WAIT,
                       0.1), "the history is kept in ~/.spillway_history")
        print("\n".join(t.screen().rstrip("\n").splitlines()[-5:]))
    finally:
        rc, totals = sw.stop()
    check(rc == 0, "spillway exits 0 (%s)" % rc)
    check("spillway: totals" in sw.output(), "spillway printed its totals")
    finish("cli tmux")


if __name__ == "__main__":
    main()
