/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/flowtable unit tests: the table: inserts, misses, expiry, early drop, spilling, walks, flushes (ft_table.c).
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

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_lcore.h>

#include "ft_test.h"

static void
test_ft_udp_assured_after_two_seconds(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_key k = key4(17, 5353, 53);
	struct sw_ft_info info;

	(void)state;
	assert_int_equal(packet(ft, 17, 5353, 53, 1, 0, 10), 0);
	assert_int_equal(packet(ft, 17, 5353, 53, 0, 0, 10), 0);
	assert_true(lookup(ft, &k, 10, &info));
	assert_true(info.replied);
	assert_false(info.assured);		/* a query and its answer */
	assert_int_equal(info.state, SW_FT_UDP);
	assert_int_equal(info.remaining, 30);
	assert_int_equal(packet(ft, 17, 5353, 53, 1, 0, 12), 0);
	assert_true(lookup(ft, &k, 12, &info));
	assert_true(info.assured);		/* both ways, 2 s old */
	assert_int_equal(info.state, SW_FT_UDP_STREAM);
	assert_int_equal(info.remaining, 180);
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
	/* Valid, but no way to open a flow: only the fallback may see it. */
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, SYN | ACK, 0),
			 SW_FT_MISS_MIDSTREAM);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, RST, 0),
			 SW_FT_MISS_MIDSTREAM);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, FIN | ACK, 0),
			 SW_FT_MISS_MIDSTREAM);
	/* Impossible flag sets: XMAS, NULL, SYN+FIN, FIN alone. */
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, SYN | FIN, 0),
			 SW_FT_MISS_INVALID);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, 0x3f, 0),
			 SW_FT_MISS_INVALID);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, 0, 0), SW_FT_MISS_INVALID);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, FIN, 0), SW_FT_MISS_INVALID);
	assert_false(sw_ft_tcp_flags_valid(SYN | FIN));
	assert_false(sw_ft_tcp_flags_valid(0));
	assert_true(sw_ft_tcp_flags_valid(SYN | ACK | 0xc0));
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
			 SW_FT_MISS_MIDSTREAM);
	assert_false(sw_ft_loose(ss));
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
	assert_int_equal(packet(ft, 17, 5353, 53, 1, 0, 12), 0);
	assert_true(lookup(ft, &k, 12, &info));
	assert_int_equal(info.state, SW_FT_UDP_STREAM);
	assert_int_equal(info.remaining, 180);
	assert_true(info.assured);
	assert_int_equal(info.pkts[0], 2);
	assert_int_equal(info.pkts[1], 1);

	/* ICMP echo: both directions carry the id in both "ports". */
	assert_int_equal(packet(ft, 1, 77, 77, 1, 0, 12), 0);
	k = key4(1, 77, 77);
	assert_true(lookup(ft, &k, 12, &info));
	assert_int_equal(info.state, SW_FT_ICMP);
	assert_int_equal(info.remaining, 30);
	assert_int_equal(packet(ft, 1, 77, 77, 0, 0, 13), 0);
	assert_int_equal(packet(ft, 1, 77, 77, 1, 0, 20), 0);
	assert_true(lookup(ft, &k, 20, &info));
	assert_true(info.replied);
	assert_false(info.assured);	/* echo is never assured */

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
	struct sw_ft_pkt syn = { .len = 80, .seq = 100, .win = 1000,
				 .tcp_flags = SYN, .port = 0,
				 .wscale = SW_FT_NO_WSCALE };
	struct sw_ft_pkt synack = { .len = 80, .seq = 900, .ack = 101,
				    .sack = 101, .win = 1000,
				    .tcp_flags = SYN | ACK, .port = 1,
				    .wscale = SW_FT_NO_WSCALE };
	struct sw_ft_pkt ack = { .len = 60, .seq = 101, .ack = 901,
				 .sack = 901, .win = 1000, .tcp_flags = ACK,
				 .port = 0, .wscale = SW_FT_NO_WSCALE };
	uint8_t why;

	d1 = sw_ft_key_make(&k1, 6, 6, a, b, htons(40000), htons(443));
	syn.dir = ack.dir = (uint8_t)d1;
	assert_int_equal(sw_ft_insert(s, &k1, &syn, 1, &why), 0);
	d2 = sw_ft_key_make(&k2, 6, 6, b, a, htons(443), htons(40000));
	synack.dir = (uint8_t)d2;
	sw_ft_lookup_burst(s, &kp, 1, &pos);
	assert_true(pos >= 0);
	assert_int_equal(sw_ft_update(s, pos, &synack, 2, NULL), SW_FT_OK);
	assert_int_equal(sw_ft_update(s, pos, &ack, 3, NULL), SW_FT_OK);
	assert_true(lookup(ft, &k1, 3, &info));
	assert_int_equal(info.state, SW_FT_TCP_ESTABLISHED);
	assert_int_equal(info.pkts[0], 2);
	assert_int_equal(info.pkts[1], 1);
	assert_int_equal(info.bytes[0], 140);
	sw_ft_free(ft);
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

