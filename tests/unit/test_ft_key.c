/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/flowtable unit tests: keys and the keyed hash (ft_key.c, ft_hash.c).
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
	/*
	 * The IPv4 key hashes as the 16 bytes addresses, ports, protocol,
	 * family, zone: the straight-line code is SipHash-1-3 of them.
	 */
	{
		uint8_t m[16], key[16] = { 1 };

		memcpy(m, k.lo, 4);
		memcpy(m + 4, k.hi, 4);
		memcpy(m + 8, &k.lo_port, 8);
		key[8] = 2;
		assert_int_equal(h1, (uint32_t)sw_ft_siphash_ref(key, m, 16,
								 1, 3));
		assert_int_equal(h1, (uint32_t)sw_ft_siphash(m, 16));
	}
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

/*
 * The burst hash (four IPv4 keys at once with AVX2 where the CPU has
 * it) gives every key the value sw_ft_key_hash gives it, IPv4 and IPv6
 * mixed, bursts of every length up to 64.
 */
static void
test_ft_hash_burst_matches_scalar(void **state)
{
	struct sw_ft_key keys[64];
	const struct sw_ft_key *kp[64];
	uint32_t h[64];
	uint64_t rng = 0x1234567887654321ull;
	unsigned int n, i, j;

	(void)state;
	sw_ft_hash_set_secret(0x0123456789abcdefull, 0xfedcba9876543210ull);
	for (n = 0; n <= 64; n++) {
		for (i = 0; i < n; i++) {
			uint8_t a[16], b[16];

			for (j = 0; j < 16; j++) {
				rng ^= rng << 13;
				rng ^= rng >> 7;
				rng ^= rng << 17;
				a[j] = (uint8_t)rng;
				b[j] = (uint8_t)(rng >> 8);
			}
			sw_ft_key_make(&keys[i], (rng >> 20) % 3 ? 4 : 6,
				       (rng >> 24) & 1 ? 6 : 17, a, b,
				       (uint16_t)(rng >> 32),
				       (uint16_t)(rng >> 48));
			keys[i].zone = (uint16_t)(rng >> 40);
			kp[i] = &keys[i];
		}
		memset(h, 0, sizeof(h));
		sw_ft_key_hash_burst(kp, h, (uint16_t)n);
		for (i = 0; i < n; i++)
			assert_int_equal(h[i], sw_ft_key_hash(&keys[i]));
	}
	sw_ft_hash_vector(false);
	sw_ft_key_hash_burst(kp, h, 64);
	for (i = 0; i < 64; i++)
		assert_int_equal(h[i], sw_ft_key_hash(&keys[i]));
	sw_ft_hash_vector(true);
}


const struct CMUnitTest ft_key_tests[] = {
	cmocka_unit_test(test_ft_hash_burst_matches_scalar),
	cmocka_unit_test(test_ft_hash_siphash_reference_vector),
	cmocka_unit_test(test_ft_hash_keyed_by_secret),
	cmocka_unit_test(test_ft_key_both_directions_meet_v4),
	cmocka_unit_test(test_ft_key_both_directions_meet_v6),
	cmocka_unit_test(test_ft_key_same_address_orders_by_port),
	cmocka_unit_test(test_ft_key_distinguishes_protocol_and_family),
};
const size_t ft_key_nb = RTE_DIM(ft_key_tests);
