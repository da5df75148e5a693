/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Parser unit tests: each header kind, each malformed case, and every
 * valid frame truncated at every byte offset. Truncated frames are
 * copied into heap buffers of exactly their length, so under ASan a
 * read past the end fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <arpa/inet.h>

#include <rte_common.h>
#include <rte_mbuf_core.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "parse.h"
#include "frames.h"

static int
parse(const struct frame *f, struct sw_pkt *p)
{
	return sw_parse(f->b, f->len, p);
}

#define assert_result(got, want) \
	assert_string_equal(sw_parse_result_name(got), \
			    sw_parse_result_name(want))

static void
test_parse_ipv4_tcp(void **state)
{
	struct frame f;
	struct sw_pkt p;

	(void)state;
	fr_eth(&f, 0x0800);
	fr_ip4(&f, 6, "192.0.2.1", "198.51.100.2", 0);
	fr_tcp(&f, 40000, 80, RTE_TCP_SYN_FLAG, 0);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(p.k.family, SW_AF_INET);
	assert_int_equal(p.k.proto, 6);
	assert_int_equal(p.k.src[0], 192);
	assert_int_equal(p.k.src[3], 1);
	assert_int_equal(p.k.dst[0], 198);
	assert_int_equal(p.k.dst[3], 2);
	assert_int_equal(ntohs(p.k.sport), 40000);
	assert_int_equal(ntohs(p.k.dport), 80);
	assert_int_equal(p.k.tcp_flags, RTE_TCP_SYN_FLAG);
	assert_int_equal(p.l3_off, 14);
	assert_int_equal(p.l4_off, 34);
	assert_int_equal(p.l3_len, 40);
	assert_int_equal(p.l4_len, 20);
	assert_int_equal(p.frag, SW_FRAG_NONE);
}

static void
test_parse_ipv4_options(void **state)
{
	struct frame f;
	struct sw_pkt p;

	(void)state;
	fr_eth(&f, 0x0800);
	fr_ip4(&f, 17, "192.0.2.1", "192.0.2.2", 40);	/* IHL 15 */
	fr_udp(&f, 5353, 53);
	fr_payload(&f, 10);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(p.l4_off, 14 + 60);
	assert_int_equal(ntohs(p.k.sport), 5353);
	assert_int_equal(ntohs(p.k.dport), 53);
	assert_int_equal(p.l4_len, 18);
}

static void
test_parse_ipv4_icmp_echo(void **state)
{
	struct frame f;
	struct sw_pkt p;

	(void)state;
	fr_eth(&f, 0x0800);
	fr_ip4(&f, 1, "192.0.2.1", "192.0.2.2", 0);
	fr_icmp(&f, 8, 0, 0x1234);
	fr_payload(&f, 56);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(p.k.icmp_type, 8);
	assert_int_equal(p.k.icmp_code, 0);
	assert_int_equal(ntohs(p.icmp_id), 0x1234);
	assert_int_equal(p.k.sport, 0);
}

static void
test_parse_padding_is_not_malformed(void **state)
{
	struct frame f;
	struct sw_pkt p;

	(void)state;
	/* 20 + 8 + 2 = 30 bytes of IP in a 60-byte frame. */
	fr_eth(&f, 0x0800);
	fr_ip4(&f, 17, "192.0.2.1", "192.0.2.2", 0);
	fr_udp(&f, 1, 2);
	fr_payload(&f, 2);
	fr_finish(&f, 60);
	assert_int_equal(f.len, 60);
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(p.l3_len, 30);
	assert_int_equal(p.l4_len, 10);
}

static void
test_parse_vlan_one_and_two_tags(void **state)
{
	static const uint16_t outer[] = { 0x8100, 0x88a8, 0x9100 };
	struct frame f;
	struct sw_pkt p;
	unsigned int i;

	(void)state;
	fr_eth(&f, 0x0800);
	fr_vlan(&f, 0x8100, 10, 0x0800);
	fr_ip4(&f, 6, "192.0.2.1", "192.0.2.2", 0);
	fr_tcp(&f, 1, 2, RTE_TCP_ACK_FLAG, 0);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(p.l3_off, 18);

	for (i = 0; i < 3; i++) {
		fr_eth(&f, 0x86dd);
		fr_vlan(&f, outer[i], 100, 0x8100);
		fr_vlan(&f, 0x8100, 10, 0x86dd);
		fr_ip6(&f, 17, 1, 2);
		fr_udp(&f, 1000, 53);
		fr_finish(&f, 60);
		assert_result(parse(&f, &p), SW_PARSE_IP);
		assert_int_equal(p.l3_off, 22);
		assert_int_equal(p.k.family, SW_AF_INET6);
		assert_int_equal(ntohs(p.k.dport), 53);
	}
}

static void
test_parse_three_tags_malformed(void **state)
{
	struct frame f;
	struct sw_pkt p;

	(void)state;
	fr_eth(&f, 0x0800);
	fr_vlan(&f, 0x88a8, 1, 0x8100);
	fr_vlan(&f, 0x8100, 2, 0x8100);
	fr_vlan(&f, 0x8100, 3, 0x0800);
	fr_ip4(&f, 6, "192.0.2.1", "192.0.2.2", 0);
	fr_tcp(&f, 1, 2, RTE_TCP_ACK_FLAG, 0);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_MAL_VLAN);
}

static void
test_parse_arp_is_l2(void **state)
{
	struct frame f;
	struct sw_pkt p;

	(void)state;
	fr_eth(&f, 0x0806);
	fr_payload(&f, 28);
	fr_put(&f, 60 - f.len);
	assert_result(parse(&f, &p), SW_PARSE_L2);
	assert_int_equal(p.k.family, SW_AF_NONE);
}

static void
test_parse_ipv6_tcp_and_ext_headers(void **state)
{
	struct frame f;
	struct sw_pkt p;

	(void)state;
	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 0, 1, 2);		/* hop-by-hop */
	fr_ip6_ext(&f, 43, 0);		/* -> routing */
	fr_ip6_ext(&f, 60, 1);		/* -> destination options, 16 B */
	fr_ip6_ext(&f, 6, 0);		/* -> TCP */
	fr_tcp(&f, 443, 50000, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 12);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(p.k.family, SW_AF_INET6);
	assert_int_equal(p.k.proto, 6);
	assert_int_equal(p.l4_off, 14 + 40 + 8 + 16 + 8);
	assert_int_equal(ntohs(p.k.sport), 443);
	assert_int_equal(p.k.tcp_flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(p.k.src[0], 0x20);
	assert_int_equal(p.k.src[15], 1);
	assert_int_equal(p.k.dst[15], 2);
}

