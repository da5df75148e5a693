/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf_core.h>
#include <rte_tcp.h>

#include "sw_ft.h"
#include "sw_proto.h"
#include "parse.h"

#define ETH_HLEN	14
#define ET_IPV4		0x0800
#define ET_IPV6		0x86dd
#define ET_VLAN		0x8100
#define ET_QINQ		0x88a8
#define ET_QINQ_OLD	0x9100

static const char *const result_names[] = {
#define SW_PARSE_NAME(n, d) #n,
	SW_PARSE_RESULTS(SW_PARSE_NAME)
#undef SW_PARSE_NAME
};

const char *
sw_parse_result_name(int r)
{
	if (r < 0 || r >= SW_PARSE_MAX)
		return "?";
	return result_names[r];
}

/* Big-endian loads from any alignment: one load and a byte swap. */
static inline uint16_t
rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_16(v);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_32(v);
}

/* Ports and echo ids are kept in network order, as they sit on the wire. */
static inline uint16_t
ld16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * L4 header at l4, with len bytes of it inside the IP packet. For a
 * first fragment the UDP length covers the whole datagram, not this
 * fragment, so it is only checked on unfragmented packets.
 */
static int
parse_l4(const uint8_t *l4, uint32_t len, struct sw_pkt *p)
{
	uint32_t doff, ulen;

	switch (p->k.proto) {
	case IPPROTO_TCP:
		if (len < 20)
			return SW_PARSE_MAL_TCP_SHORT;
		doff = (uint32_t)(l4[12] >> 4) * 4;
		if (doff < 20 || doff > len)
			return SW_PARSE_MAL_TCP_DOFF;
		p->k.sport = ld16(l4);
		p->k.dport = ld16(l4 + 2);
		p->k.tcp_flags = l4[13];
		return SW_PARSE_IP;
	case IPPROTO_UDP:
		if (len < 8)
			return SW_PARSE_MAL_UDP_SHORT;
		ulen = rd16(l4 + 4);
		if (p->frag == SW_FRAG_NONE && (ulen < 8 || ulen > len))
			return SW_PARSE_MAL_UDP_LEN;
		p->k.sport = ld16(l4);
		p->k.dport = ld16(l4 + 2);
		return SW_PARSE_IP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* ICMP in IPv6 (or ICMPv6 in IPv4) is just another protocol. */
		if ((p->k.proto == IPPROTO_ICMP) != (p->k.family == SW_AF_INET))
			return SW_PARSE_IP;
		if (len < 8)
			return SW_PARSE_MAL_ICMP_SHORT;
		p->k.icmp_type = l4[0];
		p->k.icmp_code = l4[1];
		p->icmp_id = ld16(l4 + 4);
		return SW_PARSE_IP;
	default:
		return SW_PARSE_IP;
	}
}

static int
parse_ip4(const uint8_t *f, uint32_t off, uint32_t len, struct sw_pkt *p)
{
	const uint8_t *ip = f + off;
	uint32_t avail = len - off, ihl, tot;
	uint16_t frag;

	if (avail < 20)
		return SW_PARSE_MAL_IP4_SHORT;
	if ((ip[0] >> 4) != 4)
		return SW_PARSE_MAL_IP4_VER;
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20)
		return SW_PARSE_MAL_IP4_IHL;
	if (ihl > avail)
		return SW_PARSE_MAL_IP4_SHORT;
	tot = rd16(ip + 2);
	/* Bytes after tot are Ethernet padding, which is normal. */
	if (tot < ihl || tot > avail)
		return SW_PARSE_MAL_IP4_LEN;

	p->k.family = SW_AF_INET;
	p->k.proto = ip[9];
	memcpy(p->k.src, ip + 12, 4);
	memcpy(p->k.dst, ip + 16, 4);
	p->l3_off = (uint16_t)off;
	p->l3_len = (uint16_t)tot;

	frag = rd16(ip + 6);
	if (frag & 0x3fff) {
		p->frag_id = rd16(ip + 4);
		p->frag_nh = ip[9];
		if (frag & 0x1fff) {
			/*
			 * RFC 1858: an offset of 8 bytes into a TCP segment
			 * can only serve to rewrite the flags of the first
			 * fragment, which the rules already judged.
			 */
			if ((frag & 0x1fff) == 1 && p->k.proto == IPPROTO_TCP)
				return SW_PARSE_MAL_IP4_FRAG;
			p->frag = SW_FRAG_LATER;
			return SW_PARSE_IP;
		}
		p->frag = SW_FRAG_FIRST;
	}
	p->l4_off = (uint16_t)(off + ihl);
	p->l4_len = (uint16_t)(tot - ihl);
	return parse_l4(ip + ihl, tot - ihl, p);
}

