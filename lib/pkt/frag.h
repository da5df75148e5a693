/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_FRAG_H
#define SW_FRAG_H

/*
 * Per-worker memory of the fragmented datagrams spillway let through
 * (DESIGN step 2): a non-first fragment has no ports, so no rule can
 * judge it; it passes only if its datagram's first fragment was
 * accepted, and only if it overlaps nothing of that datagram already
 * sent. spillway does not reassemble: fragments leave as they came,
 * at once, and the receiver reassembles (README, "Fragments", says
 * why).
 *
 * - The table is set-associative (SW_FRAG_SETS sets of SW_FRAG_WAYS),
 *   indexed by SipHash under the per-start secret, keyed by (family,
 *   protocol, source, destination, fragment id, ingress port, outer
 *   VLAN): fragments of one datagram arrive where its first did, and a
 *   host on another port or VLAN cannot complete it. The protocol is
 *   what every fragment says (sw_pkt.frag_nh: for IPv6 the Fragment
 *   header's next header, even when AH or destination options follow
 *   it in the first fragment).
 * - A first fragment of a tracked TCP segment (sw_frag_tcp) keeps its
 *   sequence number and ports: when the datagram's last fragment comes,
 *   its length is known and sw_frag_later says where the segment ends,
 *   for the flow's window (its first fragment advanced it only by the
 *   bytes it carried).
 * - Only accepted datagrams are recorded: a first fragment the rules
 *   drop leaves nothing, so a flood of those costs no entry. A recorded
 *   datagram is pinned until it is complete or its time-out passes:
 *   when a set is full of live datagrams a new one is refused
 *   (fragments dropped, counted frag_full), never an older one evicted.
 * - One source (/32, /64) may hold at most per_source datagrams at
 *   once (counted frag_source_limit past that), counted per ingress
 *   port: a source prefix means something only where it comes in, and
 *   packets spoofed on one side must not spend the quota of the real
 *   hosts of that prefix on the other.
 * - Each entry keeps the byte ranges sent, in 8-byte units (up to
 *   SW_FRAG_RANGES disjoint runs): a fragment that overlaps one is
 *   dropped (frag_overlap), exact duplicates included, so the receiver
 *   never sees two versions of a byte (RFC 5722, and the tiny- and
 *   overlapping-fragment attacks of RFC 1858 / 3128). A fragment that
 *   is not a multiple of 8 bytes but the last, reaches past the last
 *   fragment's end, is a second last fragment, or would need a fifth
 *   hole is dropped (frag_bad). A complete datagram frees its entry.
 *
 * Both directions of a datagram's fragments must reach the worker that
 * saw its first fragment (true with one worker, and with symmetric RSS
 * on addresses). A later fragment that comes before its first is
 * dropped (frag_unknown).
 *
 * Thread-safety: one table per worker, used by that worker only.
 */

#include <stdbool.h>
#include <stdint.h>

#define SW_FRAG_SETS		512	/* power of two */
#define SW_FRAG_WAYS		8
#define SW_FRAG_RANGES		4
#define SW_FRAG_SRC_SLOTS	1024	/* power of two */
#define SW_FRAG_TIMEOUT_S	30	/* Linux's ipfrag_time */
#define SW_FRAG_PER_SOURCE	64

struct sw_pkt;

/* One datagram: 80 bytes. */
struct sw_frag_entry {
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t id;
	uint8_t family;		/* 0: free */
	uint8_t proto;		/* sw_pkt.frag_nh */
	uint8_t in_port;	/* its source is counted for this port */
	uint8_t nr;		/* ranges in use, | SW_FRAG_LAST */
	uint64_t expire;	/* TSC */
	uint16_t r[SW_FRAG_RANGES][2];	/* [start, end) in 8-byte units */
	uint16_t vlan;		/* outer VLAN id */
	uint16_t skip;		/* TCP: datagram bytes before the payload */
	uint16_t sport;		/* TCP: network order */
	uint16_t dport;
	uint32_t seq;		/* TCP: the segment's sequence number */
	uint8_t tcp;		/* 1: a tracked TCP segment */
	uint8_t pad[3];
};

/* In sw_frag_entry.nr: the datagram's last fragment was sent. */
#define SW_FRAG_LAST		0x80

/* Live datagrams of the (port, source) pairs hashed to one slot. */
struct sw_frag_src {
	uint32_t n;
};

struct sw_frag_table {
	uint64_t timeout;	/* TSC ticks */
	uint32_t per_source;
	uint32_t sweep;		/* next set the bounded sweep looks at */
	struct sw_frag_src src[SW_FRAG_SRC_SLOTS];
	struct sw_frag_entry e[SW_FRAG_SETS][SW_FRAG_WAYS];
};

/*
 * A first fragment that carries a tracked TCP segment: its ports and
 * sequence number, and how many bytes of the datagram (after the IPv4
 * header or the IPv6 Fragment header) come before the segment's data.
 */
struct sw_frag_tcp {
	uint16_t sport;		/* network order */
	uint16_t dport;
	uint32_t seq;
	uint16_t skip;
};

/* What a datagram's last fragment tells of its TCP segment. */
struct sw_frag_end {
	uint8_t known;		/* 1: the fields below are set */
	uint16_t sport;		/* network order */
	uint16_t dport;
	uint32_t end;		/* the segment's last sequence number + 1 */
};

/* Where a fragment sits in its datagram (sw_parse_frag). */
struct sw_frag_info {
	uint32_t off;		/* bytes from the start of the datagram */
	uint32_t len;		/* bytes of it in this fragment */
	bool more;		/* more fragments follow */
};

#define SW_FRAG_RESULTS(X) \
	X(OK,      "forward it") \
	X(UNKNOWN, "no accepted first fragment seen (or it expired)") \
	X(OVERLAP, "overlaps bytes of its datagram already sent") \
	X(BAD,     "not a multiple of 8, past the end, or too many holes") \
	X(FULL,    "no room in the table for a new datagram") \
	X(SOURCE,  "its source holds per_source datagrams already")

enum sw_frag_result {
#define SW_FRAG_R_ENUM(n, d) SW_FRAG_R_##n,
	SW_FRAG_RESULTS(SW_FRAG_R_ENUM)
#undef SW_FRAG_R_ENUM
	SW_FRAG_R_MAX
};

/*
 * Zero the table; timeout_s seconds (1..3600) in ticks of tsc_hz;
 * per_source datagrams at once (1..table size). Control thread, before
 * the worker starts.
 */
void sw_frag_init(struct sw_frag_table *t, uint64_t tsc_hz,
		  uint32_t timeout_s, uint32_t per_source);

/*
 * A first fragment the rules accepted: record its datagram, and tcp
 * (NULL: none) if it carries a tracked TCP segment. Returns
 * SW_FRAG_R_OK (send it) or why to drop it instead.
 */
int sw_frag_first(struct sw_frag_table *t, const struct sw_pkt *p,
		  const struct sw_frag_info *fi, const struct sw_frag_tcp *tcp,
		  uint64_t now);

/*
 * A later fragment: SW_FRAG_R_OK when it may follow its first. When it
 * is the last fragment of a datagram whose first carried a tracked TCP
 * segment, *end (if not NULL) says where that segment ends; else
 * end->known is 0.
 */
int sw_frag_later(struct sw_frag_table *t, const struct sw_pkt *p,
		  const struct sw_frag_info *fi, uint64_t now,
		  struct sw_frag_end *end);

/* Datagrams recorded now (tests, reports). */
unsigned int sw_frag_count(const struct sw_frag_table *t, uint64_t now);

#endif /* SW_FRAG_H */