static void
test_parse_ipv6_hbh_not_first_malformed(void **state)
{
	struct frame f;
	struct sw_pkt p;

	(void)state;
	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 60, 1, 2);
	fr_ip6_ext(&f, 0, 0);		/* hop-by-hop after dest opts */
	fr_ip6_ext(&f, 17, 0);
	fr_udp(&f, 1, 2);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_MAL_IP6_EXT);
}

/*
 * IPv6 with n destination-options headers, then TCP to port 80. The
 * README's limit is written here as numbers (8 followed, a 9th is
 * malformed), not as the parser's constant, so that changing either
 * alone shows.
 */
static int
parse_ipv6_ext_chain(int n, struct sw_pkt *p)
{
	struct frame f;
	int i;

	fr_eth(&f, 0x86dd);
	fr_ip6(&f, n ? 60 : 6, 1, 2);
	for (i = 0; i < n; i++)
		fr_ip6_ext(&f, i == n - 1 ? 6 : 60, 0);
	fr_tcp(&f, 1000, 80, 0x02, 0);
	fr_finish(&f, 60);
	return parse(&f, p);
}

static void
test_parse_ipv6_eight_ext_headers_followed(void **state)
{
	struct sw_pkt p;

	(void)state;
	assert_result(parse_ipv6_ext_chain(8, &p), SW_PARSE_IP);
	assert_int_equal(p.k.proto, 6);
	assert_int_equal(ntohs(p.k.dport), 80);
	assert_int_equal(p.l4_off, 14 + 40 + 8 * 8);
}

static void
test_parse_ipv6_too_many_ext_malformed(void **state)
{
	struct sw_pkt p;

	(void)state;
	assert_result(parse_ipv6_ext_chain(9, &p), SW_PARSE_MAL_IP6_EXT);
}

/*
 * A jumbogram (RFC 2675): payload length 0 and a hop-by-hop Jumbo
 * Payload option (0xc2) giving the real length. Not carried: malformed,
 * as the README says.
 */
static void
test_parse_ipv6_jumbogram_malformed(void **state)
{
	struct frame f;
	struct sw_pkt p;
	uint8_t *o;

	(void)state;
	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 0, 1, 2);
	o = fr_put(&f, 8);		/* hop-by-hop, one jumbo option */
	o[0] = 6;
	o[1] = 0;
	o[2] = 0xc2;
	o[3] = 4;
	fr_tcp(&f, 1000, 80, 0x02, 0);
	fr_finish(&f, 60);
	f.b[f.l3 + 4] = 0;		/* payload length 0 */
	f.b[f.l3 + 5] = 0;
	o[4] = 0;			/* jumbo payload length: 28 */
	o[5] = 0;
	o[6] = 0;
	o[7] = 28;
	assert_true(sw_parse_malformed(parse(&f, &p)));
}

static void
test_parse_icmpv6(void **state)
{
	struct frame f;
	struct sw_pkt p;

	(void)state;
	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 58, 1, 2);
	fr_icmp(&f, 135, 0, 0);		/* neighbour solicitation */
	fr_payload(&f, 16);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(p.k.proto, 58);
	assert_int_equal(p.k.icmp_type, 135);
}

static void
test_parse_ipv4_fragments(void **state)
{
	struct frame f;
	struct sw_pkt p;

	(void)state;
	/* First fragment: MF set, offset 0, has ports. */
	fr_eth(&f, 0x0800);
	fr_ip4(&f, 17, "192.0.2.1", "192.0.2.2", 0);
	fr_udp(&f, 1000, 2000);
	fr_payload(&f, 32);
	fr_finish(&f, 60);
	put16(f.b + f.l3 + 4, 0xbeef);
	put16(f.b + f.l3 + 6, 0x2000);
	put16(f.b + f.l4 + 4, 1400);	/* whole datagram, not this piece */
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(p.frag, SW_FRAG_FIRST);
	assert_int_equal(p.frag_id, 0xbeef);
	assert_int_equal(ntohs(p.k.dport), 2000);

	/* Later fragment: no L4 header read, no ports. */
	put16(f.b + f.l3 + 6, 0x2000 | 100);
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(p.frag, SW_FRAG_LATER);
	assert_int_equal(p.k.sport, 0);
	assert_int_equal(p.k.dport, 0);
	assert_int_equal(p.l4_off, 0);
}

static void
test_parse_ipv4_tiny_tcp_fragment_malformed(void **state)
{
	struct frame f;
	struct sw_pkt p;

	(void)state;
	fr_eth(&f, 0x0800);
	fr_ip4(&f, 6, "192.0.2.1", "192.0.2.2", 0);
	fr_payload(&f, 16);
	fr_finish(&f, 60);
	put16(f.b + f.l3 + 6, 1);	/* offset 8 bytes into TCP */
	assert_result(parse(&f, &p), SW_PARSE_MAL_IP4_FRAG);
	/* First fragment too short for a TCP header (RFC 1858). */
	put16(f.b + f.l3 + 6, 0x2000);
	assert_result(parse(&f, &p), SW_PARSE_MAL_TCP_SHORT);
}

static void
test_parse_ipv6_fragments(void **state)
{
	struct frame f;
	struct sw_pkt p;

	(void)state;
	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 44, 1, 2);
	fr_ip6_frag(&f, 17, 0, 1, 0xcafef00d);
	fr_udp(&f, 1000, 2000);
	fr_payload(&f, 8);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(p.frag, SW_FRAG_FIRST);
	assert_int_equal(p.frag_id, 0xcafef00d);
	assert_int_equal(ntohs(p.k.sport), 1000);

	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 44, 1, 2);
	fr_ip6_frag(&f, 17, 185, 0, 7);
	fr_payload(&f, 16);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(p.frag, SW_FRAG_LATER);
	assert_int_equal(p.k.proto, 17);
	assert_int_equal(p.k.sport, 0);

	/* Atomic fragment (RFC 6946): a whole packet. */
	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 44, 1, 2);
	fr_ip6_frag(&f, 6, 0, 0, 9);
	fr_tcp(&f, 1, 2, RTE_TCP_ACK_FLAG, 0);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(p.frag, SW_FRAG_NONE);
	assert_int_equal(ntohs(p.k.dport), 2);

	/* Two fragment headers. */
	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 44, 1, 2);
	fr_ip6_frag(&f, 44, 0, 0, 9);
	fr_ip6_frag(&f, 6, 0, 0, 9);
	fr_tcp(&f, 1, 2, RTE_TCP_ACK_FLAG, 0);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_MAL_IP6_EXT);
}

