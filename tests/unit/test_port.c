/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The RSS key spillway gives a hashing port must be symmetric: Toeplitz
 * over it gives one hash for a connection's two directions (addresses
 * and ports swapped), so both reach one queue, one worker, one flow
 * table shard. Checked with DPDK's software Toeplitz (rte_softrss, the
 * NIC's function) over random IPv4 and IPv6 tuples, for the key lengths
 * NICs use; a common non-symmetric key shows the check can fail. No
 * EAL needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <rte_thash.h>

#include "port.h"

#define TUPLES 10000

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* How many of TUPLES random IPv4 TCP/UDP tuples hash differently when
 * their direction is swapped. */
static unsigned int
asymmetric_v4(const uint8_t *key)
{
	struct rte_ipv4_tuple a, b;
	unsigned int i, n = 0;

	for (i = 0; i < TUPLES; i++) {
		memset(&a, 0, sizeof(a));
		a.src_addr = rnd();
		a.dst_addr = rnd();
		a.sport = (uint16_t)rnd();
		a.dport = (uint16_t)rnd();
		b = a;
		b.src_addr = a.dst_addr;
		b.dst_addr = a.src_addr;
		b.sport = a.dport;
		b.dport = a.sport;
		n += rte_softrss((uint32_t *)&a, RTE_THASH_V4_L4_LEN, key) !=
		     rte_softrss((uint32_t *)&b, RTE_THASH_V4_L4_LEN, key);
		/* Addresses only, as for fragments. */
		n += rte_softrss((uint32_t *)&a, RTE_THASH_V4_L3_LEN, key) !=
		     rte_softrss((uint32_t *)&b, RTE_THASH_V4_L3_LEN, key);
	}
	return n;
}

static unsigned int
asymmetric_v6(const uint8_t *key)
{
	struct rte_ipv6_tuple a, b;
	unsigned int i, j, n = 0;

	for (i = 0; i < TUPLES; i++) {
		memset(&a, 0, sizeof(a));
		for (j = 0; j < 16; j++) {
			a.src_addr[j] = (uint8_t)rnd();
			a.dst_addr[j] = (uint8_t)rnd();
		}
		a.sport = (uint16_t)rnd();
		a.dport = (uint16_t)rnd();
		b = a;
		memcpy(b.src_addr, a.dst_addr, 16);
		memcpy(b.dst_addr, a.src_addr, 16);
		b.sport = a.dport;
		b.dport = a.sport;
		n += rte_softrss((uint32_t *)&a, RTE_THASH_V6_L4_LEN, key) !=
		     rte_softrss((uint32_t *)&b, RTE_THASH_V6_L4_LEN, key);
	}
	return n;
}

static void
test_port_rss_key_symmetric(void **state)
{
	/* 40 bytes (most NICs), 52 (i40e/ice); one spare word for softrss. */
	static const size_t lens[] = { 40, 52 };
	uint8_t key[52 + 4];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memset(key, 0, sizeof(key));
		sw_port_rss_key(key, lens[i]);
		assert_int_equal(asymmetric_v4(key), 0);
		assert_int_equal(asymmetric_v6(key), 0);
	}
}

static void
test_port_rss_check_catches_a_plain_key(void **state)
{
	/* The key many drivers default to: not symmetric. */
	static const uint8_t plain[52 + 4] = {
		0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
		0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
		0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
		0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
		0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
	};

	(void)state;
	assert_true(asymmetric_v4(plain) > TUPLES);
	assert_true(asymmetric_v6(plain) > TUPLES / 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_rss_key_symmetric),
		cmocka_unit_test(test_port_rss_check_catches_a_plain_key),
	};

	return cmocka_run_group_tests_name("port", tests, NULL, NULL);
}