static int
parse_ip6(const uint8_t *f, uint32_t off, uint32_t len, struct sw_pkt *p)
{
	const uint8_t *ip = f + off;
	uint32_t avail = len - off, end, o, hl;
	uint16_t fo;
	uint8_t nh;
	int i, seen_frag = 0;

	if (avail < 40)
		return SW_PARSE_MAL_IP6_SHORT;
	if ((ip[0] >> 4) != 6)
		return SW_PARSE_MAL_IP6_VER;
	/* A zero payload length means a jumbogram; we do not carry those. */
	end = 40 + (uint32_t)rd16(ip + 4);
	if (end > avail)
		return SW_PARSE_MAL_IP6_LEN;

	p->k.family = SW_AF_INET6;
	memcpy(p->k.src, ip + 8, 16);
	memcpy(p->k.dst, ip + 24, 16);
	p->l3_off = (uint16_t)off;
	p->l3_len = (uint16_t)end;

	nh = ip[6];
	o = 40;
	/* One pass per header: up to SW_IP6_MAX_EXT extensions, then L4. */
	for (i = 0; i <= SW_IP6_MAX_EXT; i++) {
		switch (nh) {
		case IPPROTO_HOPOPTS:
			/* RFC 8200 4.3: hop-by-hop only right after the header. */
			if (i != 0)
				return SW_PARSE_MAL_IP6_EXT;
			/* fall through */
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			if (o + 8 > end)
				return SW_PARSE_MAL_IP6_EXT;
			hl = ((uint32_t)ip[o + 1] + 1) * 8;
			break;
		case IPPROTO_AH:
			if (o + 8 > end)
				return SW_PARSE_MAL_IP6_EXT;
			hl = ((uint32_t)ip[o + 1] + 2) * 4;
			break;
		case IPPROTO_FRAGMENT:
			if (o + 8 > end || seen_frag)
				return SW_PARSE_MAL_IP6_EXT;
			seen_frag = 1;
			fo = rd16(ip + o + 2);
			p->frag_id = rd32(ip + o + 4);
			nh = ip[o];
			p->frag_nh = nh;
			o += 8;
			if (fo & 0xfff8) {
				p->k.proto = nh;
				p->frag = SW_FRAG_LATER;
				return SW_PARSE_IP;
			}
			/* RFC 6946: an atomic fragment is a whole packet. */
			if (fo & 1)
				p->frag = SW_FRAG_FIRST;
			continue;
		default:
			p->k.proto = nh;
			p->l4_off = (uint16_t)(off + o);
			p->l4_len = (uint16_t)(end - o);
			return parse_l4(ip + o, end - o, p);
		}
		if (o + hl > end)
			return SW_PARSE_MAL_IP6_EXT;
		nh = ip[o];
		o += hl;
	}
	return SW_PARSE_MAL_IP6_EXT;
}

int
sw_parse(const uint8_t *f, uint32_t len, struct sw_pkt *p)
{
	uint32_t off = ETH_HLEN;
	uint16_t et;
	int tags;

	memset(p, 0, sizeof(*p));
	if (len < ETH_HLEN)
		return SW_PARSE_MAL_ETH;
	et = rd16(f + 12);
	for (tags = 0; et == ET_VLAN || et == ET_QINQ || et == ET_QINQ_OLD;
	     tags++) {
		/*
		 * A third tag would let IP hide behind what a two-tag
		 * parser takes for a non-IP frame: refuse it.
		 */
		if (tags == 2 || off + 4 > len)
			return SW_PARSE_MAL_VLAN;
		if (tags == 0)
			p->vlan = rd16(f + off) & 0x0fff;
		et = rd16(f + off + 2);
		off += 4;
	}
	switch (et) {
	case ET_IPV4:
		return parse_ip4(f, off, len, p);
	case ET_IPV6:
		return parse_ip6(f, off, len, p);
	default:
		/* The l2_passthrough filter reads the type from here. */
		p->l3_off = (uint16_t)off;
		return SW_PARSE_L2;
	}
}