/* Linux's early drop also takes assured flows that are closing. */
static void
test_ft_early_drop_takes_closing_assured(void **state)
{
	struct sw_ft *ft = make_ft(8, true, 0, 0);
	struct sw_ft_key closing = key4(6, 5, 80);
	struct sw_ft_stats st;

	(void)state;
	fill(ft, 1, 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.evictable, 0);
	/* Flow 5 closes: FIN from the opener, FIN_WAIT. */
	assert_int_equal(packet(ft, 6, 5, 80, 1, FIN | ACK, 20), 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.evictable, 1);
	assert_int_equal(packet(ft, 6, 100, 80, 1, SYN, 30), 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 1);
	assert_int_equal(st.insert_failed, 0);
	assert_false(lookup(ft, &closing, 30, NULL));
	sw_ft_free(ft);
}

/*
 * No blind spot: in a shard of assured flows with one evictable flow
 * anywhere, early drop finds it within a couple of attempts (each scans
 * on from where the last stopped), and a shard with none refuses at
 * once, every time.
 */
static void
test_ft_early_drop_has_no_blind_spot(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_stats st;
	unsigned int tries;
	uint16_t p;

	(void)state;
	for (p = 1; p <= 64; p++) {
		assert_int_equal(packet(ft, 6, p, 80, 1, SYN, p), 0);
		assert_int_equal(packet(ft, 6, p, 80, 0, SYN | ACK, p), 0);
		if (p != 37)
			assert_int_equal(packet(ft, 6, p, 80, 1, ACK, p), 0);
	}
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.evictable, 1);
	for (tries = 1; tries <= 3; tries++)
		if (packet(ft, 6, 1000 + tries, 80, 1, SYN, 100) == 0)
			break;
	assert_true(tries <= 2);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 1);
	/* The newcomer is evictable now; make it assured too. */
	assert_int_equal(packet(ft, 6, 1000 + tries, 80, 0, SYN | ACK, 100),
			 0);
	assert_int_equal(packet(ft, 6, 1000 + tries, 80, 1, ACK, 100), 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.evictable, 0);
	for (p = 0; p < 100; p++)
		assert_int_equal(packet(ft, 6, 2000 + p, 80, 1, SYN, 101),
				 -ENOSPC);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 1);
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
		/* Reported in per mille: 1024ths rounded down. */
		assert_int_equal(st.adaptive_scale_permille,
				 rows[i].q10 * 1000 / 1024);
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
	assert_true(st.adaptive_scale_permille > 341 * 1000 / 1024);
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
	struct sw_ft_pkt lo = { .len = 60, .dir = SW_FT_DIR_LO, .port = 0 };
	struct sw_ft_pkt hi = { .len = 60, .dir = SW_FT_DIR_HI, .port = 1 };
	uint8_t why;

	sw_ft_lookup_burst(s, &kp, 1, &pos);
	assert_int_equal(sw_ft_insert(s, &k, &lo, 1, &why), 0);
	/* A re-lookup of another key mid-burst must not hide the insert. */
	assert_true(sw_ft_lookup(s, &k) >= 0);
	assert_int_equal(sw_ft_insert(s, &k, &hi, 2, &why), 1);
	/* Even a new burst that skipped the lookup: still an update. */
	sw_ft_lookup_burst(s, &kp, 0, &pos);
	assert_int_equal(sw_ft_insert(s, &k, &lo, 3, &why), 1);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 1);
	assert_int_equal(st.inserts, 1);
	assert_true(lookup(ft, &k, 3, &info));
	assert_int_equal(info.pkts[0], 2);
	assert_int_equal(info.pkts[1], 1);
	assert_true(info.assured);
	sw_ft_free(ft);
}

