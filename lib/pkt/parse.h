/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_PARSE_H
#define SW_PARSE_H

/*
 * Packet parser: Ethernet, up to two VLAN tags (0x8100, 0x88a8, 0x9100),
 * IPv4 with options, IPv6 with extension headers, TCP, UDP, ICMP, ICMPv6.
 *
 * Usage: sw_parse(frame, len, &pkt) on the first segment of a frame.
 * It reads only frame[0 .. len-1], whatever the headers claim, and
 * classifies the frame as IP, non-IP (L2) or malformed with a reason.
 *
 * Thread-safety: pure function over caller-owned memory; any thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sw_acl.h"

enum sw_af {
	SW_AF_NONE = 0,
	SW_AF_INET = 4,
	SW_AF_INET6 = 6,
};

enum sw_frag {
	SW_FRAG_NONE = 0,	/* not a fragment (or an atomic fragment) */
	SW_FRAG_FIRST,		/* offset 0, more fragments: has L4 header */
	SW_FRAG_LATER,		/* offset > 0: no L4 header, no ports */
};

/*
 * Parse results. Everything from SW_PARSE_MAL_FIRST on is a malformed
 * frame; the value says which check failed (tests and debugging).
 */
#define SW_PARSE_RESULTS(X) \
	X(IP,            "IPv4 or IPv6 packet") \
	X(L2,            "non-IP frame (ARP, LLDP, ...)") \
	X(MAL_ETH,       "frame shorter than an Ethernet header") \
	X(MAL_VLAN,      "truncated VLAN tag or more than two tags") \
	X(MAL_IP4_SHORT, "IPv4 header truncated") \
	X(MAL_IP4_VER,   "IPv4 ethertype, version not 4") \
	X(MAL_IP4_IHL,   "IPv4 IHL below 5") \
	X(MAL_IP4_LEN,   "IPv4 total length beyond frame or below IHL") \
	X(MAL_IP4_FRAG,  "IPv4 fragment overlapping the TCP header") \
	X(MAL_IP6_SHORT, "IPv6 header truncated") \
	X(MAL_IP6_VER,   "IPv6 ethertype, version not 6") \
	X(MAL_IP6_LEN,   "IPv6 payload length beyond frame") \
	X(MAL_IP6_EXT,   "IPv6 extension header chain invalid") \
	X(MAL_TCP_SHORT, "TCP header truncated") \
	X(MAL_TCP_DOFF,  "TCP data offset below 5 or beyond packet") \
	X(MAL_UDP_SHORT, "UDP header truncated") \
	X(MAL_UDP_LEN,   "UDP length inconsistent with IP length") \
	X(MAL_ICMP_SHORT, "ICMP/ICMPv6 header truncated")

enum sw_parse_result {
#define SW_PARSE_ENUM(n, d) SW_PARSE_##n,
	SW_PARSE_RESULTS(SW_PARSE_ENUM)
#undef SW_PARSE_ENUM
	SW_PARSE_MAX
};

#define SW_PARSE_MAL_FIRST SW_PARSE_MAL_ETH

static inline int
sw_parse_malformed(int r)
{
	return r >= SW_PARSE_MAL_FIRST;
}

/* Name of a parse result ("MAL_TCP_DOFF"), for logs and tests. */
const char *sw_parse_result_name(int r);

/*
 * Parsed packet. It begins with the classification key that lib/acl's
 * rte_acl contexts read in place (struct sw_acl_key: network byte order,
 * as rte_acl expects input data).
 */
struct sw_pkt {
	struct sw_acl_key k;	/* proto, family, in_port, flags, ports, addrs */
	uint8_t frag;		/* enum sw_frag */
	/*
	 * A fragment's protocol as its fragments all say it: IPv4's, or
	 * the IPv6 Fragment header's next header (a first fragment's AH or
	 * destination options come after that header, so k.proto, the
	 * last next header, differs from what its later fragments carry).
	 */
	uint8_t frag_nh;
	uint16_t icmp_id;	/* echo identifier, network order */
	uint16_t vlan;		/* outer VLAN id (0: untagged) */
	uint16_t l3_off;	/* offset of the IP header in the frame (non-IP:
				 * of the payload after the last VLAN tag) */
	uint16_t l4_off;	/* offset of the L4 header (0: none) */
	uint16_t l3_len;	/* IP packet length (excludes Ethernet padding) */
	uint16_t l4_len;	/* L4 bytes inside the IP packet */
	uint32_t frag_id;	/* IPv4 id or IPv6 fragment id */
};

/* IPv6 extension headers followed before giving up as malformed. */
#define SW_IP6_MAX_EXT 8

/*
 * Parse one frame. `frame` points at the Ethernet header, `len` is the
 * number of readable bytes. Fills *pkt (except in_port) and returns an
 * enum sw_parse_result.
 */
int sw_parse(const uint8_t *frame, uint32_t len, struct sw_pkt *pkt);

/*
 * Where a fragment (p->frag not SW_FRAG_NONE) sits in its datagram:
 * the byte offset of its data, how many bytes of data it carries (after
 * the IPv4 header or the IPv6 fragment header), and whether more follow.
 * Returns 0, or -1 for a packet that is no fragment.
 */