/*
 * A datagram whose fragmentable part starts with destination options:
 * its first fragment's protocol is TCP, its later ones' the Fragment
 * header's next header (60). frag_nh is the same in both, so the
 * fragment table keys them alike (issue 22, item 7).
 */
static void
test_parse_ipv6_fragment_protocol_consistent(void **state)
{
	struct frame f;
	struct sw_pkt first, later;

	(void)state;
	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 44, 1, 2);
	fr_ip6_frag(&f, 60, 0, 1, 77);
	fr_ip6_ext(&f, 6, 0);
	fr_tcp(&f, 1000, 80, RTE_TCP_ACK_FLAG, 0);
	fr_payload(&f, 16);
	fr_finish(&f, 60);
	assert_result(parse(&f, &first), SW_PARSE_IP);
	assert_int_equal(first.frag, SW_FRAG_FIRST);
	assert_int_equal(first.k.proto, 6);
	assert_int_equal(first.frag_nh, 60);

	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 44, 1, 2);
	fr_ip6_frag(&f, 60, 7, 0, 77);
	fr_payload(&f, 16);
	fr_finish(&f, 60);
	assert_result(parse(&f, &later), SW_PARSE_IP);
	assert_int_equal(later.frag, SW_FRAG_LATER);
	assert_int_equal(later.frag_nh, first.frag_nh);
	assert_int_equal(later.frag_id, first.frag_id);
}

/*
 * The checksum sum, eight bytes a step, against DPDK's, a 16-bit word a
 * step: the same value over random buffers of every length up to 1,600
 * and every alignment (SW_TEST_CKSUM_BUFFERS, default 200,000; the
 * release notes quote a run of 2,000,000).
 */
static void
test_parse_cksum_sum_matches_dpdk(void **state)
{
	static uint8_t buf[1600 + 8];
	const char *e = getenv("SW_TEST_CKSUM_BUFFERS");
	unsigned long n = e ? strtoul(e, NULL, 10) : 200000, i;
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(buf); k++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		buf[k] = (uint8_t)rng;
	}
	for (i = 0; i < n; i++) {
		size_t off, len;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		off = rng % 8;
		len = (rng >> 8) % 1601;
		/* New bytes where the sum reads, now and then all ones. */
		buf[off + (rng >> 24) % (len + 1)] = (uint8_t)(rng >> 32);
		if ((rng >> 40) % 16 == 0)
			memset(buf + off, 0xff, len);
		assert_int_equal(sw_cksum_sum(buf + off, len),
				 __rte_raw_cksum_reduce(__rte_raw_cksum(
					 buf + off, len, 0)));
	}
}

/*
 * The checksums spillway writes (SYN proxy answers, rejects) against
 * DPDK's, over random IPv4 and IPv6 headers and TCP/UDP segments of
 * every length to 1,500 bytes, IHL 5 to 15, and the UDP sum that folds
 * to zero (sent as all ones).
 */
static void
test_parse_cksum_make_matches_dpdk(void **state)
{
	static uint8_t buf[40 + 1600];
	uint64_t rng = 0x2545f4914f6cdd1dull;
	unsigned int i, k;

	(void)state;
	for (i = 0; i < 100000; i++) {
		struct rte_ipv4_hdr *h4 = (void *)buf;
		struct rte_ipv6_hdr *h6 = (void *)buf;
		uint8_t proto, ihl, *l4;
		uint32_t len, hl;
		uint16_t want, got;

		for (k = 0; k < sizeof(buf) / 8; k++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			memcpy(buf + k * 8, &rng, 8);
		}
		proto = (rng & 1) ? IPPROTO_TCP : IPPROTO_UDP;
		len = (uint32_t)((rng >> 8) % 1501) + 8;
		if (i % 2 == 0) {
			ihl = (i % 16 == 0) ? (uint8_t)(5 + (rng >> 20) % 11) : 5;
			hl = ihl * 4u;
			h4->version_ihl = (uint8_t)(0x40 | ihl);
			h4->total_length = rte_cpu_to_be_16((uint16_t)(hl + len));
			h4->next_proto_id = proto;
			h4->hdr_checksum = 0;
			want = rte_ipv4_cksum(h4);
			assert_int_equal(sw_cksum_ip4_make(buf), want);
			l4 = buf + hl;
			memset(l4 + (proto == IPPROTO_TCP ? 16 : 6), 0, 2);
			want = rte_ipv4_udptcp_cksum(h4, l4);
			got = sw_cksum_l4_make(buf, SW_AF_INET, proto, l4, len);
		} else {
			h6->payload_len = rte_cpu_to_be_16((uint16_t)len);
			h6->proto = proto;
			l4 = buf + 40;
			memset(l4 + (proto == IPPROTO_TCP ? 16 : 6), 0, 2);
			want = rte_ipv6_udptcp_cksum(h6, l4);
			got = sw_cksum_l4_make(buf, SW_AF_INET6, proto, l4, len);
		}
		assert_int_equal(got, want);
	}
	/* A UDP datagram whose sum folds to zero: sent as 0xffff. */
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x45;
	buf[9] = IPPROTO_UDP;
	buf[3] = 28;			/* total length 28: 8 bytes of UDP */
	/* Pseudo-header words: proto 0x0011 and length 0x0008. */
	buf[20 + 4] = 0xff;		/* UDP length field: 0xffe6 */
	buf[20 + 5] = 0xe6;
	assert_int_equal(rte_ipv4_udptcp_cksum((void *)buf, buf + 20), 0xffff);
	assert_int_equal(sw_cksum_l4_make(buf, SW_AF_INET, IPPROTO_UDP,
					  buf + 20, 8), 0xffff);
}

