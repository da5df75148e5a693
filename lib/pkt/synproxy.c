/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "sw_ft.h"
#include "parse.h"
#include "synproxy.h"

#define TTL 64
#define OPT_MAX 40

static inline void
wr16(uint8_t *p, uint16_t v)
{
	v = rte_cpu_to_be_16(v);
	memcpy(p, &v, 2);
}

static inline void
wr32(uint8_t *p, uint32_t v)
{
	v = rte_cpu_to_be_32(v);
	memcpy(p, &v, 4);
}

static inline uint16_t
rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return rte_be_to_cpu_16(v);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return rte_be_to_cpu_32(v);
}

/*
 * A segment the proxy writes has a plain IP header, whatever the packet
 * it is written over carried: no IPv4 options, no IPv6 extension
 * headers (not even a fragment header), as Linux SYNPROXY builds its
 * own. The TCP header's first 20 bytes move up against the fixed IP
 * header; *q is p with the new offset.
 */
static void
plain_hdr(uint8_t *ip, uint8_t family)
{
	if (family == SW_AF_INET)
		ip[0] = 0x45;		/* IHL 5 */
	else
		ip[6] = IPPROTO_TCP;	/* next header */
}

static void
plain_ip(uint8_t *f, const struct sw_pkt *p, struct sw_pkt *q)
{
	uint8_t *ip = f + p->l3_off;
	uint16_t l3 = p->k.family == SW_AF_INET ? 20 : 40;

	*q = *p;
	if (p->l4_off == p->l3_off + l3)
		return;
	memmove(ip + l3, f + p->l4_off, 20);
	plain_hdr(ip, p->k.family);
	q->l4_off = (uint16_t)(p->l3_off + l3);
	q->frag = SW_FRAG_NONE;
}

/*
 * Swap the Ethernet addresses, the IP addresses and the ports: each
 * pair loaded whole into registers and stored crossed (no bounce
 * buffer of narrower stores read back).
 */
static void
turn_around(uint8_t *f, const struct sw_pkt *p)
{
	uint8_t *ip = f + p->l3_off, *th = f + p->l4_off;
	uint64_t a0, a1, b0, b1;
	uint32_t w, x;
	uint16_t y;

	memcpy(&w, f, 4);		/* destination MAC */
	memcpy(&y, f + 4, 2);
	memcpy(&a0, f + 6, 8);		/* source MAC, and 2 bytes more */
	memcpy(f, &a0, 6);
	memcpy(f + 6, &w, 4);
	memcpy(f + 10, &y, 2);
	if (p->k.family == SW_AF_INET) {
		memcpy(&w, ip + 12, 4);
		memcpy(&x, ip + 16, 4);
		memcpy(ip + 12, &x, 4);
		memcpy(ip + 16, &w, 4);
	} else {
		memcpy(&a0, ip + 8, 8);
		memcpy(&a1, ip + 16, 8);
		memcpy(&b0, ip + 24, 8);
		memcpy(&b1, ip + 32, 8);
		memcpy(ip + 8, &b0, 8);
		memcpy(ip + 16, &b1, 8);
		memcpy(ip + 24, &a0, 8);
		memcpy(ip + 32, &a1, 8);
	}
	memcpy(&w, th, 4);		/* the ports: a 16-bit rotation */
	w = (w >> 16) | (w << 16);
	memcpy(th, &w, 4);
}

/* Options of a SYN, SYN/ACK or ACK, padded to 4 bytes. Returns length. */
static unsigned int
options(uint8_t *o, uint16_t mss, uint8_t wscale, bool sack_perm, bool ts,
	uint32_t tsval, uint32_t tsecr)
{
	unsigned int n = 0;

	if (mss) {
		o[n++] = 2;
		o[n++] = 4;
		wr16(o + n, mss);
		n += 2;
	}
	if (sack_perm && ts) {
		o[n++] = 4;	/* SACK-permitted, then the timestamp */
		o[n++] = 2;
	} else if (ts) {
		o[n++] = 1;
		o[n++] = 1;
	} else if (sack_perm) {
		o[n++] = 1;
		o[n++] = 1;
		o[n++] = 4;
		o[n++] = 2;
	}
	if (ts) {
		o[n++] = 8;
		o[n++] = 10;
		wr32(o + n, tsval);
		wr32(o + n + 4, tsecr);
		n += 8;
	}
	if (wscale != SW_FT_NO_WSCALE) {
		o[n++] = 1;
		o[n++] = 3;
		o[n++] = 3;
		o[n++] = wscale;
	}
	return n;
}

