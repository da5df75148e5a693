/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The RSS key spillway gives a hashing port must be symmetric: Toeplitz
 * over it gives one hash for a connection's two directions (addresses
 * and ports swapped), so both reach one queue, one worker, one flow
 * table shard. It must also be this run's own: a 16-bit pattern drawn
 * from getrandom(), never one that makes the hash weak. Checked with a
 * software Toeplitz over the bytes a NIC hashes (addresses, then ports,
 * in network order), itself checked against Microsoft's published RSS
 * verification vectors, over random IPv4 and IPv6 tuples and the key
 * lengths NICs use; a common non-symmetric key shows the check can
 * fail. No EAL needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <rte_ethdev.h>

#include "port.h"
#include "shardmap.h"
#include "sw_ft.h"
#include "xorshift.h"

#define TUPLES 10000

SW_XORSHIFT_STREAM(static, rnd, 0x243f6a8885a308d3ull)

/*
 * Toeplitz as the NIC computes it: for each input bit set, most
 * significant first, XOR in the 32 key bits starting at that bit. key
 * holds at least len + 4 bytes.
 */
static uint32_t
toeplitz(const uint8_t *key, const uint8_t *in, size_t len)
{
	uint32_t hash = 0, win;
	size_t i;
	int b;

	win = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 |
	      (uint32_t)key[2] << 8 | key[3];
	for (i = 0; i < len; i++) {
		for (b = 7; b >= 0; b--) {
			if (in[i] & (1u << b))
				hash ^= win;
			win = win << 1 | ((key[i + 4] >> b) & 1u);
		}
	}
	return hash;
}

/* The NIC's input: source, destination, then the ports if any. */
static size_t
tuple(uint8_t *in, const uint8_t *src, const uint8_t *dst, size_t alen,
      uint16_t sport, uint16_t dport, bool ports)
{
	memcpy(in, src, alen);
	memcpy(in + alen, dst, alen);
	if (!ports)
		return 2 * alen;
	in[2 * alen] = (uint8_t)(sport >> 8);
	in[2 * alen + 1] = (uint8_t)sport;
	in[2 * alen + 2] = (uint8_t)(dport >> 8);
	in[2 * alen + 3] = (uint8_t)dport;
	return 2 * alen + 4;
}

/*
 * How many of TUPLES random tuples of addresses alen bytes long hash
 * differently when their direction is swapped: with ports (TCP, UDP),
 * and addresses only (fragments, other protocols).
 */
static unsigned int
asymmetric(const uint8_t *key, size_t alen)
{
	uint8_t src[16], dst[16], a[36], b[36];
	unsigned int i, n = 0;
	uint16_t sp, dp;
	size_t j, len;

	for (i = 0; i < TUPLES; i++) {
		for (j = 0; j < alen; j++) {
			src[j] = (uint8_t)rnd();
			dst[j] = (uint8_t)rnd();
		}
		sp = (uint16_t)rnd();
		dp = (uint16_t)rnd();
		len = tuple(a, src, dst, alen, sp, dp, true);
		tuple(b, dst, src, alen, dp, sp, true);
		n += toeplitz(key, a, len) != toeplitz(key, b, len);
		len = tuple(a, src, dst, alen, 0, 0, false);
		tuple(b, dst, src, alen, 0, 0, false);
		n += toeplitz(key, a, len) != toeplitz(key, b, len);
	}
	return n;
}

/* The key many drivers default to (Microsoft's): not symmetric. */
static const uint8_t plain[52 + 4] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static void
test_port_toeplitz_matches_published_vectors(void **state)
{
	/* Microsoft's "Verifying the RSS Hash Calculation", IPv4 rows. */
	static const struct {
		uint8_t src[4], dst[4];
		uint16_t sport, dport;
		uint32_t l3, l4;
	} v[] = {
		{ { 66, 9, 149, 187 }, { 161, 142, 100, 80 }, 2794, 1766,
		  0x323e8fc2, 0x51ccc178 },
		{ { 199, 92, 111, 2 }, { 65, 69, 140, 83 }, 14230, 4739,
		  0xd718262a, 0xc626b0ea },
		{ { 24, 19, 198, 95 }, { 12, 22, 207, 184 }, 12898, 38024,
		  0xd2d0a5de, 0x5c2b394a },
	};
	uint8_t in[12];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		len = tuple(in, v[i].src, v[i].dst, 4, 0, 0, false);
		assert_int_equal(toeplitz(plain, in, len), v[i].l3);
		len = tuple(in, v[i].src, v[i].dst, 4, v[i].sport, v[i].dport,
			    true);
		assert_int_equal(toeplitz(plain, in, len), v[i].l4);
	}
}

