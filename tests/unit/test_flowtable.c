/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/flowtable unit tests. Time is driven: hz = 1, `now` in seconds.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include "eal.h"
#include "sw_ft.h"

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

static const uint8_t A4[4] = { 192, 0, 2, 10 }, B4[4] = { 198, 51, 100, 80 };

/* ---- keys ---- */

/*
 * SipHash against the reference vector of its paper (SipHash-2-4, key
 * 00..0f, message 00..0e): the rounds are right, so 1-3 is too.
 */
static void
test_ft_hash_siphash_reference_vector(void **state)
{
	uint8_t key[16], msg[15];
	unsigned int i;

	(void)state;
	for (i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	assert_true(sw_ft_siphash_ref(key, msg, 15, 2, 4) ==
		    0xa129ca6149be45e5ull);
	/* The empty message of the same key (the paper's first vector). */
	assert_true(sw_ft_siphash_ref(key, msg, 0, 2, 4) ==
		    0x726fdb47dd0e0e31ull);
}

/*
 * The key hash depends on the secret (a start draws a new one) and on
 * every field of the key, zone included.
 */
static void
test_ft_hash_keyed_by_secret(void **state)
{
	static const uint8_t a[4] = { 192, 0, 2, 1 }, b[4] = { 192, 0, 2, 2 };
	struct sw_ft_key k, z;
	uint32_t h1, h2, h3;

	(void)state;
	sw_ft_key_make(&k, 4, 6, a, b, htons(1000),
		       htons(80));
	z = k;
	z.zone = 1;
	sw_ft_hash_set_secret(1, 2);
	h1 = sw_ft_key_hash(&k);
	assert_int_equal(h1, sw_ft_key_hash(&k));
	assert_int_not_equal(h1, sw_ft_key_hash(&z));
	sw_ft_hash_set_secret(3, 4);
	h2 = sw_ft_key_hash(&k);
	assert_int_not_equal(h1, h2);
	sw_ft_hash_set_secret(1, 2);
	h3 = sw_ft_key_hash(&k);
	assert_int_equal(h1, h3);
}

static void
test_ft_key_both_directions_meet_v4(void **state)
{
	uint8_t a[4] = { 192, 0, 2, 10 }, b[4] = { 192, 0, 2, 80 };
	struct sw_ft_key k1, k2;

	(void)state;
	assert_int_equal(sw_ft_key_make(&k1, 4, 6, a, b, htons(40000),
					htons(80)), SW_FT_DIR_LO);
	assert_int_equal(sw_ft_key_make(&k2, 4, 6, b, a, htons(80),
					htons(40000)), SW_FT_DIR_HI);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_memory_equal(k1.lo, a, 4);
	assert_int_equal(ntohs(k1.lo_port), 40000);
	assert_int_equal(k1.family, 4);
	assert_int_equal(k1.zone, 0);
}

static void
test_ft_key_both_directions_meet_v6(void **state)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct sw_ft_key k1, k2;

	(void)state;
	assert_int_equal(sw_ft_key_make(&k1, 6, 17, a, b, htons(53),
					htons(5353)), SW_FT_DIR_HI);
	assert_int_equal(sw_ft_key_make(&k2, 6, 17, b, a, htons(5353),
					htons(53)), SW_FT_DIR_LO);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_memory_equal(k1.lo, b, 16);
}

static void
test_ft_key_same_address_orders_by_port(void **state)
{
	uint8_t a[4] = { 192, 0, 2, 1 };
	struct sw_ft_key k1, k2;

	(void)state;
	/* 256 > 2 as numbers, though its first byte (1) is smaller. */
	assert_int_equal(sw_ft_key_make(&k1, 4, 6, a, a, htons(256),
					htons(2)), SW_FT_DIR_HI);
	assert_int_equal(sw_ft_key_make(&k2, 4, 6, a, a, htons(2),
					htons(256)), SW_FT_DIR_LO);
	assert_memory_equal(&k1, &k2, sizeof(k1));
}

static void
test_ft_key_distinguishes_protocol_and_family(void **state)
{
	uint8_t a[16] = { 192, 0, 2, 1 }, b[16] = { 192, 0, 2, 2 };
	struct sw_ft_key k1, k2;

	(void)state;
	sw_ft_key_make(&k1, 4, 6, a, b, htons(1), htons(2));
	sw_ft_key_make(&k2, 4, 17, a, b, htons(1), htons(2));
	assert_memory_not_equal(&k1, &k2, sizeof(k1));
	sw_ft_key_make(&k2, 6, 6, a, b, htons(1), htons(2));
	assert_memory_not_equal(&k1, &k2, sizeof(k1));
}

/* ---- the table ---- */