/* IPv4 options: loose and strict source route (RFC 791). */
#define SW_IPOPT_EOL	0
#define SW_IPOPT_NOP	1
#define SW_IPOPT_LSRR	0x83
#define SW_IPOPT_SSRR	0x89

static int
ip4_source_route(const uint8_t *ip)
{
	uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4, o = 20, ol;

	while (o < ihl) {
		if (ip[o] == SW_IPOPT_EOL)
			return 0;
		if (ip[o] == SW_IPOPT_NOP) {
			o++;
			continue;
		}
		if (ip[o] == SW_IPOPT_LSRR || ip[o] == SW_IPOPT_SSRR)
			return 1;
		/* A list no router could walk hides whatever follows. */
		if (o + 1 >= ihl || (ol = ip[o + 1]) < 2 || o + ol > ihl)
			return 1;
		o += ol;
	}
	return 0;
}

/* IPv6: a type 0 routing header (RFC 5095) in the chain before L4. */
static int
ip6_source_route(const uint8_t *ip, uint32_t end)
{
	uint32_t o = 40, hl;
	uint8_t nh = ip[6];
	int i;

	for (i = 0; i < SW_IP6_MAX_EXT && o + 8 <= end; i++) {
		switch (nh) {
		case IPPROTO_ROUTING:
			if (ip[o + 2] == 0)
				return 1;
			/* fall through */
		case IPPROTO_HOPOPTS:
		case IPPROTO_DSTOPTS:
			hl = ((uint32_t)ip[o + 1] + 1) * 8;
			break;
		case IPPROTO_AH:
			hl = ((uint32_t)ip[o + 1] + 2) * 4;
			break;
		case IPPROTO_FRAGMENT:
			/* Past a later fragment's header is data. */
			if (rd16(ip + o + 2) & 0xfff8)
				return 0;
			hl = 8;
			break;
		default:
			return 0;
		}
		nh = ip[o];
		o += hl;
	}
	return 0;
}

int
sw_parse_frag(const uint8_t *f, const struct sw_pkt *p, uint32_t *off,
	      uint32_t *len, bool *more)
{
	const uint8_t *ip = f + p->l3_off;
	uint32_t o = 40, end = p->l3_len, hl;
	uint16_t fo;
	uint8_t nh;
	int i;

	if (p->frag == SW_FRAG_NONE)
		return -1;
	if (p->k.family == SW_AF_INET) {
		hl = (uint32_t)(ip[0] & 0x0f) * 4;
		fo = rd16(ip + 6);
		*off = (uint32_t)(fo & 0x1fff) * 8;
		*more = (fo & 0x2000) != 0;
		*len = end - hl;
		return 0;
	}
	/* IPv6: sw_parse walked this chain already; find the header. */
	nh = ip[6];
	for (i = 0; i < SW_IP6_MAX_EXT && o + 8 <= end; i++) {
		if (nh == IPPROTO_FRAGMENT) {
			fo = rd16(ip + o + 2);
			*off = fo & 0xfff8;
			*more = (fo & 1) != 0;
			*len = end - (o + 8);
			return 0;
		}
		if (nh == IPPROTO_AH)
			hl = ((uint32_t)ip[o + 1] + 2) * 4;
		else
			hl = ((uint32_t)ip[o + 1] + 1) * 8;
		nh = ip[o];
		o += hl;
	}
	return -1;
}

int
sw_parse_source_route_slow(const uint8_t *f, const struct sw_pkt *p)
{
	const uint8_t *ip = f + p->l3_off;

	if (p->k.family == SW_AF_INET)
		return (ip[0] & 0x0f) > 5 && ip4_source_route(ip);
	if (p->k.family == SW_AF_INET6)
		return ip[6] != p->k.proto && ip6_source_route(ip, p->l3_len);
	return 0;
}

int
sw_parse_icmp_error(const uint8_t *f, const struct sw_pkt *p,
		    struct sw_inner *in)
{
	const uint8_t *q;
	uint32_t len, hl;
	uint8_t t = p->k.icmp_type;

