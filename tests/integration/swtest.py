# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Harness for integration tests: run the real spillway binary on a
generated config, wait on its counters (never on the clock alone), stop
it with SIGTERM and read its totals."""

import os
import queue
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

_runs = 0


def eal_args(prefix, lcores="0-1", telemetry=False, mem=256):
    """Hugepage-free EAL arguments with a file prefix of this run's own."""
    args = ["-l", lcores, "--no-huge", "-m", str(mem), "--file-prefix", prefix]
    if not telemetry:
        args.append("--no-telemetry")
    return args


def unique_prefix(tag):
    global _runs
    _runs += 1
    return "swt-%s-%d-%d" % (tag, os.getpid(), _runs)


def conf_list(items):
    return "[" + ", ".join('"%s"' % i for i in items) + "]"


class Spillway:
    def __init__(self, binary, workdir, conf_text, tag="t", telemetry=False, mem=256):
        self.binary = binary
        self.workdir = workdir
        self.prefix = unique_prefix(tag)
        self.telemetry = telemetry
        self.mem = mem
        self.conf = os.path.join(workdir, self.prefix + ".conf")
        # The CLI's unix socket: one per run, so parallel runs never meet.
        self.sock = os.path.join(workdir, self.prefix + ".sock")
        self.port = None
        self.write_conf(conf_text)
        self.lines = []
        self.stats = {}
        self.proc = None
        self._q = queue.Queue()

    def write_conf(self, conf_text):
        """(Re)write the config; @EAL@ becomes this run's EAL list and
        @SOCK@ its CLI socket. A config without a control section gets
        that socket, so parallel runs never fight over one path."""
        text = conf_text.replace(
            "@EAL@", conf_list(eal_args(self.prefix, telemetry=self.telemetry,
                                        mem=self.mem)))
        if "control" not in text:
            text += '\ncontrol = { socket = "@SOCK@"; };\n'
        text = text.replace("@SOCK@", self.sock)
        with open(self.conf, "w") as f:
            f.write(text)

    def _reader(self):
        for line in self.proc.stdout:
            m = re.search(r"control: listening on 127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
            self.lines.append(line)
            self._q.put(line)
        self._q.put(None)

    def wait_line(self, pattern, timeout=30.0):
        """Wait for an output line matching pattern; bounded."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for line in list(self.lines):
                if re.search(pattern, line):
                    return line
            time.sleep(0.05)
        raise RuntimeError("no line matching %r:\n%s" % (pattern, self.output()))

    def cli(self, timeout=10.0, tcp=False):
        """A session on the unix socket, or on TCP (tcp=True)."""
        if tcp:
            self.wait_line(r"control: listening on")
            return Cli(self.port, timeout)
        self.wait_line(r"control: socket ")
        return Cli(self.sock, timeout)

    def start(self, *extra):
        self.proc = subprocess.Popen(
            [self.binary, "-c", self.conf, "--stats", "0.1"] + list(extra),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._reader, daemon=True).start()
        return self

    def wait_stats(self, pred, timeout=30.0):
        """Wait until pred(stats) holds for a 'stats:' line; bounded."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self._q.get(timeout=0.5)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError("spillway exited early:\n" + self.output())
            if line.startswith("stats:"):
                self.stats = {k: int(v) for k, v in
                              re.findall(r"(\w+)=(\d+)", line)}
                if pred(self.stats):
                    return self.stats
        raise RuntimeError("timed out waiting on counters, last %r\n%s" %
                           (self.stats, self.output()))

    def stop(self, timeout=30, sig=signal.SIGTERM):
        """SIGTERM (or sig), wait, and return (exit code, totals dict)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if self.lines and self._q.empty() and self.proc.stdout.closed:
                break
            try:
                if self._q.get(timeout=0.2) is None:
                    break
            except queue.Empty:
                pass
        totals = {}
        for line in self.lines:
            # Whole numbers; uptime_s in seconds.milliseconds counts whole.
            m = re.match(r"^  (\w+)\s+(\d+)(?:\.\d+)?  ", line)
            if m:
                totals[m.group(1)] = int(m.group(2))
        shutil.rmtree("/var/run/dpdk/" + self.prefix, ignore_errors=True)
        return rc, totals

    def output(self):
        return "".join(self.lines)


class Cli:
    """A CLI session: send a line, read the reply up to the "." line.
    endpoint: the unix socket's path, or a TCP port on 127.0.0.1."""

    def __init__(self, endpoint, timeout=10.0):
        if isinstance(endpoint, str):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(endpoint)
        else:
            self.sock = socket.create_connection(("127.0.0.1", endpoint), timeout)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.banner = self.reply()

    def reply(self):
        while True:
            i = self.buf.find(b"\n.\n")
            if self.buf.startswith(b".\n"):
                self.buf = self.buf[2:]
                return ""
            if i >= 0:
                out, self.buf = self.buf[:i + 1], self.buf[i + 3:]
                return out.decode(errors="replace")
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("closed; read so far: %r" % self.buf[-200:])
            self.buf += data

    def cmd(self, line):
        self.sock.sendall(line.encode() + b"\n")
        return self.reply()

    def close(self):
        self.sock.close()


def write_pcap(path, frames):
    """Write raw Ethernet frames (bytes) to a classic pcap file."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, b in enumerate(frames):
            f.write(struct.pack("<IIII", i // 1000, (i % 1000) * 1000,
                                len(b), len(b)))
            f.write(b)


def read_pcap(path):
    """Frames (bytes) of a classic pcap file, in order."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data)[0]
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack_from(end + "IIII", data, off)
        off += 16
        out.append(data[off:off + incl])
        off += incl
    return out


PCAP_PORTS = """eal = @EAL@;
ports = ( { name = "outside"; dev = "net_pcap0,rx_pcap=%s,tx_pcap=%s"; },
          { name = "inside";  dev = "net_pcap1,rx_pcap=%s,tx_pcap=%s"; } );
"""


class PcapRun:
    """spillway between two net_pcap ports: what it read, what it wrote."""
    sw = None
    rc = None
    totals = None
    out0 = None	# frames sent out of "outside"
    out1 = None	# frames sent out of "inside"


def run_pcap(binary, work, tag, in0_frames, in1_frames, conf_rest, *args):
    """Write the inputs, run spillway with PCAP_PORTS + conf_rest until it
    has received every frame, stop it, and read both outputs."""
    path = lambda name: os.path.join(work, "%s-%s.pcap" % (tag, name))
    write_pcap(path("in0"), in0_frames)
    write_pcap(path("in1"), in1_frames)
    conf = PCAP_PORTS % (path("in0"), path("out0"), path("in1"),
                         path("out1")) + conf_rest
    r = PcapRun()
    r.sw = Spillway(binary, work, conf, tag).start(*args)
    total = len(in0_frames) + len(in1_frames)
    try:
        r.sw.wait_stats(lambda s: s.get("rx", 0) >= total)
    finally:
        # Whatever happened, never leave a spillway spinning a core.
        r.rc, r.totals = r.sw.stop()
    r.out0 = read_pcap(path("out0"))
    r.out1 = read_pcap(path("out1"))
    return r


def check(cond, msg):
    if not cond:
        print("FAIL: " + msg, flush=True)
        sys.exit(1)
    print("ok: " + msg, flush=True)


# ---- frames in exact order, each on the side it belongs to ----
#
# A flow remembers the port its opener came in on: replies must enter on
# the other port. A pcap per port cannot order frames across the two, so
# these tests run spillway on net_af_packet over two veth pairs in a
# private network namespace (unshare --net: it vanishes with the test,
# whatever happens), send each frame from the far end of its side's
# veth, and wait until spillway has received it before sending the
# next. What spillway sends out is read on the far ends.

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def private_netns():
    """Re-run this script in a network namespace of its own (root only).
    Inside: loopback up, IPv6 off by default so that new interfaces send
    nothing by themselves (no MLD, no router solicitations)."""
    if os.environ.get("SW_PRIVATE_NETNS") == "1":
        return
    if os.geteuid() != 0:
        print("needs root for a private network namespace")
        sys.exit(77)
    env = dict(os.environ, SW_PRIVATE_NETNS="1")
    os.execvpe("unshare", ["unshare", "--net", "--", sys.executable] + sys.argv, env)


def _sh(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


class VethPorts:
    """Two veth pairs in the private namespace: spillway takes sw0 and
    sw1, the test sends and reads on sw0p and sw1p."""

    def __init__(self):
        assert os.environ.get("SW_PRIVATE_NETNS") == "1"
        _sh("ip", "link", "set", "lo", "up")
        _sh("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
        _sh("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        self.socks = []
        for i in range(2):
            _sh("ip", "link", "add", "sw%d" % i, "type", "veth", "peer",
                "name", "sw%dp" % i)
            for n in ("sw%d" % i, "sw%dp" % i):
                _sh("ip", "link", "set", n, "up")
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                              socket.htons(ETH_P_ALL))
            s.bind(("sw%dp" % i, 0))
            s.setblocking(False)
            self.socks.append(s)
        self.dev = ["net_af_packet0,iface=sw0", "net_af_packet1,iface=sw1"]

    def send(self, side, frame):
        self.socks[side].send(frame)

    def drain(self, side):
        """Frames that arrived on side's far end since the last drain."""
        out = []
        while True:
            try:
                data, addr = self.socks[side].recvfrom(65536)
            except BlockingIOError:
                return out
            if addr[2] != PACKET_OUTGOING:
                out.append(data)


SEQ_PORTS = """eal = @EAL@;
ports = ( { name = "outside"; dev = "%s"; },
          { name = "inside";  dev = "%s"; } );
"""


def stat(cli, name):
    m = re.search(r"^\s+%s\s+(\d+)" % name, cli.cmd("show stats"), re.M)
    return int(m.group(1))


class SeqRun(PcapRun):
    """Like PcapRun; out0/out1 hold what left "outside"/"inside"."""


_veths = None


def run_seq(binary, work, tag, frames, conf_rest, *args):
    """frames: (side, bytes) in order, side 0 entering "outside" and 1
    "inside". Each is sent once spillway has received the previous one;
    then spillway is stopped and what it sent out is read back."""
    global _veths
    if _veths is None:
        _veths = VethPorts()
    ports = _veths
    ports.drain(0)
    ports.drain(1)
    conf = SEQ_PORTS % tuple(ports.dev) + conf_rest
    r = SeqRun()
    r.sw = Spillway(binary, work, conf, tag).start(*args)
    try:
        cli = r.sw.cli()
        base = stat(cli, "rx")
        for n, (side, frame) in enumerate(frames, 1):
            ports.send(side, frame)
            end = time.monotonic() + 10
            while stat(cli, "rx") < base + n:
                if time.monotonic() > end:
                    raise RuntimeError("%s: frame %d never arrived:\n%s"
                                       % (tag, n, r.sw.output()))
                time.sleep(0.001)
        cli.close()
        time.sleep(0.2)		# the last frames leave the tx rings
    finally:
        r.rc, r.totals = r.sw.stop()
    r.out0 = ports.drain(0)
    r.out1 = ports.drain(1)
    return r