/*
 * The worker hashes each key once and hands the hash to the lookup and
 * the insert: the same flows as the unhashed calls, in either order,
 * for IPv4 and IPv6 keys; the hash is the key's and nothing else.
 */
static void
test_ft_hashed_calls_match(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_key k[2] = { key4(17, 7, 53), key4(18, 7, 53) };
	const struct sw_ft_key *kp[2] = { &k[0], &k[1] };
	struct sw_ft_pkt lo = { .len = 60, .dir = SW_FT_DIR_LO, .port = 0 };
	uint32_t h[2] = { sw_ft_key_hash(&k[0]), sw_ft_key_hash(&k[1]) };
	int32_t pos[2], pos2[2];
	uint8_t why;

	(void)state;
	sw_ft_lookup_burst_hash(s, kp, h, 2, pos);
	assert_true(pos[0] < 0 && pos[1] < 0);
	assert_int_equal(sw_ft_insert_hash(s, &k[0], h[0], &lo, 1, &why), 0);
	assert_int_equal(sw_ft_insert(s, &k[1], &lo, 1, &why), 0);
	/* Either lookup finds both, at the same slots. */
	sw_ft_lookup_burst_hash(s, kp, h, 2, pos);
	sw_ft_lookup_burst(s, kp, 2, pos2);
	assert_true(pos[0] >= 0 && pos[1] >= 0 && pos[0] != pos[1]);
	assert_int_equal(pos[0], pos2[0]);
	assert_int_equal(pos[1], pos2[1]);
	/* Inserting again by hash is an update of the same flow. */
	assert_int_equal(sw_ft_insert_hash(s, &k[1], h[1], &lo, 2, &why), 1);
	/* The hash is not a key: another key's hash finds nothing. */
	h[0] = h[1];
	sw_ft_lookup_burst_hash(s, kp, h, 1, pos);
	assert_true(pos[0] < 0);
	sw_ft_free(ft);
}

