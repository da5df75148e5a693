#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Who may drive spillway, attacked as a local user would.

Regression: "any local process drives the CLI": the CLI listened on
127.0.0.1:9023 without a password, so any local user (or a container
in the namespace, or an SSRF bug) could flush flows or set timeouts;
a TCP password could be guessed without end; the stats file was
written as root through whatever symlink sat at FILE.tmp. Fixed by
"control: unix socket by default; TCP needs a password" and "main:
write the stats file with mkstemp, fsync, rename".

- an unprivileged user (nobody) cannot connect to the unix socket
  (0600), and if the socket is made 0666 by mistake, SO_PEERCRED still
  refuses and logs it; a member of control.socket_group gets in, a
  user outside it does not;
- a wrong TCP password is answered more slowly each time (1, 2, 4 s),
  from parallel connections too, and each failure is logged; a TCP
  session is read-only; spillway --cli and nc -U work on the socket;
- connections that never authenticate, from sources serving a
  back-off and trickling bytes, cannot keep a TCP slot past the 10 s
  login window (regression, "control: a TCP login ends at a deadline
  set at connect");
- spillway --check warns about a world-readable password;
- a symlink planted at the stats file's temporary name (and at the
  file itself) does not redirect the write."""

import json
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import Cli, Spillway, check, finish, ports_conf, tmpdir, wait_for  # noqa: E402

CONF = ports_conf("net_null0", "net_null1") + """flowtable = { max_flows = 1024; };
control = { socket = "@SOCK@"; %(extra)s };
stats = { file = "%(stats)s"; interval_ms = 100; };
"""

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
DAEMON = ["setpriv", "--reuid=1", "--regid=1", "--clear-groups"]

# What an unprivileged local process tries: connect, flush the flows.
ATTACK = r"""
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("connect: " + type(e).__name__)
    sys.exit(0)
try:
    s.sendall(b"flush flows\nquit\n")
except OSError:
    pass
out = b""
while True:
    try:
        d = s.recv(4096)
    except OSError:
        break
    if not d:
        break
    out += d