/*
 * Write a TCP header with `opts` (olen bytes, a multiple of 4) and no
 * payload at the packet's L4 offset, fix the IP length, the frame's
 * length and both checksums.
 */
static void
finish(struct rte_mbuf *m, const struct sw_pkt *p, uint32_t seq, uint32_t ack,
       uint8_t flags, uint16_t win, const uint8_t *opts, unsigned int olen)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *ip = f + p->l3_off, *th = f + p->l4_off;
	uint16_t tlen = (uint16_t)(20 + olen);

	wr32(th + 4, seq);
	wr32(th + 8, ack);
	th[12] = (uint8_t)((tlen / 4) << 4);
	th[13] = flags;
	wr16(th + 14, win);
	wr16(th + 16, 0);
	wr16(th + 18, 0);
	memcpy(th + 20, opts, olen);
	m->data_len = (uint16_t)(p->l4_off + tlen);
	m->pkt_len = m->data_len;
	if (p->k.family == SW_AF_INET) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

		h->total_length = rte_cpu_to_be_16((uint16_t)(20 + tlen));
		h->packet_id = 0;
		h->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		h->time_to_live = TTL;
		h->hdr_checksum = 0;
		h->hdr_checksum = sw_cksum_ip4_make(ip);
	} else {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;

		h->payload_len = rte_cpu_to_be_16(tlen);
		h->hop_limits = TTL;
	}
	((struct rte_tcp_hdr *)th)->cksum =
		sw_cksum_l4_make(ip, p->k.family, IPPROTO_TCP, th, tlen);
	/* The rx flags spoke of the segment this one replaces. */
	m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK |
			 RTE_MBUF_F_RX_L4_CKSUM_MASK);
}

void
sw_synproxy_synack(struct rte_mbuf *m, const struct sw_pkt *p, uint32_t cookie,
		   const struct sw_ft_syn_opts *client, uint16_t mss,
		   uint8_t wscale, uint32_t tsval)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *), o[OPT_MAX];
	const uint8_t *th = f + p->l4_off;
	uint32_t isn = rd32(th + 4);
	struct sw_ft_pkt seg;
	unsigned int olen;
	struct sw_pkt q;

	/* The SYN's options are read before its header moves. */
	sw_parse_tcp_seg(f, p, &seg);
	plain_ip(f, p, &q);
	turn_around(f, &q);
	olen = options(o, mss, client->wscale != SW_FT_NO_WSCALE ? wscale :
		       SW_FT_NO_WSCALE, client->sack_perm, seg.has_ts, tsval,
		       seg.tsval);
	/*
	 * Window 0, as Linux SYNPROXY: the client sends its ACK and waits
	 * for the window the server will give it.
	 */
	finish(m, &q, cookie, isn + 1, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 0,
	       o, olen);
}

void
sw_synproxy_build(struct rte_mbuf *m, const struct sw_pkt *p,
		  const struct sw_ft_xlate *x)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *), o[OPT_MAX];
	unsigned int olen;
	struct sw_pkt q;

	plain_ip(f, p, &q);
	if (x->act == SW_FT_PX_SYN) {
		olen = options(o, x->opts.mss, x->opts.wscale,
			       x->opts.sack_perm, x->has_ts, x->tsval, 0);
		finish(m, &q, x->seq, 0, RTE_TCP_SYN_FLAG, x->win, o, olen);
		return;
	}
	turn_around(f, &q);
	olen = options(o, 0, SW_FT_NO_WSCALE, false, x->has_ts, x->tsval,
		       x->tsecr);
	finish(m, &q, x->seq, x->ack, RTE_TCP_ACK_FLAG, x->win, o, olen);
}

