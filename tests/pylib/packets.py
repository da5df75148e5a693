# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""The one packet builder of the Python tests (tests/unit/frames.h is
the C tests'). Frames are built with scapy, which most tests compose
directly (E / IP(...) / TCP(...)); the functions here build what the
attack tests send, with the knobs they need (raw TCP options, IPv4
options, IPv6 extension and fragment headers, a wrong checksum, an odd
data offset), and Template varies the fields of a frame scapy built
fast enough for floods (thousands of frames a second, or a million in a
pcap). Seg reads a TCP frame back, by hand: the checks compare fields
scapy would normalise.

Imported on its own (`from pylib import packets`): scapy takes a
second to import, which the roles run in namespaces mostly do not need."""

import random
import socket
import struct

from scapy.compat import raw
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment
from scapy.layers.l2 import Ether
from scapy.packet import Raw

# The client's and the server's MACs of the pcap and veth tests.
MAC_C, MAC_S = "02:00:00:00:00:01", "02:00:00:00:00:02"
E = Ether(src=MAC_C, dst=MAC_S)		# client -> server
ER = Ether(src=MAC_S, dst=MAC_C)	# server -> client

ACK, SYN, RST, PSH, FIN = 0x10, 0x02, 0x04, 0x08, 0x01
SYNACK = SYN | ACK

# ---- numbers ----

PORTS = (44000, 61000)	# unique_port()'s range: no test uses a fixed port in it
_port = [random.randrange(*PORTS)]


def unique_port():
    """A source port no other call of this run returned (from a random
    start in PORTS): counts and flow lookups by tuple never meet an
    earlier connection's flow, as random ports sometimes do (24 random
    ports of 40,000 collide once in about 140 runs)."""
    p = _port[0]
    _port[0] = PORTS[0] + (p - PORTS[0] + 1) % (PORTS[1] - PORTS[0])
    return p


def rnd32():
    return random.getrandbits(32)


def csum(b):
    """The Internet checksum of b."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def v6(a):
    return ":" in a


def addr(a):
    return socket.inet_pton(socket.AF_INET6 if v6(a) else socket.AF_INET, a)


# ---- TCP options, as bytes (put on the wire as they are) ----

def opt_mss(v):
    return struct.pack("!BBH", 2, 4, v)


def opt_ws(v):
    return struct.pack("!BBB", 3, 3, v)


OPT_SACKOK = b"\x04\x02"


def opt_ts(val, ecr):
    return struct.pack("!BBII", 8, 10, val, ecr)


def pad4(o):
    return o + b"\x01" * (-len(o) % 4)


# ---- building ----

def ether(mac, ethertype=None):
    """mac: (destination, source)."""
    dmac, smac = mac
    return Ether(dst=dmac, src=smac) if ethertype is None else \
        Ether(dst=dmac, src=smac, type=ethertype)


