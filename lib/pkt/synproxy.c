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
/* Option words at most: MSS, SACK-permitted and timestamps, scale. */
#define OPT_WORDS 5

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

/*
 * Options of a SYN, SYN/ACK or ACK as 32-bit words in memory order,
 * padded with NOPs. Returns the number of words.
 */
static unsigned int
options(uint32_t *o, uint16_t mss, uint8_t wscale, bool sack_perm, bool ts,
	uint32_t tsval, uint32_t tsecr)
{
	unsigned int n = 0;

	if (mss)
		o[n++] = rte_cpu_to_be_32(2u << 24 | 4u << 16 | mss);
	if (sack_perm && ts)	/* SACK-permitted, then the timestamp */
		o[n++] = rte_cpu_to_be_32(4u << 24 | 2u << 16 | 8u << 8 | 10u);
	else if (ts)
		o[n++] = rte_cpu_to_be_32(1u << 24 | 1u << 16 | 8u << 8 | 10u);
	else if (sack_perm)
		o[n++] = rte_cpu_to_be_32(1u << 24 | 1u << 16 | 4u << 8 | 2u);
	if (ts) {
		o[n++] = rte_cpu_to_be_32(tsval);
		o[n++] = rte_cpu_to_be_32(tsecr);
	}
	if (wscale != SW_FT_NO_WSCALE)
		o[n++] = rte_cpu_to_be_32(1u << 24 | 3u << 16 | 3u << 8 |
					  wscale);
	return n;
}

/*
 * Write a TCP header with nw option words and no payload (the frame is
 * cut after it), fix up the plain IP header in front of it, and both
 * checksums. The sums are of the words as they are written, in
 * registers: reading back a header just written with narrower stores
 * stalls the CPU on every load that spans several (perf put a tenth of
 * a SYN flood's samples in the checksums). Addresses and ports are read
 * with loads the size of the stores that wrote them (turn_around).
 */
static void
finish(struct rte_mbuf *m, const struct sw_pkt *p, uint32_t seq, uint32_t ack,
       uint8_t flags, uint16_t win, const uint32_t *opts, unsigned int nw)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *ip = f + p->l3_off, *th = f + p->l4_off;
	uint16_t tlen = (uint16_t)(20 + 4 * nw), ck;
	uint32_t x, a, b;
	uint64_t sum, addr;
	unsigned int i;

	memcpy(&x, th, 4);			/* the ports */
	sum = x;
	x = rte_cpu_to_be_32(seq);
	memcpy(th + 4, &x, 4);
	sum += x;
	x = rte_cpu_to_be_32(ack);
	memcpy(th + 8, &x, 4);
	sum += x;
	x = rte_cpu_to_be_32((uint32_t)(tlen / 4) << 28 |
			     (uint32_t)flags << 16 | win);
	memcpy(th + 12, &x, 4);
	sum += x;
	x = 0;					/* checksum, urgent pointer */
	memcpy(th + 16, &x, 4);
	for (i = 0; i < nw; i++) {
		memcpy(th + 20 + 4 * i, &opts[i], 4);
		sum += opts[i];
	}
	m->data_len = (uint16_t)(p->l4_off + tlen);
	m->pkt_len = m->data_len;
	if (p->k.family == SW_AF_INET) {
		uint32_t w0, w1, w2;

		memcpy(&a, ip + 12, 4);
		memcpy(&b, ip + 16, 4);
		addr = (uint64_t)a + b;
		w0 = rte_cpu_to_be_32(0x45u << 24 | (uint32_t)ip[1] << 16 |
				      (20u + tlen));
		w1 = rte_cpu_to_be_32(RTE_IPV4_HDR_DF_FLAG);	/* id 0 */
		w2 = rte_cpu_to_be_32((uint32_t)TTL << 24 |
				      (uint32_t)IPPROTO_TCP << 16);
		memcpy(ip, &w0, 4);
		memcpy(ip + 4, &w1, 4);
		memcpy(ip + 8, &w2, 4);
		ck = (uint16_t)~sw_cksum_fold((uint64_t)w0 + w1 + w2 + addr);
		memcpy(ip + 10, &ck, 2);
	} else {
		uint16_t pl = rte_cpu_to_be_16(tlen);
		uint64_t q[4];

		memcpy(ip + 4, &pl, 2);
		ip[7] = TTL;
		for (i = 0; i < 4; i++)		/* as turn_around wrote them */
			memcpy(&q[i], ip + 8 + 8 * i, 8);
		addr = (q[0] & 0xffffffffu) + (q[0] >> 32) +
		       (q[1] & 0xffffffffu) + (q[1] >> 32) +
		       (q[2] & 0xffffffffu) + (q[2] >> 32) +
		       (q[3] & 0xffffffffu) + (q[3] >> 32);
	}
	sum += addr + rte_cpu_to_be_16((uint16_t)IPPROTO_TCP) +
	       rte_cpu_to_be_16(tlen);
	ck = (uint16_t)~sw_cksum_fold(sum);
	memcpy(th + 16, &ck, 2);
	/* The rx flags spoke of the segment this one replaces. */
	m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK |
			 RTE_MBUF_F_RX_L4_CKSUM_MASK);
}

void
sw_synproxy_synack(struct rte_mbuf *m, const struct sw_pkt *p,
		   const struct sw_ft_pkt *seg, uint32_t cookie,
		   const struct sw_ft_syn_opts *client, uint16_t mss,
		   uint8_t wscale, uint32_t tsval)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t o[OPT_WORDS];
	unsigned int nw;
	struct sw_pkt q;

	plain_ip(f, p, &q);
	turn_around(f, &q);
	nw = options(o, mss, client->wscale != SW_FT_NO_WSCALE ? wscale :
		     SW_FT_NO_WSCALE, client->sack_perm, seg->has_ts, tsval,
		     seg->tsval);
	/*
	 * Window 0, as Linux SYNPROXY: the client sends its ACK and waits
	 * for the window the server will give it.
	 */
	finish(m, &q, cookie, seg->seq + 1,
	       RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 0, o, nw);
}

void
sw_synproxy_build(struct rte_mbuf *m, const struct sw_pkt *p,
		  const struct sw_ft_xlate *x)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t o[OPT_WORDS];
	unsigned int nw;
	struct sw_pkt q;

	plain_ip(f, p, &q);
	if (x->act == SW_FT_PX_SYN) {
		nw = options(o, x->opts.mss, x->opts.wscale,
			       x->opts.sack_perm, x->has_ts, x->tsval, 0);
		finish(m, &q, x->seq, 0, RTE_TCP_SYN_FLAG, x->win, o, nw);
		return;
	}
	turn_around(f, &q);
	nw = options(o, 0, SW_FT_NO_WSCALE, false, x->has_ts, x->tsval,
		       x->tsecr);
	finish(m, &q, x->seq, x->ack, RTE_TCP_ACK_FLAG, x->win, o, nw);
}

int
sw_synproxy_client_ack(struct rte_mbuf *copy, const struct rte_mbuf *m,
		       const struct sw_pkt *p, const struct sw_ft_xlate *x)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t hl = (uint16_t)(p->l3_off +
				 (p->k.family == SW_AF_INET ? 20 : 40));
	uint32_t o[OPT_WORDS];
	unsigned int nw;
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
	nw = options(o, 0, SW_FT_NO_WSCALE, false, x->has_ts, x->cli_tsval,
		       x->cli_tsecr);
	finish(copy, &q, x->cli_seq, x->cli_ack, RTE_TCP_ACK_FLAG, x->cli_win,
	       o, nw);
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
