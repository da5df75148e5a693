# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""The real spillway binary under test: started on a generated config
with the one EAL line every test uses (hugepage-free, a file prefix of
its own), its control socket, its counters (waited on, never on the
clock alone), stopped with SIGTERM and its totals read. A run on two
net_pcap ports, and one frame by frame over veth pairs, are built on it.

A config may say `eal = @EAL@;` where the EAL list goes and `@SOCK@`
where the control socket goes; one without an `eal` setting gets the
EAL line put first, one without a `control` section gets the socket."""

import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

from . import harness
from .harness import on_exit

_runs = 0


def unique_prefix(tag):
    """An EAL file prefix no other run (of this process or another) has."""
    global _runs
    _runs += 1
    return "swt-%s-%d-%d" % (tag, os.getpid(), _runs)


def eal_args(prefix, lcores="0-1", telemetry=False, mem=256, huge_dir=None):
    """The EAL line: no hugepages (or a hugetlbfs mount of the test's
    own), `mem` MB, this run's file prefix, telemetry only if asked.
    lcores "0-1" is -l; "0@0,1@1,2@1" (lcores sharing a CPU) --lcores.
    spillway itself adds --no-pci when no port is a PCI device (and
    tests/integration/test_startup.py checks that it does)."""
    args = ["--lcores" if "@" in lcores else "-l", lcores]
    args += ["--huge-dir", huge_dir] if huge_dir else ["--no-huge"]
    args += ["-m", str(mem), "--file-prefix", prefix]
    if not telemetry:
        args.append("--no-telemetry")
    return args


def ports_conf(outside, inside):
    """The ports section: "outside" and "inside" on these DPDK devices."""
    return ('ports = ( { name = "outside"; dev = "%s"; },\n'
            '          { name = "inside";  dev = "%s"; } );\n' % (outside, inside))


def conf_list(items):
    return "[" + ", ".join('"%s"' % i for i in items) + "]"


def parse_stats(text):
    """`show stats` (or the totals printed at exit) as {name: int}: each
    line "  NAME  VALUE ..."; uptime_s (seconds.milliseconds) counts
    whole. The first line of a name wins."""
    out = {}
    for m in re.finditer(r"^\s+(\w+)\s+(\d+)", text, re.M):
        out.setdefault(m.group(1), int(m.group(2)))
    return out


def stat(src, name, default=None):
    """Counter `name` of `show stats` text, a parsed dict, or a Cli (the
    command is sent). default: what a counter this binary lacks reads as
    (None: that is an error)."""
    if isinstance(src, Cli):
        src = src.cmd("show stats")
    d = src if isinstance(src, dict) else parse_stats(src)
    if name in d:
        return d[name]
    if default is None:
        raise KeyError("no counter %r in show stats" % name)
    return default


def rule_hits(cli, comment):
    """The hit count of the rule whose comment is `comment` (show rules),
    or None when there is no such rule."""
    m = re.search(r"hits=(\d+) .*# %s$" % re.escape(comment), cli.cmd("show rules"), re.M)
    return int(m.group(1)) if m else None


def delta(a, b, names=None):
    """b - a, counter by counter (names: those only)."""
    return {k: b.get(k, 0) - a.get(k, 0) for k in (names or a)}


class Spillway:
    """One spillway process. workdir: where its config, socket and files
    go (default: a temporary directory of its own, removed at exit).
    netns: run it in that network namespace. stats_interval: --stats
    (the "stats:" lines wait_stats reads), None for none."""

    def __init__(self, binary, workdir, conf_text, tag="t", telemetry=False, mem=256,
                 lcores="0-1", huge_dir=None, netns=None, stats_interval=0.1):
        self.binary = binary
        self.workdir = workdir or harness.tmpdir("sw-%s-" % tag)
        self.tag = tag
        self.prefix = unique_prefix(tag)
        self.eal = eal_args(self.prefix, lcores, telemetry, mem, huge_dir)
        self.netns = netns
        self.stats_interval = stats_interval
        self.conf = os.path.join(self.workdir, self.prefix + ".conf")
        # The CLI's unix socket: one per run, so parallel runs never meet.
        self.sock = os.path.join(self.workdir, self.prefix + ".sock")
        self.port = None
        self.write_conf(conf_text)
        self.lines = []
        self.stats = {}
        self.proc = None
        self._q = queue.Queue()
        self._reader_done = threading.Event()
        on_exit(self._cleanup)

    def write_conf(self, conf_text):
        """(Re)write the config: @EAL@ becomes this run's EAL list (and a
        config without eal gets it first), @SOCK@ its CLI socket (and a
        config without a control section gets that socket)."""
        text = conf_text
        if "@EAL@" not in text and not re.search(r"^\s*eal\s*=", text, re.M):
            text = "eal = @EAL@;\n" + text
        text = text.replace("@EAL@", conf_list(self.eal))
        if not re.search(r"^\s*control\s*=", text, re.M):
            text += '\ncontrol = { socket = "@SOCK@"; };\n'
        text = text.replace("@SOCK@", self.sock)
        with open(self.conf, "w") as f:
            f.write(text)

    def start(self, *extra, env=None):
        """Run it (extra: more arguments; env: more environment)."""
        args = [self.binary, "-c", self.conf]
        if self.stats_interval:
            args += ["--stats", str(self.stats_interval)]
        if self.netns:
            args = ["ip", "netns", "exec", self.netns] + args
        self.proc = subprocess.Popen(args + list(extra), stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     env=dict(os.environ, **env) if env else None)
        threading.Thread(target=self._reader, daemon=True).start()
        return self

    def _reader(self):
        for line in self.proc.stdout:
            m = re.search(r"control: listening on 127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
            self.lines.append(line)
            self._q.put(line)
        self._q.put(None)
        self._reader_done.set()

    def output(self):
        return "".join(self.lines)

    def wait_line(self, pattern, timeout=30.0):
        """The first output line matching pattern, waiting for it (an
        error if spillway exits or the time runs out first)."""
        def seen():
            for line in list(self.lines):
                if re.search(pattern, line):
                    return line
            if self._reader_done.is_set():
                raise RuntimeError("spillway exited (%s) before a line matching %r:\n%s"
                                   % (self.proc.poll(), pattern, self.output()))
            return None
        try:
            return harness.wait_for(seen, timeout, 0.05, "a line matching %r" % pattern)
        except TimeoutError as e:
            raise RuntimeError("%s:\n%s" % (e, self.output())) from None

    def wait_running(self, timeout=30.0):
        """Wait until it forwards ("running:"); False if it exited first
        (a config it refused) or did not get there in time."""
        try:
            self.wait_line(r"running:", timeout)
            return self.proc.poll() is None
        except RuntimeError:
            return False

    def cli(self, timeout=10.0, tcp=False):
        """A session on the unix socket, or on TCP (tcp=True)."""
        if tcp:
            self.wait_line(r"control: listening on")
            return Cli(self.port, timeout)
        self.wait_line(r"control: socket ")
        return Cli(self.sock, timeout)

    def cmd(self, line, timeout=30.0):
        """One command on a session of its own; the reply ("" if spillway
        is not answering). Safe from several threads at once."""
        try:
            c = Cli(self.sock, timeout)
        except OSError:
            return ""
        try:
            return c.cmd(line)
        except OSError:
            return ""
        finally:
            c.close()

    def ctl(self, *args, stdin=None, timeout=60, config=True):
        """`spillway ctl ARGS...` on this run's config (config=False: no
        -c, the args say where); a CompletedProcess (returncode, stdout,
        stderr as text). stdin: text fed to it."""
        argv = [self.binary, "ctl"] + (["-c", self.conf] if config else []) + list(args)
        return subprocess.run(argv, input=stdin, capture_output=True, text=True,
                              timeout=timeout, stdin=None if stdin is not None else
                              subprocess.DEVNULL)

    def metrics_url(self):
        """The Prometheus endpoint's URL, as the start-up log gives it
        (stats.prometheus_listen, port 0 resolved)."""
        line = self.wait_line(r"metrics: Prometheus endpoint on http://")
        return re.search(r"(http://\S+/metrics)", line).group(1)

    def telemetry(self, cmd):
        """One rte_telemetry command (a run started with telemetry=True):
        the reply's bytes, as DPDK wrote them."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            s.connect("/var/run/dpdk/%s/dpdk_telemetry.v2" % self.prefix)
            s.recv(16384)
            s.send(cmd.encode())
            return s.recv(1 << 20)
        finally:
            s.close()

    def counters(self, *names):
        """`show stats` now, as {name: int}; with names, those only (-1
        for one this binary does not have)."""
        c = parse_stats(self.cmd("show stats"))
        return {n: c.get(n, -1) for n in names} if names else c

    def stats_json(self):
        """`show stats json`: its worker counters and the flow table's
        ("counters" and "flowtable"), by name, in one dict."""
        j = json.loads(self.cmd("show stats json"))
        s = dict(j["flowtable"])
        s.update(j["counters"])
        return s

    def flows(self, *patterns, detail=True):
        """Lines of `show flows [detail] 0` matching every regex given."""
        t = self.cmd("show flows detail 0" if detail else "show flows 0")
        return [l for l in t.splitlines() if all(re.search(p, l) for p in patterns)]

    def wait_counters(self, pred, timeout=10.0, interval=0.05, read=None):
        """Poll the counters (read(), default counters()) until pred(them)
        holds or timeout; the last read."""
        read = read or self.counters
        last = {}

        def ok():
            last["v"] = read()
            return pred(last["v"])
        harness.wait_for(ok, timeout, interval)
        return last["v"]

    def counted(self, s0, n, read=None, quiet=0.1, timeout=10.0):
        """Wait until spillway has received n frames more than snapshot s0
        says (its "rx"), then until the counters (read(), default
        counters()) stop moving for `quiet` seconds: what those frames
        did is counted. The last read."""
        read = read or self.counters
        harness.wait_for(lambda: read()["rx"] - s0["rx"] >= n, timeout, 0.02)
        return harness.settle(read, quiet, timeout, 0.02)

    def wait_stats(self, pred, timeout=30.0):
        """Wait until pred(stats) holds for a "stats:" line (--stats)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self._q.get(timeout=0.5)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError("spillway exited early:\n" + self.output())
            if line.startswith("stats:"):
                self.stats = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
                if pred(self.stats):
                    return self.stats
        raise RuntimeError("timed out waiting on counters, last %r\n%s" %
                           (self.stats, self.output()))

    def stop(self, timeout=30, sig=signal.SIGTERM):
        """SIGTERM (or sig), wait, and return (exit code, totals dict).
        A spillway that does not stop in time is killed (exit code < 0)."""
        if self.proc is None:
            return None, {}
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        # Everything it printed, the totals last.
        self._reader_done.wait(10)
        totals = {}
        for line in self.lines:
            m = re.match(r"^  (\w+)\s+(\d+)(?:\.\d+)?  ", line)
            if m:
                totals[m.group(1)] = int(m.group(2))
        self._remove_runtime()
        return rc, totals

    def _remove_runtime(self):
        shutil.rmtree("/var/run/dpdk/" + self.prefix, ignore_errors=True)

    def _cleanup(self):
        # Whatever happened, never leave a spillway spinning a core.
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self._remove_runtime()


class Cli:
    """A CLI session: send a line, read the reply up to the "." line.
    endpoint: the unix socket's path, or a TCP port on 127.0.0.1."""

    def __init__(self, endpoint, timeout=10.0):
        if isinstance(endpoint, str):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            try:
                self.sock.connect(endpoint)
            except OSError:
                self.sock.close()
                raise
        else:
            self.sock = socket.create_connection(("127.0.0.1", endpoint), timeout)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.banner = self.reply()

    def reply(self, raw=False):
        """The next reply, text (bytes not UTF-8 replaced), or its bytes
        as they came (raw=True)."""
        while True:
            i = self.buf.find(b"\n.\n")
            if self.buf.startswith(b".\n"):
                self.buf = self.buf[2:]
                return b"" if raw else ""
            if i >= 0:
                out, self.buf = self.buf[:i + 1], self.buf[i + 3:]
                return out if raw else out.decode(errors="replace")
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("closed; read so far: %r" % self.buf[-200:])
            self.buf += data

    def cmd(self, line, raw=False):
        self.sock.sendall((line if isinstance(line, bytes) else line.encode()) + b"\n")
        return self.reply(raw)

    def close(self):
        self.sock.close()