/* One frame per malformed reason, built by breaking a good frame. */
/*
 * Source routes (issue 13): IPv4 LSRR/SSRR options and IPv6 routing
 * headers of type 0, found wherever they sit, other options and routing
 * types left alone.
 */
static void
test_parse_source_route(void **state)
{
	static const struct {
		uint8_t opt[8];
		int want;
	} v4[] = {
		{ { 1, 1, 1, 1, 0, 0, 0, 0 }, 0 },		/* NOPs */
		{ { 0x83, 7, 4, 198, 51, 100, 1, 0 }, 1 },	/* LSRR */
		{ { 1, 0x89, 7, 4, 198, 51, 100, 1 }, 1 },	/* SSRR */
		{ { 7, 7, 4, 0, 0, 0, 0, 0 }, 0 },	/* RR */
		{ { 0, 0x83, 7, 4, 0, 0, 0, 0 }, 0 },	/* after EOL */
		{ { 7, 1, 0, 0, 0, 0, 0, 0 }, 1 },	/* length 1 */
		{ { 7, 12, 4, 0, 0, 0, 0, 0 }, 1 },	/* past IHL */
	};
	struct frame f;
	struct sw_pkt p;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		fr_eth(&f, 0x0800);
		fr_ip4(&f, 17, "192.0.2.1", "198.51.100.2", 8);
		memcpy(f.b + f.l3 + 20, v4[i].opt, 8);
		fr_udp(&f, 1, 53);
		fr_finish(&f, 60);
		assert_result(parse(&f, &p), SW_PARSE_IP);
		assert_int_equal(sw_parse_source_route(f.b, &p), v4[i].want);
	}
	/* IPv6: hop-by-hop, then a routing header of type 0, 2 or 4. */
	for (i = 0; i < 5; i++) {
		fr_eth(&f, 0x86dd);
		fr_ip6(&f, 0, 1, 2);
		fr_ip6_ext(&f, 43, 0);
		fr_ip6_ext(&f, 17, 2);
		/* Routing type, segments left. */
		f.b[f.len - 24 + 2] = (uint8_t)(i < 2 ? 0 : i);
		f.b[f.len - 24 + 3] = (uint8_t)(i == 1);
		fr_udp(&f, 1, 53);
		put16(f.b + f.l4 + 4, 8);
		fr_finish(&f, 60);
		assert_result(parse(&f, &p), SW_PARSE_IP);
		assert_int_equal(sw_parse_source_route(f.b, &p), i < 2);
	}
	/* Before a later fragment's header too; none without extensions. */
	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 43, 1, 2);
	fr_ip6_ext(&f, 44, 2);
	fr_ip6_frag(&f, 17, 10, 1, 77);
	fr_payload(&f, 16);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(p.frag, SW_FRAG_LATER);
	assert_int_equal(sw_parse_source_route(f.b, &p), 1);
	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 17, 1, 2);
	fr_udp(&f, 1, 53);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(sw_parse_source_route(f.b, &p), 0);
}

/* Where a fragment's data sits: v4 and v6, first and later. */
static void
test_parse_frag_geometry(void **state)
{
	struct frame f;
	struct sw_pkt p;
	uint32_t off, len;
	bool more;

	(void)state;
	fr_eth(&f, 0x0800);
	fr_ip4(&f, 17, "192.0.2.1", "198.51.100.2", 4);
	put16(f.b + f.l3 + 6, 0x2000 | 185);		/* MF, 1480 bytes */
	fr_payload(&f, 40);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(sw_parse_frag(f.b, &p, &off, &len, &more), 0);
	assert_int_equal(off, 1480);
	assert_int_equal(len, 40);
	assert_true(more);
	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 60, 1, 2);
	fr_ip6_ext(&f, 44, 0);
	fr_ip6_frag(&f, 17, 0, 1, 9);
	fr_udp(&f, 1, 53);
	fr_payload(&f, 24);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(p.frag, SW_FRAG_FIRST);
	assert_int_equal(sw_parse_frag(f.b, &p, &off, &len, &more), 0);
	assert_int_equal(off, 0);
	assert_int_equal(len, 32);
	assert_true(more);
	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 17, 1, 2);
	fr_udp(&f, 1, 53);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(sw_parse_frag(f.b, &p, &off, &len, &more), -1);
}

/*
 * RFC 7112: an IPv6 first fragment holds the whole header chain, the
 * upper-layer header included; RFC 1858 for IPv4 (a first fragment too
 * short for the TCP header). Anything less is malformed.
 */
static void
test_parse_tiny_first_fragments_malformed(void **state)
{
	struct frame f;
	struct sw_pkt p;

	(void)state;
	/* v6: the TCP header cut after 16 bytes. */
	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 44, 1, 2);
	fr_ip6_frag(&f, 6, 0, 1, 1);
	fr_payload(&f, 16);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_MAL_TCP_SHORT);
	/* v6: a destination options header running past the fragment. */
	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 44, 1, 2);
	fr_ip6_frag(&f, 60, 0, 1, 2);
	fr_payload(&f, 16);
	f.b[f.len - 16] = 17;
	f.b[f.len - 15] = 8;
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_MAL_IP6_EXT);
	/* v6: UDP cut. */
	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 44, 1, 2);
	fr_ip6_frag(&f, 17, 0, 1, 3);
	fr_payload(&f, 4);
	fr_finish(&f, 0);
	assert_result(parse(&f, &p), SW_PARSE_MAL_UDP_SHORT);
	/* v4: a first fragment with 12 bytes of TCP. */
	fr_eth(&f, 0x0800);
	fr_ip4(&f, 6, "192.0.2.1", "198.51.100.2", 0);
	put16(f.b + f.l3 + 6, 0x2000);
	fr_payload(&f, 12);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_MAL_TCP_SHORT);
}