static void
test_ft_flush_deletes_everything(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_stats st;
	uint16_t p;

	(void)state;
	uint64_t n = 99;
	uint32_t t;

	(void)state;
	for (p = 1; p <= 10; p++)
		assert_int_equal(packet(ft, 17, p, 53, 1, 0, 0), 0);
	t = sw_ft_flush(ft, NULL, NULL);
	/* Asked, not done: no worker has swept yet. */
	assert_false(sw_ft_flush_done(ft, t, &n));
	assert_int_equal(n, 99);
	sweep(ft, 1);
	assert_true(sw_ft_flush_done(ft, t, &n));
	assert_int_equal(n, 10);
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

/* The filter of a flush: odd source ports go. */
static bool
odd_port(unsigned int shard, const struct sw_ft_key *k, int orig_dir,
	 uint8_t port, uint8_t state, void *arg)
{
	(void)shard;
	(void)port;
	(void)state;
	(*(unsigned int *)arg)++;
	return (orig_dir == SW_FT_DIR_LO ? ntohs(k->lo_port) :
		ntohs(k->hi_port)) % 2 == 1;
}

static void
test_ft_flush_filtered_counts_what_it_deleted(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_stats st;
	unsigned int asked = 0;
	uint64_t n = 0;
	uint32_t t;
	uint16_t p;

	(void)state;
	for (p = 1; p <= 10; p++)
		assert_int_equal(packet(ft, 17, 1000 + p, 53, 1, 0, 0), 0);
	t = sw_ft_flush(ft, odd_port, &asked);
	sweep(ft, 1);
	assert_true(sw_ft_flush_done(ft, t, &n));
	assert_int_equal(n, 5);
	assert_int_equal(asked, 10);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 5);
	assert_int_equal(st.flushed, 5);
	/* The filter is let go with the pass: later sweeps never ask it. */
	sweep(ft, 2);
	assert_int_equal(asked, 10);
	/* A second flush, all: the 5 left, counted on their own. */
	t = sw_ft_flush(ft, NULL, NULL);
	sweep(ft, 3);
	assert_true(sw_ft_flush_done(ft, t, &n));
	assert_int_equal(n, 5);
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

/* A new UDP flow A:ap -> B:53 at now (no TCP model: any number). */
static int
udp_new(struct sw_ft *ft, uint16_t ap, uint64_t now)
{
	struct sw_ft_key k = key4(17, ap, 53);
	struct sw_ft_pkt pk = { .len = 60, .dir = SW_FT_DIR_LO };
	uint8_t why;

	return sw_ft_insert(sw_ft_shard(ft, 0), &k, &pk, now, &why);
}

static int
odd_port_cb(const struct sw_ft_key *key, const struct sw_ft_info *info,
	    void *arg)
{
	unsigned int *odd = arg;

	(void)info;
	*odd += ntohs(key->lo_port) % 2;
	return 0;
}

/*
 * The sweep visits every live flow, wherever it sits among 32-slot
 * batches and the table's wrap: 1,000 flows whose ages alternate slot
 * by slot expire exactly as their timeouts say.
 */
static void
test_ft_sweep_expires_every_flow(void **state)
{
	struct sw_ft *ft = make_ft(1000, false, 0, 0);
	struct sw_ft_stats st;
	unsigned int odd = 0;
	uint16_t p;

	(void)state;
	sw_ft_set_timeout(ft, SW_FT_TO_udp, 60);
	for (p = 1000; p < 2000; p++)
		assert_int_equal(udp_new(ft, p, p % 2 ? 1 : 50), 0);
	/* A pass over the table at 100: the odd ports are 99 s idle. */
	sweep(ft, 100);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.expired, 500);
	assert_int_equal(st.flows, 500);
	assert_int_equal(sw_ft_walk(ft, 0, 100, odd_port_cb, &odd), 500);
	assert_int_equal(odd, 0);
	/* Their slots are taken again, and the rest expire in turn. */
	for (p = 3000; p < 3500; p++)
		assert_int_equal(udp_new(ft, p, 150), 0);
	sweep(ft, 200);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.expired, 1000);
	assert_int_equal(st.flows, 500);
	sweep(ft, 300);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.expired, 1500);
	assert_int_equal(st.flows, 0);
	sw_ft_free(ft);
}

/*
 * The hand goes round a shard in no less than 50 ms: on a millisecond
 * clock, 1,000 expired flows (33 batches of slots) are not all gone
 * after 1,000 polls in one millisecond nor after 50 ms of polls, are
 * after 100 ms, and a flush is served at once whatever the clock says.
 */
static void
test_ft_sweep_turn_takes_50ms(void **state)
{
	struct sw_ft *ft = make_ft_hz(1000, 1000);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_stats st;
	uint64_t now, n;
	uint32_t t;
	uint16_t p;
	int i;

	(void)state;
	sw_ft_set_timeout(ft, SW_FT_TO_udp, 1);
	for (p = 1000; p < 2000; p++)
		assert_int_equal(udp_new(ft, p, 0), 0);
	for (i = 0; i < 1000; i++)
		sw_ft_expire(s, 5000);
	sw_ft_shard_stats(ft, 0, &st);
	/* One batch was due at 5000 (the first poll), not the rest. */
	assert_true(st.expired > 0 && st.expired <= 32);
	for (now = 5001; now < 5050; now++)
		sw_ft_expire(s, now);
	sw_ft_shard_stats(ft, 0, &st);
	assert_true(st.expired < 1000);
	for (; now <= 5100; now++)
		sw_ft_expire(s, now);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.expired, 1000);
	/* A flush does not wait for the clock. */
	for (p = 3000; p < 3100; p++)
		assert_int_equal(udp_new(ft, p, now), 0);
	t = sw_ft_flush(ft, NULL, NULL);
	for (i = 0; i < 40 && !sw_ft_flush_done(ft, t, &n); i++)
		sw_ft_expire(s, now);
	assert_true(sw_ft_flush_done(ft, t, &n));
	assert_int_equal(n, 100);
	sw_ft_free(ft);
}

