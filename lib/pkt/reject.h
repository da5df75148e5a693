/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_REJECT_H
#define SW_REJECT_H

/*
 * Turn a rejected packet, in place, into the reply that goes back out
 * its ingress port: by default a TCP RST for TCP (RFC 9293 3.10.7.1:
 * seq = the segment's ACK if it had one, else seq 0 with ACK = SEG.SEQ
 * + SEG.LEN), otherwise ICMP port unreachable (type 3 code 3) or ICMPv6
 * destination unreachable, port unreachable (type 1 code 4) quoting the
 * packet; a rule's reject_with picks another (enum sw_reject_with, as
 * iptables' --reject-with and nftables' `reject with`). VLAN tags are
 * kept, MAC addresses swapped, checksums computed.
 *
 * No reply is due to an RST, an ICMP/ICMPv6 error or ND message, a
 * non-first fragment, a multicast or broadcast destination, or an
 * unspecified or multicast source; to a frame sent to a group MAC
 * address or from a group or zero MAC; nor when the reply would be
 * longer than the packet it answers (an ICMP error quotes at most the
 * packet's length less its own headers, and at least the IP header and
 * 8 bytes: a smaller packet gets no error). Those return -1 and leave m
 * as is.
 *
 * Replies are rate-limited twice (sw_reject_allowed): a token bucket per
 * worker, and one per destination, by /24 (IPv4) or /64 (IPv6), in a
 * small keyed set-associative table per worker, so that spoofed packets
 * cannot aim more than the destination rate at one victim, and one
 * noisy source cannot spend the worker's whole budget.
 *
 * Thread-safety: works on the caller's mbuf and limiter only (a worker).
 */

#include <stdbool.h>
#include <stdint.h>

struct rte_mbuf;
struct sw_pkt;

/* True when a reply is due to this packet (cheap: no rate spent). */
bool sw_reject_due(const struct rte_mbuf *m, const struct sw_pkt *p);

/* Returns 0 when m now holds the reply, -1 when none is due. */
int sw_reject_build(struct rte_mbuf *m, const struct sw_pkt *p);

/*
 * The replies a reject may send. ICMP kinds answer IPv4 with type 3 and
 * IPv6 with type 1 of the codes below (IPv6 has one code for every
 * "prohibited"); prot-unreachable has no ICMPv6 kind (rules that may
 * see IPv6 cannot ask for it) and tcp-reset answers only TCP (rules ask
 * it only with proto tcp): a packet it does not fit gets the default.
 */
#define SW_REJECT_WITH(X) \
	X(DEFAULT,       "default",          0xff, 0xff) \
	X(TCP_RESET,     "tcp-reset",        0xff, 0xff) \
	X(PORT_UNREACH,  "port-unreachable",    3,    4) \
	X(HOST_UNREACH,  "host-unreachable",    1,    3) \
	X(NET_UNREACH,   "net-unreachable",     0,    0) \
	X(PROT_UNREACH,  "prot-unreachable",    2, 0xff) \
	X(ADMIN_PROHIB,  "admin-prohibited",   13,    1) \
	X(HOST_PROHIB,   "host-prohibited",    10,    1) \
	X(NET_PROHIB,    "net-prohibited",      9,    1)

enum sw_reject_with {
#define SW_REJECT_WITH_ENUM(n, s, c4, c6) SW_REJECT_WITH_##n,
	SW_REJECT_WITH(SW_REJECT_WITH_ENUM)
#undef SW_REJECT_WITH_ENUM
	SW_REJECT_WITH_MAX
};

/*
 * A kind by name: the names above, iptables' (icmp-port-unreachable,
 * icmp-admin-prohibited, icmp6-adm-prohibited, icmp6-no-route, ...,
 * tcp-rst) and nftables' (no-route, addr-unreachable). -1 if none.
 */
int sw_reject_with_parse(const char *name);
const char *sw_reject_with_name(unsigned int kind);

/* sw_reject_build with a rule's kind (enum sw_reject_with). */
int sw_reject_build_with(struct rte_mbuf *m, const struct sw_pkt *p,
			 unsigned int kind);

#define SW_REJECT_DEST_SETS	64	/* power of two */
#define SW_REJECT_DEST_WAYS	4

struct sw_reject_dest {
	uint64_t prefix;	/* /24 or /64, as the key holds it */
	uint64_t last;		/* TSC of the last refill */
	uint32_t tokens;
	uint8_t family;
	uint8_t used;
};

struct sw_reject_limit {
	uint32_t tokens;	/* the worker's bucket */
	uint32_t burst;		/* replies a second; 0: never reply */
	uint64_t last;
	uint64_t tsc_per_token;
	uint32_t d_burst;	/* per destination; 0: no such limit */
	uint64_t d_tsc_per_token;
	struct sw_reject_dest d[SW_REJECT_DEST_SETS][SW_REJECT_DEST_WAYS];
};

enum {
	SW_REJECT_OK = 0,
	SW_REJECT_LIMITED,	/* the worker's rate */
	SW_REJECT_DEST_LIMITED,	/* the destination's rate */
};

/*
 * rate: replies a second per worker (also its burst); dest_rate: replies
 * a second to one /24 or /64 (also its burst), 0 for no such limit.
 */
void sw_reject_limit_init(struct sw_reject_limit *l, uint32_t rate,
			  uint32_t dest_rate, uint64_t hz, uint64_t now);

/* May a reply go to p's source now? Spends a token of each bucket if so. */
int sw_reject_allowed(struct sw_reject_limit *l, const struct sw_pkt *p,
		      uint64_t now);

#endif /* SW_REJECT_H */
