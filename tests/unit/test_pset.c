/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/pset unit tests: membership, batches all or none, replace, the
 * listing, readers that race updates; element timeouts (on the
 * caller's clock: no test sleeps), the content's digest, the sorted
 * snapshot and a set copied into a larger one.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "eal.h"
#include "sw_pset.h"

/* RTE_IPV4 shifts ints: 192 << 24 is undefined. */
static uint32_t
ip4(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	return a << 24 | b << 16 | c << 8 | d;
}

static struct sw_pset_prefix
pfx(const char *s)
{
	struct sw_pset_prefix p;
	char buf[64], *slash;

	memset(&p, 0, sizeof(p));
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, p.addr) == 1) {
		p.family = 4;
		p.plen = slash ? (uint8_t)atoi(slash + 1) : 32;
	} else {
		assert_int_equal(inet_pton(AF_INET6, buf, p.addr), 1);
		p.family = 6;
		p.plen = slash ? (uint8_t)atoi(slash + 1) : 128;
	}
	return p;
}

static struct sw_pset *
mkset(uint8_t family, uint32_t max, struct rte_rcu_qsbr *qs)
{
	struct sw_pset_conf c = {
		.name = "t", .family = family, .max4 = max, .max6 = max,
		.socket_id = SOCKET_ID_ANY, .qs = qs,
	};
	struct sw_pset *s = sw_pset_create(&c);

	assert_non_null(s);
	return s;
}

/* Membership of one address, as a worker sees it. */
static int
in4(const struct sw_pset *s, const char *a)
{
	uint8_t b[4];
	uint32_t ip;
	uint64_t r;

	assert_int_equal(inet_pton(AF_INET, a, b), 1);
	memcpy(&ip, b, 4);
	ip = rte_be_to_cpu_32(ip);
	sw_pset_lookup4(s, &ip, 1, &r);
	return r != 0;
}

static int
in6(const struct sw_pset *s, const char *a)
{
	uint8_t b[1][16];
	uint64_t r;

	assert_int_equal(inet_pton(AF_INET6, a, b[0]), 1);
	sw_pset_lookup6(s, (const uint8_t (*)[16])b, 1, &r);
	return r != 0;
}

static void
add(struct sw_pset *s, const char *a, bool del)
{
	struct sw_pset_prefix p = pfx(a);
	struct sw_pset_result r;

	assert_int_equal(sw_pset_update(s, &p, 1, del, &r), 0);
}

static void
test_pset_membership_by_any_prefix(void **state)
{
	struct sw_pset *s = mkset(0, 64, NULL);

	(void)state;
	add(s, "198.51.100.0/24", false);
	add(s, "198.51.100.7/32", false);
	add(s, "2001:db8:1::/48", false);
	assert_int_equal(in4(s, "198.51.100.200"), 1);
	assert_int_equal(in4(s, "198.51.100.7"), 1);
	assert_int_equal(in4(s, "198.51.101.1"), 0);
	assert_int_equal(in6(s, "2001:db8:1:ffff::1"), 1);
	assert_int_equal(in6(s, "2001:db8:2::1"), 0);
	/* The /32 goes; the /24 still holds its address. */
	add(s, "198.51.100.7/32", true);
	assert_int_equal(in4(s, "198.51.100.7"), 1);
	add(s, "198.51.100.0/24", true);
	assert_int_equal(in4(s, "198.51.100.7"), 0);
	assert_int_equal(sw_pset_count(s, 4), 0);
	assert_int_equal(sw_pset_count(s, 6), 1);
	sw_pset_free(s);
}

static void
test_pset_zero_prefix_and_test(void **state)
{
	struct sw_pset *s = mkset(4, 8, NULL);
	struct sw_pset_prefix m;
	uint8_t a[4] = { 192, 0, 2, 9 };

	(void)state;
	assert_false(sw_pset_test(s, 4, a, &m));
	add(s, "192.0.2.0/24", false);
	assert_true(sw_pset_test(s, 4, a, &m));
	assert_int_equal(m.plen, 24);
	assert_int_equal(m.addr[2], 2);
	add(s, "0.0.0.0/0", false);
	assert_int_equal(in4(s, "203.0.113.1"), 1);
	assert_false(sw_pset_test(s, 6, a, &m));	/* not its family */
	sw_pset_free(s);
}