static struct sw_ft *
make_ft(uint32_t max, bool early_drop, uint16_t astart, uint16_t aend)
{
	struct sw_ft_conf c;
	struct sw_ft *ft;

	sw_ft_conf_defaults(&c);
	c.max_flows = max;
	c.early_drop = early_drop;
	c.adaptive_start = astart;
	c.adaptive_end = aend;
	ft = sw_ft_create(&c);
	assert_non_null(ft);
	return ft;
}

struct find {
	const struct sw_ft_key *key;
	struct sw_ft_info info;
	int found;
};

static int
find_cb(const struct sw_ft_key *key, const struct sw_ft_info *info, void *arg)
{
	struct find *f = arg;

	if (memcmp(key, f->key, sizeof(*key)) != 0)
		return 0;
	f->info = *info;
	f->found = 1;
	return 1;
}

static int
lookup(struct sw_ft *ft, const struct sw_ft_key *key, uint64_t now,
       struct sw_ft_info *info)
{
	struct find f = { .key = key };

	sw_ft_walk(ft, 0, now, find_cb, &f);
	if (info)
		*info = f.info;
	return f.found;
}

/* The packet from A (dir a_to_b = 1) or from B, through the worker API. */
static int
packet(struct sw_ft *ft, uint8_t proto, uint16_t ap, uint16_t bp, int from_a,
       uint8_t flags, uint64_t now)
{
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_key k;
	const struct sw_ft_key *kp = &k;
	int32_t pos;
	int dir, kind;

	dir = from_a ? sw_ft_key_make(&k, 4, proto, A4, B4, htons(ap), htons(bp))
		     : sw_ft_key_make(&k, 4, proto, B4, A4, htons(bp), htons(ap));
	sw_ft_lookup_burst(s, &kp, 1, &pos);
	if (pos >= 0)
		return sw_ft_update(s, pos, dir, flags, 60, now) == SW_FT_OK ?
		       0 : -EINVAL;
	kind = sw_ft_miss_kind(s, 4, proto, flags, 8);
	if (kind == SW_FT_MISS_INVALID)
		return -EINVAL;
	return sw_ft_insert(s, &k, dir, 0, flags, 60, now);
}

static struct sw_ft_key
key4(uint8_t proto, uint16_t ap, uint16_t bp)
{
	struct sw_ft_key k;

	sw_ft_key_make(&k, 4, proto, A4, B4, htons(ap), htons(bp));
	return k;
}

/*
 * One row: a sequence of segments ('a' from the opener A, 'b' from B),
 * then the state, its timeout, and whether the flow is assured.
 */
struct tcp_case {
	const char *name;
	struct {
		char from;
		uint8_t flags;
		int ok;		/* expected: 1 passes, 0 invalid */
	} seg[8];
	uint8_t state;
	uint32_t timeout;
	int assured;
};