int
sw_synproxy_client_ack(struct rte_mbuf *copy, const struct rte_mbuf *m,
		       const struct sw_pkt *p, const struct sw_ft_xlate *x)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t hl = (uint16_t)(p->l3_off +
				 (p->k.family == SW_AF_INET ? 20 : 40));
	uint8_t o[OPT_MAX];
	unsigned int olen;
	struct sw_pkt q;
	uint8_t *d = (uint8_t *)rte_pktmbuf_append(copy, (uint16_t)(hl + 20 +
								     12));

	if (d == NULL)
		return -1;
	/*
	 * The server's SYN/ACK goes on to the client as an ACK: its
	 * Ethernet, fixed IP and TCP headers, with a plain IP header.
	 */
	memcpy(d, f, hl);
	memcpy(d + hl, f + p->l4_off, 20);
	plain_hdr(d + p->l3_off, p->k.family);
	q = *p;
	q.l4_off = hl;
	olen = options(o, 0, SW_FT_NO_WSCALE, false, x->has_ts, x->cli_tsval,
		       x->cli_tsecr);
	finish(copy, &q, x->cli_seq, x->cli_ack, RTE_TCP_ACK_FLAG, x->cli_win,
	       o, olen);
	copy->ol_flags = 0;
	copy->port = m->port;
	return 0;
}

/* RFC 1624: a 16-bit field of a checksummed header changed. */
static inline void
adjust16(uint8_t *cks, uint16_t old, uint16_t new)
{
	uint32_t s = (uint16_t)~rd16(cks) + (uint16_t)~old + new;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	wr16(cks, (uint16_t)~s);
}

/*
 * Add to a 32-bit field. One at an odd offset from the TCP header lines
 * up with the checksum's words only byte-swapped, and a one's complement
 * sum is the same either way round (RFC 1071 2(B)): adjust the swapped
 * checksum and swap it back. Never a full recompute: that would need
 * the pseudo-header past any IPv6 extension headers, and a fragment's
 * whole datagram.
 */
static inline void
adjust32(uint8_t *cks, const uint8_t *th, uint8_t *field, uint32_t add)
{
	uint32_t old = rd32(field), new = old + add;
	bool odd = ((field - th) & 1) != 0;

	if (add == 0)
		return;
	wr32(field, new);
	if (odd)
		wr16(cks, rte_bswap16(rd16(cks)));
	adjust16(cks, (uint16_t)(old >> 16), (uint16_t)(new >> 16));
	adjust16(cks, (uint16_t)old, (uint16_t)new);
	if (odd)
		wr16(cks, rte_bswap16(rd16(cks)));
}

void
sw_synproxy_translate(struct rte_mbuf *m, const struct sw_pkt *p,
		      const struct sw_ft_xlate *x)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *), *th = f + p->l4_off;
	uint8_t *cks = th + 16, *o, *end;
	unsigned int doff = (unsigned int)(th[12] >> 4) * 4, len, i;

	adjust32(cks, th, th + 4, x->seq_add);
	if (th[13] & RTE_TCP_ACK_FLAG)
		adjust32(cks, th, th + 8, x->ack_add);
	if (x->win_from != x->win_to) {
		uint16_t w = rd16(th + 14);
		uint32_t nw = ((uint32_t)w << x->win_from) >> x->win_to;

		if (nw > 65535)
			nw = 65535;
		if (nw == 0 && w != 0)
			nw = 1;
		adjust16(cks, w, (uint16_t)nw);
		wr16(th + 14, (uint16_t)nw);
	}
	/* Timestamps and SACK edges live in the options. */
	o = th + 20;
	end = th + doff;
	while (o < end) {
		if (o[0] == 0)
			break;
		if (o[0] == 1) {
			o++;
			continue;
		}
		if (end - o < 2 || o[1] < 2 || o[1] > end - o)
			break;
		len = o[1];
		if (o[0] == 8 && len == 10) {
			adjust32(cks, th, o + 2, x->tsval_add);
			adjust32(cks, th, o + 6, x->tsecr_add);
		} else if (o[0] == 5 && x->ack_add) {
			for (i = 2; i + 8 <= len; i += 8) {
				adjust32(cks, th, o + i, x->ack_add);
				adjust32(cks, th, o + i + 4, x->ack_add);
			}
		}
		o += len;
	}
	m->ol_flags &= ~RTE_MBUF_F_RX_L4_CKSUM_MASK;
}