print("reply: " + out.decode(errors="replace").replace("\n", "|"))
"""


def as_user(user, *args):
    p = subprocess.run(user + ["/usr/bin/python3", "-c", ATTACK] + list(args),
                       capture_output=True, text=True, timeout=20)
    return (p.stdout + p.stderr).strip()


def log_count(sw, pattern):
    return len([l for l in sw.lines if re.search(pattern, l)])


def test_unix_socket(sw, work):
    st = os.stat(sw.sock)
    check(stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600
          and st.st_uid == 0, "socket %s is 0600, owner root" % sw.sock)
    out = as_user(NOBODY, sw.sock)
    check(out == "connect: PermissionError", "nobody cannot connect (%s)" % out)
    # A mistake (chmod 666) leaves the credentials check standing.
    os.chmod(sw.sock, 0o666)
    out = as_user(NOBODY, sw.sock)
    check("error: uid 65534 may not use this socket" in out and "flushed" not in out,
          "socket made 0666: nobody still refused by SO_PEERCRED (%s)" % out)
    sw.wait_line(r"control: refused unix client pid \d+ uid 65534")
    check(True, "the refusal is logged with pid and uid")
    os.chmod(sw.sock, 0o600)
    c = sw.cli()
    check(c.cmd("flush flows").startswith("flushed "), "root on the socket: admin")
    c.close()
    # A connection is logged at debug level only; what it changes is
    # logged with its credentials.
    sw.wait_line(r"control: unix client pid \d+ uid 0 gid 0: flush flows")
    check(True, "root's change is logged with its credentials")
    # spillway --cli and nc -U, as a person and a script use them.
    p = subprocess.run([sw.binary, "--cli", "--socket", sw.sock], input="show timeouts\n",
                       capture_output=True, text=True, timeout=10)
    check(p.returncode == 0 and re.search(r"tcp_established\s+\d+", p.stdout),
          "spillway --cli: show timeouts")
    p = subprocess.run(["nc", "-N", "-U", sw.sock], input="show flowtable\nquit\n",
                       capture_output=True, text=True, timeout=10)
    check("max_flows 1024" in p.stdout and "bye" in p.stdout, "nc -U: show flowtable")
    # The default endpoint is the socket: no TCP listener unless asked.
    check(log_count(sw, r"control: listening on") == 0, "no TCP listener by default")


def test_group(binary, work):
    sock = os.path.join(work, "grp.sock")
    text = CONF % {"extra": 'socket_group = "nogroup";', "stats": os.path.join(work, "g.json")}
    sw = Spillway(binary, work, text.replace("@SOCK@", sock), "grp").start()
    try:
        sw.wait_line(r"control: socket .*mode 0660")
        st = os.stat(sock)
        check(stat.S_IMODE(st.st_mode) == 0o660 and st.st_gid == 65534,
              "socket_group: 0660, group nogroup")
        out = as_user(NOBODY, sock)
        check("reply: " in out and "flushed " in out, "a member of the group gets in (%s)" % out)
        out = as_user(DAEMON, sock)
        check(out == "connect: PermissionError", "a user outside it does not (%s)" % out)
    finally:
        rc, _ = sw.stop()
    check(rc == 0 and not os.path.exists(sock), "exit 0, socket removed")


def timed_reply(cli, line):
    t = time.monotonic()
    r = cli.cmd(line)
    return r, time.monotonic() - t


TCP = 'listen = "127.0.0.1:0"; password = "s3cret pw";'


def tcp_instance(binary, work, tag, extra=""):
    text = CONF % {"extra": TCP + extra, "stats": os.path.join(work, tag + ".json")}
    return Spillway(binary, work, text, tag).start()


def test_tcp_sequential(binary, work):
    """The right password gives a read-only session; wrong ones are
    answered more slowly each time, and logged."""
    sw = tcp_instance(binary, work, "seq")
    try:
        c = sw.cli(tcp=True)
        check("auth PASSWORD" in c.banner, "TCP: the banner asks for a password")
        check(c.cmd("auth s3cret pw").startswith("authenticated (read-only)"), "TCP auth")
        check("rx" in c.cmd("show stats"), "read-only session may look")
        for cmd in ("flush flows", "set timeout udp 1", "reload"):
            check(c.cmd(cmd).startswith("error: this session is read-only"),
                  "read-only session may not: %s" % cmd)
        c.close()
        c = sw.cli(tcp=True)
        times = []
        for i, guess in enumerate(("auth letmein", "auth 123456", "auth hunter2")):
            r, dt = timed_reply(c, guess)
            times.append(dt)
            want = "error: authentication failed" if i == 2 else "error: wrong password"
            check(r.startswith(want), "TCP guess %d: %r after %.2f s" % (i + 1, r.strip(), dt))
        check(times[0] >= 0.9 and times[1] >= times[0] * 1.6 and times[2] >= times[1] * 1.6,
              "each wrong password is answered more slowly: %s s"
              % ", ".join("%.2f" % t for t in times))
        check(log_count(sw, r"failed authentication from tcp client 127\.0\.0\.1") == 3,
              "each failure is logged")
    finally:
        rc, _ = sw.stop()
    check(rc == 0, "exit 0")


def test_tcp_parallel(binary, work):
    """Parallel connections do not multiply the guesses: the source's
    wait holds them all, so three guesses take 1 + 2 + 4 s."""
    sw = tcp_instance(binary, work, "par")
    try:
        sw.wait_line(r"control: listening on")
        t0 = time.monotonic()
        done = []
        conns = [Cli(sw.port, timeout=30) for _ in range(3)]

        def guess(d, n):
            done.append((d.cmd("auth wrong%d" % n), time.monotonic() - t0))
            d.close()
        ts = [threading.Thread(target=guess, args=(d, n)) for n, d in enumerate(conns)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        when = sorted(dt for _, dt in done)
        check(len(done) == 3 and all(r.startswith("error: wrong password") for r, _ in done),
              "3 parallel guesses refused")
        check(when[0] >= 0.9 and when[1] >= 2.8 and when[2] >= 6.5,
              "and answered one after another: %s s" % ", ".join("%.1f" % w for w in when))
        check(log_count(sw, r"failed authentication from tcp client") == 3, "3 failures logged")
        four = [Cli(sw.port, timeout=30) for _ in range(4)]
        extra = Cli(sw.port, timeout=30)
        check(extra.banner.startswith("error: too many connections from your address"),
              "a fifth waiting connection from one address is refused")
        # That these slots come free again: test_tcp_login_window.
        for d in four:
            d.close()
    finally:
        rc, _ = sw.stop()
    check(rc == 0, "exit 0")


def test_tcp_login_window(binary, work):
    """Regression: "the TCP listener can be locked without the
    password". Clients of a source serving a failed-authentication
    back-off had their idle time reset on every poll, and bytes sent
    reset it too, so the 10 s to authenticate never ran out: 2 addresses
    x 4 connections x 2 wrong passwords, trickling a byte now and then,
    held all 8 TCP slots for minutes, renewably. Fixed by "control: a
    TCP login ends at a deadline set at connect". Here the right
    password must get in within the window (10 s) and 2 s of slack."""
    sw = tcp_instance(binary, work, "lock")
    attackers = []
    stop = threading.Event()

    def trickle():
        while not stop.wait(0.5):
            for a in attackers:
                try:
                    a.sendall(b"x")
                except OSError:
                    pass
    t = threading.Thread(target=trickle, daemon=True)
    try:
        sw.wait_line(r"control: listening on")
        # 2 sources x 4: the per-source limit, and together every TCP slot
        # (half of max_clients 16 while the unix socket is on).
        for src in ("127.0.0.2", "127.0.0.3"):
            for _ in range(4):
                a = socket.create_connection(("127.0.0.1", sw.port), 10,
                                             source_address=(src, 0))
                a.sendall(b"auth wrong-one\nauth wrong-two\n")
                attackers.append(a)
        t0 = time.monotonic()
        t.start()
        sw.wait_line(r"failed authentication from tcp client 127\.0\.0\.3")
        check(True, "both attacking sources are in a back-off")
        got, first, tries = None, None, 0
        while got is None and time.monotonic() - t0 < 14:
            tries += 1
            try:
                c = Cli(sw.port, timeout=5)
            except (OSError, ConnectionError):
                time.sleep(0.2)
                continue
            if first is None:
                first = c.banner.strip()
            if c.banner.startswith("error: too many clients"):
                c.close()
                time.sleep(0.2)
                continue
            r = c.cmd("auth s3cret pw")
            got = (r.strip(), time.monotonic() - t0)
            c.close()
        check(first is not None and first.startswith("error: too many clients"),
              "8 unauthenticated connections hold every TCP slot (%r)" % first)
        check(got is not None and got[0].startswith("authenticated") and got[1] <= 12,
              "the right password gets in within the 10 s login window + 2 s, "
              "however the locking clients trickle bytes (%s, %d tries)" %
              ("%r after %.1f s" % got if got else "still locked out after 14 s",
               tries))
    finally:
        stop.set()
        for a in attackers:
            a.close()
        rc, _ = sw.stop()
    check(rc == 0, "exit 0")


def test_check_warns(binary, work):
    conf = os.path.join(work, "pw.conf")
    with open(conf, "w") as f:
        f.write('control = { listen = "127.0.0.1:9023"; password = "x"; };\n')
    os.chmod(conf, 0o644)
    p = subprocess.run([binary, "--check", "-c", conf], capture_output=True, text=True)
    check(p.returncode == 0 and "readable by everyone (mode 0644)" in p.stderr,
          "--check warns: %s" % p.stderr.strip())
    os.chmod(conf, 0o600)
    p = subprocess.run([binary, "--check", "-c", conf], capture_output=True, text=True)
    check(p.returncode == 0 and "warning" not in p.stderr, "--check quiet at 0600")


def uptime(path):
    """The stats file's uptime_s, or -1 while there is none to read."""
    try:
        with open(path) as f:
            return json.load(f)["uptime_s"]
    except (OSError, ValueError, KeyError):
        return -1