static const struct tcp_case tcp_cases[] = {
	{ "handshake", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
			 { 'a', ACK, 1 } },
	  SW_FT_TCP_ESTABLISHED, 432000, 1 },
	{ "syn only", { { 'a', SYN, 1 } }, SW_FT_TCP_SYN_SENT, 120, 0 },
	{ "syn/ack seen", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 } },
	  SW_FT_TCP_SYN_RECV, 60, 0 },
	{ "retransmitted syn", { { 'a', SYN, 1 }, { 'a', SYN, 1 },
				 { 'a', SYN, 1 } },
	  SW_FT_TCP_SYN_SENT, 120, 0 },
	{ "simultaneous open", { { 'a', SYN, 1 }, { 'b', SYN, 1 },
				 { 'a', SYN | ACK, 1 }, { 'b', SYN | ACK, 1 },
				 { 'a', ACK, 1 } },
	  SW_FT_TCP_ESTABLISHED, 432000, 1 },
	{ "data both ways", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
			      { 'a', ACK, 1 }, { 'a', PSH | ACK, 1 },
			      { 'b', PSH | ACK, 1 } },
	  SW_FT_TCP_ESTABLISHED, 432000, 1 },
	{ "ack before syn/ack", { { 'a', SYN, 1 }, { 'a', ACK, 0 } },
	  SW_FT_TCP_SYN_SENT, 120, 0 },
	{ "rst in syn_sent", { { 'a', SYN, 1 }, { 'b', RST | ACK, 1 } },
	  SW_FT_TCP_CLOSE, 10, 0 },
	{ "rst in syn_recv", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
			       { 'a', RST, 1 } },
	  SW_FT_TCP_CLOSE, 10, 0 },
	{ "rst in established", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
				  { 'a', ACK, 1 }, { 'b', RST, 1 } },
	  SW_FT_TCP_CLOSE, 10, 1 },
	{ "rst in fin_wait", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
			       { 'a', ACK, 1 }, { 'a', FIN | ACK, 1 },
			       { 'a', RST, 1 } },
	  SW_FT_TCP_CLOSE, 10, 1 },
	{ "fin from opener", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
			       { 'a', ACK, 1 }, { 'a', FIN | ACK, 1 } },
	  SW_FT_TCP_FIN_WAIT, 120, 1 },
	{ "fin acked", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
			 { 'a', ACK, 1 }, { 'a', FIN | ACK, 1 },
			 { 'b', ACK, 1 } },
	  SW_FT_TCP_CLOSE_WAIT, 60, 1 },
	{ "both fins", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
			 { 'a', ACK, 1 }, { 'a', FIN | ACK, 1 },
			 { 'b', FIN | ACK, 1 } },
	  SW_FT_TCP_LAST_ACK, 30, 1 },
	{ "full close from opener", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
				      { 'a', ACK, 1 }, { 'a', FIN | ACK, 1 },
				      { 'b', FIN | ACK, 1 }, { 'a', ACK, 1 } },
	  SW_FT_TCP_TIME_WAIT, 120, 1 },
	{ "full close from peer", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
				    { 'a', ACK, 1 }, { 'b', FIN | ACK, 1 },
				    { 'a', ACK, 1 }, { 'a', FIN | ACK, 1 },
				    { 'b', ACK, 1 } },
	  SW_FT_TCP_TIME_WAIT, 120, 1 },
	{ "time_wait reused by syn", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
				       { 'a', ACK, 1 }, { 'a', FIN | ACK, 1 },
				       { 'b', FIN | ACK, 1 }, { 'a', ACK, 1 },
				       { 'a', SYN, 1 } },
	  SW_FT_TCP_SYN_SENT, 120, 0 },
	{ "close reopened by syn", { { 'a', SYN, 1 }, { 'b', RST | ACK, 1 },
				     { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
				     { 'a', ACK, 1 } },
	  SW_FT_TCP_ESTABLISHED, 432000, 1 },
	{ "impossible flags", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
				{ 'a', ACK, 1 }, { 'a', SYN | FIN, 0 },
				{ 'b', SYN | RST, 0 }, { 'a', FIN, 0 },
				{ 'b', 0, 0 } },
	  SW_FT_TCP_ESTABLISHED, 432000, 1 },
	{ "syn/ack from opener invalid", { { 'a', SYN, 1 },
					   { 'a', SYN | ACK, 0 } },
	  SW_FT_TCP_SYN_SENT, 120, 0 },
	{ "picked up mid-stream", { { 'a', ACK, 1 }, { 'b', ACK, 1 } },
	  SW_FT_TCP_ESTABLISHED, 432000, 1 },
};

static void
test_ft_tcp_transitions(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(tcp_cases) / sizeof(tcp_cases[0]); i++) {
		const struct tcp_case *tc = &tcp_cases[i];
		struct sw_ft *ft = make_ft(64, true, 0, 0);
		struct sw_ft_key k = key4(6, 40000, 80);
		struct sw_ft_info info;
		uint64_t now = 1000;

		for (j = 0; j < 8 && tc->seg[j].from; j++) {
			int rc = packet(ft, 6, 40000, 80, tc->seg[j].from == 'a',
					tc->seg[j].flags, now);

			if ((rc == 0) != tc->seg[j].ok)
				fail_msg("%s: segment %zu (flags 0x%02x) %s",
					 tc->name, j, tc->seg[j].flags,
					 rc == 0 ? "passed" : "was invalid");
		}
		assert_true(lookup(ft, &k, now, &info));
		if (info.state != tc->state)
			fail_msg("%s: state %s, expected %s", tc->name,
				 sw_ft_state_name(info.state),
				 sw_ft_state_name(tc->state));
		if (info.remaining != tc->timeout ||
		    info.assured != tc->assured)
			fail_msg("%s: remaining %llu assured %d, expected %u %d",
				 tc->name, (unsigned long long)info.remaining,
				 info.assured, tc->timeout, tc->assured);
		sw_ft_free(ft);
	}
}

static void
test_ft_tcp_reopen_from_peer_flips_opener(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_key k = key4(6, 40000, 80);
	struct sw_ft_info info;

	(void)state;
	assert_int_equal(packet(ft, 6, 40000, 80, 1, SYN, 1), 0);
	assert_int_equal(packet(ft, 6, 40000, 80, 0, RST | ACK, 2), 0);
	assert_int_equal(packet(ft, 6, 40000, 80, 0, SYN, 3), 0);
	assert_true(lookup(ft, &k, 3, &info));
	assert_int_equal(info.state, SW_FT_TCP_SYN_SENT);
	/* B (198.51.100.80, the higher endpoint) now opens the flow. */
	assert_int_equal(info.orig_dir, SW_FT_DIR_HI);
	assert_int_equal(info.pkts[0], 1);
	assert_int_equal(info.pkts[1], 0);
	sw_ft_free(ft);
}