	if (p->l4_off == 0 || p->frag != SW_FRAG_NONE)
		return -1;
	if (p->k.family == SW_AF_INET) {
		if (p->k.proto != IPPROTO_ICMP ||
		    !(t == SW_ICMP_UNREACH || t == SW_ICMP_SOURCEQUENCH ||
		      t == SW_ICMP_REDIRECT || t == SW_ICMP_TIMXCEED ||
		      t == SW_ICMP_PARAMPROB))
			return -1;
	} else if (p->k.proto != IPPROTO_ICMPV6 || t < SW_ICMP6_UNREACH ||
		   t > SW_ICMP6_PARAMPROB) {
		return -1;
	}
	q = f + p->l4_off + 8;
	len = p->l4_len - 8u;
	memset(in, 0, sizeof(*in));
	if (p->k.family == SW_AF_INET) {
		if (len < 20 || (q[0] >> 4) != 4)
			return -1;
		hl = (uint32_t)(q[0] & 0x0f) * 4;
		if (hl < 20 || len < hl + 8)
			return -1;
		in->family = SW_AF_INET;
		in->proto = q[9];
		memcpy(in->src, q + 12, 4);
		memcpy(in->dst, q + 16, 4);
	} else {
		/* Only a quote whose next header is the transport's. */
		if (len < 48 || (q[0] >> 4) != 6)
			return -1;
		hl = 40;
		in->family = SW_AF_INET6;
		in->proto = q[6];
		memcpy(in->src, q + 8, 16);
		memcpy(in->dst, q + 24, 16);
	}
	q += hl;
	if (in->proto == IPPROTO_ICMP || in->proto == IPPROTO_ICMPV6) {
		in->icmp_type = q[0];
		in->sport = ld16(q + 4);
		in->dport = in->sport;
	} else if (in->proto == IPPROTO_TCP || in->proto == IPPROTO_UDP) {
		in->sport = ld16(q);
		in->dport = ld16(q + 2);
		if (in->proto == IPPROTO_TCP)
			in->seq = rd32(q + 4);
	}
	return 0;
}

int
sw_icmp_is_redirect(const struct sw_pkt *p)
{
	if (p->k.family == SW_AF_INET)
		return p->k.proto == IPPROTO_ICMP &&
		       p->k.icmp_type == SW_ICMP_REDIRECT;
	return p->k.proto == IPPROTO_ICMPV6 &&
	       p->k.icmp_type == SW_ND_REDIRECT;
}

/* TCP option kinds read by the flow table (RFC 9293, 7323, 2018). */
#define TCPOPT_EOL	0
#define TCPOPT_NOP	1
#define TCPOPT_MSS	2
#define TCPOPT_WSCALE	3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK	5
#define TCPOPT_TS	8

void
sw_parse_tcp_seg(const uint8_t *f, const struct sw_pkt *p,
		 struct sw_ft_pkt *out)
{
	const uint8_t *th = f + p->l4_off, *o, *oend;
	uint32_t doff = (uint32_t)(th[12] >> 4) * 4, ack;
	unsigned int len, i;

	out->seq = rd32(th + 4);
	out->ack = ack = rd32(th + 8);
	out->win = rd16(th + 14);
	out->datalen = (uint16_t)(p->l4_len - doff);
	out->sack = ack;
	out->wscale = SW_FT_NO_WSCALE;
	out->sack_perm = 0;
	out->mss = 0;
	out->has_ts = 0;
	/*
	 * Most segments carry no option or only a timestamp (NOP NOP TS):
	 * read that at once. The parser checked doff against the packet,
	 * so every option byte is inside the frame.
	 */
	if (doff == 20)
		return;
	if (doff == 32 && rd32(th + 20) == 0x0101080a) {
		out->has_ts = 1;
		out->tsval = rd32(th + 24);
		out->tsecr = rd32(th + 28);
		return;
	}
	o = th + 20;
	oend = th + doff;
	while (o < oend) {
		if (o[0] == TCPOPT_EOL)
			break;
		if (o[0] == TCPOPT_NOP) {
			o++;
			continue;
		}
		if (oend - o < 2 || o[1] < 2 || o[1] > oend - o)
			break;
		len = o[1];
		if (o[0] == TCPOPT_TS && len == 10) {
			out->has_ts = 1;
			out->tsval = rd32(o + 2);
			out->tsecr = rd32(o + 6);
		} else if (o[0] == TCPOPT_MSS && len == 4 &&
			   (p->k.tcp_flags & RTE_TCP_SYN_FLAG)) {
			out->mss = rd16(o + 2);
		} else if (o[0] == TCPOPT_WSCALE && len == 3 &&
		    (p->k.tcp_flags & RTE_TCP_SYN_FLAG))
			out->wscale = o[2];
		else if (o[0] == TCPOPT_SACK_PERM && len == 2 &&
			 (p->k.tcp_flags & RTE_TCP_SYN_FLAG))
			out->sack_perm = 1;
		else if (o[0] == TCPOPT_SACK && len >= 10 && (len - 2) % 8 == 0)
			for (i = 2; i < len; i += 8) {
				uint32_t right = rd32(o + i + 4);

				/* The highest right edge (Linux's tcp_sack). */
				if ((int32_t)(right - out->sack) > 0)
					out->sack = right;
			}
		o += len;
	}
}