# ---- spillway between two net_pcap ports ----

NULL_PORTS = ports_conf("net_null0,no-rx=1", "net_null1,no-rx=1")	# nothing comes in
PCAP_PORTS = "eal = @EAL@;\n" + ports_conf("net_pcap0,rx_pcap=%s,tx_pcap=%s",
                                           "net_pcap1,rx_pcap=%s,tx_pcap=%s")


class PcapRun:
    """spillway between two ports: what it read, what it wrote."""
    sw = None
    rc = None
    totals = None
    out0 = None	# frames sent out of "outside"
    out1 = None	# frames sent out of "inside"


def pcap_conf(work, tag, in0_frames, in1_frames, conf_rest=""):
    """Write the two input pcaps of a run; the ports section (and
    conf_rest) that reads them and writes TAG-out0/out1.pcap; and a
    function naming the run's files (path("out1"))."""
    from .packets import write_pcap
    path = lambda name: os.path.join(work, "%s-%s.pcap" % (tag, name))
    write_pcap(path("in0"), in0_frames)
    write_pcap(path("in1"), in1_frames)
    conf = PCAP_PORTS % (path("in0"), path("out0"), path("in1"), path("out1")) + conf_rest
    return conf, path


def run_pcap(binary, work, tag, in0_frames, in1_frames, conf_rest, *args):
    """Write the inputs, run spillway with PCAP_PORTS + conf_rest until it
    has received every frame, stop it, and read both outputs."""
    from .packets import read_pcap
    conf, path = pcap_conf(work, tag, in0_frames, in1_frames, conf_rest)
    r = PcapRun()
    r.sw = Spillway(binary, work, conf, tag).start(*args)
    total = len(in0_frames) + len(in1_frames)
    try:
        r.sw.wait_stats(lambda s: s.get("rx", 0) >= total)
    finally:
        r.rc, r.totals = r.sw.stop()
    r.out0 = read_pcap(path("out0"))
    r.out1 = read_pcap(path("out1"))
    return r