static void
test_ft_miss_kinds(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_conf c;
	struct sw_ft *strict;
	struct sw_ft_shard *s = sw_ft_shard(ft, 0), *ss;

	(void)state;
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, SYN, 0), SW_FT_MISS_NEW);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, SYN | 0xc0, 0),
			 SW_FT_MISS_NEW);	/* ECN bits are fine */
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, ACK, 0), SW_FT_MISS_LOOSE);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, PSH | ACK, 0),
			 SW_FT_MISS_LOOSE);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, SYN | ACK, 0),
			 SW_FT_MISS_INVALID);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, RST, 0), SW_FT_MISS_INVALID);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, FIN | ACK, 0),
			 SW_FT_MISS_INVALID);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, SYN | FIN, 0),
			 SW_FT_MISS_INVALID);
	assert_int_equal(sw_ft_miss_kind(s, 4, 17, 0, 0), SW_FT_MISS_NEW);
	assert_int_equal(sw_ft_miss_kind(s, 4, 1, 0, 8), SW_FT_MISS_NEW);
	assert_int_equal(sw_ft_miss_kind(s, 4, 1, 0, 0),
			 SW_FT_MISS_UNTRACKED);
	assert_int_equal(sw_ft_miss_kind(s, 6, 58, 0, 128), SW_FT_MISS_NEW);
	assert_int_equal(sw_ft_miss_kind(s, 6, 58, 0, 129),
			 SW_FT_MISS_UNTRACKED);
	assert_int_equal(sw_ft_miss_kind(s, 6, 47, 0, 0), SW_FT_MISS_NEW);

	sw_ft_conf_defaults(&c);
	c.max_flows = 64;
	c.tcp_loose = false;
	strict = sw_ft_create(&c);
	assert_non_null(strict);
	ss = sw_ft_shard(strict, 0);
	assert_int_equal(sw_ft_miss_kind(ss, 4, 6, ACK, 0),
			 SW_FT_MISS_INVALID);
	sw_ft_free(strict);
	sw_ft_free(ft);
}

static void
test_ft_udp_icmp_generic_states(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_key k;
	struct sw_ft_info info;

	(void)state;
	assert_int_equal(packet(ft, 17, 5353, 53, 1, 0, 10), 0);
	k = key4(17, 5353, 53);
	assert_true(lookup(ft, &k, 10, &info));
	assert_int_equal(info.state, SW_FT_UDP);
	assert_int_equal(info.remaining, 30);
	assert_false(info.assured);
	assert_int_equal(packet(ft, 17, 5353, 53, 0, 0, 11), 0);
	assert_true(lookup(ft, &k, 11, &info));
	assert_int_equal(info.state, SW_FT_UDP_STREAM);
	assert_int_equal(info.remaining, 180);
	assert_true(info.assured);
	assert_int_equal(info.pkts[0], 1);
	assert_int_equal(info.pkts[1], 1);

	/* ICMP echo: both directions carry the id in both "ports". */
	assert_int_equal(packet(ft, 1, 77, 77, 1, 0, 12), 0);
	k = key4(1, 77, 77);
	assert_true(lookup(ft, &k, 12, &info));
	assert_int_equal(info.state, SW_FT_ICMP);
	assert_int_equal(info.remaining, 30);
	assert_int_equal(packet(ft, 1, 77, 77, 0, 0, 13), 0);
	assert_true(lookup(ft, &k, 13, &info));
	assert_true(info.assured);

	assert_int_equal(packet(ft, 47, 0, 0, 1, 0, 14), 0);
	k = key4(47, 0, 0);
	assert_true(lookup(ft, &k, 14, &info));
	assert_int_equal(info.state, SW_FT_GENERIC);
	assert_int_equal(info.remaining, 600);
	sw_ft_free(ft);
}

static void
test_ft_v6_flow_both_directions(void **state)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
	uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x20 };
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_key k1, k2;
	const struct sw_ft_key *kp = &k2;
	struct sw_ft_info info;
	int32_t pos;
	int d1, d2;

	(void)state;
	d1 = sw_ft_key_make(&k1, 6, 6, a, b, htons(40000), htons(443));
	assert_int_equal(sw_ft_insert(s, &k1, d1, 0, SYN, 80, 1), 0);
	d2 = sw_ft_key_make(&k2, 6, 6, b, a, htons(443), htons(40000));
	sw_ft_lookup_burst(s, &kp, 1, &pos);
	assert_true(pos >= 0);
	assert_int_equal(sw_ft_update(s, pos, d2, SYN | ACK, 80, 2), SW_FT_OK);
	assert_int_equal(sw_ft_update(s, pos, d1, ACK, 60, 3), SW_FT_OK);
	assert_true(lookup(ft, &k1, 3, &info));
	assert_int_equal(info.state, SW_FT_TCP_ESTABLISHED);
	assert_int_equal(info.pkts[0], 2);
	assert_int_equal(info.pkts[1], 1);
	assert_int_equal(info.bytes[0], 140);
	sw_ft_free(ft);
}