def test_stats_symlink(sw, stats, victim):
    sw.wait_line(r"running:")
    first = wait_for(lambda: uptime(stats) >= 0 and uptime(stats), 10, 0.05)
    # Several more writes (one every 100 ms), each through FILE.tmp's name.
    wait_for(lambda: uptime(stats) >= first + 0.5, 10, 0.05)
    with open(victim) as f:
        check(f.read() == "precious\n", "the symlink at stats.json.tmp did not redirect "
              "the write: its target is untouched")
    with open(stats) as f:
        check("uptime_s" in json.load(f), "stats.json written and valid JSON")


def main():
    binary = sys.argv[1]
    work = tmpdir("sw-access-")
    # Others may reach the directory: the socket's own mode decides.
    os.chmod(work, 0o755)
    sdir = os.path.join(work, "stats")
    os.mkdir(sdir)
    stats = os.path.join(sdir, "stats.json")
    victim = os.path.join(work, "victim")
    with open(victim, "w") as f:
        f.write("precious\n")
    os.symlink(victim, stats + ".tmp")
    sw = Spillway(binary, work, CONF % {"extra": "", "stats": stats}, "acc").start()
    try:
        test_stats_symlink(sw, stats, victim)
        test_unix_socket(sw, work)
    finally:
        rc, _ = sw.stop()
    check(rc == 0, "exit 0")
    # Once it has stopped (a write may be under way while it runs):
    # every temporary file was renamed into place or removed.
    left = [n for n in os.listdir(os.path.dirname(stats)) if n.startswith(".stats.json.")]
    check(not left, "no temporary file left behind (%s)" % left)
    test_group(binary, work)
    test_tcp_sequential(binary, work)
    test_tcp_parallel(binary, work)
    test_tcp_login_window(binary, work)
    test_check_warns(binary, work)
    finish("access")


if __name__ == "__main__":
    main()
