/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_REJECT_H
#define SW_REJECT_H

/*
 * Turn a rejected packet, in place, into the reply that goes back out
 * its ingress port: a TCP RST for TCP (RFC 9293 3.10.7.1: seq = the
 * segment's ACK if it had one, else seq 0 with ACK = SEG.SEQ + SEG.LEN),
 * otherwise ICMP port unreachable (type 3 code 3) or ICMPv6 destination
 * unreachable, port unreachable (type 1 code 4) quoting the packet.
 * VLAN tags are kept, MAC addresses swapped, checksums computed.
 *
 * No reply is due to an RST, an ICMP/ICMPv6 error or ND message, a
 * non-first fragment, a multicast or broadcast destination, or an
 * unspecified or multicast source: those return -1 and leave m as is.
 *
 * Thread-safety: works on the caller's mbuf only.
 */

struct rte_mbuf;
struct sw_pkt;

/* Returns 0 when m now holds the reply, -1 when none is due. */
int sw_reject_build(struct rte_mbuf *m, const struct sw_pkt *p);

#endif /* SW_REJECT_H */