struct held {
	struct sw_ft *ft;
	int done;
	unsigned int ok;	/* new flows the owner placed mid-walk */
};

/* The owner's work, run while this walker is online in shard 0. */
static int
churn_cb(const struct sw_ft_key *key, const struct sw_ft_info *info,
	 void *arg)
{
	struct held *h = arg;
	uint16_t p;

	(void)key;
	(void)info;
	if (h->done++)
		return 0;
	/* Every flow expires and is deleted... */
	sw_ft_set_timeout(h->ft, SW_FT_TO_udp, 1);
	sweep(h->ft, 100);
	/* ...but no deleted slot may hold a new one while we read. */
	for (p = 20; p < 28; p++)
		h->ok += packet(h->ft, 17, p, 53, 1, 0, 100) == 0;
	return 0;
}

/*
 * The grace period: a slot deleted while a walker is online is not
 * handed to a new flow until that walker has gone, and then is at the
 * owner's next poll or the next insert that finds no free slot.
 * (Fails if the owner frees deleted slots without asking the walkers.)
 */
static void
test_ft_deleted_slots_wait_for_walkers(void **state)
{
	struct sw_ft *ft = make_ft(8, false, 0, 0);
	struct held h = { .ft = ft };
	struct sw_ft_stats st;
	uint16_t p;

	(void)state;
	for (p = 1; p <= 8; p++)
		assert_int_equal(packet(ft, 17, p, 53, 1, 0, 1), 0);
	sw_ft_walk(ft, 0, 1, churn_cb, &h);
	assert_int_equal(h.done, 1);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.expired, 8);
	/* Only the hash's spare slots (never deleted ones) were free. */
	assert_true(h.ok < 4);
	assert_int_equal(st.insert_busy, 8 - h.ok);
	/* Walker gone: the next insert that finds no slot reclaims. */
	for (p = (uint16_t)(20 + h.ok); p < 28; p++)
		assert_int_equal(packet(ft, 17, p, 53, 1, 0, 101), 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 8);
	sw_ft_free(ft);
}

static unsigned int judged;

static bool
judge_odd_ports(unsigned int shard, const struct sw_ft_key *key, int orig_dir,
		uint8_t port, uint8_t state, void *arg)
{
	(void)shard;
	(void)arg;
	judged++;
	assert_int_equal(orig_dir, SW_FT_DIR_LO);
	assert_int_equal(port, 7);
	assert_int_equal(state, SW_FT_UDP);
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
		struct sw_ft_pkt pk = { .len = 60, .dir = SW_FT_DIR_LO,
					.port = 7 };
		uint8_t why;

		assert_int_equal(sw_ft_insert(s, &k, &pk, 0, &why), 0);
	}
	sweep(ft, 1);			/* no request: the judge is not asked */
	assert_int_equal(judged, 0);
	assert_false(sw_ft_revalidate_pending(ft));
	sw_ft_revalidate(ft);
	assert_true(sw_ft_revalidate_pending(ft));
	sweep(ft, 1);
	assert_false(sw_ft_revalidate_pending(ft));
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
	sw_ft_set_options(ft, false, false, false);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, ACK, 0),
			 SW_FT_MISS_MIDSTREAM);
	fill(ft, 0, 0);			/* 8 half-open flows */
	assert_int_equal(packet(ft, 6, 100, 80, 1, SYN, 50), -ENOSPC);
	sw_ft_set_options(ft, true, false, true);
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

			struct sw_ft_pkt pk = { .len = 60,
						.dir = SW_FT_DIR_LO };
			uint8_t why;

			/* Same port both sides: lo_port == hi_port. */
			rc = sw_ft_insert(s, &k, &pk, now, &why);
			/*
			 * -EBUSY: slots deleted during a walk wait out its
			 * grace period, and the key store may run dry.
			 */
			if (rc != 0 && rc != -ENOSPC && rc != -EBUSY)
				fail_msg("insert at %llu: %d",
					 (unsigned long long)now, rc);
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