/*
 * The one's complement sum of len bytes, added to acc: eight bytes a
 * step, as two 32-bit halves into a 64-bit accumulator that cannot
 * overflow below 4 GiB (DPDK 22.11's __rte_raw_cksum adds one 16-bit
 * word a step). Grouping does not change a one's complement sum (RFC
 * 1071): folded, it is __rte_raw_cksum's, bit for bit (the parse suite
 * compares them over random buffers).
 */
static inline uint64_t
sum_bytes(const uint8_t *b, size_t len, uint64_t acc)
{
	uint64_t w;
	uint32_t h;
	uint16_t q;

	for (; len >= 8; b += 8, len -= 8) {
		memcpy(&w, b, 8);
		acc += (w & 0xffffffffu) + (w >> 32);
	}
	if (len >= 4) {
		memcpy(&h, b, 4);
		acc += h;
		b += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&q, b, 2);
		acc += q;
		b += 2;
		len -= 2;
	}
	if (len) {
		q = 0;
		*(uint8_t *)&q = *b;
		acc += q;
	}
	return acc;
}

/* acc folded to 16 bits: all ones when the sum checks. */
static inline int
sum_ok(uint64_t acc)
{
	return sw_cksum_fold(acc) == 0xffff;
}

uint16_t
sw_cksum_sum(const void *buf, size_t len)
{
	return sw_cksum_fold(sum_bytes(buf, len, 0));
}

uint16_t
sw_cksum_ip4_make(const uint8_t *ip)
{
	if (likely((ip[0] & 0x0fu) == 5))
		return (uint16_t)~sw_cksum_fold(sum_bytes(ip, 20, 0));
	return (uint16_t)~sw_cksum_fold(sum_bytes(ip, (ip[0] & 0x0fu) * 4u, 0));
}

uint16_t
sw_cksum_l4_make(const uint8_t *ip, uint8_t family, uint8_t proto,
		 const uint8_t *l4, uint32_t l4_len)
{
	uint64_t sum;
	uint16_t ck;

	/* Source and destination lie side by side in both headers. */
	if (family == SW_AF_INET)
		sum = sum_bytes(ip + 12, 8, 0);
	else
		sum = sum_bytes(ip + 8, 32, 0);
	sum += rte_cpu_to_be_16((uint16_t)proto) +
	       rte_cpu_to_be_16((uint16_t)(l4_len >> 16)) +
	       rte_cpu_to_be_16((uint16_t)l4_len);
	ck = (uint16_t)~sw_cksum_fold(sum_bytes(l4, l4_len, sum));
	if (ck == 0 && proto == IPPROTO_UDP)
		ck = 0xffff;
	return ck;
}

/*
 * RFC 8200 8.1: a packet with a routing header whose segments are not
 * all visited sums its pseudo-header with the final destination, not
 * the header's next hop. Where a routing type names it: type 0's last
 * address (RFC 5095 deprecates it; only with allow_source_route), type
 * 2's home address (RFC 6275), an SRH's Segment List[0] (RFC 8754).
 * NULL when there is no such header or its type hides the final
 * address (RPL's compressed type 3: a router that does not know it
 * discards the packet, and so does spillway's checksum).
 */
