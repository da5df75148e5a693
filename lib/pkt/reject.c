/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "reject.h"
#include "sw_ft.h"
#include "sw_proto.h"
#include "parse.h"

/* Quote limits: the whole error fits 576 bytes (v4) / 1280 bytes (v6). */
#define QUOTE4_MAX (576 - 20 - 8)
#define QUOTE6_MAX (1280 - 40 - 8)
#define REPLY_TTL 64

/*
 * A reply goes back to the frame's source MAC: never to a group address
 * (a spoofed multicast or broadcast source would fan it out), never
 * answering a frame sent to a group (one per receiver), nor to a zero
 * MAC.
 */
static int
bad_macs(const uint8_t *eth)
{
	static const uint8_t zero[RTE_ETHER_ADDR_LEN];

	return (eth[0] & 1) || (eth[RTE_ETHER_ADDR_LEN] & 1) ||
	       memcmp(eth + RTE_ETHER_ADDR_LEN, zero, RTE_ETHER_ADDR_LEN) == 0;
}

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
	ip->hdr_checksum = sw_cksum_ip4_make((const uint8_t *)ip);
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

		fill_ip4(ip, p, IPPROTO_TCP, 40);
	} else {
		struct rte_ipv6_hdr *ip = (void *)(f + l2);

		fill_ip6(ip, p, IPPROTO_TCP, 20);
	}
	t->cksum = sw_cksum_l4_make(f + l2, p->k.family, IPPROTO_TCP,
				    (const uint8_t *)t, 20);
	swap_macs(f);
	m->data_len = (uint16_t)(l2 + l3len + 20);
	m->pkt_len = m->data_len;
	return 0;
}

/*
 * Bytes of the packet an ICMP error quotes: as many as fit without the
 * reply growing past the packet it answers (no amplification), up to
 * 576 / 1280 bytes in all; 0 when that leaves less than the IP header
 * and 8 bytes of what follows, without which the sender cannot tell
 * which socket the error is for.
 */
static uint16_t
quote_len(const struct sw_pkt *p, uint16_t hdr, uint16_t max)
{
	uint32_t need = p->l4_off ? (uint32_t)(p->l4_off - p->l3_off) + 8 :
				    hdr;
	uint32_t q = RTE_MIN((uint32_t)max, (uint32_t)p->l3_len - hdr);

	return p->l3_len > hdr && q >= need ? (uint16_t)q : 0;
}

static int
build_unreach(struct rte_mbuf *m, const struct sw_pkt *p, uint8_t code4,
	      uint8_t code6)
{
	int v4 = p->k.family == SW_AF_INET;
	uint16_t hdr = v4 ? 28 : 48, l2 = p->l3_off;
	uint16_t quote = quote_len(p, hdr, v4 ? QUOTE4_MAX : QUOTE6_MAX);
	uint8_t *f, *icmp;

	if (quote == 0)
		return -1;
	if (v4 && p->k.proto == IPPROTO_ICMP &&
	    p->k.icmp_type != RTE_IP_ICMP_ECHO_REQUEST)
		return -1;	/* only echo requests among ICMP get one */
	if (!v4 && p->k.proto == IPPROTO_ICMPV6 &&
	    p->k.icmp_type != SW_ICMP6_ECHO_REQUEST)
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
		icmp[0] = SW_ICMP_UNREACH;
		icmp[1] = code4;
		fill_ip4((void *)(f + l2), p, IPPROTO_ICMP,
			 (uint16_t)(28 + quote));
		uint16_t ck = (uint16_t)~rte_raw_cksum(icmp, 8u + quote);

		memcpy(icmp + 2, &ck, 2);
	} else {
		struct rte_ipv6_hdr *ip = (void *)(f + l2);
		uint16_t ck;

		icmp[0] = SW_ICMP6_UNREACH;
		icmp[1] = code6;
		fill_ip6(ip, p, IPPROTO_ICMPV6, (uint16_t)(8 + quote));
		ck = rte_ipv6_udptcp_cksum(ip, icmp);
		memcpy(icmp + 2, &ck, 2);
	}
	m->data_len = (uint16_t)(l2 + hdr + quote);
	m->pkt_len = m->data_len;
	return 0;
}