static void
test_parse_malformed_cases(void **state)
{
	struct frame f;
	struct sw_pkt p;

	(void)state;

	fr_eth(&f, 0x0800);
	f.len = 13;
	assert_result(parse(&f, &p), SW_PARSE_MAL_ETH);

	fr_eth(&f, 0x0800);
	fr_ip4(&f, 6, "192.0.2.1", "192.0.2.2", 0);
	fr_tcp(&f, 1, 2, 0, 0);
	fr_finish(&f, 60);
	f.b[f.l3] = 0x55;			/* version 5 */
	assert_result(parse(&f, &p), SW_PARSE_MAL_IP4_VER);
	f.b[f.l3] = 0x44;			/* IHL 4 */
	assert_result(parse(&f, &p), SW_PARSE_MAL_IP4_IHL);
	f.b[f.l3] = 0x4f;			/* IHL 15: beyond frame */
	assert_result(parse(&f, &p), SW_PARSE_MAL_IP4_SHORT);
	f.b[f.l3] = 0x4b;			/* IHL 11 > total length */
	assert_result(parse(&f, &p), SW_PARSE_MAL_IP4_LEN);
	f.b[f.l3] = 0x45;
	put16(f.b + f.l3 + 2, 61);		/* total length > frame */
	assert_result(parse(&f, &p), SW_PARSE_MAL_IP4_LEN);
	put16(f.b + f.l3 + 2, 19);		/* total length < IHL */
	assert_result(parse(&f, &p), SW_PARSE_MAL_IP4_LEN);
	put16(f.b + f.l3 + 2, 30);		/* TCP cut at 10 bytes */
	assert_result(parse(&f, &p), SW_PARSE_MAL_TCP_SHORT);
	put16(f.b + f.l3 + 2, 40);
	f.b[f.l4 + 12] = 0x40;			/* data offset 4 */
	assert_result(parse(&f, &p), SW_PARSE_MAL_TCP_DOFF);
	f.b[f.l4 + 12] = 0x60;			/* options beyond packet */
	assert_result(parse(&f, &p), SW_PARSE_MAL_TCP_DOFF);

	fr_eth(&f, 0x0800);
	fr_ip4(&f, 17, "192.0.2.1", "192.0.2.2", 0);
	fr_udp(&f, 1, 2);
	fr_payload(&f, 4);
	fr_finish(&f, 60);
	put16(f.b + f.l4 + 4, 13);		/* UDP length > IP payload */
	assert_result(parse(&f, &p), SW_PARSE_MAL_UDP_LEN);
	put16(f.b + f.l4 + 4, 7);		/* below the header */
	assert_result(parse(&f, &p), SW_PARSE_MAL_UDP_LEN);
	put16(f.b + f.l3 + 2, 27);		/* 7 bytes of UDP */
	assert_result(parse(&f, &p), SW_PARSE_MAL_UDP_SHORT);

	fr_eth(&f, 0x0800);
	fr_ip4(&f, 1, "192.0.2.1", "192.0.2.2", 0);
	fr_payload(&f, 4);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_MAL_ICMP_SHORT);

	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 17, 1, 2);
	fr_udp(&f, 1, 2);
	fr_finish(&f, 62);
	f.b[f.l3] = 0x40;
	assert_result(parse(&f, &p), SW_PARSE_MAL_IP6_VER);
	f.b[f.l3] = 0x60;
	put16(f.b + f.l3 + 4, 9);		/* payload beyond frame */
	assert_result(parse(&f, &p), SW_PARSE_MAL_IP6_LEN);
	f.len = 14 + 39;
	assert_result(parse(&f, &p), SW_PARSE_MAL_IP6_SHORT);

	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 43, 1, 2);
	fr_ip6_ext(&f, 17, 4);			/* claims 40 bytes */
	fr_finish(&f, 60);
	put16(f.b + f.l3 + 4, 16);		/* only 16 in payload */
	assert_result(parse(&f, &p), SW_PARSE_MAL_IP6_EXT);

	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 58, 1, 2);
	fr_payload(&f, 4);
	fr_finish(&f, 60);
	assert_result(parse(&f, &p), SW_PARSE_MAL_ICMP_SHORT);

	fr_eth(&f, 0x0800);
	fr_vlan(&f, 0x8100, 1, 0x0800);
	f.len = 16;				/* tag cut in half */
	assert_result(parse(&f, &p), SW_PARSE_MAL_VLAN);
}

/* The frames the truncation test cuts at every offset. */
static void
build_frame(int which, struct frame *f)
{
	switch (which) {
	case 0:
		fr_eth(f, 0x0800);
		fr_ip4(f, 6, "192.0.2.1", "192.0.2.2", 8);
		fr_tcp(f, 1234, 80, RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG, 12);
		fr_payload(f, 20);
		break;
	case 1:
		fr_eth(f, 0x0800);
		fr_vlan(f, 0x88a8, 5, 0x8100);
		fr_vlan(f, 0x8100, 6, 0x0800);
		fr_ip4(f, 17, "198.51.100.1", "192.0.2.2", 0);
		fr_udp(f, 53, 5353);
		fr_payload(f, 3);
		break;
	case 2:
		fr_eth(f, 0x86dd);
		fr_ip6(f, 0, 1, 2);
		fr_ip6_ext(f, 60, 0);
		fr_ip6_ext(f, 44, 1);
		fr_ip6_frag(f, 6, 0, 1, 77);
		fr_tcp(f, 22, 60000, RTE_TCP_ACK_FLAG, 4);
		fr_payload(f, 9);
		break;
	case 3:
		fr_eth(f, 0x86dd);
		fr_ip6(f, 58, 1, 2);
		fr_icmp(f, 128, 0, 42);
		fr_payload(f, 11);
		break;
	default:
		fr_eth(f, 0x0800);
		fr_ip4(f, 1, "192.0.2.9", "192.0.2.2", 4);
		fr_icmp(f, 0, 0, 42);
		break;
	}
	fr_finish(f, 60);
}

static void
test_parse_truncated_at_every_offset(void **state)
{
	struct frame f;
	struct sw_pkt full, p;
	uint32_t k, ip_end;
	int which, r;

	(void)state;
	for (which = 0; which < 5; which++) {
		build_frame(which, &f);
		assert_result(parse(&f, &full), SW_PARSE_IP);
		ip_end = full.l3_off + full.l3_len;
		for (k = 0; k < f.len; k++) {
			uint8_t *copy = malloc(k ? k : 1);

			memcpy(copy, f.b, k);
			r = sw_parse(copy, k, &p);
			free(copy);
			if (k < ip_end) {
				if (!sw_parse_malformed(r))
					fail_msg("frame %d cut at %u of %u: %s",
						 which, k, f.len,
						 sw_parse_result_name(r));
			} else {
				/* Only padding was cut. */
				assert_result(r, SW_PARSE_IP);
				assert_memory_equal(&p, &full, sizeof(p));
			}
		}
	}
}

