#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""Issue 26: the sync link is authenticated and replay-proof, and a SYN
flood does not flood it.

Two nodes (pylib's HaPair), A active and B standby, tcp_loose = false.
One real connection through A gives a flow datagram A sends B (read on
B's sync link). From it this test forges datagrams as an attacker on
the sync link would, each carrying a flow of its own (a port nobody
uses), and sends them to B as from A: a wrong key, garbage, the real
datagram again, a replayed sequence number, a stale epoch. None of
their flows appears on B and each is counted (auth_failed, replayed,
stale_epoch). Then the same forgery under the right key, this run's
epoch and a new sequence number does put its flow on B: the forgeries
were right but for what was meant to be wrong. A flood of junk at the
sync port is counted and B still answers its CLI. A SYN flood through
A leaves only established flows on the link: no half-open one is sent.

  ha_auth.py SPILLWAY_BINARY"""

import hashlib
import json
import os
import re
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import (PY, TOP, HaPair, Wire, bg, check, finish, need_root,  # noqa: E402
                   ready, result, tmpdir, wait_for)
from pylib import packets  # noqa: E402
from scapy.all import IP, UDP, Ether, Raw, raw  # noqa: E402

E2E = os.path.join(TOP, "tests", "e2e")
KEY = b"0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0\n"
PORT = 7400
HDR, MAC, REC = 48, 16, 100
FLOWS = 2			# enum ha_type's HA_FLOWS

CONF = """
flowtable = { max_flows = 8192; tcp_loose = false; };
rules = {
  policy = ( { proto = "tcp"; dport = 7000; action = "accept"; comment = "echo"; } );
  policy_default = "drop";
};
"""


def mac_key(key_bytes):
    """The MAC key as spillway derives it from the key file's bytes
    (libsodium's crypto_generichash is BLAKE2b, as Python's)."""
    return hashlib.blake2b(b"spillway ha key v1\0" + key_bytes, digest_size=32).digest()


def seal(body, key):
    return body + hashlib.blake2b(body, key=key, digest_size=MAC).digest()


def forge(dgram, key, port, epoch=None, seq=None):
    """dgram's first flow record alone, its client port set to port,
    with epoch and seq if given, sealed under key."""
    hdr = bytearray(dgram[:HDR])
    rec = bytearray(dgram[HDR:HDR + REC])
    struct.pack_into("!H", rec, 40, port)	# lo_port: the client, 192.0.2.1
    struct.pack_into("!H", hdr, 8, 1)		# count
    struct.pack_into("!I", hdr, 16, HDR + REC + MAC)
    if epoch is not None:
        struct.pack_into("!Q", hdr, 24, epoch)
    if seq is not None:
        struct.pack_into("!Q", hdr, 32, seq)
    return seal(bytes(hdr + rec), key)


def fields(dgram):
    return {"type": dgram[5], "count": struct.unpack("!H", dgram[8:10])[0],
            "epoch": struct.unpack("!Q", dgram[24:32])[0],
            "seq": struct.unpack("!Q", dgram[32:40])[0]}


def ha_json(sw):
    return json.loads(sw.cmd("show stats json"))["ha"]


def has_port(sw, port):
    return re.search(r"port=%d\b" % port, sw.cmd("show flows 0")) is not None


def main():
    need_root()
    binary = sys.argv[1]
    t = HaPair("au")
    d = tmpdir()
    key = os.path.join(d, "ha.key")
    with open(key, "wb") as f:
        f.write(KEY)
    os.chmod(key, 0o600)
    a = t.spillway("a", binary, CONF + t.ha_conf("a", key, role="active")).start()
    b = t.spillway("b", binary, CONF + t.ha_conf("b", key, role="standby"),
                   lcores="0@1,1@0").start()
    check(a.wait_running() and b.wait_running(), "both nodes run")
    check(wait_for(lambda: ha_json(a)["peer_up"] and ha_json(b)["peer_up"], 10),
          "each sees the other up")
    t.route_all("a")
    # A's datagrams as B's sync link receives them; frames sent from A's.
    rx, tx = Wire(t.fw["b"], "ha0"), Wire(t.fw["a"], "ha0")

    def to_b(payload, sport=PORT):
        tx.send(raw(Ether(src=tx.mac, dst=rx.mac) /
                    IP(src=HaPair.SYNC["a"], dst=HaPair.SYNC["b"]) /
                    UDP(sport=sport, dport=PORT) / Raw(payload)))

    def from_a(frames):
        out = []
        for f in frames:
            e = Ether(f)
            if UDP in e and e[IP].src == HaPair.SYNC["a"] and e[UDP].dport == PORT:
                out.append(bytes(e[UDP].payload))
        return out

    rx.drain()
    ready(bg(["ip", "netns", "exec", t.srv, PY, os.path.join(E2E, "peer.py"), "echo",
              t.S4, "7000", "60"]))
    sess = bg(["ip", "netns", "exec", t.cli, PY, os.path.join(E2E, "peer.py"), "session",
               t.S4, "7000", "idle", "30"], stdin=subprocess.PIPE)
    local = ready(sess)["local"]
    check(wait_for(lambda: has_port(b, local), 2.0),
          "B has the real connection within 2 s (show flows 0)")
    real = None
    for _ in range(20):
        for g in from_a(rx.read(0.2)):
            f = fields(g)
            if f["type"] == FLOWS and f["count"] >= 1:
                real = g
        if real:
            break
    check(real is not None, "a flow datagram of A read on B's sync link")
    if real is None:
        finish("ha-auth")
    f = fields(real)
    k = mac_key(KEY)
    # The forged flows' ports: unused by anything in this test.
    p_key, p_replay, p_stale, p_good = 40001, 40002, 40003, 40004
    high = f["seq"] + 1000000

    h0 = ha_json(b)
    to_b(forge(real, mac_key(b"not the key\n"), p_key, seq=high))
    to_b(b"\x53\x57\x48\x41" + os.urandom(200))
    to_b(os.urandom(9))
    bad = bytearray(forge(real, k, p_key, seq=high))
    bad[HDR + 50] ^= 1				# one bit of the record
    to_b(bytes(bad))
    check(wait_for(lambda: ha_json(b)["auth_failed"] - h0["auth_failed"] >= 4, 5),
          "a wrong key, garbage, a short datagram, a flipped bit: auth_failed "
          "counts each (%d)" % (ha_json(b)["auth_failed"] - h0["auth_failed"]))

    h1 = ha_json(b)
    to_b(real)					# again, as it was
    to_b(forge(real, k, p_replay, seq=f["seq"]))	# a number already seen
    check(wait_for(lambda: ha_json(b)["replayed"] - h1["replayed"] >= 2, 5),
          "the datagram again and a replayed sequence number: replayed counts "
          "both (%d)" % (ha_json(b)["replayed"] - h1["replayed"]))

    h2 = ha_json(b)
    to_b(forge(real, k, p_stale, epoch=f["epoch"] - 1, seq=high))
    check(wait_for(lambda: ha_json(b)["stale_epoch"] - h2["stale_epoch"] >= 1, 5),
          "a datagram of an earlier run: stale_epoch counts it")
    h3 = ha_json(b)
    check(h3["flows_received"] == h0["flows_received"] and
          h3["flows_applied"] == h0["flows_applied"],
          "none of them was believed: flows received and applied unchanged")
    check(not any(has_port(b, p) for p in (p_key, p_replay, p_stale)),
          "no forged flow is on B")

    # Junk at the sync port, as fast as this socket sends it.
    junk = [raw(Ether(src=tx.mac, dst=rx.mac) /
                IP(src=HaPair.SYNC["a"], dst=HaPair.SYNC["b"]) /
                UDP(sport=PORT, dport=PORT) / Raw(os.urandom(64 + i % 900)))
            for i in range(256)]
    j0 = ha_json(b)["auth_failed"]
    for _ in range(40):
        tx.send(junk, pace=0)
    check("role" in b.cmd("show ha"), "B answers its CLI during a junk flood")
    check(wait_for(lambda: ha_json(b)["auth_failed"] - j0 >= 1000, 10),
          "the junk is read and counted as auth_failed (%d of %d)"
          % (ha_json(b)["auth_failed"] - j0, 40 * len(junk)))

    # The control: the same forgery, right in every way, is believed.
    to_b(forge(real, k, p_good, seq=high + 1))
    check(wait_for(lambda: has_port(b, p_good), 5),
          "the same forgery under the right key, run and a new number puts "
          "its flow on B: the refused ones were right but for their fault")

    # A SYN flood through A from addresses that never answer: half-open
    # flows on A, none of them on the sync link.
    sa0, ha0 = a.counters(), ha_json(a)
    wc = Wire(t.cli, "ethA")
    smac = t.mac(t.srv, "ethA")
    n = 2000
    syns = [packets.tcp("192.0.2.%d" % (100 + i % 100), t.S4, 20000 + i, 7000, seq=i,
                        flags=packets.SYN, mac=(smac, wc.mac)) for i in range(n)]
    wc.send(syns)
    check(wait_for(lambda: a.counters()["inserts"] - sa0["inserts"] >= n * 0.9, 10),
          "the flood opened half-open flows on A (%d)"
          % (a.counters()["inserts"] - sa0["inserts"]))
    wait_for(lambda: False, 2.5)		# longer than a flow takes to sync
    sent = ha_json(a)["flows_sent"] - ha0["flows_sent"]
    check(sent <= 4, "A sent no half-open flow to B (%d flow records)" % sent)
    check(not re.search(r"src=192\.0\.2\.1\d\d ", b.cmd("show flows 0")),
          "B holds none of the flood's flows")

    sess.stdin.write("go\n")
    sess.stdin.flush()
    r = result(sess, 30)
    check(r.get("ok") is True, "the real connection still runs byte-exact: %s" % r)
    finish("ha-auth")


if __name__ == "__main__":
    main()