bool
sw_reject_due(const struct rte_mbuf *m, const struct sw_pkt *p)
{
	return m->nb_segs == 1 && p->frag != SW_FRAG_LATER &&
	       !bad_macs(rte_pktmbuf_mtod(m, const uint8_t *)) &&
	       !bad_source_or_dest(p);
}

static const struct {
	const char *name;
	uint8_t code4;
	uint8_t code6;
} kinds[SW_REJECT_WITH_MAX] = {
#define SW_REJECT_WITH_ROW(n, s, c4, c6) \
	[SW_REJECT_WITH_##n] = { s, c4, c6 },
	SW_REJECT_WITH(SW_REJECT_WITH_ROW)
#undef SW_REJECT_WITH_ROW
};

/* Other tools' names of the same kinds. */
static const struct {
	const char *name;
	uint8_t kind;
} aliases[] = {
	{ "tcp-rst", SW_REJECT_WITH_TCP_RESET },
	{ "icmp-port-unreachable", SW_REJECT_WITH_PORT_UNREACH },
	{ "icmp6-port-unreachable", SW_REJECT_WITH_PORT_UNREACH },
	{ "icmp-host-unreachable", SW_REJECT_WITH_HOST_UNREACH },
	{ "icmp6-addr-unreachable", SW_REJECT_WITH_HOST_UNREACH },
	{ "addr-unreachable", SW_REJECT_WITH_HOST_UNREACH },
	{ "icmp-net-unreachable", SW_REJECT_WITH_NET_UNREACH },
	{ "icmp6-no-route", SW_REJECT_WITH_NET_UNREACH },
	{ "no-route", SW_REJECT_WITH_NET_UNREACH },
	{ "icmp-proto-unreachable", SW_REJECT_WITH_PROT_UNREACH },
	{ "icmp-admin-prohibited", SW_REJECT_WITH_ADMIN_PROHIB },
	{ "icmp6-adm-prohibited", SW_REJECT_WITH_ADMIN_PROHIB },
	{ "adm-prohibited", SW_REJECT_WITH_ADMIN_PROHIB },
	{ "icmp-host-prohibited", SW_REJECT_WITH_HOST_PROHIB },
	{ "icmp-net-prohibited", SW_REJECT_WITH_NET_PROHIB },
};

int
sw_reject_with_parse(const char *name)
{
	unsigned int i;

	for (i = 0; i < SW_REJECT_WITH_MAX; i++)
		if (strcmp(name, kinds[i].name) == 0)
			return (int)i;
	for (i = 0; i < RTE_DIM(aliases); i++)
		if (strcmp(name, aliases[i].name) == 0)
			return aliases[i].kind;
	return -1;
}

const char *
sw_reject_with_name(unsigned int kind)
{
	return kind < SW_REJECT_WITH_MAX ? kinds[kind].name : "?";
}

int
sw_reject_build_with(struct rte_mbuf *m, const struct sw_pkt *p,
		     unsigned int kind)
{
	uint8_t code;

	if (!sw_reject_due(m, p))
		return -1;
	if (kind >= SW_REJECT_WITH_MAX)
		kind = SW_REJECT_WITH_DEFAULT;
	code = p->k.family == SW_AF_INET ? kinds[kind].code4 :
					   kinds[kind].code6;
	if (kind == SW_REJECT_WITH_TCP_RESET || code == 0xff) {
		/* The default, and any kind this packet has no room for. */
		if (p->k.proto == IPPROTO_TCP)
			return build_rst(m, p);
		return build_unreach(m, p, SW_ICMP_UNREACH_PORT,
				     SW_ICMP6_UNREACH_PORT);
	}
	return build_unreach(m, p, code, code);
}

int
sw_reject_build(struct rte_mbuf *m, const struct sw_pkt *p)
{
	return sw_reject_build_with(m, p, SW_REJECT_WITH_DEFAULT);
}

/* ---- rate limits ---- */

void
sw_reject_limit_init(struct sw_reject_limit *l, uint32_t rate,
		     uint32_t dest_rate, uint64_t hz, uint64_t now)
{
	memset(l, 0, sizeof(*l));
	l->burst = rate;
	l->tokens = rate;
	l->tsc_per_token = rate ? hz / rate : 0;
	l->last = now;
	l->d_burst = dest_rate;
	l->d_tsc_per_token = dest_rate ? hz / dest_rate : 0;
	/* The destination table is keyed: nobody aims at a victim's set. */
	sw_ft_hash_init();
}

/*
 * Tokens a bucket holds at `now`, at most burst. The division runs only
 * when a token is due, so at most `rate` times a second per bucket,
 * however hard it is flooded.
 */
static inline uint32_t
refill(uint32_t tokens, uint64_t *last, uint32_t burst, uint64_t per,
       uint64_t now)
{
	uint64_t el = now - *last, add;

	if (tokens >= burst) {
		*last = now;	/* a full bucket banks nothing */
		return burst;
	}
	if (el < per)
		return tokens;
	add = el / per;
	if (add >= burst - tokens) {
		*last = now;
		return burst;
	}
	*last += add * per;
	return tokens + (uint32_t)add;
}

/* The /24 (IPv4) or /64 (IPv6) a reply goes to: the packet's source. */
static inline void
dest_key(const struct sw_pkt *p, uint64_t *k)
{
	uint64_t a = 0;

	if (p->k.family == SW_AF_INET)
		memcpy(&a, p->k.src, 3);
	else
		memcpy(&a, p->k.src, 8);
	k[0] = a;
	k[1] = p->k.family;
}

static struct sw_reject_dest *
dest_find(struct sw_reject_limit *l, const struct sw_pkt *p, uint64_t now)
{
	uint64_t k[2];
	struct sw_reject_dest *set, *victim;
	uint64_t best = 0, t;
	unsigned int w;

	dest_key(p, k);
	set = l->d[sw_ft_siphash(k, sizeof(k)) & (SW_REJECT_DEST_SETS - 1)];
	for (w = 0; w < SW_REJECT_DEST_WAYS; w++)
		if (set[w].used && set[w].prefix == k[0] &&
		    set[w].family == k[1])
			return &set[w];
	/*
	 * A new destination takes a free way, else the one with the most
	 * tokens (counted in ticks, without a division): a full bucket is
	 * as good as none, so a destination being held to its rate is the
	 * last to be forgotten.
	 */
	victim = &set[0];
	for (w = 0; w < SW_REJECT_DEST_WAYS; w++) {
		if (!set[w].used) {
			victim = &set[w];
			break;
		}
		t = set[w].tokens * l->d_tsc_per_token + (now - set[w].last);
		if (t >= best) {
			best = t;
			victim = &set[w];
		}
	}
	victim->used = 1;
	victim->prefix = k[0];
	victim->family = (uint8_t)k[1];
	victim->tokens = l->d_burst;
	victim->last = now;
	return victim;
}

int
sw_reject_allowed(struct sw_reject_limit *l, const struct sw_pkt *p,
		  uint64_t now)
{
	struct sw_reject_dest *d = NULL;

	if (l->burst == 0)
		return SW_REJECT_LIMITED;
	l->tokens = refill(l->tokens, &l->last, l->burst, l->tsc_per_token,
			   now);
	if (l->d_burst != 0) {
		d = dest_find(l, p, now);
		d->tokens = refill(d->tokens, &d->last, l->d_burst,
				   l->d_tsc_per_token, now);
		if (d->tokens == 0)
			return SW_REJECT_DEST_LIMITED;
	}
	if (l->tokens == 0)
		return SW_REJECT_LIMITED;
	l->tokens--;
	if (d != NULL)
		d->tokens--;
	return SW_REJECT_OK;
}