/*
 * ---- checksums: sw_cksum_ok and sw_cksum_ip_ok ----
 *
 * Frames carry the sums a sender computes (fr_cksum). ol_flags 0 is a
 * port that gives no verdict: spillway must compute. A verdict counts
 * only for what it covers: the IP flag for the IPv4 header, the L4 flag
 * for TCP and UDP (no NIC checks ICMP). Regression for a mutation that
 * passed every test: sw_cksum_ip_ok() answering "good" without a
 * verdict; and for an L4 check that always passes.
 */
#define IP_GOOD RTE_MBUF_F_RX_IP_CKSUM_GOOD
#define IP_BAD RTE_MBUF_F_RX_IP_CKSUM_BAD
#define IP_NONE RTE_MBUF_F_RX_IP_CKSUM_NONE
#define L4_GOOD RTE_MBUF_F_RX_L4_CKSUM_GOOD
#define L4_BAD RTE_MBUF_F_RX_L4_CKSUM_BAD
#define L4_NONE RTE_MBUF_F_RX_L4_CKSUM_NONE

#define CK_FRAMES 8

/*
 * One case per protocol and family: odd lengths, options, a VLAN tag
 * and IPv6 extension headers move the offsets and lengths the sums
 * depend on. Returns the L4 protocol.
 */
static uint8_t
ck_frame(int which, struct frame *f)
{
	static const uint8_t proto[CK_FRAMES] = { 6, 17, 1, 17, 6, 17, 58, 6 };

	switch (which) {
	case 0:
		fr_eth(f, 0x0800);
		fr_ip4(f, 6, "192.0.2.1", "198.51.100.2", 4);
		fr_tcp(f, 40000, 80, RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG, 4);
		fr_payload(f, 13);
		break;
	case 1:
		fr_eth(f, 0x0800);
		fr_vlan(f, 0x8100, 7, 0x0800);
		fr_ip4(f, 17, "198.51.100.7", "192.0.2.53", 0);
		fr_udp(f, 5353, 53);
		fr_payload(f, 11);
		break;
	case 2:
		fr_eth(f, 0x0800);
		fr_ip4(f, 1, "192.0.2.9", "198.51.100.2", 0);
		fr_icmp(f, 8, 0, 42);
		fr_payload(f, 9);
		break;
	case 3:
		fr_eth(f, 0x0800);
		fr_ip4(f, 17, "192.0.2.1", "198.51.100.2", 0);
		fr_udp(f, 1000, 2000);
		fr_payload(f, 400);
		break;
	case 4:
		fr_eth(f, 0x86dd);
		fr_ip6(f, 6, 1, 2);
		fr_tcp(f, 40000, 443, RTE_TCP_SYN_FLAG, 0);
		fr_payload(f, 7);
		break;
	case 5:
		fr_eth(f, 0x86dd);
		fr_ip6(f, 17, 3, 4);
		fr_udp(f, 5353, 53);
		fr_payload(f, 5);
		break;
	case 6:
		fr_eth(f, 0x86dd);
		fr_ip6(f, 58, 5, 6);
		fr_icmp(f, 128, 0, 42);
		fr_payload(f, 3);
		break;
	default:
		/* The pseudo-header's length is the L4 part's, not the
		 * payload length of the IPv6 header. */
		fr_eth(f, 0x86dd);
		fr_ip6(f, 0, 7, 8);
		fr_ip6_ext(f, 60, 0);
		fr_ip6_ext(f, 6, 1);
		fr_tcp(f, 22, 60000, RTE_TCP_ACK_FLAG, 8);
		fr_payload(f, 10);
		break;
	}
	fr_finish(f, 60);
	fr_cksum(f, proto[which]);
	return proto[which];
}

/* Parse f (which must parse as IP) and ask both checks with ol_flags. */
static int
ck(const struct frame *f, uint64_t ol_flags, int *ip_ok)
{
	struct sw_pkt p;

	assert_result(parse(f, &p), SW_PARSE_IP);
	if (ip_ok != NULL)
		*ip_ok = sw_cksum_ip_ok(f->b, &p, ol_flags);
	return sw_cksum_ok(f->b, &p, ol_flags);
}

/* The end of the IP packet in f (padding excluded). */
static uint32_t
ip_end(const struct frame *f)
{
	const uint8_t *ip = f->b + f->l3;

	return f->v6 ? f->l3 + 40 + ((uint32_t)ip[4] << 8 | ip[5]) :
		       f->l3 + ((uint32_t)ip[2] << 8 | ip[3]);
}

/* Break the IPv4 header's sum without changing what parses: the TTL. */
static void
bad_ip(struct frame *f)
{
	f->b[f->l3 + 8] ^= 0x01;
}

/* Break the L4 sum: the last byte of the L4 part. */
static void
bad_l4(struct frame *f)
{
	f->b[ip_end(f) - 1] ^= 0x01;
}

static void
test_cksum_good_sums_pass(void **state)
{
	struct frame f;
	int which, ip_ok;

	(void)state;
	for (which = 0; which < CK_FRAMES; which++) {
		ck_frame(which, &f);
		assert_int_equal(ck(&f, 0, &ip_ok), 1);
		assert_int_equal(ip_ok, 1);
	}
}

/*
 * No verdict from the port: every byte a sum covers, flipped, fails.
 * The L4 part and, over IPv6, the addresses (only the pseudo-header
 * covers them there); over IPv4 the header bytes that leave the parse
 * unchanged, which must fail the header check itself too.
 */