# ---- frames in exact order, each on the side it belongs to ----

SEQ_PORTS = "eal = @EAL@;\n" + ports_conf("%s", "%s")


class Box:
    """spillway on a netns.VethPorts pair, kept running: frames are sent
    one at a time, each once spillway has received the one before."""

    def __init__(self, binary, work, ports, conf_rest, tag="box", mem=256,
                 telemetry=False, args=(), cli_timeout=60):
        self.ports = ports
        ports.drain(0)
        ports.drain(1)
        self.sw = Spillway(binary, work, SEQ_PORTS % tuple(ports.dev) + conf_rest, tag,
                           mem=mem, telemetry=telemetry).start(*args)
        self.cli = self.sw.cli(timeout=cli_timeout)
        self.rx = stat(self.cli, "rx")

    def write_conf(self, conf_rest):
        """A new config (for a reload): these ports and conf_rest."""
        self.sw.write_conf(SEQ_PORTS % tuple(self.ports.dev) + conf_rest)

    def send(self, side, frame, what="a frame"):
        """Send frame into side (0 "outside", 1 "inside") and wait until
        spillway has received it."""
        self.ports.send(side, frame)
        self.rx += 1
        try:
            harness.wait_for(lambda: stat(self.cli, "rx") >= self.rx, 10, 0.002,
                             "%s: %s arriving (rx %d)" % (self.sw.tag, what, self.rx))
        except TimeoutError as e:
            raise RuntimeError("%s:\n%s" % (e, self.sw.output())) from None

    def sent_out(self, side, want=None, timeout=1.0):
        """What spillway sent out of the far end of side since the last
        read. want(frames): wait (up to timeout) until it holds; without
        it, until spillway's tx counter stops moving (what it forwards
        has left the tx ring)."""
        got = []

        def more():
            got.extend(self.ports.drain(side))
            return want(got) if want else None
        if want:
            harness.wait_for(more, timeout, 0.005)
        else:
            # A frame is counted in tx once the port took it: by then
            # it is in the far end's socket (af_packet sends at once).
            harness.settle(lambda: stat(self.cli, "tx"), 0.05, max(timeout, 1.0), 0.005)
            more()
        return got

    def passes(self, side, frame):
        """Send one frame; True when it came out of the other side."""
        self.ports.drain(0)
        self.ports.drain(1)
        self.send(side, frame)
        return frame in self.sent_out(1 - side)

    def stop(self):
        self.cli.close()
        return self.sw.stop()


def run_seq(binary, work, ports, tag, frames, conf_rest, *args):
    """frames: (side, bytes) in order, side 0 entering "outside" and 1
    "inside". Each is sent once spillway has received the previous one;
    then, once its tx counter is still, spillway is stopped and what it
    sent out is read back."""
    r = PcapRun()
    box = Box(binary, work, ports, conf_rest, tag, args=args)
    r.sw = box.sw
    try:
        for n, (side, frame) in enumerate(frames, 1):
            box.send(side, frame, "frame %d" % n)
        # The last frames leave the tx rings: tx stops moving.
        harness.settle(lambda: stat(box.cli, "tx"), 0.2, 5, 0.02)
        box.cli.close()
    finally:
        r.rc, r.totals = r.sw.stop()
    r.out0 = ports.drain(0)
    r.out1 = ports.drain(1)
    return r


__all__ = ["Spillway", "Cli", "Box", "PcapRun", "run_pcap", "run_seq", "pcap_conf", "ports_conf",
           "NULL_PORTS",
           "PCAP_PORTS", "SEQ_PORTS", "eal_args", "unique_prefix", "parse_stats",
           "stat", "delta", "rule_hits"]