int sw_parse_frag(const uint8_t *frame, const struct sw_pkt *p,
		  uint32_t *off, uint32_t *len, bool *more);

/*
 * 1 when p (a packet sw_parse found to be IP, frame its frame) carries a
 * source route: an IPv4 loose or strict source route option, or an IPv6
 * routing header of type 0 (RFC 5095), in any fragment; also an IPv4
 * option list that cannot be walked (a bad option length). Reads only
 * the IP header and extension headers sw_parse checked. Cheap for
 * packets without options or extension headers: inline, the walk only
 * for those that have them.
 */
int sw_parse_source_route_slow(const uint8_t *frame, const struct sw_pkt *p);

static inline int
sw_parse_source_route(const uint8_t *frame, const struct sw_pkt *p)
{
	const uint8_t *ip = frame + p->l3_off;

	if (p->k.family == SW_AF_INET ? (ip[0] & 0x0f) <= 5 :
	    p->k.family != SW_AF_INET6 || ip[6] == p->k.proto)
		return 0;
	return sw_parse_source_route_slow(frame, p);
}

/* The header an ICMP/ICMPv6 error quotes: the packet it complains about. */
struct sw_inner {
	uint8_t family;
	uint8_t proto;
	uint8_t icmp_type;	/* quoted ICMP: its type */
	uint16_t sport;		/* network order; echo id for ICMP echo */
	uint16_t dport;
	uint32_t seq;		/* quoted TCP: its sequence number (host) */
	uint8_t src[16];
	uint8_t dst[16];
};

/*
 * If p is an ICMP error (v4: unreachable, source quench, redirect, time
 * exceeded, parameter problem; v6: types 1-4), read the quoted IP header
 * and the first 8 bytes after it into *in, within the packet's bounds.
 * Returns 0, or -1 when p is no error or the quote is too short.
 */
int sw_parse_icmp_error(const uint8_t *frame, const struct sw_pkt *p,
			struct sw_inner *in);

/* True for ICMP redirects (v4 type 5, v6 type 137): never related. */
int sw_icmp_is_redirect(const struct sw_pkt *p);

struct sw_ft_pkt;

/*
 * Read what the flow table needs of a TCP segment into *out: sequence,
 * acknowledgement, window, payload length, and the options it reads
 * (window scale and SACK-permitted on SYNs, the highest SACK edge).
 * Only the TCP fields of *out are written. p must be a parsed TCP
 * packet with an L4 header.
 */
void sw_parse_tcp_seg(const uint8_t *frame, const struct sw_pkt *p,
		      struct sw_ft_pkt *out);

/*
 * Verify the IPv4 header checksum and the TCP, UDP, ICMP or ICMPv6
 * checksum of a parsed packet (a UDP checksum of 0 is "none" over IPv4,
 * invalid over IPv6). `ol_flags` are the mbuf's rx flags: a part the
 * port reports good or bad is not computed again. A first fragment has
 * only its IPv4 header checked (its L4 checksum covers the whole
 * datagram). An IPv6 packet with a routing header of type 0, 2 or 4
 * and segments left is summed with its final destination (RFC 8200
 * 8.1), whatever the port says. Returns 1 if good, 0 if bad.
 */
int sw_cksum_ok(const uint8_t *frame, const struct sw_pkt *p,
		uint64_t ol_flags);

/*
 * The one's complement sum of len bytes folded to 16 bits, in the
 * buffer's own byte order (__rte_raw_cksum_reduce(__rte_raw_cksum()),
 * eight bytes a step): what sw_cksum_ok checks with. Any thread.
 */
uint16_t sw_cksum_sum(const void *buf, size_t len);

/*
 * Checksums to write into a packet this node builds (the SYN proxy's
 * answers, rejects), the field zero: the IPv4 header's (its IHL from
 * the header), and the L4 checksum of l4_len bytes at l4 with the
 * pseudo-header of the plain IPv4 or IPv6 header at ip (addresses and
 * proto as given; an IPv6 one without extension headers). Bit for bit
 * what rte_ipv4_cksum and rte_ipv4/ipv6_udptcp_cksum return (a UDP sum
 * of 0 goes as all ones), eight bytes a step, with no pseudo-header
 * struct built on the stack and read back (a store-forwarding stall).
 */
uint16_t sw_cksum_ip4_make(const uint8_t *ip);
/*
 * A one's complement sum accumulated in 64 bits (32-bit words added as
 * numbers) folded to 16 bits: what sw_cksum_sum returns for the bytes
 * summed; nonzero unless every word was 0.
 */
static inline uint16_t
sw_cksum_fold(uint64_t acc)
{
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffu) + (acc >> 16);
	acc = (acc & 0xffffu) + (acc >> 16);
	acc = (acc & 0xffffu) + (acc >> 16);
	return (uint16_t)acc;
}
uint16_t sw_cksum_l4_make(const uint8_t *ip, uint8_t family, uint8_t proto,
			  const uint8_t *l4, uint32_t l4_len);

/*
 * The IPv4 header checksum alone (1 for IPv6): for a source-routed
 * packet, whose TCP/UDP pseudo-header holds the final destination, not
 * the header's.
 */
int sw_cksum_ip_ok(const uint8_t *frame, const struct sw_pkt *p,
		   uint64_t ol_flags);

#endif /* SW_PARSE_H */