static void
test_cksum_flipped_byte_fails_unverified(void **state)
{
	/* TOS, id, TTL, the sum itself, the addresses. */
	static const uint32_t v4_hdr[] = { 1, 4, 5, 8, 10, 11, 12, 13, 14,
					   15, 16, 17, 18, 19 };
	struct frame f, g;
	struct sw_pkt p;
	uint32_t at, end, i, tried;
	int which, ip_ok;

	(void)state;
	for (which = 0; which < CK_FRAMES; which++) {
		ck_frame(which, &f);
		end = ip_end(&f);
		tried = 0;
		for (at = f.l4; at < end; at++) {
			g = f;
			g.b[at] ^= 0x01;
			/* A flip that changes the parse is not a sum's. */
			if (sw_parse(g.b, g.len, &p) != SW_PARSE_IP)
				continue;
			tried++;
			if (sw_cksum_ok(g.b, &p, 0) != 0)
				fail_msg("frame %d, byte %u flipped: passed",
					 which, at);
			assert_int_equal(sw_cksum_ip_ok(g.b, &p, 0), 1);
		}
		/* All but UDP's length, which must match IP's. */
		assert_true(tried + 1 >= end - f.l4);
		for (i = 0; f.v6 && i < 32; i++) {
			g = f;
			g.b[f.l3 + 8 + i] ^= 0x01;
			assert_int_equal(ck(&g, 0, NULL), 0);
		}
		for (i = 0; !f.v6 && i < RTE_DIM(v4_hdr); i++) {
			g = f;
			g.b[f.l3 + v4_hdr[i]] ^= 0x01;
			assert_int_equal(ck(&g, 0, &ip_ok), 0);
			assert_int_equal(ip_ok, 0);
		}
	}
}

/* A port that says "bad" is believed, whatever the sum in the frame. */
static void
test_cksum_nic_bad_fails_a_good_sum(void **state)
{
	struct frame f;
	uint8_t proto;
	int which, ip_ok;

	(void)state;
	for (which = 0; which < CK_FRAMES; which++) {
		proto = ck_frame(which, &f);
		if (!f.v6) {
			assert_int_equal(ck(&f, IP_BAD, &ip_ok), 0);
			assert_int_equal(ip_ok, 0);
			assert_int_equal(ck(&f, IP_BAD | L4_GOOD, NULL), 0);
		}
		if (proto == 6 || proto == 17) {
			assert_int_equal(ck(&f, L4_BAD, &ip_ok), 0);
			assert_int_equal(ip_ok, 1);
			assert_int_equal(ck(&f, IP_GOOD | L4_BAD, NULL), 0);
		}
	}
}

/*
 * A port's "good" spares spillway only the sum it covers: L4 GOOD says
 * nothing of the IPv4 header, IP GOOD nothing of the L4 sum, and no
 * port's L4 verdict covers ICMP or ICMPv6 (computed whatever the
 * flags). NONE (the sum in the frame is not filled in, the data is
 * verified, as virtio reports) is as good as GOOD.
 */
static void
test_cksum_nic_good_only_where_it_applies(void **state)
{
	struct frame f;
	uint8_t proto;
	int which, ip_ok;
	bool nic_l4;

	(void)state;
	for (which = 0; which < CK_FRAMES; which++) {
		proto = ck_frame(which, &f);
		nic_l4 = proto == 6 || proto == 17;
		if (!f.v6) {
			bad_ip(&f);
			assert_int_equal(ck(&f, L4_GOOD, &ip_ok), 0);
			assert_int_equal(ip_ok, 0);
			assert_int_equal(ck(&f, IP_GOOD, &ip_ok), 1);
			assert_int_equal(ip_ok, 1);
			assert_int_equal(ck(&f, IP_NONE, &ip_ok), 1);
			assert_int_equal(ip_ok, 1);
			ck_frame(which, &f);
		}
		bad_l4(&f);
		assert_int_equal(ck(&f, IP_GOOD, &ip_ok), 0);
		assert_int_equal(ip_ok, 1);
		assert_int_equal(ck(&f, L4_GOOD, NULL), nic_l4);
		assert_int_equal(ck(&f, L4_NONE, NULL), nic_l4);
		assert_int_equal(ck(&f, IP_GOOD | L4_GOOD, NULL), nic_l4);
		/* Both trusted, both wrong in the frame. */
		if (!f.v6 && nic_l4) {
			bad_ip(&f);
			assert_int_equal(ck(&f, IP_GOOD | L4_GOOD, NULL), 1);
		}
		/* ICMP: the L4 flags mean nothing, bad or good. */
		if (!nic_l4) {
			ck_frame(which, &f);
			assert_int_equal(ck(&f, L4_BAD, NULL), 1);
		}
	}
}

/* UDP's 0 means "no checksum" over IPv4 (RFC 768), never over IPv6
 * (RFC 8200 8.1); a sum that comes out 0 is sent as 0xffff. */
static void
test_cksum_udp_zero(void **state)
{
	static const int udp[] = { 1, 3, 5 };
	struct frame f;
	uint16_t c;
	uint32_t at;
	size_t i;
	int tries;

	(void)state;
	for (i = 0; i < RTE_DIM(udp); i++) {
		ck_frame(udp[i], &f);
		at = f.l4 + fr_cksum_at(17);
		put16(f.b + at, 0);
		bad_l4(&f);
		assert_int_equal(ck(&f, 0, NULL), !f.v6);
		/* A port's L4 verdict is taken as given, even on a 0. */
		assert_int_equal(ck(&f, L4_BAD, NULL), 0);
		/* Make the sum come out 0: add it to a payload word. */
		ck_frame(udp[i], &f);
		for (tries = 0; tries < 2; tries++) {
			c = (uint16_t)(f.b[at] << 8 | f.b[at + 1]);
			if (c == 0xffff)
				break;
			put16(f.b + f.l4 + 8, (uint16_t)~fr_fold(
				fr_sum(f.b + f.l4 + 8, 2, 0) + c));
			fr_cksum(&f, 17);
		}
		assert_int_equal(f.b[at] << 8 | f.b[at + 1], 0xffff);
		assert_int_equal(ck(&f, 0, NULL), 1);
	}
}

/*
 * RFC 8200 8.1: with a routing header not yet walked to its end, the
 * sender sums the final destination (type 0's last address, type 2's
 * home address, an SRH's Segment List[0]), not the header's next hop.
 * Once every segment is visited (segments left 0), the header's
 * destination is the final one. A type whose final address spillway
 * cannot read (RPL's type 3) keeps the header's.
 */
static void
rh_frame(struct frame *f, uint8_t type, uint8_t left, int sum_final)
{
	uint8_t *rh, *dst, hop[16];

	fr_eth(f, 0x86dd);
	fr_ip6(f, 43, 1, 2);
	fr_ip6_ext(f, 17, 4);		/* 8 bytes, then two addresses */
	rh = f->b + f->l3 + 40;
	rh[2] = type;
	rh[3] = left;
	memcpy(rh + 8, f->b + f->l3 + 24, 16);
	memcpy(rh + 24, f->b + f->l3 + 24, 16);
	/* The final address: type 0's last, the others' first. */
	(type == 0 ? rh + 24 : rh + 8)[15] = 9;
	fr_udp(f, 5353, 53);
	fr_payload(f, 5);
	fr_finish(f, 60);
	put16(f->b + f->l4 + 4, 13);	/* fr_finish: UDP right after IP only */
	dst = f->b + f->l3 + 24;
	memcpy(hop, dst, 16);
	if (sum_final)
		memcpy(dst, type == 0 ? rh + 24 : rh + 8, 16);
	fr_cksum(f, 17);
	memcpy(dst, hop, 16);
}

