/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/flowtable unit tests: connection counters (tags, ft_tag.c) that
 * rules' connection limits use: counted across shards, per source in
 * a sketch, given back whatever deletes a flow.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <rte_common.h>

#include "ft_test.h"

/* A UDP flow from 192.0.2.<host>:sport on shard `shard`, under tag t. */
static int
tagged_udp(struct sw_ft *ft, unsigned int shard, uint8_t host, uint16_t sport,
	   uint16_t t, uint64_t now)
{
	uint8_t src[4] = { 192, 0, 2, host };
	struct sw_ft_shard *s = sw_ft_shard(ft, shard);
	struct sw_ft_pkt p = { .len = 60, .port = 0, .tag = t };
	const struct sw_ft_key *kp;
	struct sw_ft_key k;
	uint8_t why;
	int32_t pos;

	p.dir = (uint8_t)sw_ft_key_make(&k, 4, 17, src, B4, htons(sport),
					htons(53));
	kp = &k;
	sw_ft_lookup_burst(s, &kp, 1, &pos);
	return sw_ft_insert(s, &k, &p, now, &why);
}

/* Expiry polls enough to pass over every slot of every shard. */
static void
sweep_all(struct sw_ft *ft, uint64_t now)
{
	unsigned int i, k;

	for (k = 0; k < sw_ft_nb_shards(ft); k++)
		for (i = 0; i < 64; i++)
			sw_ft_expire(sw_ft_shard(ft, k), now);
}

static struct sw_ft *
make_shards(unsigned int nb)
{
	struct sw_ft_conf c;
	struct sw_ft *ft;

	sw_ft_conf_defaults(&c);
	c.max_flows = 64;
	c.nb_shards = nb;
	ft = sw_ft_create(&c);
	assert_non_null(ft);
	return ft;
}

/*
 * A tag counts the flows that took it on every shard: places are
 * reserved up to max, held by the flows, and come back when they
 * expire or are flushed; a failed insert leaves the place the caller's.
 */
static void
test_ft_tag_counts_across_shards(void **state)
{
	uint8_t h[4] = { 192, 0, 2, 1 };
	struct sw_ft *ft = make_shards(2);
	unsigned int i;

	(void)state;
	assert_int_equal(sw_ft_tag_setup(ft, 5, 0, 0), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(sw_ft_tag_acquire(ft, 5, 4, 4, h), 0);
		/* Two flows on each worker's shard. */
		assert_int_equal(tagged_udp(ft, i % 2, 1, (uint16_t)(100 + i),
					    5, 1), 0);
	}
	assert_int_equal(sw_ft_tag_count(ft, 5), 4);
	assert_false(sw_ft_tag_fits(ft, 5, 4, 4, h));
	assert_int_equal(sw_ft_tag_acquire(ft, 5, 4, 4, h), -EDQUOT);
	assert_int_equal(sw_ft_tag_count(ft, 5), 4);
	/* The same key again: the flow is there, the place not taken. */
	assert_int_equal(sw_ft_tag_acquire(ft, 5, 5, 4, h), 0);
	assert_int_equal(tagged_udp(ft, 0, 1, 100, 5, 2), 1);
	sw_ft_tag_release(ft, 5, 4, h);
	assert_int_equal(sw_ft_tag_count(ft, 5), 4);
	/* Busy: the prefixes cannot change under live flows. */
	assert_int_equal(sw_ft_tag_setup(ft, 5, 24, 64), -EBUSY);
	/* Expiry (udp 30 s) gives every place back. */
	sweep_all(ft, 40);
	assert_int_equal(sw_ft_tag_count(ft, 5), 0);
	assert_true(sw_ft_tag_fits(ft, 5, 4, 4, h));
	/* So does a flush. */
	for (i = 0; i < 3; i++) {
		assert_int_equal(sw_ft_tag_acquire(ft, 5, 4, 4, h), 0);
		assert_int_equal(tagged_udp(ft, i % 2, 1, (uint16_t)(200 + i),
					    5, 50), 0);
	}
	assert_int_equal(sw_ft_tag_count(ft, 5), 3);
	(void)sw_ft_flush(ft, NULL, NULL);
	sweep_all(ft, 51);
	assert_int_equal(sw_ft_tag_count(ft, 5), 0);
	/* Untagged flows count nowhere; tag 0 and past the end refuse. */
	assert_int_equal(tagged_udp(ft, 0, 1, 300, 0, 60), 0);
	assert_int_equal(sw_ft_tag_acquire(ft, 0, 4, 4, h), -EDQUOT);
	assert_int_equal(sw_ft_tag_acquire(ft, SW_FT_MAX_TAGS, 4, 4, h),
			 -EDQUOT);
	assert_int_equal(sw_ft_tag_setup(ft, 5, 24, 0), -EINVAL);
	sw_ft_free(ft);
}

