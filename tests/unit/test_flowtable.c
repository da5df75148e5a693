/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/flowtable unit tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>

#include "sw_ft.h"

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
	assert_int_equal(k1.zero, 0);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ft_key_both_directions_meet_v4),
		cmocka_unit_test(test_ft_key_both_directions_meet_v6),
		cmocka_unit_test(test_ft_key_same_address_orders_by_port),
		cmocka_unit_test(test_ft_key_distinguishes_protocol_and_family),
	};

	return cmocka_run_group_tests_name("flowtable", tests, NULL, NULL);
}