static void
test_pset_batch_counts_duplicates_once(void **state)
{
	struct sw_pset *s = mkset(4, 8, NULL);
	struct sw_pset_prefix p[3] = {
		pfx("192.0.2.1"), pfx("192.0.2.1"), pfx("192.0.2.2"),
	};
	struct sw_pset_result r;

	(void)state;
	assert_int_equal(sw_pset_update(s, p, 3, false, &r), 0);
	assert_int_equal(r.changed, 2);
	assert_int_equal(r.unchanged, 1);
	assert_int_equal(sw_pset_update(s, p, 3, false, &r), 0);
	assert_int_equal(r.changed, 0);
	assert_int_equal(r.unchanged, 3);
	assert_int_equal(sw_pset_update(s, p, 3, true, &r), 0);
	assert_int_equal(r.changed, 2);
	assert_int_equal(sw_pset_count(s, 4), 0);
	sw_pset_free(s);
}

/* A batch that does not fit changes nothing. */
static void
test_pset_full_batch_changes_nothing(void **state)
{
	struct sw_pset *s = mkset(4, 4, NULL);
	struct sw_pset_prefix p[6];
	struct sw_pset_result r;
	char a[32];
	int i;

	(void)state;
	for (i = 0; i < 6; i++) {
		snprintf(a, sizeof(a), "192.0.2.%d", i + 1);
		p[i] = pfx(a);
	}
	assert_int_equal(sw_pset_update(s, p, 6, false, &r), -ENOSPC);
	assert_int_equal(r.failed, 4);
	assert_int_equal(sw_pset_count(s, 4), 0);
	assert_int_equal(in4(s, "192.0.2.1"), 0);
	assert_int_equal(sw_pset_update(s, p, 4, false, &r), 0);
	assert_int_equal(in4(s, "192.0.2.4"), 1);
	/* Wrong family: refused, named. */
	p[5] = pfx("2001:db8::1");
	assert_int_equal(sw_pset_update(s, &p[5], 1, false, &r), -EINVAL);
	sw_pset_free(s);
}

static void
test_pset_replace_swaps_whole(void **state)
{
	struct sw_pset *s = mkset(0, 16, NULL);
	struct sw_pset_prefix p[3] = {
		pfx("203.0.113.0/24"), pfx("2001:db8::/32"),
		pfx("203.0.113.0/24"),
	};
	struct sw_pset_result r;

	(void)state;
	add(s, "192.0.2.0/24", false);
	assert_int_equal(sw_pset_replace(s, p, 3, &r), 0);
	assert_int_equal(r.changed, 2);
	assert_int_equal(in4(s, "192.0.2.1"), 0);
	assert_int_equal(in4(s, "203.0.113.9"), 1);
	assert_int_equal(in6(s, "2001:db8::5"), 1);
	assert_int_equal(sw_pset_count(s, 4), 1);
	/* The other copy was remade too: another change keeps it all. */
	add(s, "198.51.100.0/24", false);
	assert_int_equal(in4(s, "203.0.113.9"), 1);
	assert_int_equal(in4(s, "192.0.2.1"), 0);
	sw_pset_free(s);
}

static void
test_pset_replace_too_big_keeps_old(void **state)
{
	struct sw_pset *s = mkset(4, 2, NULL);
	struct sw_pset_prefix p[3] = {
		pfx("203.0.113.1"), pfx("203.0.113.2"), pfx("203.0.113.3"),
	};
	struct sw_pset_result r;

	(void)state;
	add(s, "192.0.2.0/24", false);
	assert_int_equal(sw_pset_replace(s, p, 3, &r), -ENOSPC);
	assert_int_equal(in4(s, "192.0.2.1"), 1);
	assert_int_equal(in4(s, "203.0.113.1"), 0);
	/* Both copies still hold the old content. */
	add(s, "198.51.100.0/24", false);
	assert_int_equal(in4(s, "192.0.2.1"), 1);
	sw_pset_free(s);
}

static int
collect(const struct sw_pset_prefix *p, void *arg)
{
	unsigned int *n = arg;

	(*n) += p->plen;
	return 0;
}