static void
test_cksum_routing_header_final_destination(void **state)
{
	static const uint8_t types[] = { 0, 2, 4 };
	struct frame f;
	size_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(types); i++) {
		rh_frame(&f, types[i], 1, 1);
		assert_int_equal(ck(&f, 0, NULL), 1);
		/* A port that summed the next hop is overruled... */
		assert_int_equal(ck(&f, L4_BAD, NULL), 1);
		bad_l4(&f);
		assert_int_equal(ck(&f, 0, NULL), 0);
		assert_int_equal(ck(&f, L4_BAD, NULL), 0);
		/* ...and the next hop's sum is not the final one's. */
		rh_frame(&f, types[i], 1, 0);
		assert_int_equal(ck(&f, 0, NULL), 0);
		/* Every segment visited: the header's destination. */
		rh_frame(&f, types[i], 0, 0);
		assert_int_equal(ck(&f, 0, NULL), 1);
		rh_frame(&f, types[i], 0, 1);
		assert_int_equal(ck(&f, 0, NULL), 0);
	}
	rh_frame(&f, 3, 1, 1);
	assert_int_equal(ck(&f, 0, NULL), 0);
	rh_frame(&f, 3, 1, 0);
	assert_int_equal(ck(&f, 0, NULL), 1);
}

/*
 * A fragment: only its IPv4 header is checked. The L4 sum of a first
 * fragment covers a datagram not all here; a later one has no L4
 * header.
 */
static void
test_cksum_fragment_only_ip_header(void **state)
{
	struct frame f, g;
	struct sw_pkt p;
	int ip_ok;

	(void)state;
	/* IPv4, first fragment (MF, offset 0): UDP claims 1400 bytes. */
	ck_frame(3, &f);
	put16(f.b + f.l3 + 6, 0x2000);
	put16(f.b + f.l4 + 4, 1400);
	fr_cksum(&f, 17);
	f.b[f.l4 + 6] ^= 0x55;		/* the datagram's sum, not ours */
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(p.frag, SW_FRAG_FIRST);
	assert_int_equal(ck(&f, 0, &ip_ok), 1);
	assert_int_equal(ip_ok, 1);
	g = f;
	bad_ip(&g);
	assert_int_equal(ck(&g, 0, &ip_ok), 0);
	assert_int_equal(ip_ok, 0);
	assert_int_equal(ck(&g, L4_GOOD, NULL), 0);
	assert_int_equal(ck(&f, IP_BAD, NULL), 0);

	/* A later fragment: header checked, the rest is data. */
	put16(f.b + f.l3 + 6, 0x2000 | 100);
	fr_cksum(&f, 17);
	f.b[f.l4 + 6] ^= 0x55;
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(p.frag, SW_FRAG_LATER);
	assert_int_equal(ck(&f, 0, NULL), 1);
	bad_ip(&f);
	assert_int_equal(ck(&f, 0, NULL), 0);

	/* IPv6 first fragment: no header sum, so nothing to fail. */
	fr_eth(&f, 0x86dd);
	fr_ip6(&f, 44, 1, 2);
	fr_ip6_frag(&f, 17, 0, 1, 99);
	fr_udp(&f, 1000, 2000);
	fr_payload(&f, 32);
	fr_finish(&f, 60);
	put16(f.b + f.l4 + 4, 1400);
	put16(f.b + f.l4 + 6, 0x1234);
	assert_result(parse(&f, &p), SW_PARSE_IP);
	assert_int_equal(p.frag, SW_FRAG_FIRST);
	assert_int_equal(ck(&f, 0, NULL), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ipv4_tcp),
		cmocka_unit_test(test_parse_ipv4_options),
		cmocka_unit_test(test_parse_ipv4_icmp_echo),
		cmocka_unit_test(test_parse_padding_is_not_malformed),
		cmocka_unit_test(test_parse_vlan_one_and_two_tags),
		cmocka_unit_test(test_parse_three_tags_malformed),
		cmocka_unit_test(test_parse_arp_is_l2),
		cmocka_unit_test(test_parse_ipv6_tcp_and_ext_headers),
		cmocka_unit_test(test_parse_ipv6_hbh_not_first_malformed),
		cmocka_unit_test(test_parse_ipv6_eight_ext_headers_followed),
		cmocka_unit_test(test_parse_ipv6_too_many_ext_malformed),
		cmocka_unit_test(test_parse_ipv6_jumbogram_malformed),
		cmocka_unit_test(test_parse_icmpv6),
		cmocka_unit_test(test_parse_ipv4_fragments),
		cmocka_unit_test(test_parse_ipv4_tiny_tcp_fragment_malformed),
		cmocka_unit_test(test_parse_ipv6_fragments),
		cmocka_unit_test(test_parse_ipv6_fragment_protocol_consistent),
		cmocka_unit_test(test_parse_cksum_sum_matches_dpdk),
		cmocka_unit_test(test_parse_cksum_make_matches_dpdk),
		cmocka_unit_test(test_parse_source_route),
		cmocka_unit_test(test_parse_frag_geometry),
		cmocka_unit_test(test_parse_tiny_first_fragments_malformed),
		cmocka_unit_test(test_parse_malformed_cases),
		cmocka_unit_test(test_parse_truncated_at_every_offset),
		cmocka_unit_test(test_cksum_good_sums_pass),
		cmocka_unit_test(test_cksum_flipped_byte_fails_unverified),
		cmocka_unit_test(test_cksum_nic_bad_fails_a_good_sum),
		cmocka_unit_test(test_cksum_nic_good_only_where_it_applies),
		cmocka_unit_test(test_cksum_udp_zero),
		cmocka_unit_test(test_cksum_routing_header_final_destination),
		cmocka_unit_test(test_cksum_fragment_only_ip_header),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
