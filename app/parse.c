/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <string.h>

#include "sw_pkt.h"

#define ETH_HLEN	14
#define ET_IPV4		0x0800
#define ET_IPV6		0x86dd
#define ET_VLAN		0x8100
#define ET_QINQ		0x88a8
#define ET_QINQ_OLD	0x9100

#define IPPROTO_HOPOPTS_	0
#define IPPROTO_ICMP_		1
#define IPPROTO_TCP_		6
#define IPPROTO_UDP_		17
#define IPPROTO_ROUTING_	43
#define IPPROTO_FRAGMENT_	44
#define IPPROTO_AH_		51
#define IPPROTO_ICMPV6_		58
#define IPPROTO_DSTOPTS_	60

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

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
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
	case IPPROTO_TCP_:
		if (len < 20)
			return SW_PARSE_MAL_TCP_SHORT;
		doff = (uint32_t)(l4[12] >> 4) * 4;
		if (doff < 20 || doff > len)
			return SW_PARSE_MAL_TCP_DOFF;
		p->k.sport = ld16(l4);
		p->k.dport = ld16(l4 + 2);
		p->k.tcp_flags = l4[13];
		return SW_PARSE_IP;
	case IPPROTO_UDP_:
		if (len < 8)
			return SW_PARSE_MAL_UDP_SHORT;
		ulen = rd16(l4 + 4);
		if (p->frag == SW_FRAG_NONE && (ulen < 8 || ulen > len))
			return SW_PARSE_MAL_UDP_LEN;
		p->k.sport = ld16(l4);
		p->k.dport = ld16(l4 + 2);
		return SW_PARSE_IP;
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_:
		/* ICMP in IPv6 (or ICMPv6 in IPv4) is just another protocol. */
		if ((p->k.proto == IPPROTO_ICMP_) != (p->k.family == SW_AF_INET))
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
		if (frag & 0x1fff) {
			/*
			 * RFC 1858: an offset of 8 bytes into a TCP segment
			 * can only serve to rewrite the flags of the first
			 * fragment, which the rules already judged.
			 */
			if ((frag & 0x1fff) == 1 && p->k.proto == IPPROTO_TCP_)
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
		case IPPROTO_HOPOPTS_:
			/* RFC 8200 4.3: hop-by-hop only right after the header. */
			if (i != 0)
				return SW_PARSE_MAL_IP6_EXT;
			/* fall through */
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
			if (o + 8 > end)
				return SW_PARSE_MAL_IP6_EXT;
			hl = ((uint32_t)ip[o + 1] + 1) * 8;
			break;
		case IPPROTO_AH_:
			if (o + 8 > end)
				return SW_PARSE_MAL_IP6_EXT;
			hl = ((uint32_t)ip[o + 1] + 2) * 4;
			break;
		case IPPROTO_FRAGMENT_:
			if (o + 8 > end || seen_frag)
				return SW_PARSE_MAL_IP6_EXT;
			seen_frag = 1;
			fo = rd16(ip + o + 2);
			p->frag_id = rd32(ip + o + 4);
			nh = ip[o];
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
		et = rd16(f + off + 2);
		off += 4;
	}
	switch (et) {
	case ET_IPV4:
		return parse_ip4(f, off, len, p);
	case ET_IPV6:
		return parse_ip6(f, off, len, p);
	default:
		return SW_PARSE_L2;
	}
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
		if (p->k.proto != IPPROTO_ICMP_ ||
		    !(t == 3 || t == 4 || t == 5 || t == 11 || t == 12))
			return -1;
	} else if (p->k.proto != IPPROTO_ICMPV6_ || t < 1 || t > 4) {
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
	if (in->proto == IPPROTO_ICMP_ || in->proto == IPPROTO_ICMPV6_) {
		in->sport = ld16(q + 4);
		in->dport = in->sport;
	} else if (in->proto == IPPROTO_TCP_ || in->proto == IPPROTO_UDP_) {
		in->sport = ld16(q);
		in->dport = ld16(q + 2);
	}
	return 0;
}