/*
 * Regression (issue 22, item 5): two spoofed queries 2 s apart to a
 * service that answers make a UDP flow assured; a table full of them
 * refused every new flow. Early drop now takes assured UDP flows once
 * no unassured one is left; assured TCP stays.
 */
static void
test_ft_early_drop_takes_assured_udp(void **state)
{
	struct sw_ft *ft = make_ft(8, true, 0, 0);
	struct sw_ft_key k = key4(6, 100, 80);
	struct sw_ft_stats st;
	uint16_t p;

	(void)state;
	for (p = 1; p <= 6; p++) {
		assert_int_equal(packet(ft, 17, p, 53, 1, 0, p), 0);
		assert_int_equal(packet(ft, 17, p, 53, 0, 0, p), 0);
		assert_int_equal(packet(ft, 17, p, 53, 1, 0, p + 2), 0);
	}
	for (p = 7; p <= 8; p++) {
		assert_int_equal(packet(ft, 6, p, 80, 1, SYN, 9), 0);
		assert_int_equal(packet(ft, 6, p, 80, 0, SYN | ACK, 9), 0);
		assert_int_equal(packet(ft, 6, p, 80, 1, ACK, 9), 0);
	}
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 8);
	assert_int_equal(st.evictable, 0);
	assert_int_equal(st.evictable_assured, 6);
	assert_int_equal(packet(ft, 6, 100, 80, 1, SYN, 10), 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 0);
	assert_int_equal(st.early_drops_assured, 1);
	assert_int_equal(st.evictable_assured, 5);
	assert_int_equal(st.insert_failed, 0);
	assert_true(lookup(ft, &k, 10, NULL));
	/* The assured TCP flows were never the victims. */
	for (p = 7; p <= 8; p++) {
		struct sw_ft_key kt = key4(6, p, 80);

		assert_true(lookup(ft, &kt, 10, NULL));
	}
	/* An unassured flow is still taken before an assured UDP one. */
	assert_int_equal(packet(ft, 6, 101, 80, 1, SYN, 11), 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 1);
	assert_int_equal(st.early_drops_assured, 1);
	sw_ft_free(ft);
}

const struct CMUnitTest ft_table_tests[] = {
	cmocka_unit_test(test_ft_udp_assured_after_two_seconds),
	cmocka_unit_test(test_ft_miss_kinds),
	cmocka_unit_test(test_ft_udp_icmp_generic_states),
	cmocka_unit_test(test_ft_v6_flow_both_directions),
	cmocka_unit_test(test_ft_expiry_driven_clock),
	cmocka_unit_test(test_ft_busy_flow_stays),
	cmocka_unit_test(test_ft_full_early_drop_takes_oldest_unassured),
	cmocka_unit_test(test_ft_full_of_assured_spills),
	cmocka_unit_test(test_ft_early_drop_takes_closing_assured),
	cmocka_unit_test(test_ft_early_drop_has_no_blind_spot),
	cmocka_unit_test(test_ft_full_without_early_drop_spills),
	cmocka_unit_test(test_ft_adaptive_scaling),
	cmocka_unit_test(test_ft_memory_and_bad_conf),
	cmocka_unit_test(test_ft_insert_existing_key_is_an_update),
	cmocka_unit_test(test_ft_hashed_calls_match),
	cmocka_unit_test(test_ft_flush_deletes_everything),
	cmocka_unit_test(test_ft_flush_filtered_counts_what_it_deleted),
	cmocka_unit_test(test_ft_walk_from_resumes_and_lets_owner_reclaim),
	cmocka_unit_test(test_ft_deleted_slots_wait_for_walkers),
	cmocka_unit_test(test_ft_sweep_expires_every_flow),
	cmocka_unit_test(test_ft_sweep_turn_takes_50ms),
	cmocka_unit_test(test_ft_revalidate_asks_the_judge_once),
	cmocka_unit_test(test_ft_options_change_live),
	cmocka_unit_test(test_ft_concurrent_walk_while_writing),
	cmocka_unit_test(test_ft_early_drop_takes_assured_udp),
};
const size_t ft_table_nb = RTE_DIM(ft_table_tests);
