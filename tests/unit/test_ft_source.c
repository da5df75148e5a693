/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/flowtable unit tests: per-source quotas (ft_source.c).
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

/*
 * A burst may carry a new flow's packet more than once (a retransmitted
 * SYN, a datagram train): the bulk lookup missed them all, yet the
 * second is the flow the first inserted, not another one for the
 * source's quota. Among 40 other sources' flows of the same burst.
 */
static void
test_ft_source_same_burst_counts_once(void **state)
{
	struct sw_ft *ft = make_quota_ft(256, 2, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_pkt p = { .len = 60, .port = 0 };
	static const uint16_t sport[] = { 1, 1, 2, 1, 2 };
	static const int want[] = { 0, 1, 0, 1, 1 };
	uint8_t src[4] = { 192, 0, 2, 1 }, why;
	const struct sw_ft_key *kp[45];
	struct sw_ft_key k[45];
	int32_t pos[45];
	unsigned int i;

	(void)state;
	/* Burst order: other sources' flows and ours interleaved. */
	for (i = 0; i < 45; i++) {
		bool ours = i % 9 == 4;

		src[3] = (uint8_t)(ours ? 1 : 10 + i);
		p.dir = (uint8_t)sw_ft_key_make(&k[i], 4, 17, src, B4,
				htons(ours ? sport[i / 9] : 1000), htons(53));
		kp[i] = &k[i];
	}
	sw_ft_lookup_burst(s, kp, 45, pos);
	for (i = 0; i < 45; i++) {
		bool ours = i % 9 == 4;

		assert_int_equal(pos[i], -ENOENT);
		src[3] = (uint8_t)(ours ? 1 : 10 + i);
		p.dir = (uint8_t)sw_ft_key_make(&k[i], 4, 17, src, B4,
				htons(ours ? sport[i / 9] : 1000), htons(53));
		assert_int_equal(sw_ft_insert(s, &k[i], &p, 1, &why),
				 ours ? want[i / 9] : 0);
	}
	/* Two flows counted, not five: a third is over the quota. */
	assert_int_equal(udp_from(ft, 1, 3, 1), -EDQUOT);
	assert_int_equal(udp_from(ft, 2, 3, 1), 0);
	sw_ft_free(ft);
}

static void
test_ft_source_quota_flows(void **state)
{
	struct sw_ft *ft = make_quota_ft(64, 4, 0);
	struct sw_ft_stats st;
	uint16_t p;

	(void)state;
	for (p = 1; p <= 4; p++)
		assert_int_equal(udp_from(ft, 10, p, 0), 0);
	assert_int_equal(udp_from(ft, 10, 5, 0), -EDQUOT);
	assert_int_equal(udp_from(ft, 11, 5, 0), 0);	/* another source */
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.src_over, 1);
	assert_int_equal(st.flows, 5);
	/* Its flows expire: the source may open again. */
	sweep(ft, 100);
	assert_int_equal(udp_from(ft, 10, 6, 100), 0);
	sw_ft_free(ft);
}

static void
test_ft_source_quota_rate(void **state)
{
	struct sw_ft *ft = make_quota_ft(64, 0, 2);

	(void)state;
	assert_int_equal(udp_from(ft, 10, 1, 10), 0);
	assert_int_equal(udp_from(ft, 10, 2, 10), 0);
	assert_int_equal(udp_from(ft, 10, 3, 10), -EDQUOT);
	assert_int_equal(udp_from(ft, 12, 3, 10), 0);
	/* A second later, two more tokens. */
	assert_int_equal(udp_from(ft, 10, 4, 11), 0);
	assert_int_equal(udp_from(ft, 10, 5, 11), 0);
	assert_int_equal(udp_from(ft, 10, 6, 11), -EDQUOT);
	sw_ft_free(ft);
}

/*
 * Closed connections leave their source's quota, as Linux's connlimit
 * does not count TIME_WAIT and CLOSE: a client that closes what it
 * opens is never locked out by its own TIME_WAIT entries. Its live
 * flows are still held to the quota, and a SYN that reopens a closed
 * flow is a new flow for it.
 */