static void
sweep(struct sw_ft *ft, uint64_t now)
{
	unsigned int i;

	/* Enough polls to pass over every slot. */
	for (i = 0; i < 64; i++)
		sw_ft_expire(sw_ft_shard(ft, 0), now);
}

static void
test_ft_expiry_driven_clock(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_key ku = key4(17, 1, 53), kt = key4(6, 2, 80);
	struct sw_ft_stats st;

	(void)state;
	assert_int_equal(packet(ft, 17, 1, 53, 1, 0, 100), 0);
	assert_int_equal(packet(ft, 6, 2, 80, 1, SYN, 100), 0);
	sweep(ft, 130);			/* udp: 30 s idle, not past it */
	assert_true(lookup(ft, &ku, 130, NULL));
	sweep(ft, 131);
	assert_false(lookup(ft, &ku, 131, NULL));
	assert_true(lookup(ft, &kt, 131, NULL));	/* syn_sent: 120 */
	/* A new timeout applies to live flows at once. */
	sw_ft_set_timeout(ft, SW_FT_TO_tcp_syn_sent, 5);
	assert_int_equal(sw_ft_get_timeout(ft, SW_FT_TO_tcp_syn_sent), 5);
	sweep(ft, 132);
	assert_false(lookup(ft, &kt, 132, NULL));
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.expired, 2);
	assert_int_equal(st.flows, 0);
	assert_int_equal(st.inserts, 2);
}

static void
test_ft_busy_flow_stays(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_key busy = key4(17, 1, 53), idle = key4(17, 2, 53);
	uint64_t t;

	(void)state;
	assert_int_equal(packet(ft, 17, 1, 53, 1, 0, 0), 0);
	assert_int_equal(packet(ft, 17, 2, 53, 1, 0, 0), 0);
	for (t = 1; t < 100; t++) {
		assert_int_equal(packet(ft, 17, 1, 53, 1, 0, t), 0);
		sweep(ft, t);
	}
	assert_true(lookup(ft, &busy, t, NULL));
	assert_false(lookup(ft, &idle, t, NULL));
	sw_ft_free(ft);
}

/* Fill a max-8 shard with TCP flows; assured ones complete handshakes. */
static void
fill(struct sw_ft *ft, int assured, uint64_t now)
{
	uint16_t p;

	for (p = 1; p <= 8; p++) {
		assert_int_equal(packet(ft, 6, p, 80, 1, SYN, now + p), 0);
		if (assured) {
			assert_int_equal(packet(ft, 6, p, 80, 0, SYN | ACK,
						now + p), 0);
			assert_int_equal(packet(ft, 6, p, 80, 1, ACK, now + p),
					 0);
		}
	}
}

static void
test_ft_full_early_drop_takes_oldest_unassured(void **state)
{
	struct sw_ft *ft = make_ft(8, true, 0, 0);
	struct sw_ft_key oldest = key4(6, 1, 80), newest = key4(6, 100, 80);
	struct sw_ft_stats st;
	uint16_t p;

	(void)state;
	fill(ft, 0, 0);
	/* Make flow 2 assured: never a victim, even if older. */
	assert_int_equal(packet(ft, 6, 2, 80, 0, SYN | ACK, 0), 0);
	assert_int_equal(packet(ft, 6, 2, 80, 1, ACK, 0), 0);
	assert_int_equal(packet(ft, 6, 100, 80, 1, SYN, 50), 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 1);
	assert_int_equal(st.flows, 8);
	assert_int_equal(st.insert_failed, 0);
	assert_false(lookup(ft, &oldest, 50, NULL));
	assert_true(lookup(ft, &newest, 50, NULL));
	for (p = 2; p <= 8; p++) {
		struct sw_ft_key k = key4(6, p, 80);

		assert_true(lookup(ft, &k, 50, NULL));
	}
	sw_ft_free(ft);
}

static void
test_ft_full_of_assured_spills(void **state)
{
	struct sw_ft *ft = make_ft(8, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_key k = key4(6, 100, 80);
	struct sw_ft_stats st;
	uint16_t p;

	(void)state;
	fill(ft, 1, 0);
	assert_false(sw_ft_spilling(s));
	assert_int_equal(packet(ft, 6, 100, 80, 1, SYN, 50), -ENOSPC);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 0);
	assert_int_equal(st.insert_failed, 1);
	assert_true(st.spilling);
	assert_true(sw_ft_spilling(s));
	assert_false(lookup(ft, &k, 50, NULL));
	for (p = 1; p <= 8; p++) {
		struct sw_ft_key kk = key4(6, p, 80);

		assert_true(lookup(ft, &kk, 50, NULL));
	}
	/* Spilling ends once the shard is below 90 %: 8 -> 6 flows. */
	assert_int_equal(packet(ft, 6, 1, 80, 1, RST, 60), 0);
	assert_int_equal(packet(ft, 6, 2, 80, 1, RST, 60), 0);
	sweep(ft, 100);			/* tcp_close: 10 s */
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 6);
	assert_false(sw_ft_spilling(s));
	/* The freed slots take new flows again. */
	assert_int_equal(packet(ft, 6, 100, 80, 1, SYN, 101), 0);
	assert_int_equal(packet(ft, 6, 101, 80, 1, SYN, 101), 0);
	sw_ft_free(ft);
}

