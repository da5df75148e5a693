/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The first-fragment verdict table.
 *
 * Regression: "misaligned load in rte_hash_crc from sw_frag_record"
 * (UBSan, found by tests/fuzz/fuzz_path): the table hashed addresses in
 * place at offset 12 of struct sw_pkt with 8-byte reads. Fixed by
 * hashing an aligned copy ("frag: hash an aligned copy of the
 * addresses"). These tests run under UBSan in make test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "frag.h"
#include "sw_acl.h"
#include "sw_pkt.h"

static struct sw_frag_table *t;

static int
setup(void **state)
{
	(void)state;
	t = malloc(sizeof(*t));
	sw_frag_init(t, 1000);		/* 1 tick = 1 ms */
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(t);
	return 0;
}

static void
frag(struct sw_pkt *p, uint8_t last, uint32_t id)
{
	memset(p, 0, sizeof(*p));
	p->k.family = SW_AF_INET;
	p->k.proto = 17;
	p->k.src[0] = 192;
	p->k.src[3] = last;
	p->k.dst[0] = 198;
	p->frag_id = id;
}

static void
test_frag_verdict_follows_first(void **state)
{
	struct sw_pkt p;

	(void)state;
	frag(&p, 1, 7);
	assert_int_equal(sw_frag_lookup(t, &p, 0), SW_ACL_NONE);
	sw_frag_record(t, &p, SW_ACL_ACCEPT, 0);
	assert_int_equal(sw_frag_lookup(t, &p, 10), SW_ACL_ACCEPT);
	frag(&p, 2, 7);			/* another source */
	assert_int_equal(sw_frag_lookup(t, &p, 10), SW_ACL_NONE);
	sw_frag_record(t, &p, SW_ACL_DROP, 10);
	assert_int_equal(sw_frag_lookup(t, &p, 10), SW_ACL_DROP);
	frag(&p, 1, 8);			/* another datagram */
	assert_int_equal(sw_frag_lookup(t, &p, 10), SW_ACL_NONE);
}

static void
test_frag_expires(void **state)
{
	struct sw_pkt p;

	(void)state;
	frag(&p, 3, 9);
	sw_frag_record(t, &p, SW_ACL_ACCEPT, 100);
	/* The README's 30 s, as a number: 1 tick is 1 ms here. */
	assert_int_equal(sw_frag_lookup(t, &p, 100 + 30 * 1000),
			 SW_ACL_ACCEPT);
	assert_int_equal(sw_frag_lookup(t, &p, 101 + 30 * 1000),
			 SW_ACL_NONE);
}

static void
test_frag_unaligned_metadata(void **state)
{
	/* Packet metadata at an odd address, as a fuzzer's buffer may be. */
	uint8_t raw[sizeof(struct sw_pkt) + 8];
	struct sw_pkt p, *q;

	(void)state;
	frag(&p, 4, 11);
	memcpy(raw + 4, &p, sizeof(p));
	q = (struct sw_pkt *)(void *)(raw + 4);
	sw_frag_record(t, q, SW_ACL_ACCEPT, 0);
	assert_int_equal(sw_frag_lookup(t, &p, 1), SW_ACL_ACCEPT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_frag_verdict_follows_first,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_frag_expires, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_frag_unaligned_metadata,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("frag", tests, NULL, NULL);
}
