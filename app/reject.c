/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "reject.h"
#include "sw_pkt.h"

#define IPPROTO_ICMP_	1
#define IPPROTO_TCP_	6
#define IPPROTO_ICMPV6_	58

/* Quote limits: the whole error fits 576 bytes (v4) / 1280 bytes (v6). */
#define QUOTE4_MAX (576 - 20 - 8)
#define QUOTE6_MAX (1280 - 40 - 8)
#define REPLY_TTL 64

static int
bad_source_or_dest(const struct sw_pkt *p)
{
	static const uint8_t zero[16];
	const uint8_t *s = p->k.src, *d = p->k.dst;

	if (p->k.family == SW_AF_INET)
		return s[0] >= 224 || d[0] >= 224 ||
		       memcmp(s, zero, 4) == 0 || s[0] == 127;
	return s[0] == 0xff || d[0] == 0xff || memcmp(s, zero, 16) == 0;
}

static void
swap_macs(uint8_t *eth)
{
	uint8_t tmp[RTE_ETHER_ADDR_LEN];

	memcpy(tmp, eth, RTE_ETHER_ADDR_LEN);
	memcpy(eth, eth + RTE_ETHER_ADDR_LEN, RTE_ETHER_ADDR_LEN);
	memcpy(eth + RTE_ETHER_ADDR_LEN, tmp, RTE_ETHER_ADDR_LEN);
}

static void
fill_ip4(struct rte_ipv4_hdr *ip, const struct sw_pkt *p, uint8_t proto,
	 uint16_t len)
{
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = REPLY_TTL;
	ip->next_proto_id = proto;
	memcpy(&ip->src_addr, p->k.dst, 4);
	memcpy(&ip->dst_addr, p->k.src, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static void
fill_ip6(struct rte_ipv6_hdr *ip, const struct sw_pkt *p, uint8_t proto,
	 uint16_t payload)
{
	memset(ip, 0, sizeof(*ip));
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(payload);
	ip->proto = proto;
	ip->hop_limits = REPLY_TTL;
	memcpy(ip->src_addr, p->k.dst, 16);
	memcpy(ip->dst_addr, p->k.src, 16);
}

static int
build_rst(struct rte_mbuf *m, const struct sw_pkt *p)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	const struct rte_tcp_hdr *in = (const void *)(f + p->l4_off);
	uint32_t seq = rte_be_to_cpu_32(in->sent_seq);
	uint32_t ack = rte_be_to_cpu_32(in->recv_ack);
	uint32_t doff = (uint32_t)(in->data_off >> 4) * 4;
	uint32_t seglen = p->l4_len - doff;
	uint8_t flags = in->tcp_flags;
	uint16_t sport = in->src_port, dport = in->dst_port;
	uint16_t l2 = p->l3_off, l3len;
	struct rte_tcp_hdr *t;

	if (flags & RTE_TCP_RST_FLAG)
		return -1;
	seglen += !!(flags & RTE_TCP_SYN_FLAG) + !!(flags & RTE_TCP_FIN_FLAG);
	l3len = p->k.family == SW_AF_INET ? 20 : 40;
	/* The reply is never longer than the segment it answers. */
	t = (struct rte_tcp_hdr *)(f + l2 + l3len);
	memset(t, 0, sizeof(*t));
	t->src_port = dport;
	t->dst_port = sport;
	if (flags & RTE_TCP_ACK_FLAG) {
		t->sent_seq = rte_cpu_to_be_32(ack);
		t->tcp_flags = RTE_TCP_RST_FLAG;
	} else {
		t->recv_ack = rte_cpu_to_be_32(seq + seglen);
		t->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	t->data_off = 5 << 4;
	if (p->k.family == SW_AF_INET) {
		struct rte_ipv4_hdr *ip = (void *)(f + l2);

		fill_ip4(ip, p, IPPROTO_TCP_, 40);
		t->cksum = rte_ipv4_udptcp_cksum(ip, t);
	} else {
		struct rte_ipv6_hdr *ip = (void *)(f + l2);

		fill_ip6(ip, p, IPPROTO_TCP_, 20);
		t->cksum = rte_ipv6_udptcp_cksum(ip, t);
	}
	swap_macs(f);
	m->data_len = (uint16_t)(l2 + l3len + 20);
	m->pkt_len = m->data_len;
	return 0;
}

static int
build_unreach(struct rte_mbuf *m, const struct sw_pkt *p)
{
	int v4 = p->k.family == SW_AF_INET;
	uint16_t hdr = v4 ? 28 : 48, l2 = p->l3_off;
	uint16_t quote = RTE_MIN(p->l3_len, v4 ? QUOTE4_MAX : QUOTE6_MAX);
	uint8_t *f, *icmp;

	if (v4 && p->k.proto == IPPROTO_ICMP_ && p->k.icmp_type != 8)
		return -1;	/* only echo requests among ICMP get one */
	if (!v4 && p->k.proto == IPPROTO_ICMPV6_ && p->k.icmp_type != 128)
		return -1;	/* errors (< 128), ND and the rest: none */
	/* The headers go in front of the quoted packet, in the headroom. */
	f = (uint8_t *)rte_pktmbuf_prepend(m, hdr);
	if (f == NULL)
		return -1;
	memmove(f, f + hdr, l2);
	swap_macs(f);
	icmp = f + l2 + (v4 ? 20 : 40);
	memset(icmp, 0, 8);
	if (v4) {
		icmp[0] = 3;	/* destination unreachable */
		icmp[1] = 3;	/* port unreachable */
		fill_ip4((void *)(f + l2), p, IPPROTO_ICMP_,
			 (uint16_t)(28 + quote));
		uint16_t ck = (uint16_t)~rte_raw_cksum(icmp, 8u + quote);

		memcpy(icmp + 2, &ck, 2);
	} else {
		struct rte_ipv6_hdr *ip = (void *)(f + l2);
		uint16_t ck;

		icmp[0] = 1;	/* destination unreachable */
		icmp[1] = 4;	/* port unreachable */
		fill_ip6(ip, p, IPPROTO_ICMPV6_, (uint16_t)(8 + quote));
		ck = rte_ipv6_udptcp_cksum(ip, icmp);
		memcpy(icmp + 2, &ck, 2);
	}
	m->data_len = (uint16_t)(l2 + hdr + quote);
	m->pkt_len = m->data_len;
	return 0;
}

int
sw_reject_build(struct rte_mbuf *m, const struct sw_pkt *p)
{
	if (m->nb_segs != 1 || p->frag == SW_FRAG_LATER ||
	    bad_source_or_dest(p))
		return -1;
	if (p->k.proto == IPPROTO_TCP_)
		return build_rst(m, p);
	return build_unreach(m, p);
}