static void
test_ft_full_without_early_drop_spills(void **state)
{
	struct sw_ft *ft = make_ft(8, false, 0, 0);
	struct sw_ft_stats st;

	(void)state;
	fill(ft, 0, 0);
	assert_int_equal(packet(ft, 6, 100, 80, 1, SYN, 50), -ENOSPC);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 0);
	assert_int_equal(st.insert_failed, 1);
	sw_ft_free(ft);
}

static void
test_ft_adaptive_scaling(void **state)
{
	static const struct {
		uint16_t flows;
		uint32_t q10;
	} rows[] = {
		{ 50, 1024 },	/* below start (60): unscaled */
		{ 60, 1024 },
		{ 75, 768 },	/* (120 - 75) / 60 = 0.75 */
		{ 90, 512 },	/* 0.5 */
		{ 100, 341 },	/* the table's limit: 1/3 */
	};
	struct sw_ft *ft = make_ft(100, false, 60, 120);
	struct sw_ft_key k = key4(17, 1, 53);
	struct sw_ft_stats st;
	struct sw_ft_info info;
	uint16_t n = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		while (n < rows[i].flows) {
			n++;
			assert_int_equal(packet(ft, 17, n, 53, 1, 0, 0), 0);
		}
		sw_ft_expire(sw_ft_shard(ft, 0), 0);
		sw_ft_shard_stats(ft, 0, &st);
		assert_int_equal(st.adaptive_scale_q10, rows[i].q10);
	}
	/* udp's 30 s now count for a third. */
	assert_true(lookup(ft, &k, 0, &info));
	assert_int_equal(info.remaining, 9);
	/*
	 * At 11 s flows expire, long before 30 s; as they go the scale
	 * rises again, so the table settles rather than emptying.
	 */
	sweep(ft, 11);
	sw_ft_shard_stats(ft, 0, &st);
	assert_true(st.expired > 0);
	assert_true(st.flows < 100);
	assert_true(st.adaptive_scale_q10 > 341);
	sw_ft_free(ft);
}

static void
test_ft_memory_and_bad_conf(void **state)
{
	struct sw_ft_conf c;
	struct sw_ft *ft;

	(void)state;
	sw_ft_conf_defaults(&c);
	c.max_flows = 65536;
	ft = sw_ft_create(&c);
	assert_non_null(ft);
	printf("65536 flows: %zu bytes, %.1f bytes per flow\n",
	       sw_ft_memory(ft), (double)sw_ft_memory(ft) / 65536);
	assert_true(sw_ft_memory(ft) >= 65536 * 64);
	sw_ft_free(ft);
	sw_ft_free(NULL);

	sw_ft_conf_defaults(&c);
	c.nb_shards = 0;
	assert_null(sw_ft_create(&c));
	sw_ft_conf_defaults(&c);
	c.adaptive_end = c.adaptive_start;
	assert_null(sw_ft_create(&c));
	sw_ft_conf_defaults(&c);
	c.high_water = 101;
	assert_null(sw_ft_create(&c));
}

/*
 * Regression: "flows counter above the live flows" (control test, both
 * directions of new connections in one replayed burst). A single
 * re-lookup in the middle of a burst reset the burst's insert count, so
 * a later insert of a key already present skipped its lookup and
 * rte_hash_add_key's existing slot was counted as a new flow. Fixed in
 * "flowtable: never count an existing key as a new flow".
 */
static void
test_ft_insert_existing_key_is_an_update(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_key k = key4(17, 7, 53);
	const struct sw_ft_key *kp = &k;
	struct sw_ft_stats st;
	struct sw_ft_info info;
	int32_t pos;

	(void)state;
	sw_ft_lookup_burst(s, &kp, 1, &pos);
	assert_int_equal(sw_ft_insert(s, &k, SW_FT_DIR_LO, 0, 0, 60, 1), 0);
	/* A re-lookup of another key mid-burst must not hide the insert. */
	assert_true(sw_ft_lookup(s, &k) >= 0);
	assert_int_equal(sw_ft_insert(s, &k, SW_FT_DIR_HI, 0, 0, 60, 2), 1);
	/* Even a new burst that skipped the lookup: still an update. */
	sw_ft_lookup_burst(s, &kp, 0, &pos);
	assert_int_equal(sw_ft_insert(s, &k, SW_FT_DIR_LO, 0, 0, 60, 3), 1);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 1);
	assert_int_equal(st.inserts, 1);
	assert_true(lookup(ft, &k, 3, &info));
	assert_int_equal(info.pkts[0], 2);
	assert_int_equal(info.pkts[1], 1);
	assert_true(info.assured);
	sw_ft_free(ft);
}