/*
 * Per source: a tag with prefixes counts each /24 apart; hosts of one
 * /24 share its count.
 */
static void
test_ft_tag_per_source(void **state)
{
	struct sw_ft *ft = make_shards(1);
	uint8_t a[4] = { 192, 0, 2, 1 }, b[4] = { 192, 0, 2, 77 };
	uint8_t c[4] = { 198, 51, 100, 1 };
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 9, 9 };
	unsigned int i;

	size_t mem = sw_ft_memory(ft);

	(void)state;
	/* A tag of no source needs no sketch; the first per source does. */
	assert_int_equal(sw_ft_tag_setup(ft, 8, 0, 0), 0);
	assert_int_equal(sw_ft_memory(ft), mem);
	assert_int_equal(sw_ft_tag_setup(ft, 9, 24, 64), 0);
	assert_int_equal(sw_ft_memory(ft), mem + 256 * 1024);
	assert_int_equal(sw_ft_tag_setup(ft, 10, 32, 128), 0);
	assert_int_equal(sw_ft_memory(ft), mem + 256 * 1024);
	for (i = 0; i < 3; i++)
		assert_int_equal(sw_ft_tag_acquire(ft, 9, 3, 4, a), 0);
	assert_int_equal(sw_ft_tag_acquire(ft, 9, 3, 4, b), -EDQUOT);
	for (i = 0; i < 3; i++)
		assert_int_equal(sw_ft_tag_acquire(ft, 9, 3, 4, c), 0);
	assert_int_equal(sw_ft_tag_acquire(ft, 9, 3, 4, c), -EDQUOT);
	for (i = 0; i < 3; i++)
		assert_int_equal(sw_ft_tag_acquire(ft, 9, 3, 6, v6), 0);
	v6[15] = 1;	/* the same /64 */
	assert_false(sw_ft_tag_fits(ft, 9, 3, 6, v6));
	assert_int_equal(sw_ft_tag_count(ft, 9), 9);
	sw_ft_tag_release(ft, 9, 4, b);	/* a's /24 */
	assert_int_equal(sw_ft_tag_acquire(ft, 9, 3, 4, b), 0);
	assert_int_equal(sw_ft_tag_acquire(ft, 9, 3, 4, a), -EDQUOT);
	/* A flow given the tag gives the source's place back with it. */
	sw_ft_tag_release(ft, 9, 4, a);
	assert_int_equal(sw_ft_tag_acquire(ft, 9, 3, 4, a), 0);
	assert_int_equal(tagged_udp(ft, 0, 1, 7, 9, 1), 0);
	assert_int_equal(sw_ft_tag_acquire(ft, 9, 3, 4, a), -EDQUOT);
	sweep_all(ft, 40);
	assert_int_equal(sw_ft_tag_acquire(ft, 9, 3, 4, a), 0);
	sw_ft_free(ft);
}

/*
 * A connection that closes leaves its count, as nf_conncount does not
 * count closed ones; a SYN that reopens it goes back to the rules
 * (RETRY), to take a place again.
 */
static void
test_ft_tag_closed_leaves_count(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);

	(void)state;
	assert_int_equal(sw_ft_tag_setup(ft, 2, 0, 0), 0);
	assert_int_equal(sw_ft_tag_acquire(ft, 2, 1, 4, A4), 0);
	insert_tag = 2;
	assert_int_equal(packet(ft, 6, 1000, 80, 1, SYN, 1), 0);
	insert_tag = 0;
	assert_int_equal(packet(ft, 6, 1000, 80, 0, SYN | ACK, 1), 0);
	assert_int_equal(packet(ft, 6, 1000, 80, 1, ACK, 1), 0);
	assert_int_equal(sw_ft_tag_count(ft, 2), 1);
	assert_int_equal(sw_ft_tag_acquire(ft, 2, 1, 4, A4), -EDQUOT);
	/* The client resets: CLOSE, the place is free at once. */
	assert_int_equal(packet(ft, 6, 1000, 80, 1, RST, 2), 0);
	assert_int_equal(sw_ft_tag_count(ft, 2), 0);
	/* Its next SYN on the tuple is judged again, as a new flow. */
	assert_int_equal(packet(ft, 6, 1000, 80, 1, SYN, 3), -SW_FT_RETRY);
	/* The entry is gone: the expiry of the closed one frees nothing. */
	sweep(ft, 100);
	assert_int_equal(sw_ft_tag_count(ft, 2), 0);
	sw_ft_free(ft);
}

const struct CMUnitTest ft_tag_tests[] = {
	cmocka_unit_test(test_ft_tag_closed_leaves_count),
	cmocka_unit_test(test_ft_tag_counts_across_shards),
	cmocka_unit_test(test_ft_tag_per_source),
};
const size_t ft_tag_nb = RTE_DIM(ft_tag_tests);