static void
test_pset_walk_in_pieces(void **state)
{
	struct sw_pset *s = mkset(0, 64, NULL);
	struct sw_pset_pos pos;
	unsigned int sum = 0, n, calls = 0, total = 0;
	char a[64];
	int i;

	(void)state;
	for (i = 0; i < 20; i++) {
		snprintf(a, sizeof(a), "10.%d.0.0/16", i);
		add(s, a, false);
	}
	add(s, "0.0.0.0/0", false);
	add(s, "2001:db8::/32", false);
	add(s, "::/0", false);
	memset(&pos, 0, sizeof(pos));
	while ((n = sw_pset_walk(s, &pos, 7, collect, &sum)) > 0) {
		total += n;
		calls++;
	}
	assert_int_equal(total, 23);
	assert_int_equal(sum, 20 * 16 + 32);
	assert_int_equal(calls, 4);
	sw_pset_free(s);
}

/*
 * Regression: DPDK 22.11's dir24_8 skips reserving a table group when a
 * prefix longer than /24 is added with its covering prefix's next hop,
 * yet releases one when it is deleted; the count wrapped and every
 * later such prefix was refused (ENOSPC). Fixed by giving each prefix
 * a next hop of its own length (lib/pset, first version).
 */
static void
test_pset_long_prefix_under_cover_deleted_and_readded(void **state)
{
	struct sw_pset *s = mkset(4, 64, NULL);
	int round;

	(void)state;
	add(s, "198.51.100.0/24", false);
	for (round = 0; round < 3; round++) {
		add(s, "198.51.100.128/25", false);
		add(s, "198.51.100.128/25", true);
	}
	add(s, "203.0.113.0/25", false);
	assert_int_equal(in4(s, "203.0.113.1"), 1);
	sw_pset_free(s);
}

static void
test_pset_bad_conf(void **state)
{
	struct sw_pset_conf c = { .name = "x", .family = 5, .max4 = 1 };

	(void)state;
	assert_null(sw_pset_create(&c));
	assert_int_equal(sw_pset_memsize(&c), 0);
	c.family = 4;
	c.max4 = 0;
	assert_null(sw_pset_create(&c));
	sw_pset_free(NULL);
}

/*
 * Readers under churn: 203.0.113.77 is covered by 203.0.113.0/24 the
 * whole time, and 192.0.2.77 by nothing, while the writer adds and
 * deletes /31s around them, so the /24s' table groups are made,
 * collapsed and reused again and again. A reader must never see either
 * answer change. (The window in which an in-place update would fool a
 * reader is a few nanoseconds: this checks answers under churn, and
 * the next test checks that the writer waits out the readers.)
 */
struct race {
	struct sw_pset *s;
	struct rte_rcu_qsbr *qs;
	volatile int stop;
	volatile int ready;
	volatile int released;
	uint64_t lookups;
	uint64_t wrong;
};

static void *
race_reader(void *arg)
{
	struct race *r = arg;
	uint32_t ip[32];
	uint64_t in[32];
	unsigned int i;

	rte_rcu_qsbr_thread_register(r->qs, 0);
	rte_rcu_qsbr_thread_online(r->qs, 0);
	for (i = 0; i < 32; i++)
		ip[i] = i & 1 ? ip4(203, 0, 113, 77) :
				ip4(192, 0, 2, 77);
	while (!r->stop) {
		sw_pset_lookup4(r->s, ip, 32, in);
		for (i = 0; i < 32; i++)
			r->wrong += (in[i] != 0) != (i & 1);
		r->lookups += 32;
		rte_rcu_qsbr_quiescent(r->qs, 0);
	}
	rte_rcu_qsbr_thread_offline(r->qs, 0);
	rte_rcu_qsbr_thread_unregister(r->qs, 0);
	return NULL;
}

static struct rte_rcu_qsbr *
mkqs(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct rte_rcu_qsbr *qs = rte_zmalloc(NULL, sz, RTE_CACHE_LINE_SIZE);

	assert_non_null(qs);
	assert_int_equal(rte_rcu_qsbr_init(qs, 1), 0);
	return qs;
}

