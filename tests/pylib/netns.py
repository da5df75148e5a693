# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Network namespaces for the tests.

Topology: tools/netns.sh's client -- firewall -- server namespaces (or
the same around a Linux router), named after this run so runs never
meet, removed when the script ends however it ends; the roles the tests
run inside them (tests/e2e/agent.py, attacker.py, peer.py), raw sockets
made inside them (Wire), and code run inside them (in_ns).

private_netns() and VethPorts: a namespace of the script's own with two
veth pairs, for the integration tests that send frame by frame."""

import ctypes
import json
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time

from . import harness
from .harness import on_exit, sh

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOP = os.path.dirname(TESTS)
E2E = os.path.join(TESTS, "e2e")
NETNS_SH = os.path.join(TOP, "tools", "netns.sh")
PY = "/usr/bin/python3"		# Debian's, with scapy; not the first on PATH
ETH_P_ALL = 0x0003
CLONE_NEWNET = 0x40000000
SO_RCVBUFFORCE = 33

_libc = None
_topos = 0


def in_ns(ns, fn, *args):
    """fn(*args) in a thread that entered namespace ns (the sockets it
    makes stay there; the process does not move); its result, or the
    exception it raised."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    res = {}

    def run():
        fd = os.open("/run/netns/" + ns, os.O_RDONLY)
        try:
            if _libc.setns(fd, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns " + ns)
            res["v"] = fn(*args)
        except Exception as e:	# noqa: BLE001 - handed to the caller
            res["e"] = e
        finally:
            os.close(fd)
    t = threading.Thread(target=run)
    t.start()
    t.join()
    if "e" in res:
        raise res["e"]
    return res["v"]


def raw_socket(iface="eth0", rcvbuf=8 << 20):
    """An AF_PACKET socket on iface, with room for every answer to a
    burst (the SYN proxy answers thousands of SYNs before the test
    reads)."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf)
    s.bind((iface, 0))
    return s


def mac_of(ns, dev="eth0"):
    """The MAC of dev in namespace ns (sysfs shows the namespace it was
    mounted in: ask ip netns exec)."""
    return sh("ip netns exec %s cat /sys/class/net/%s/address" % (ns, dev)).strip()


class Wire:
    """One side of spillway, seen from a namespace's eth0: send frames
    into it, read what it lets out."""

    def __init__(self, ns, iface="eth0"):
        self.s = in_ns(ns, raw_socket, iface)
        self.mac = mac_of(ns, iface)
        self.peer = None

    def send(self, frames, pace=64):
        if isinstance(frames, (bytes, bytearray)):
            frames = [frames]
        for i, f in enumerate(frames):
            self.s.send(f)
            if pace and i % pace == pace - 1:
                time.sleep(0.002)

    def read(self, timeout=0.0, outgoing=False):
        """Frames that arrived (not the ones we sent, unless outgoing),
        within timeout."""
        out = []
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            r, _, _ = select.select([self.s], [], [], max(0.0, left))
            if not r:
                if left <= 0:
                    return out
                continue
            f, addr = self.s.recvfrom(65535)
            if outgoing or addr[2] != socket.PACKET_OUTGOING:
                out.append(f)

    def drain(self):
        return self.read(0.0)

    def expect(self, pred, timeout=3.0):
        """Wait for frames matching pred; returns those seen (and what
        else matching arrives right behind the first)."""
        got = []
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            got += [f for f in self.read(0.05) if pred(f)]
            if got:
                got += [f for f in self.read(0.1) if pred(f)]
                return got
        return got

    def ask(self, frames, pred, timeout=3.0):
        """Send frames (after dropping what came before) and wait for
        the answer: expect(pred)."""
        self.drain()
        self.send(frames)
        return self.expect(pred, timeout)

    def collect(self, pred, n, timeout=5.0):
        """Frames matching pred until n have come or timeout."""
        got = []
        end = time.monotonic() + timeout
        while len(got) < n and time.monotonic() < end:
            got += [f for f in self.read(min(0.05, max(0.0, end - time.monotonic())))
                    if pred(f)]
        return got


# ---- the roles run inside namespaces ----

def _last_json(text):
    lines = [l for l in text.splitlines() if l.startswith("{")]
    return json.loads(lines[-1]) if lines else None


def role(ns, script, *args, timeout=120):
    """Run a role (tests/e2e/SCRIPT ARGS) in namespace ns, wait, and
    return the last JSON line it printed ({"error": ...} if none)."""
    p = subprocess.run(["ip", "netns", "exec", ns, PY, os.path.join(E2E, script)]
                       + [str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout)
    return _last_json(p.stdout) or {"error": p.stderr[-800:]}


def role_bg(ns, script, *args):
    """The same in the background, killed at exit if still running."""
    return harness.bg(["ip", "netns", "exec", ns, PY, os.path.join(E2E, script)]
                      + [str(a) for a in args])


def readline(p, timeout):
    """One line of p's stdout within timeout, or None."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([p.stdout], [], [], max(0.0, end - time.monotonic()))
        if r:
            return p.stdout.readline()
    return None


def ready(p, timeout=20):
    """Wait until a background role says {"ready": true}; that line."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        line = readline(p, end - time.monotonic())
        if not line:
            break
        if '"ready": true' in line:
            return json.loads(line)
    err = ""
    if p.poll() is not None and p.stderr is not None:
        err = p.stderr.read()[-800:]
    raise RuntimeError("role not ready within %d s (exit %s): %s" % (timeout, p.poll(), err))


def result(p, timeout=60):
    """A background role's last JSON line once it has ended."""
    out, err = p.communicate(timeout=timeout)
    return _last_json(out) or {"error": (err or "")[-800:]}


class Topology:
    """tools/netns.sh's three namespaces, named after this run: client
    (192.0.2.1, 2001:db8::1) -- sw-out [fw] sw-in -- server (192.0.2.2,
    2001:db8::2); router=True: a Linux router in fw instead (the server
    at 192.0.2.130, 2001:db8:2::2). Removed when the script ends."""

    C4, S4, C6, S6 = "192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"

    def __init__(self, tag, router=False):
        global _topos
        _topos += 1
        self.id = "%s%d%s" % (tag, os.getpid(), "" if _topos == 1 else "-%d" % _topos)
        self.cli, self.fw, self.srv = ("sw-%s-%s" % (n, self.id) for n in ("cli", "fw", "srv"))
        self.router = router
        if router:
            self.S4, self.S6 = "192.0.2.130", "2001:db8:2::2"
        # Registered before anything is made: a half-made topology goes too.
        on_exit(self.down)
        self._netns_sh("sw_topo_router_up" if router else "sw_topo_up")

    def _netns_sh(self, fn):
        return sh(". '%s'; %s" % (NETNS_SH, fn), env={"SW_ID": self.id})

    def down(self):
        self._netns_sh("sw_topo_down")

    def ns(self, ns, cmd, check=True):
        """A shell command in namespace ns; its stdout."""
        return sh("ip netns exec %s %s" % (ns, cmd), check=check)

    def mac(self, ns, dev="eth0"):
        return mac_of(ns, dev)

    def ports(self, driver="af_packet", framecnt=None, qpairs=None):
        """The ports section for spillway in fw: sw-out outside, sw-in
        inside."""
        extra = ""
        if framecnt:
            extra += ",framecnt=%d" % framecnt
        if qpairs:
            extra += ",qpairs=%d" % qpairs
        from .spillway import ports_conf
        drv = "net_af_xdp" if driver == "af_xdp" else "net_af_packet"
        return ports_conf("%s0,iface=sw-out%s" % (drv, extra), "%s1,iface=sw-in%s" % (drv, extra))

    def spillway(self, binary, conf_text, tag="e2e", mem=512, **kw):
        """A Spillway in fw (not started); its ports are this topology's
        unless the config names its own."""
        from .spillway import Spillway
        if not re.search(r"^\s*ports\s*=", conf_text, re.M):
            conf_text = self.ports() + conf_text
        return Spillway(binary, kw.pop("workdir", None), conf_text, tag, mem=mem,
                        netns=self.fw, stats_interval=kw.pop("stats_interval", None), **kw)

    def role(self, ns, script, *args, timeout=120):
        return role(ns, script, *args, timeout=timeout)

    def role_bg(self, ns, script, *args):
        return role_bg(ns, script, *args)

    def agent(self, ns, *args, timeout=120):
        """tests/e2e/agent.py's roles, in ns."""
        return role(ns, "agent.py", *args, timeout=timeout)

    def agent_bg(self, ns, *args):
        return role_bg(ns, "agent.py", *args)

    def ping(self, ns, dst, count=2):
        p = subprocess.run(["ip", "netns", "exec", ns, "ping", "-6" if ":" in dst else "-4",
                            "-c", str(count), "-i", "0.2", "-W", "2", dst],
                           capture_output=True, text=True)
        return p.returncode == 0

    def curl(self, ns, url, timeout=5, *args):
        p = subprocess.run(["ip", "netns", "exec", ns, "curl", "-s", "--max-time",
                            str(timeout)] + list(args) + [url], capture_output=True,
                           text=True)
        return p.returncode, p.stdout


# ---- a private namespace with two veth pairs ----

PACKET_OUTGOING = 4


def private_netns():
    """Re-run this script in a network namespace of its own (root only):
    it vanishes with the script, whatever happens. Inside: loopback up,
    IPv6 off by default so that new interfaces send nothing by
    themselves (no MLD, no router solicitations). Call it first, before
    anything is made that exec would leave behind."""
    if os.environ.get("SW_PRIVATE_NETNS") == "1":
        return
    harness.need_root("a private network namespace")
    env = dict(os.environ, SW_PRIVATE_NETNS="1")
    os.execvpe("unshare", ["unshare", "--net", "--", sys.executable] + sys.argv, env)


def _ip(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


class VethPorts:
    """Two veth pairs in the private namespace: spillway takes sw0 and
    sw1, the test sends and reads on sw0p and sw1p."""

    def __init__(self):
        assert os.environ.get("SW_PRIVATE_NETNS") == "1"
        _ip("ip", "link", "set", "lo", "up")
        _ip("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
        _ip("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        self.socks = []
        for i in range(2):
            _ip("ip", "link", "add", "sw%d" % i, "type", "veth", "peer", "name", "sw%dp" % i)
            for n in ("sw%d" % i, "sw%dp" % i):
                _ip("ip", "link", "set", n, "up")
            s = raw_socket("sw%dp" % i, rcvbuf=0)
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


# ---- two firewalls side by side (HA) ----

class HaPair:
    """Two spillway nodes side by side, each bridging its own pair of
    links between one client and one server, and a sync link between
    them (state sync and VRRP), all in namespaces of this run, removed
    at exit:

        client ethA <-> a-out [fw a] a-in <-> ethA server
        client ethB <-> b-out [fw b] b-in <-> ethB server
        fw a ha0 198.51.100.1/24 <-> ha0 198.51.100.2/24 fw b

    The client (192.0.2.1) and the server (192.0.2.2) hold their address
    on lo and pick the node their packets go through by route and
    static neighbour (route()), so there is no L2 loop and no ARP: a
    node's links stay up whatever it does, as a bump in the wire's do."""

    C4, S4 = "192.0.2.1", "192.0.2.2"
    SYNC = {"a": "198.51.100.1", "b": "198.51.100.2"}

    def __init__(self, tag):
        global _topos
        _topos += 1
        self.id = "%s%d%s" % (tag, os.getpid(), "" if _topos == 1 else "-%d" % _topos)
        self.cli, self.srv = "sw-hc-" + self.id, "sw-hs-" + self.id
        self.fw = {"a": "sw-ha-" + self.id, "b": "sw-hb-" + self.id}
        on_exit(self.down)
        self._up()

    def _up(self):
        nss = [self.cli, self.srv, self.fw["a"], self.fw["b"]]
        cmds = ["ip netns add %s" % n for n in nss]
        cmds += ["ip -n %s link set lo up" % n for n in nss]
        for n in ("a", "b"):
            fw, up = self.fw[n], n.upper()
            cmds += ["ip -n %s link add %s-out type veth peer name eth%s netns %s"
                     % (fw, n, up, self.cli),
                     "ip -n %s link add %s-in type veth peer name eth%s netns %s"
                     % (fw, n, up, self.srv)]
        cmds.append("ip -n %s link add ha0 type veth peer name ha0 netns %s"
                    % (self.fw["a"], self.fw["b"]))
        for n in ("a", "b"):
            fw = self.fw[n]
            for dev in ("%s-out" % n, "%s-in" % n):
                cmds.append("ip netns exec %s sysctl -qw net.ipv6.conf.%s.disable_ipv6=1"
                            % (fw, dev))
                cmds.append("ip netns exec %s ethtool -K %s tx off rx off tso off gso off "
                            "gro off >/dev/null 2>&1 || true" % (fw, dev))
                cmds.append("ip -n %s link set %s up" % (fw, dev))
            cmds += ["ip -n %s addr add %s/24 dev ha0" % (fw, self.SYNC[n]),
                     "ip -n %s link set ha0 up" % fw]
        for ns, addr in ((self.cli, self.C4), (self.srv, self.S4)):
            cmds += ["ip -n %s addr add %s/32 dev lo" % (ns, addr),
                     "ip netns exec %s sysctl -qw net.ipv4.conf.all.rp_filter=0 "
                     "net.ipv4.conf.default.rp_filter=0" % ns]
            for dev in ("ethA", "ethB"):
                cmds += ["ip netns exec %s sysctl -qw net.ipv6.conf.%s.disable_ipv6=1"
                         % (ns, dev),
                         "ip netns exec %s sysctl -qw net.ipv4.conf.%s.rp_filter=0" % (ns, dev),
                         "ip netns exec %s ethtool -K %s tx off rx off tso off gso off "
                         "gro off >/dev/null 2>&1 || true" % (ns, dev),
                         "ip -n %s link set %s up" % (ns, dev)]
        sh(" && ".join(cmds))

    def down(self):
        nss = [self.cli, self.srv, self.fw["a"], self.fw["b"]]
        for ns in nss:
            sh("ip netns pids %s 2>/dev/null | xargs -r kill 2>/dev/null" % ns, check=False)
        time.sleep(0.2)
        for ns in nss:
            sh("ip netns pids %s 2>/dev/null | xargs -r kill -9 2>/dev/null; "
               "ip netns del %s 2>/dev/null" % (ns, ns), check=False)

    def mac(self, ns, dev):
        return mac_of(ns, dev)

    def route(self, ns, node):
        """Send ns's (client's or server's) packets through node "a" or
        "b": the route to the other end and its MAC on that side."""
        dev = "eth" + node.upper()
        other = self.srv if ns == self.cli else self.cli
        dst = self.S4 if ns == self.cli else self.C4
        src = self.C4 if ns == self.cli else self.S4
        sh("ip -n %s neigh replace %s lladdr %s dev %s nud permanent && "
           "ip -n %s route replace %s/32 dev %s src %s"
           % (ns, dst, self.mac(other, dev), dev, ns, dst, dev, src))

    def route_all(self, node):
        self.route(self.cli, node)
        self.route(self.srv, node)

    def ports(self, node):
        from .spillway import ports_conf
        return ports_conf("net_af_packet%s0,iface=%s-out" % (node, node),
                          "net_af_packet%s1,iface=%s-in" % (node, node))

    def ha_conf(self, node, key_file, mode="active-standby", role=None, port=7400):
        """The ha group of node "a" or "b"."""
        other = "b" if node == "a" else "a"
        extra = ' role = "%s";' % role if role else ""
        return ('ha = { mode = "%s";%s local = "%s:%d"; peer = "%s:%d"; key_file = "%s"; };\n'
                % (mode, extra, self.SYNC[node], port, self.SYNC[other], port, key_file))

    def spillway(self, node, binary, conf_text, tag=None, mem=512, **kw):
        """A Spillway in node's namespace, on its two ports (not started)."""
        from .spillway import Spillway
        if not re.search(r"^\s*ports\s*=", conf_text, re.M):
            conf_text = self.ports(node) + conf_text
        return Spillway(binary, kw.pop("workdir", None), conf_text, tag or "ha" + node,
                        mem=mem, netns=self.fw[node],
                        stats_interval=kw.pop("stats_interval", None), **kw)


def kernel_counter(ns, group, name):
    """A counter of namespace ns's stack from /proc/net/snmp or
    /proc/net/netstat: group "Tcp", "TcpExt", "Udp", ...; -1 if absent."""
    for f in ("snmp", "netstat"):
        lines = sh("ip netns exec %s cat /proc/net/%s" % (ns, f)).splitlines()
        for h, v in zip(lines[::2], lines[1::2]):
            if h.startswith(group + ":"):
                d = dict(zip(h.split()[1:], v.split()[1:]))
                if name in d:
                    return int(d[name])
    return -1