static void
test_ft_source_quota_skips_closed(void **state)
{
	struct sw_ft *ft = make_quota_ft(64, 2, 0);
	struct sw_ft_key k1 = key4(6, 1, 80);
	struct sw_ft_info info;
	struct sw_ft_stats st;
	uint16_t p;

	(void)state;
	nb_convs = 0;
	for (p = 1; p <= 6; p++)
		open_and_close(ft, p, 1);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 6);		/* six TIME_WAIT entries */
	assert_int_equal(st.src_over, 0);
	assert_int_equal(st.evictable, 6);	/* all of them evictable */
	/* Live flows: two, then the quota holds. */
	assert_int_equal(packet(ft, 6, 20, 80, 1, SYN, 2), 0);
	assert_int_equal(packet(ft, 6, 21, 80, 1, SYN, 2), 0);
	assert_int_equal(packet(ft, 6, 22, 80, 1, SYN, 2), -EDQUOT);
	/*
	 * A valid SYN on a closed tuple: its old flow goes (the worker
	 * then judges the SYN as new), and the new flow is over the quota.
	 */
	assert_int_equal(packet(ft, 6, 1, 80, 1, SYN, 3), -SW_FT_RETRY);
	assert_false(lookup(ft, &k1, 3, NULL));
	assert_int_equal(packet(ft, 6, 1, 80, 1, SYN, 3), -EDQUOT);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.src_over, 2);
	/* A live flow closes: room for one more. */
	assert_int_equal(packet(ft, 6, 20, 80, 0, RST | ACK, 4), 0);
	assert_int_equal(packet(ft, 6, 1, 80, 1, SYN, 4), 0);
	assert_true(lookup(ft, &k1, 4, &info));
	assert_int_equal(info.state, SW_FT_TCP_SYN_SENT);
	assert_int_equal(packet(ft, 6, 23, 80, 1, SYN, 4), -EDQUOT);
	sw_ft_free(ft);
}

/*
 * A quota table whose chains are full (16 sources holding flows, a
 * 16-entry table): a new source must not go unlimited. It takes the
 * place of the lightest entry of its chain and is held at its quota.
 */
static void
test_ft_source_table_full_still_limits(void **state)
{
	struct sw_ft_conf c;
	struct sw_ft *ft;
	struct sw_ft_stats st;
	uint16_t p;
	uint8_t h;

	(void)state;
	sw_ft_conf_defaults(&c);
	c.max_flows = 256;
	c.src_max_flows = 4;
	c.src_max_sources = 16;
	ft = sw_ft_create(&c);
	assert_non_null(ft);
	/* Spoofed fillers: one flow from each of 16 sources. */
	for (h = 100; h < 116; h++)
		assert_int_equal(udp_from(ft, h, 1000, 0), 0);
	/* The attacker's real source, with many flows. */
	for (p = 1; p <= 4; p++)
		assert_int_equal(udp_from(ft, 10, p, 0), 0);
	for (p = 5; p <= 40; p++)
		assert_int_equal(udp_from(ft, 10, p, 0), -EDQUOT);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 16 + 4);
	sw_ft_free(ft);
}

/* Early drop takes the heaviest source's flows before older ones. */
static void
test_ft_early_drop_heaviest_source(void **state)
{
	struct sw_ft *ft = make_quota_ft(8, 100, 0);
	struct sw_ft_stats st;
	uint16_t p;
	int b_left = 0;

	(void)state;
	/* Source .20 opens 2 flows first (oldest), source .10 six later. */
	assert_int_equal(udp_from(ft, 20, 1, 1), 0);
	assert_int_equal(udp_from(ft, 20, 2, 1), 0);
	for (p = 1; p <= 6; p++)
		assert_int_equal(udp_from(ft, 10, p, 5), 0);
	assert_int_equal(udp_from(ft, 30, 1, 6), 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 1);
	/* Both of .20's older flows are still there. */
	for (p = 1; p <= 2; p++) {
		uint8_t src[4] = { 192, 0, 2, 20 };
		struct sw_ft_key k;

		sw_ft_key_make(&k, 4, 17, src, B4, htons(p), htons(53));
		b_left += lookup(ft, &k, 6, NULL);
	}
	assert_int_equal(b_left, 2);
	sw_ft_free(ft);
}

const struct CMUnitTest ft_source_tests[] = {
	cmocka_unit_test(test_ft_source_same_burst_counts_once),
	cmocka_unit_test(test_ft_source_quota_flows),
	cmocka_unit_test(test_ft_source_quota_rate),
	cmocka_unit_test(test_ft_source_quota_skips_closed),
	cmocka_unit_test(test_ft_source_table_full_still_limits),
	cmocka_unit_test(test_ft_early_drop_heaviest_source),
};
const size_t ft_source_nb = RTE_DIM(ft_source_tests);