static void
test_pset_readers_right_under_churn(void **state)
{
	struct race r;
	pthread_t t;
	struct sw_pset_prefix p[2][128];
	struct sw_pset_result res;
	unsigned int i, round;
	char a[32];

	(void)state;
	memset(&r, 0, sizeof(r));
	r.qs = mkqs();
	r.s = mkset(4, 4096, r.qs);
	add(r.s, "203.0.113.0/24", false);
	for (i = 0; i < 128; i++) {
		/* Every address of both /24s but .77, two at a time. */
		snprintf(a, sizeof(a), "203.0.113.%u/31", 2 * i);
		p[0][i] = pfx(a);
		snprintf(a, sizeof(a), "192.0.2.%u/31", 2 * i);
		p[1][i] = pfx(a);
	}
	/* .76/31 would hold .77: leave it out. */
	p[0][38] = pfx("203.0.113.76/32");
	p[1][38] = pfx("192.0.2.76/32");
	assert_int_equal(pthread_create(&t, NULL, race_reader, &r), 0);
	for (round = 0; round < 200; round++) {
		assert_int_equal(sw_pset_update(r.s, p[0], 128, false, &res),
				 0);
		assert_int_equal(sw_pset_update(r.s, p[1], 128, false, &res),
				 0);
		assert_int_equal(sw_pset_update(r.s, p[0], 128, true, &res),
				 0);
		assert_int_equal(sw_pset_update(r.s, p[1], 128, true, &res),
				 0);
	}
	r.stop = 1;
	pthread_join(t, NULL);
	print_message("%" PRIu64 " lookups during 800 batches, %" PRIu64
		      " wrong\n", r.lookups, r.wrong);
	assert_true(r.lookups > 0);
	assert_int_equal(r.wrong, 0);
	sw_pset_free(r.s);
	rte_free(r.qs);
}

/*
 * The writer never touches the copy a reader may be in: with a reader
 * online that has not reported a quiescent state since the update
 * began, the update cannot finish (it changes the idle copy, moves the
 * readers over, and waits for them before changing the other). An
 * update made in place would return at once.
 */
static void *
slow_reader(void *arg)
{
	struct race *r = arg;
	uint32_t ip = ip4(203, 0, 113, 77);
	uint64_t in;

	rte_rcu_qsbr_thread_register(r->qs, 0);
	rte_rcu_qsbr_thread_online(r->qs, 0);
	sw_pset_lookup4(r->s, &ip, 1, &in);
	r->ready = 1;
	/* "Still in the middle of a burst" for a while. */
	usleep(300 * 1000);
	r->released = 1;
	rte_rcu_qsbr_quiescent(r->qs, 0);
	rte_rcu_qsbr_thread_offline(r->qs, 0);
	rte_rcu_qsbr_thread_unregister(r->qs, 0);
	return NULL;
}