static const uint8_t *
ip6_final_dst(const uint8_t *ip, uint32_t end)
{
	uint32_t o = 40, hl;
	uint8_t nh = ip[6];
	int i;

	for (i = 0; i < SW_IP6_MAX_EXT && o + 8 <= end; i++) {
		switch (nh) {
		case IPPROTO_ROUTING:
			hl = ((uint32_t)ip[o + 1] + 1) * 8;
			if (ip[o + 3] == 0 || o + hl > end || hl < 24)
				break;
			if (ip[o + 2] == 0)
				return ip + o + hl - 16;
			if (ip[o + 2] == 2 || ip[o + 2] == 4)
				return ip + o + 8;
			return NULL;
		case IPPROTO_HOPOPTS:
		case IPPROTO_DSTOPTS:
			hl = ((uint32_t)ip[o + 1] + 1) * 8;
			break;
		case IPPROTO_AH:
			hl = ((uint32_t)ip[o + 1] + 2) * 4;
			break;
		default:
			return NULL;
		}
		nh = ip[o];
		o += hl;
	}
	return NULL;
}

/*
 * The L4 checksum with its pseudo-header (none for ICMPv4); dst6: the
 * IPv6 destination it holds (NULL: the header's).
 */
static int
l4_sum_ok(const uint8_t *f, const struct sw_pkt *p, const uint8_t *dst6)
{
	const uint8_t *l4 = f + p->l4_off;
	uint64_t sum = 0;

	if (p->k.proto == IPPROTO_UDP && rd16(l4 + 6) == 0)
		return p->k.family == SW_AF_INET;	/* v4: no checksum */
	/*
	 * The pseudo-header's words are summed where they lie and as
	 * numbers, not copied into a struct and read back: reading a word
	 * made of narrower stores still in the store buffer stalls the
	 * CPU (perf annotate showed a dozen cycles a packet). A 16-bit
	 * word's value in memory order is rte_cpu_to_be_16 of the number
	 * (RFC 1071: the sum does not depend on byte order otherwise).
	 */
	if (p->k.family == SW_AF_INET) {
		if (p->k.proto != IPPROTO_ICMP)
			sum = sum_bytes(p->k.src, 4,
					sum_bytes(p->k.dst, 4, 0)) +
			      rte_cpu_to_be_16((uint16_t)p->k.proto) +
			      rte_cpu_to_be_16(p->l4_len);
	} else {
		/* ICMPv6 has the pseudo-header too (RFC 4443 2.3). */
		sum = sum_bytes(p->k.src, 16,
				sum_bytes(dst6 != NULL ? dst6 : p->k.dst, 16,
					  0)) +
		      rte_cpu_to_be_16(p->l4_len) +
		      rte_cpu_to_be_16((uint16_t)p->k.proto);
	}
	return sum_ok(sum_bytes(l4, p->l4_len, sum));
}

int
sw_cksum_ip_ok(const uint8_t *f, const struct sw_pkt *p, uint64_t ol_flags)
{
	uint64_t ip = ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	if (p->k.family != SW_AF_INET)
		return 1;
	if (ip == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return 0;
	if (ip != RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN)
		return 1;
	/* Nearly every header has no options: 20 bytes, unrolled. */
	if (likely((f[p->l3_off] & 0x0fu) == 5))
		return sum_ok(sum_bytes(f + p->l3_off, 20, 0));
	return sum_ok(sum_bytes(f + p->l3_off, (f[p->l3_off] & 0x0fu) * 4u,
				0));
}

int
sw_cksum_ok(const uint8_t *f, const struct sw_pkt *p, uint64_t ol_flags)
{
	uint64_t l4 = ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	const uint8_t *dst;

	if (!sw_cksum_ip_ok(f, p, ol_flags))
		return 0;
	if (p->frag != SW_FRAG_NONE || p->l4_off == 0)
		return 1;
	switch (p->k.proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		break;
	case IPPROTO_ICMP:
		if (p->k.family != SW_AF_INET)
			return 1;
		break;
	case IPPROTO_ICMPV6:
		if (p->k.family != SW_AF_INET6)
			return 1;
		break;
	default:
		return 1;	/* no checksum spillway knows */
	}
	/* The final destination, where a routing header names another. */
	dst = p->k.family == SW_AF_INET6 && f[p->l3_off + 6] != p->k.proto ?
	      ip6_final_dst(f + p->l3_off, p->l4_off - p->l3_off) : NULL;
	/*
	 * A NIC's verdict counts only for the protocols it checks, and
	 * not where it would have summed a routing header's next hop.
	 */
	if ((p->k.proto == IPPROTO_TCP || p->k.proto == IPPROTO_UDP) &&
	    l4 != RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN && dst == NULL)
		return l4 != RTE_MBUF_F_RX_L4_CKSUM_BAD;
	return l4_sum_ok(f, p, dst);
}