static void
test_port_rss_check_catches_a_plain_key(void **state)
{
	(void)state;
	assert_true(asymmetric(plain, 4) > TUPLES);
	assert_true(asymmetric(plain, 16) > TUPLES);
}

static void
test_port_rss_key_symmetric(void **state)
{
	/* 40 bytes (most NICs), 52 (i40e/ice); one spare word for the
	 * software hash's last window. */
	static const size_t lens[] = { 40, 52 };
	uint8_t key[52 + 4], again[52 + 4];
	uint16_t pattern;
	size_t i;
	int d;

	(void)state;
	assert_int_equal(sw_port_rss_init(), 0);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		/* This run's key, the one the ports get. */
		memset(key, 0, sizeof(key));
		sw_port_rss_key(key, lens[i]);
		assert_int_equal(asymmetric(key, 4), 0);
		assert_int_equal(asymmetric(key, 16), 0);
		/* Drawn once: asked again, the same key. */
		assert_int_equal(sw_port_rss_init(), 0);
		memset(again, 0, sizeof(again));
		sw_port_rss_key(again, lens[i]);
		assert_memory_equal(key, again, sizeof(key));
		/* Any draw is symmetric too. */
		for (d = 0; d < 4; d++) {
			assert_int_equal(sw_port_rss_draw(&pattern), 0);
			memset(key, 0, sizeof(key));
			sw_port_rss_key_fill(key, lens[i], pattern);
			assert_int_equal(asymmetric(key, 4), 0);
			assert_int_equal(asymmetric(key, 16), 0);
		}
	}
}

static void
test_port_rss_key_is_the_pattern_repeated(void **state)
{
	uint8_t key[41];
	size_t i;

	(void)state;
	memset(key, 0xee, sizeof(key));
	sw_port_rss_key_fill(key, 40, 0x6d5a);
	for (i = 0; i < 40; i++)
		assert_int_equal(key[i], i & 1 ? 0x5a : 0x6d);
	assert_int_equal(key[40], 0xee);
}

static void
test_port_rss_draws_differ(void **state)
{
	uint16_t p[8];
	unsigned int i, same = 0;

	(void)state;
	/*
	 * Two draws match once in 31616; eight that all match would take
	 * a broken source (or none), not bad luck.
	 */
	for (i = 0; i < 8; i++) {
		assert_int_equal(sw_port_rss_draw(&p[i]), 0);
		assert_true(sw_port_rss_pattern_ok(p[i]));
		same += p[i] == p[0];
	}
	assert_true(same < 8);
}

/* The rank over GF(2) of n 32-bit vectors. */
static unsigned int
rank32(uint32_t *v, unsigned int n)
{
	unsigned int r = 0, i, j;
	uint32_t t;
	int bit;

	for (bit = 31; bit >= 0 && r < n; bit--) {
		for (i = r; i < n && !(v[i] >> bit & 1u); i++)
			;
		if (i == n)
			continue;
		t = v[i];
		v[i] = v[r];
		v[r] = t;
		for (j = 0; j < n; j++)
			if (j != r && (v[j] >> bit & 1u))
				v[j] ^= v[r];
		r++;
	}
	return r;
}

static void
test_port_rss_weak_patterns_refused(void **state)
{
	static const uint16_t weak[] = {
		0x0000, 0xffff,		/* constant; two values */
		0x5555, 0xaaaa, 0x0f0f, 0x00ff, 0x0101,	/* shorter periods */
		0x0001, 0x8000, 0x0007,	/* 1 or 3 bits: each hash bit on few */
		0x7fff, 0xfffe, 0x1fff,	/* 15 or 13: near copies */
		0x6d5b,			/* weight 10: even */
	};
	uint32_t img[16];
	uint8_t key[2 + 4 + 2], in[2];
	unsigned int p, j, ok = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++)
		assert_false(sw_port_rss_pattern_ok(weak[i]));
	assert_true(sw_port_rss_pattern_ok(0x6d5a));
	/*
	 * Every pattern: the hash of a 16-bit input is what every longer
	 * input folds to. An accepted pattern must map the 16 unit inputs
	 * to 16 independent hashes (no two folds share a hash, so no queue
	 * goes unused); every pattern that does not is refused.
	 */
	for (p = 0; p < 65536; p++) {
		sw_port_rss_key_fill(key, sizeof(key), (uint16_t)p);
		for (j = 0; j < 16; j++) {
			in[0] = (uint8_t)((1u << j) >> 8);
			in[1] = (uint8_t)(1u << j);
			img[j] = toeplitz(key, in, 2);
		}
		if (sw_port_rss_pattern_ok((uint16_t)p)) {
			ok++;
			assert_int_equal(rank32(img, 16), 16);
		} else if (__builtin_popcount(p) % 2 == 0) {
			assert_true(rank32(img, 16) < 16);
		}
	}
	assert_int_equal(ok, 31616);
}