def ip(src, dst, ipopts=b"", ext6=b"", frag=False, ident=None, offset=0, ttl=64):
    """The IP layer(s) from src to dst: IPv4 with options (bytes, a
    multiple of 4) and fragment fields, or IPv6 with a destination-
    options header (ext6: its bytes after next-header and length) and a
    fragment header. frag: more fragments follow (MF, M); offset: in
    bytes, a multiple of 8."""
    if v6(src):
        layer = IPv6(src=src, dst=dst, hlim=ttl)
        if ext6:
            layer = layer / IPv6ExtHdrDestOpt(bytes([59, (len(ext6) + 2) // 8 - 1]) + ext6)
        if frag or offset:
            layer = layer / IPv6ExtHdrFragment(
                offset=offset // 8, m=1 if frag else 0,
                id=random.getrandbits(32) if ident is None else ident)
        return layer
    return IP(src=src, dst=dst, ttl=ttl, options=ipopts or [],
              id=random.getrandbits(16) if ident is None else ident,
              flags="MF" if frag else 0, frag=offset // 8)


def _out(pkt, mac):
    return raw(ether(mac) / pkt if mac else pkt)


def _fix_next_headers(pkt, proto):
    """A parsed extension header keeps the next-header it was parsed with:
    point every one at what follows it."""
    layers = []
    p = pkt
    while p is not None and not isinstance(p, Raw) and p.name != "NoPayload":
        layers.append(p)
        p = p.payload
    for a, b in zip(layers, layers[1:]):
        if isinstance(a, IPv6ExtHdrDestOpt):
            a.nh = 44 if isinstance(b, IPv6ExtHdrFragment) else proto
    return pkt


def _bad_l4(frame, l4_at, field):
    """frame with its L4 checksum (at l4_at + field) made wrong."""
    b = bytearray(frame)
    c = struct.unpack_from("!H", b, l4_at + field)[0]
    struct.pack_into("!H", b, l4_at + field, (c ^ 0x0101) or 0x1111)
    return bytes(b)


def tcp(src, dst, sport, dport, seq=0, ack=0, flags=SYN, opts=b"", data=b"", win=64240,
        ipopts=b"", ext6=b"", frag=False, doff=None, mac=None, cks=True, ident=None,
        ttl=64):
    """A TCP segment from src:sport to dst:dport; an Ethernet frame when
    mac (destination, source) is given, else the IP packet. opts: the
    options' bytes as they go on the wire (padded to 4 with NOPs), even
    ones no stack would send; doff: a data offset (in words) other than
    the header's; cks=False: the checksum 0x1234. IPv4 options, IPv6
    headers and fragments as ip() makes them (a fragment carries the
    whole segment)."""
    opts = pad4(opts)
    hl = (20 + len(opts)) // 4 if doff is None else doff
    seg = TCP(sport=sport, dport=dport, seq=seq & 0xffffffff, ack=ack & 0xffffffff,
              dataofs=hl, flags=flags, window=win)
    if not cks:
        seg.chksum = 0x1234
    if opts or data:
        seg = seg / Raw(opts + data)
    pkt = _fix_next_headers(ip(src, dst, ipopts, ext6, frag, ident, ttl=ttl) / seg, 6)
    return _out(pkt, mac)


def udp(src, dst, sport, dport, data=b"", mac=None, cks=True, ipopts=b"", ident=None):
    """A UDP datagram; cks=False: its checksum wrong (never 0)."""
    pkt = ip(src, dst, ipopts, ident=ident) / UDP(sport=sport, dport=dport) / Raw(data)
    out = _out(pkt, mac)
    if cks:
        return out
    return _bad_l4(out, len(out) - len(data) - 8, 6)


def icmp_error(src, dst, typ, code, quote, gw=None, mac=None):
    """An ICMP (IPv4) error of type/code quoting `quote` (the first bytes
    of a packet); gw: a redirect's gateway."""
    icmp = ICMP(type=typ, code=code, gw=gw) if gw else ICMP(type=typ, code=code)
    return _out(IP(src=src, dst=dst, id=1) / icmp / Raw(quote), mac)


def tcp_frags(src, dst, sport, dport, seq, ack, flags, data, mac, cut):
    """A TCP segment in two fragments: the first holds `cut` bytes of it
    (a multiple of 8: the TCP header and the start of the data)."""
    whole = tcp(src, dst, sport, dport, seq, ack, flags, data=data)
    t = whole[40:] if v6(src) else whole[20:]
    ident = random.getrandbits(32 if v6(src) else 16)
    e = ether(mac)
    if v6(src):
        return [raw(e / IPv6(src=src, dst=dst) /
                    IPv6ExtHdrFragment(nh=6, offset=0, m=1, id=ident) / Raw(t[:cut])),
                raw(e / IPv6(src=src, dst=dst) /
                    IPv6ExtHdrFragment(nh=6, offset=cut // 8, m=0, id=ident) / Raw(t[cut:]))]
    return [raw(e / IP(src=src, dst=dst, proto=6, id=ident, flags="MF") / Raw(t[:cut])),
            raw(e / IP(src=src, dst=dst, proto=6, id=ident, frag=cut // 8) / Raw(t[cut:]))]


def ip6_frag(src, dst, nh, offset, more, ident, payload, mac):
    """One IPv6 fragment carrying payload (the bytes of what nh says, at
    byte offset `offset` of the datagram)."""
    return raw(ether(mac) / IPv6(src=src, dst=dst) /
               IPv6ExtHdrFragment(nh=nh, offset=offset // 8, m=1 if more else 0, id=ident) /
               Raw(payload))


def tcp_template(src, dst, sport, dport, flags, mac, win=64240):
    """A Template of TCP segments (for floods: make() varies the source,
    ports, numbers and IP id); mac: (destination, source)."""
    return Template(ether(mac) / ip(src, dst, ident=0) /
                    TCP(sport=sport, dport=dport, flags=flags, window=win))


_W8 = struct.Struct("!8H")


def _words(b):
    """The sum of b's 16-bit words (b padded to even length)."""
    if len(b) % 2:
        b += b"\0"
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))


def _addr_words(b):
    if len(b) == 4:
        x = int.from_bytes(b, "big")
        return (x >> 16) + (x & 0xffff)
    return sum(_W8.unpack(b))


def _fold(x):
    while x >> 16:
        x = (x & 0xffff) + (x >> 16)
    return x


class Template:
    """A frame scapy built (Ether / IP or IPv6 [/ fragment header] / TCP
    or UDP), copied with fields changed, its checksums made right again
    from sums of the words that never change: a few microseconds a
    frame, for floods and pcaps of a million flows.
    l4_checksum=False: the L4 checksum is left as built (a fragment's
    covers the whole datagram, which a frame does not hold)."""

    def __init__(self, pkt, l4_checksum=True):
        b = self.raw = raw(pkt)
        a = self.l3 = len(b) - len(raw(pkt[IP] if IP in pkt else pkt[IPv6]))
        self.v = 4 if IP in pkt else 6
        self.frag = None
        if self.v == 4:
            hl = (b[a] & 15) * 4
            self.l4 = a + hl
            self.proto = b[a + 9]
            self.src0, self.dst0 = b[a + 12:a + 16], b[a + 16:a + 20]
            self.id0 = struct.unpack_from("!H", b, a + 4)[0]
            h = bytearray(b[a:a + hl])
            h[4:6] = b"\0\0"				# the id
            h[10:12] = b"\0\0"				# the checksum
            h[12:20] = bytes(8)				# the addresses
            self.ip_fixed = _words(bytes(h))
            seglen = struct.unpack_from("!H", b, a + 2)[0] - hl
            ph = self.proto + seglen
        else:
            self.l4 = a + 40
            self.proto = b[a + 6]
            if self.proto == 44:
                self.frag = self.l4
                self.proto = b[self.l4]
                self.l4 += 8
            self.src0, self.dst0 = b[a + 8:a + 24], b[a + 24:a + 40]
            seglen = struct.unpack_from("!H", b, a + 4)[0] - (self.l4 - a - 40)
            ph = (seglen >> 16) + (seglen & 0xffff) + self.proto
        t = self.l4
        self.tcp = self.proto == 6
        self.ports0 = struct.unpack_from("!HH", b, t)
        self.seqack0 = struct.unpack_from("!II", b, t + 4) if self.tcp else (0, 0)
        self.cks_at = t + (16 if self.tcp else 6)
        seg = bytearray(b[t:t + seglen])
        seg[0:4] = bytes(4)				# the ports
        if self.tcp:
            seg[4:12] = bytes(8)			# the numbers
        c = self.cks_at - t
        seg[c:c + 2] = b"\0\0"
        self.l4_fixed = ph + _words(bytes(seg))
        self.l4_checksum = l4_checksum and self.frag is None

    def make(self, src=None, dst=None, sport=None, dport=None, seq=None, ack=None,
             ident=None, frag_offset=None, more=None, bad_checksum=False):
        """A copy with the fields given changed (addresses as text or
        bytes); bad_checksum: its L4 checksum then made wrong."""
        b = bytearray(self.raw)
        a, t = self.l3, self.l4
        if src is None:
            src = self.src0
        elif isinstance(src, str):
            src = addr(src)
        if dst is None:
            dst = self.dst0
        elif isinstance(dst, str):
            dst = addr(dst)
        if self.v == 4:
            b[a + 12:a + 16] = src
            b[a + 16:a + 20] = dst
            ident = self.id0 if ident is None else ident & 0xffff
            struct.pack_into("!H", b, a + 4, ident)
        else:
            b[a + 8:a + 24] = src
            b[a + 24:a + 40] = dst
            if self.frag is not None:
                f = self.frag
                if ident is not None:
                    struct.pack_into("!I", b, f + 4, ident & 0xffffffff)
                if frag_offset is not None or more is not None:
                    off, m = struct.unpack_from("!H", b, f + 2)[0] & 0xfff8, b[f + 3] & 1
                    if frag_offset is not None:
                        off = frag_offset & 0xfff8
                    if more is not None:
                        m = 1 if more else 0
                    struct.pack_into("!H", b, f + 2, off | m)
        sport = self.ports0[0] if sport is None else sport
        dport = self.ports0[1] if dport is None else dport
        struct.pack_into("!HH", b, t, sport, dport)
        if self.tcp:
            seq = self.seqack0[0] if seq is None else seq & 0xffffffff
            ack = self.seqack0[1] if ack is None else ack & 0xffffffff
            struct.pack_into("!II", b, t + 4, seq, ack)
        addrs = _addr_words(src) + _addr_words(dst)
        if self.v == 4:
            struct.pack_into("!H", b, a + 10, ~_fold(self.ip_fixed + addrs + ident) & 0xffff)
        if self.l4_checksum:
            x = self.l4_fixed + addrs + sport + dport
            if self.tcp:
                x += (seq >> 16) + (seq & 0xffff) + (ack >> 16) + (ack & 0xffff)
            v = ~_fold(x) & 0xffff
            if not self.tcp and v == 0:
                v = 0xffff
            struct.pack_into("!H", b, self.cks_at, v ^ (0x5a5a if bad_checksum else 0))
        return bytes(b)


# ---- reading back ----

class Seg:
    """A TCP frame, parsed by hand (what the checks need)."""

    def __init__(self, f):
        self.raw = f
        et = struct.unpack("!H", f[12:14])[0] if len(f) >= 14 else 0
        self.ok = False
        if et == 0x0800 and len(f) >= 34 and f[23] == 6:
            ihl = (f[14] & 15) * 4
            self.src, self.dst = socket.inet_ntoa(f[26:30]), socket.inet_ntoa(f[30:34])
            self.l3 = f[14:14 + struct.unpack("!H", f[16:18])[0]]
            t = 14 + ihl
            self.v = 4
        elif et == 0x86dd and len(f) >= 54:
            nh, t = f[20], 54
            while nh in (0, 43, 60):
                nh, t = f[t], t + (f[t + 1] + 1) * 8
            if nh != 6:
                return
            self.src = socket.inet_ntop(socket.AF_INET6, f[22:38])
            self.dst = socket.inet_ntop(socket.AF_INET6, f[38:54])
            self.l3 = f[14:54 + struct.unpack("!H", f[18:20])[0]]
            self.v = 6
        else:
            return
        if len(f) < t + 20:
            return
        self.t = t
        (self.sport, self.dport, self.seq, self.ack, off, self.flags, self.win) = \
            struct.unpack("!HHIIBBH", f[t:t + 16])
        self.doff = (off >> 4) * 4
        self.opts = f[t + 20:t + self.doff]
        self.data = f[t + self.doff:14 + len(self.l3)]
        self.ok = True

    def opt(self, kind):
        o, i = self.opts, 0
        while i < len(o):
            if o[i] == 0:
                break
            if o[i] == 1:
                i += 1
                continue
            if i + 1 >= len(o) or o[i + 1] < 2:
                break
            if o[i] == kind:
                return o[i + 2:i + o[i + 1]]
            i += o[i + 1]
        return None

    def mss(self):
        v = self.opt(2)
        return struct.unpack("!H", v)[0] if v else None

    def ws(self):
        v = self.opt(3)
        return v[0] if v else None

    def ts(self):
        v = self.opt(8)
        return struct.unpack("!II", v) if v else None

    def __repr__(self):
        if not self.ok:
            return "<not TCP>"
        return "%s:%d>%s:%d f=%02x seq=%d ack=%d win=%d len=%d" % (
            self.src, self.sport, self.dst, self.dport, self.flags, self.seq, self.ack,
            self.win, len(self.data))


def is_tcp(src=None, dst=None, sport=None, dport=None, flags=None):
    """A predicate on frames: TCP, and each field given matches (flags:
    the SYN, RST, ACK and FIN bits, exactly)."""
    def pred(f):
        s = Seg(f)
        return s.ok and (src is None or s.src == src) and (dst is None or s.dst == dst) and \
            (sport is None or s.sport == sport) and (dport is None or s.dport == dport) and \
            (flags is None or s.flags & 0x17 == flags)
    return pred


def segs(frames, **kw):
    return [Seg(f) for f in frames if is_tcp(**kw)(f)]


def src_of(f):
    et = struct.unpack("!H", f[12:14])[0]
    if et == 0x0800 and len(f) >= 34:
        return socket.inet_ntoa(f[26:30])
    if et == 0x86dd and len(f) >= 54:
        return socket.inet_ntop(socket.AF_INET6, f[22:38])
    return None


def frag_of(f):
    """(source, more, offset) of an IP fragment, or None."""
    et = struct.unpack("!H", f[12:14])[0]
    if et == 0x0800 and len(f) >= 34:
        fo = struct.unpack("!H", f[20:22])[0]
        if fo & 0x3fff:
            return socket.inet_ntoa(f[26:30]), bool(fo & 0x2000), (fo & 0x1fff) * 8
    elif et == 0x86dd and len(f) >= 62 and f[20] == 44:
        fo = struct.unpack("!H", f[56:58])[0]
        return socket.inet_ntop(socket.AF_INET6, f[22:38]), bool(fo & 1), fo & 0xfff8
    return None


def wellformed(f):
    """IP lengths and checksums right (by hand), and scapy agrees."""
    s = Seg(f)
    if not s.ok:
        return False
    if s.v == 4:
        ihl = (f[14] & 15) * 4
        if csum(f[14:14 + ihl]) != 0 or len(s.l3) != len(f) - 14:
            return False
        seg = s.l3[ihl:]
        ph = f[26:34] + struct.pack("!BBH", 0, 6, len(seg))
    else:
        if len(s.l3) != len(f) - 14:
            return False
        seg = f[s.t:]
        ph = f[22:54] + struct.pack("!IxxxB", len(seg), 6)
    if csum(ph + seg) != 0:
        return False
    return scapy_ok(f)


def scapy_ok(f):
    """scapy, recomputing the IP length and checksums, gets the same
    bytes."""
    p = Ether(f)
    if TCP not in p:
        return False
    q = Ether(f)
    if IP in q:
        del q[IP].chksum
        del q[IP].len
    if IPv6 in q:
        del q[IPv6].plen
    del q[TCP].chksum
    return raw(q) == f


# ---- pcap files ----

_PCAP_REC = struct.Struct("<IIII")


def write_pcap(path, frames):
    """Write raw Ethernet frames (bytes) to a classic pcap file, in one
    write (a million frames take a second or two)."""
    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
    rec = _PCAP_REC.pack
    for i, b in enumerate(frames):
        out.append(rec(i // 1000, (i % 1000) * 1000, len(b), len(b)))
        out.append(b)
    with open(path, "wb") as f:
        f.write(b"".join(out))


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