static void
test_ft_flush_deletes_everything(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_stats st;
	uint16_t p;

	(void)state;
	for (p = 1; p <= 10; p++)
		assert_int_equal(packet(ft, 17, p, 53, 1, 0, 0), 0);
	sw_ft_flush(ft);
	sweep(ft, 1);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 0);
	assert_int_equal(st.flushed, 10);
	assert_int_equal(st.expired, 0);
	/* Done: new flows stay. */
	assert_int_equal(packet(ft, 17, 1, 53, 1, 0, 2), 0);
	sweep(ft, 2);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 1);
	sw_ft_free(ft);
}

static int
find_first_cb(const struct sw_ft_key *key, const struct sw_ft_info *info,
	      void *arg)
{
	(void)key;
	(void)info;
	(void)arg;
	return 1;
}

static int
count_cb(const struct sw_ft_key *key, const struct sw_ft_info *info,
	 void *arg)
{
	unsigned int *seen = arg;

	(void)info;
	seen[ntohs(key->lo_port) < 64 ? ntohs(key->lo_port) : 0]++;
	return 0;
}

/*
 * show flows streams a listing a chunk at a time: a walk resumed from a
 * cursor sees every flow once, and between chunks the walker is offline,
 * so the owner reuses the slots it deletes while a listing waits on its
 * client (a full table keeps taking new flows as old ones expire).
 */
static void
test_ft_walk_from_resumes_and_lets_owner_reclaim(void **state)
{
	struct sw_ft *ft = make_ft(8, false, 0, 0);
	struct sw_ft_cursor cur = { 0 };
	unsigned int seen[64] = { 0 }, calls = 0, n = 0, p;

	(void)state;
	fill(ft, 1, 0);
	while (!sw_ft_walk_done(ft, &cur)) {
		n += sw_ft_walk_from(ft, 0, &cur, 3, 10, count_cb, seen);
		calls++;
	}
	assert_int_equal(n, 8);
	assert_true(calls > 2);
	for (p = 1; p <= 8; p++)
		assert_int_equal(seen[p], 1);

	/* Mid-listing: the full table expires a flow and takes a new one. */
	memset(&cur, 0, sizeof(cur));
	memset(seen, 0, sizeof(seen));
	while (sw_ft_walk_from(ft, 0, &cur, 1, 10, count_cb, seen) == 0)
		;
	assert_false(sw_ft_walk_done(ft, &cur));
	assert_int_equal(packet(ft, 6, 20, 80, 1, SYN, 20), -ENOSPC);
	sw_ft_set_timeout(ft, SW_FT_TO_tcp_established, 1);
	sweep(ft, 100);
	for (p = 20; p < 28; p++)
		assert_int_equal(packet(ft, 6, (uint16_t)p, 80, 1, SYN, 100),
				 0);
	while (!sw_ft_walk_done(ft, &cur))
		sw_ft_walk_from(ft, 0, &cur, 2, 100, count_cb, seen);
	/* A callback's stop ends the call, not the walk. */
	memset(&cur, 0, sizeof(cur));
	assert_int_equal(sw_ft_walk_from(ft, 0, &cur, UINT32_MAX, 100,
					 find_first_cb, NULL), 1);
	assert_false(sw_ft_walk_done(ft, &cur));
	sw_ft_free(ft);
}

static unsigned int judged;

static bool
judge_odd_ports(unsigned int shard, const struct sw_ft_key *key, int orig_dir,
		uint8_t tag, void *arg)
{
	(void)shard;
	(void)arg;
	judged++;
	assert_int_equal(orig_dir, SW_FT_DIR_LO);
	assert_int_equal(tag, 7);
	return ntohs(key->lo_port) % 2 == 1;
}

static void
test_ft_revalidate_asks_the_judge_once(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_stats st;
	uint16_t p;

	(void)state;
	sw_ft_set_judge(ft, judge_odd_ports, NULL);
	for (p = 1; p <= 10; p++) {
		struct sw_ft_key k = key4(17, p, 53);

		assert_int_equal(sw_ft_insert(s, &k, SW_FT_DIR_LO, 7, 0, 60, 0),
				 0);
	}
	sweep(ft, 1);			/* no request: the judge is not asked */
	assert_int_equal(judged, 0);
	sw_ft_revalidate(ft);
	sweep(ft, 1);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(judged, 10);
	assert_int_equal(st.flows, 5);
	assert_int_equal(st.revalidated, 5);
	sw_ft_free(ft);
}