static void
test_pset_update_waits_out_readers(void **state)
{
	struct race r;
	pthread_t t;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.qs = mkqs();
	r.s = mkset(4, 64, r.qs);
	assert_int_equal(pthread_create(&t, NULL, slow_reader, &r), 0);
	while (!r.ready)
		usleep(1000);
	add(r.s, "203.0.113.0/24", false);
	/* It could only return once the reader had moved on. */
	assert_int_equal(r.released, 1);
	pthread_join(t, NULL);
	assert_int_equal(in4(r.s, "203.0.113.77"), 1);
	sw_pset_free(r.s);
	rte_free(r.qs);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * The feed: 50,000 prefixes (mostly /32s, some /24 to /16) in
 * place, then 25,000 of them deleted and 25,000 new ones added, as two
 * batches. Times are printed, not asserted (tests never assert on
 * time); what is asserted is that the batches are in place: the set
 * object and its tables are the same, only their content changed.
 */
static void
feed(struct sw_pset_prefix *p, unsigned int n, unsigned int seed)
{
	unsigned int i;

	srand(seed);
	for (i = 0; i < n; i++) {
		uint32_t ip = (uint32_t)rand() << 1 ^ (uint32_t)rand();
		unsigned int r = (unsigned int)rand() % 100;
		uint8_t plen = r < 80 ? 32 : r < 95 ? 24 :
			       (uint8_t)(16 + r % 8);

		ip &= plen ? ~0u << (32 - plen) : 0;
		ip = rte_cpu_to_be_32(ip);
		memset(&p[i], 0, sizeof(p[i]));
		p[i].family = 4;
		p[i].plen = plen;
		memcpy(p[i].addr, &ip, 4);
	}
}

static void
test_pset_feed_50k_in_place(void **state)
{
	enum { N = 50000, H = 25000 };
	struct sw_pset_prefix *a = calloc(N + H, sizeof(*a));
	struct sw_pset_result r;
	struct sw_pset *s = mkset(4, 65536, NULL);
	uint64_t gen;
	double t0, t1, t2, t3;

	(void)state;
	assert_non_null(a);
	feed(a, N + H, 17);
	t0 = now_ms();
	assert_int_equal(sw_pset_update(s, a, N, false, &r), 0);
	t1 = now_ms();
	gen = sw_pset_generation(s);
	assert_int_equal(sw_pset_update(s, a, H, true, &r), 0);
	t2 = now_ms();
	assert_int_equal(sw_pset_update(s, a + N, H, false, &r), 0);
	t3 = now_ms();
	assert_int_equal(sw_pset_generation(s), gen + 2);
	print_message("feed: %u prefixes in %.1f ms; %u deleted in %.1f ms, "
		      "%u added in %.1f ms (both copies)\n", sw_pset_count(s, 4)
		      - H + r.changed, t1 - t0, H, t2 - t1, r.changed, t3 - t2);
	sw_pset_free(s);
	free(a);
}

static struct sw_pset *
mkset_timed(uint8_t family, uint32_t max)
{
	struct sw_pset_conf c = {
		.name = "tt", .family = family, .max4 = max, .max6 = max,
		.socket_id = SOCKET_ID_ANY, .timeouts = true,
	};
	struct sw_pset *s = sw_pset_create(&c);

	assert_non_null(s);
	return s;
}

static void
add_timed(struct sw_pset *s, const char *a, uint32_t t, uint64_t now)
{
	struct sw_pset_prefix p = pfx(a);
	struct sw_pset_result r;

	assert_int_equal(sw_pset_add(s, &p, &t, 1, now, &r), 0);
}

static uint32_t
left(const struct sw_pset *s, const char *a, uint64_t now)
{
	struct sw_pset_prefix p = pfx(a);

	return sw_pset_timeout_left(s, &p, now);
}

/* ipset/nft `timeout`: elements go when due, not before; 0 stays. */
static void
test_pset_timeouts_expire_when_due(void **state)
{
	struct sw_pset *s = mkset_timed(0, 64);

	(void)state;
	assert_true(sw_pset_has_timeouts(s));
	add_timed(s, "192.0.2.1", 10, 100);
	add_timed(s, "198.51.100.0/24", 0, 100);	/* stays */
	add_timed(s, "2001:db8::/64", 20, 100);
	assert_int_equal(sw_pset_nb_timed(s), 2);
	assert_int_equal(left(s, "192.0.2.1", 104), 6);
	assert_int_equal(left(s, "198.51.100.0/24", 104), 0);
	assert_int_equal(sw_pset_expire(s, 109), 0);
	assert_true(in4(s, "192.0.2.1"));
	assert_int_equal(sw_pset_expire(s, 110), 1);
	assert_false(in4(s, "192.0.2.1"));
	assert_true(in6(s, "2001:db8::1"));
	/* Given anew, a timeout starts again from then. */
	add_timed(s, "2001:db8::/64", 30, 115);
	assert_int_equal(sw_pset_expire(s, 120), 0);
	assert_int_equal(left(s, "2001:db8::/64", 120), 25);
	assert_int_equal(sw_pset_expire(s, 145), 1);
	assert_false(in6(s, "2001:db8::1"));
	assert_true(in4(s, "198.51.100.9"));
	assert_int_equal(sw_pset_count(s, 4) + sw_pset_count(s, 6), 1);
	assert_int_equal(sw_pset_nb_timed(s), 0);
	assert_int_equal(sw_pset_expire(s, 1000), 0);
	sw_pset_free(s);
}

/* A delete takes the timeout with it; re-added bare, it stays. */
static void
test_pset_delete_drops_the_timeout(void **state)
{
	struct sw_pset *s = mkset_timed(4, 64);

	(void)state;
	add_timed(s, "192.0.2.1", 10, 0);
	add(s, "192.0.2.1", true);
	assert_int_equal(sw_pset_nb_timed(s), 0);
	add(s, "192.0.2.1", false);
	assert_int_equal(sw_pset_expire(s, 50), 0);
	assert_true(in4(s, "192.0.2.1"));
	/* Re-added without a timeout given, it keeps what it has. */
	add_timed(s, "192.0.2.2", 10, 0);
	add(s, "192.0.2.2", false);
	assert_int_equal(left(s, "192.0.2.2", 5), 5);
	sw_pset_free(s);
}

/* A set made without timeouts refuses one, and changes nothing. */
static void
test_pset_timeout_needs_a_timed_set(void **state)
{
	struct sw_pset *s = mkset(4, 64, NULL);
	struct sw_pset_prefix p[2] = { pfx("192.0.2.1"), pfx("192.0.2.2") };
	uint32_t t[2] = { 0, 5 };
	struct sw_pset_result r;

	(void)state;
	assert_false(sw_pset_has_timeouts(s));
	assert_int_equal(sw_pset_add(s, p, t, 2, 0, &r), -ENOTSUP);
	assert_int_equal(r.failed, 1);
	assert_int_equal(sw_pset_count(s, 4), 0);
	assert_int_equal(sw_pset_load(s, p, t, 2, 0, &r), -ENOTSUP);
	/* No timeout (or 0 for all) is a plain add. */
	t[1] = 0;
	assert_int_equal(sw_pset_add(s, p, t, 2, 0, &r), 0);
	assert_int_equal(sw_pset_count(s, 4), 2);
	assert_int_equal(sw_pset_expire(s, 1000), 0);
	sw_pset_free(s);
}

/* The digest is the content's, not its history's or its order's. */
static void
test_pset_digest_follows_content(void **state)
{
	struct sw_pset *a = mkset(0, 64, NULL), *b = mkset(0, 64, NULL);
	struct sw_pset_prefix v[3] = {
		pfx("2001:db8::1"), pfx("192.0.2.0/24"), pfx("198.51.100.7"),
	};
	struct sw_pset_result r;
	uint64_t d;

	(void)state;
	assert_int_equal(sw_pset_digest(a), 0);
	add(a, "192.0.2.0/24", false);
	add(a, "10.0.0.0/8", false);
	add(a, "198.51.100.7", false);
	add(a, "2001:db8::1", false);
	add(a, "10.0.0.0/8", true);
	assert_int_equal(sw_pset_replace(b, v, 3, &r), 0);
	assert_true(sw_pset_digest(a) == sw_pset_digest(b));
	d = sw_pset_digest(a);
	add(a, "192.0.2.0/25", false);
	assert_true(sw_pset_digest(a) != d);
	add(a, "192.0.2.0/25", true);
	assert_true(sw_pset_digest(a) == d);
	/* A duplicate in a batch counts once. */
	add(b, "198.51.100.7", false);
	assert_true(sw_pset_digest(b) == d);
	sw_pset_free(a);
	sw_pset_free(b);
}

/* set list / set save: IPv4 first, by address, a network before the
 * longer prefixes inside it; a diff with a sorted feed is empty. */
static void
test_pset_snapshot_is_sorted(void **state)
{
	static const char *const in[] = {
		"2001:db8::1", "198.51.100.7", "10.0.0.0/8", "192.0.2.0/24",
		"192.0.2.0/25", "2001:db8::/32", "9.9.9.9", "192.0.2.200",
	};
	static const char *const want[] = {
		"9.9.9.9", "10.0.0.0/8", "192.0.2.0/24", "192.0.2.0/25",
		"192.0.2.200", "198.51.100.7", "2001:db8::/32", "2001:db8::1",
	};
	struct sw_pset *s = mkset(0, 64, NULL);
	struct sw_pset_prefix *v;
	uint32_t n, i;

	(void)state;
	for (i = 0; i < RTE_DIM(in); i++)
		add(s, in[i], false);
	assert_int_equal(sw_pset_snapshot(s, &v, &n), 0);
	assert_int_equal(n, RTE_DIM(want));
	for (i = 0; i < n; i++) {
		struct sw_pset_prefix w = pfx(want[i]);

		assert_int_equal(v[i].family, w.family);
		assert_int_equal(v[i].plen, w.plen);
		assert_memory_equal(v[i].addr, w.addr, 16);
	}
	free(v);
	sw_pset_free(s);
}

/*
 * A set made again larger (a reload that raises its max) holds what
 * the running one holds, and the time each element has left.
 */
static void
test_pset_copy_into_a_larger_set(void **state)
{
	struct sw_pset *a = mkset_timed(4, 8), *b = mkset_timed(4, 64);
	struct sw_pset *plain = mkset(4, 64, NULL);
	struct sw_pset_prefix p;
	struct sw_pset_result r;
	char buf[32];
	unsigned int i;

	(void)state;
	for (i = 0; i < 8; i++) {
		snprintf(buf, sizeof(buf), "192.0.2.%u", i + 1);
		add_timed(a, buf, i == 0 ? 30 : 0, 100);
	}
	/* Full: the small one takes no more. */
	p = pfx("192.0.2.100");
	assert_int_equal(sw_pset_update(a, &p, 1, false, &r), -ENOSPC);
	assert_int_equal(sw_pset_copy(b, a, 110, &r), 0);
	assert_int_equal(sw_pset_count(b, 4), 8);
	assert_true(sw_pset_digest(b) == sw_pset_digest(a));
	assert_int_equal(left(b, "192.0.2.1", 110), 20);
	assert_int_equal(sw_pset_update(b, &p, 1, false, &r), 0);
	/* Into a set without timeouts: the elements stay, untimed. */
	assert_int_equal(sw_pset_copy(plain, a, 110, &r), 0);
	assert_int_equal(sw_pset_count(plain, 4), 8);
	assert_int_equal(sw_pset_expire(plain, 1000), 0);
	assert_int_equal(sw_pset_count(plain, 4), 8);
	/* And the larger one expires what the smaller one would have. */
	assert_int_equal(sw_pset_expire(b, 130), 1);
	sw_pset_free(a);
	sw_pset_free(b);
	sw_pset_free(plain);
}

/* A load replaces the timeouts with the content. */
static void
test_pset_load_replaces_timeouts(void **state)
{
	struct sw_pset *s = mkset_timed(4, 64);
	struct sw_pset_prefix p[2] = { pfx("192.0.2.1"), pfx("192.0.2.2") };
	uint32_t t[2] = { 50, 0 };
	struct sw_pset_result r;

	(void)state;
	add_timed(s, "192.0.2.1", 5, 0);
	add_timed(s, "198.51.100.1", 5, 0);
	assert_int_equal(sw_pset_load(s, p, t, 2, 10, &r), 0);
	assert_int_equal(sw_pset_nb_timed(s), 1);
	assert_int_equal(left(s, "192.0.2.1", 10), 50);
	assert_int_equal(left(s, "198.51.100.1", 10), 0);
	assert_int_equal(sw_pset_expire(s, 59), 0);
	assert_int_equal(sw_pset_expire(s, 60), 1);
	assert_int_equal(sw_pset_count(s, 4), 1);
	sw_pset_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pset_membership_by_any_prefix),
		cmocka_unit_test(test_pset_zero_prefix_and_test),
		cmocka_unit_test(test_pset_batch_counts_duplicates_once),
		cmocka_unit_test(test_pset_full_batch_changes_nothing),
		cmocka_unit_test(test_pset_replace_swaps_whole),
		cmocka_unit_test(test_pset_replace_too_big_keeps_old),
		cmocka_unit_test(test_pset_walk_in_pieces),
		cmocka_unit_test(
			test_pset_long_prefix_under_cover_deleted_and_readded),
		cmocka_unit_test(test_pset_bad_conf),
		cmocka_unit_test(test_pset_readers_right_under_churn),
		cmocka_unit_test(test_pset_update_waits_out_readers),
		cmocka_unit_test(test_pset_feed_50k_in_place),
		cmocka_unit_test(test_pset_timeouts_expire_when_due),
		cmocka_unit_test(test_pset_delete_drops_the_timeout),
		cmocka_unit_test(test_pset_timeout_needs_a_timed_set),
		cmocka_unit_test(test_pset_digest_follows_content),
		cmocka_unit_test(test_pset_snapshot_is_sorted),
		cmocka_unit_test(test_pset_copy_into_a_larger_set),
		cmocka_unit_test(test_pset_load_replaces_timeouts),
	};
	int rc;

	if (test_eal_init("pset") != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	test_eal_cleanup();
	return rc;
}