/*
 * A flow's shard, computed from the ports' RSS key, hash types and
 * redirection table, is the queue the NIC would pick: the published
 * Toeplitz vector with its own key, and both directions of random
 * tuples with a symmetric one.
 */
static void
test_port_shardmap_owner_is_the_nics_queue(void **state)
{
	static const uint8_t src[4] = { 66, 9, 149, 187 };
	static const uint8_t dst[4] = { 161, 142, 100, 80 };
	struct sw_shardmap m;
	struct sw_ft_key k;
	uint8_t a[4], b[4], in[12];
	unsigned int i, j;
	uint16_t sp, dp;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.nb_shards = 1;
	sw_ft_key_make(&k, 4, 6, src, dst, htons(2794), htons(1766));
	assert_int_equal(sw_shardmap_owner(&m, &k), 0);
	m.nb_shards = 4;		/* several, hash unknown */
	assert_int_equal(sw_shardmap_owner(&m, &k), -1);
	m.nb_shards = 128;
	m.rss = true;
	m.reta_size = 128;
	for (i = 0; i < 128; i++)
		m.reta[i] = (uint16_t)i;
	memcpy(m.key, plain, 40);
	m.key_len = 40;
	m.rss_hf = RTE_ETH_RSS_NONFRAG_IPV4_TCP;
	assert_int_equal(sw_shardmap_owner(&m, &k), 0x51ccc178 & 127);
	/* UDP is not hashed by its ports here: the addresses only. */
	sw_ft_key_make(&k, 4, 17, src, dst, htons(2794), htons(1766));
	assert_int_equal(sw_shardmap_owner(&m, &k), 0x323e8fc2 & 127);
	/* A symmetric key: both directions, one queue, the NIC's. */
	sw_port_rss_key_fill(m.key, 52, 0x6d5a);
	m.key_len = 52;
	m.nb_shards = 4;
	for (i = 0; i < 128; i++)
		m.reta[i] = (uint16_t)(i % 4);
	for (i = 0; i < TUPLES; i++) {
		for (j = 0; j < 4; j++) {
			a[j] = (uint8_t)rnd();
			b[j] = (uint8_t)rnd();
		}
		sp = (uint16_t)rnd();
		dp = (uint16_t)rnd();
		tuple(in, a, b, 4, sp, dp, true);
		sw_ft_key_make(&k, 4, 6, a, b, htons(sp), htons(dp));
		assert_int_equal(sw_shardmap_owner(&m, &k),
				 toeplitz(m.key, in, 12) % 4);
		sw_ft_key_make(&k, 4, 6, b, a, htons(dp), htons(sp));
		assert_int_equal(sw_shardmap_owner(&m, &k),
				 toeplitz(m.key, in, 12) % 4);
	}
	/* A table pointing past the workers: unknown. */
	m.reta[0] = 9;
	m.reta_size = 1;
	assert_int_equal(sw_shardmap_owner(&m, &k), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_toeplitz_matches_published_vectors),
		cmocka_unit_test(test_port_rss_check_catches_a_plain_key),
		cmocka_unit_test(test_port_rss_key_symmetric),
		cmocka_unit_test(test_port_rss_key_is_the_pattern_repeated),
		cmocka_unit_test(test_port_rss_draws_differ),
		cmocka_unit_test(test_port_rss_weak_patterns_refused),
		cmocka_unit_test(test_port_shardmap_owner_is_the_nics_queue),
	};

	return cmocka_run_group_tests_name("port", tests, NULL, NULL);
}