static void
test_ft_options_change_live(void **state)
{
	struct sw_ft *ft = make_ft(8, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);

	(void)state;
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, ACK, 0), SW_FT_MISS_LOOSE);
	sw_ft_set_options(ft, false, false);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, ACK, 0), SW_FT_MISS_INVALID);
	fill(ft, 0, 0);			/* 8 half-open flows */
	assert_int_equal(packet(ft, 6, 100, 80, 1, SYN, 50), -ENOSPC);
	sw_ft_set_options(ft, true, true);
	assert_int_equal(packet(ft, 6, 101, 80, 1, SYN, 50), 0);
	sw_ft_free(ft);
}

/* ---- a writer inserting and expiring while a reader walks ---- */

struct conc {
	struct sw_ft *ft;
	int stop;		/* atomic: the writer tells the walker */
	int bad;		/* atomic: the walker tells the test */
	unsigned long walks;
	unsigned long visited;
};

static int
check_cb(const struct sw_ft_key *key, const struct sw_ft_info *info, void *arg)
{
	struct conc *c = arg;

	/* The writer keys UDP flows by lo_port == hi_port. */
	if (key->proto != 17 || key->lo_port != key->hi_port ||
	    key->zone != 0 || info->state != SW_FT_UDP)
		__atomic_store_n(&c->bad, 1, __ATOMIC_RELAXED);
	c->visited++;
	return 0;
}

static void *
walker(void *arg)
{
	struct conc *c = arg;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		sw_ft_walk(c->ft, 1, 0, check_cb, c);
		c->walks++;
	}
	return NULL;
}

static void
test_ft_concurrent_walk_while_writing(void **state)
{
	struct conc c = { 0 };
	struct sw_ft_shard *s;
	pthread_t th;
	uint64_t now;
	uint16_t p;
	int rc;

	(void)state;
	c.ft = make_ft(1024, true, 0, 0);
	sw_ft_set_timeout(c.ft, SW_FT_TO_udp, 1);
	s = sw_ft_shard(c.ft, 0);
	pthread_create(&th, NULL, walker, &c);
	for (now = 0; now < 3000; now++) {
		for (p = 0; p < 64; p++) {
			uint16_t port = (uint16_t)((now * 64 + p) % 4000);
			struct sw_ft_key k = key4(17, port, port);

			/* Same port both sides: lo_port == hi_port. */
			rc = sw_ft_insert(s, &k, SW_FT_DIR_LO, 0, 0, 60, now);
			assert_true(rc == 0 || rc == -ENOSPC);
		}
		sw_ft_expire(s, now);
		sw_ft_expire(s, now);
	}
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	printf("concurrent: %lu walks saw %lu flows while 192000 inserts "
	       "ran\n", c.walks, c.visited);
	assert_false(c.bad);
	assert_true(c.walks > 0);
	sw_ft_free(c.ft);
}

static int
eal_setup(void **state)
{
	(void)state;
	return test_eal_init("ft");
}

static int
eal_teardown(void **state)
{
	(void)state;
	test_eal_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ft_hash_siphash_reference_vector),
		cmocka_unit_test(test_ft_hash_keyed_by_secret),
		cmocka_unit_test(test_ft_key_both_directions_meet_v4),
		cmocka_unit_test(test_ft_key_both_directions_meet_v6),
		cmocka_unit_test(test_ft_key_same_address_orders_by_port),
		cmocka_unit_test(test_ft_key_distinguishes_protocol_and_family),
		cmocka_unit_test(test_ft_tcp_transitions),
		cmocka_unit_test(test_ft_tcp_reopen_from_peer_flips_opener),
		cmocka_unit_test(test_ft_miss_kinds),
		cmocka_unit_test(test_ft_udp_icmp_generic_states),
		cmocka_unit_test(test_ft_v6_flow_both_directions),
		cmocka_unit_test(test_ft_expiry_driven_clock),
		cmocka_unit_test(test_ft_busy_flow_stays),
		cmocka_unit_test(test_ft_full_early_drop_takes_oldest_unassured),
		cmocka_unit_test(test_ft_full_of_assured_spills),
		cmocka_unit_test(test_ft_full_without_early_drop_spills),
		cmocka_unit_test(test_ft_adaptive_scaling),
		cmocka_unit_test(test_ft_memory_and_bad_conf),
		cmocka_unit_test(test_ft_insert_existing_key_is_an_update),
		cmocka_unit_test(test_ft_flush_deletes_everything),
		cmocka_unit_test(
			test_ft_walk_from_resumes_and_lets_owner_reclaim),
		cmocka_unit_test(test_ft_revalidate_asks_the_judge_once),
		cmocka_unit_test(test_ft_options_change_live),
		cmocka_unit_test(test_ft_concurrent_walk_while_writing),
	};

	return cmocka_run_group_tests_name("flowtable", tests, eal_setup,
					   eal_teardown);
}
