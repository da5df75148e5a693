/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The fragment table. Time is driven: 1 tick = 1 ms.
 *
 * Regression: "misaligned load in rte_hash_crc from sw_frag_record"
 * (UBSan, found by tests/fuzz/fuzz_path): the table hashed addresses in
 * place at offset 12 of struct sw_pkt with 8-byte reads. Fixed by
 * hashing an aligned copy ("frag: hash an aligned copy of the
 * addresses").
 *
 * Regression: "a fragment flood evicts accepted datagrams": the table
 * was direct-mapped (1,024 slots), recorded drop verdicts too and
 * replaced whatever sat in a slot, so about 1,000 first fragments a
 * second broke fragmented DNS and IPsec; overlapping fragments passed.
 * Fixed by "frag: set-associative table of accepted datagrams".
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
#include "sw_ft.h"
#include "parse.h"

#define TIMEOUT_MS (SW_FRAG_TIMEOUT_S * 1000)

static struct sw_frag_table *t;

static int
setup(void **state)
{
	(void)state;
	t = malloc(sizeof(*t));
	sw_frag_init(t, 1000, SW_FRAG_TIMEOUT_S, SW_FRAG_PER_SOURCE);
	return t == NULL;
}

static int
teardown(void **state)
{
	(void)state;
	free(t);
	return 0;
}

/* A UDP fragment from 192.0.2.(src_hi.src_lo) to 198.51.100.0, id. */
static void
frag(struct sw_pkt *p, uint16_t src, uint32_t id)
{
	memset(p, 0, sizeof(*p));
	p->k.family = SW_AF_INET;
	p->k.proto = 17;
	p->frag_nh = 17;
	p->k.src[0] = 192;
	p->k.src[2] = (uint8_t)(src >> 8);
	p->k.src[3] = (uint8_t)src;
	p->k.dst[0] = 198;
	p->k.dst[1] = 51;
	p->k.dst[2] = 100;
	p->frag_id = id;
}

static int
first(const struct sw_pkt *p, uint32_t len, uint64_t now)
{
	struct sw_frag_info fi = { .off = 0, .len = len, .more = true };

	return sw_frag_first(t, p, &fi, NULL, now);
}

static int
later(const struct sw_pkt *p, uint32_t off, uint32_t len, bool more,
      uint64_t now)
{
	struct sw_frag_info fi = { .off = off, .len = len, .more = more };

	return sw_frag_later(t, p, &fi, now, NULL);
}

static void
test_frag_later_follows_accepted_first(void **state)
{
	struct sw_pkt p, q;

	(void)state;
	frag(&p, 1, 7);
	assert_int_equal(later(&p, 1480, 100, false, 0), SW_FRAG_R_UNKNOWN);
	assert_int_equal(first(&p, 1480, 0), SW_FRAG_R_OK);
	frag(&q, 2, 7);			/* another source */
	assert_int_equal(later(&q, 1480, 100, false, 1), SW_FRAG_R_UNKNOWN);
	frag(&q, 1, 8);			/* another datagram */
	assert_int_equal(later(&q, 1480, 100, false, 1), SW_FRAG_R_UNKNOWN);
	assert_int_equal(sw_frag_count(t, 1), 1);
	/* The last fragment completes it: the entry is free again. */
	assert_int_equal(later(&p, 1480, 100, false, 1), SW_FRAG_R_OK);
	assert_int_equal(sw_frag_count(t, 1), 0);
	assert_int_equal(later(&p, 1480, 100, false, 2), SW_FRAG_R_UNKNOWN);
}

static void
test_frag_expires(void **state)
{
	struct sw_pkt p;

	(void)state;
	/* The README's 30 s, as a number. */
	assert_int_equal(SW_FRAG_TIMEOUT_S, 30);
	frag(&p, 3, 9);
	assert_int_equal(first(&p, 8, 100), SW_FRAG_R_OK);
	assert_int_equal(later(&p, 8, 8, true, 100 + TIMEOUT_MS),
			 SW_FRAG_R_OK);
	assert_int_equal(later(&p, 16, 8, true, 101 + TIMEOUT_MS),
			 SW_FRAG_R_UNKNOWN);
	assert_int_equal(sw_frag_count(t, 101 + TIMEOUT_MS), 0);
}

/*
 * Overlaps never pass, exact duplicates included: the receiver must not
 * choose between two versions of a byte (RFC 5722, RFC 1858's
 * overlapping-fragment attack on the TCP header).
 */
static void
test_frag_overlap_dropped(void **state)
{
	struct sw_pkt p;

	(void)state;
	frag(&p, 4, 11);
	assert_int_equal(first(&p, 16, 0), SW_FRAG_R_OK);
	assert_int_equal(first(&p, 16, 0), SW_FRAG_R_OVERLAP);
	assert_int_equal(first(&p, 24, 0), SW_FRAG_R_OVERLAP);
	assert_int_equal(later(&p, 8, 16, true, 0), SW_FRAG_R_OVERLAP);
	assert_int_equal(later(&p, 16, 8, true, 0), SW_FRAG_R_OK);
	assert_int_equal(later(&p, 16, 8, true, 0), SW_FRAG_R_OVERLAP);
	assert_int_equal(later(&p, 0, 40, false, 0), SW_FRAG_R_OVERLAP);
	assert_int_equal(later(&p, 24, 5, false, 0), SW_FRAG_R_OK);
	assert_int_equal(sw_frag_count(t, 0), 0);
}

static void
test_frag_bad_geometry_dropped(void **state)
{
	struct sw_pkt p;
	uint32_t off;

	(void)state;
	frag(&p, 5, 12);
	/* Every fragment but the last carries a multiple of 8 bytes. */
	assert_int_equal(first(&p, 12, 0), SW_FRAG_R_BAD);
	assert_int_equal(first(&p, 16, 0), SW_FRAG_R_OK);
	assert_int_equal(later(&p, 16, 12, true, 0), SW_FRAG_R_BAD);
	/* The last fragment ends it: nothing after, no second last. */
	assert_int_equal(later(&p, 96, 8, false, 0), SW_FRAG_R_OK);
	assert_int_equal(later(&p, 104, 8, false, 0), SW_FRAG_R_BAD);
	assert_int_equal(later(&p, 104, 8, true, 0), SW_FRAG_R_BAD);
	assert_int_equal(later(&p, 24, 8, false, 0), SW_FRAG_R_BAD);
	assert_int_equal(later(&p, 24, 0, true, 0), SW_FRAG_R_BAD);
	/* Runs [0,16) [32,40) [56,64) [96,104); a fifth is refused. */
	assert_int_equal(later(&p, 32, 8, true, 0), SW_FRAG_R_OK);
	assert_int_equal(later(&p, 56, 8, true, 0), SW_FRAG_R_OK);
	assert_int_equal(later(&p, 80, 8, true, 0), SW_FRAG_R_BAD);
	/* Filling the holes in order completes it. */
	for (off = 16; off < 96; off += 8)
		if (off != 32 && off != 56)
			assert_int_equal(later(&p, off, 8, true, 0),
					 SW_FRAG_R_OK);
	assert_int_equal(sw_frag_count(t, 0), 0);
}

/*
 * Table exhaustion: datagrams from distinct sources until sets fill.
 * A new datagram is refused (FULL); no accepted one is ever evicted
 * within its time-out; after it, there is room again.
 */
static void
test_frag_full_never_evicts(void **state)
{
	static uint8_t ok[8192];
	struct sw_pkt p;
	unsigned int i, n = 0, full = 0;

	(void)state;
	for (i = 0; i < 8192; i++) {
		int r;

		frag(&p, (uint16_t)i, 1000 + i);
		r = first(&p, 8, 0);
		assert_true(r == SW_FRAG_R_OK || r == SW_FRAG_R_FULL);
		ok[i] = r == SW_FRAG_R_OK;
		n += ok[i];
		full += r == SW_FRAG_R_FULL;
	}
	assert_true(full > 0);
	assert_int_equal(n, sw_frag_count(t, 1));
	assert_true(n > SW_FRAG_SETS * SW_FRAG_WAYS * 3 / 4);
	for (i = 0; i < 8192; i++) {
		frag(&p, (uint16_t)i, 1000 + i);
		assert_int_equal(later(&p, 8, 8, true, TIMEOUT_MS),
				 ok[i] ? SW_FRAG_R_OK : SW_FRAG_R_UNKNOWN);
	}
	/* Past the time-out the set has room. */
	frag(&p, 9000, 77);
	assert_int_equal(first(&p, 8, TIMEOUT_MS + 1), SW_FRAG_R_OK);
}

static void
test_frag_per_source_limit(void **state)
{
	struct sw_pkt p;
	uint32_t id;
	int r = -1, tries;

	(void)state;
	sw_frag_init(t, 1000, SW_FRAG_TIMEOUT_S, 4);
	for (id = 0; id < 4; id++) {
		frag(&p, 7, id);
		assert_int_equal(first(&p, 8, 0), SW_FRAG_R_OK);
	}
	frag(&p, 7, 4);
	assert_int_equal(first(&p, 8, 0), SW_FRAG_R_SOURCE);
	frag(&p, 8, 4);			/* another source: not held */
	assert_int_equal(first(&p, 8, 0), SW_FRAG_R_OK);
	/* A completed datagram gives its place back. */
	frag(&p, 7, 0);
	assert_int_equal(later(&p, 8, 8, false, 1), SW_FRAG_R_OK);
	frag(&p, 7, 4);
	assert_int_equal(first(&p, 8, 1), SW_FRAG_R_OK);
	/*
	 * Abandoned datagrams give theirs back after the time-out, by the
	 * bounded sweep (a few sets per first fragment).
	 */
	frag(&p, 7, 5);
	assert_int_equal(first(&p, 8, 2), SW_FRAG_R_SOURCE);
	for (tries = 0; tries < SW_FRAG_SETS && r != SW_FRAG_R_OK; tries++)
		r = first(&p, 8, TIMEOUT_MS + 10);
	assert_int_equal(r, SW_FRAG_R_OK);
	assert_true(tries <= SW_FRAG_SETS / 2 + 1);
}

/* IPv6 sources count by /64: one host has a whole /64 to spoof from. */
static void
test_frag_per_source_v6_by_64(void **state)
{
	struct sw_pkt p;
	uint32_t id;

	(void)state;
	sw_frag_init(t, 1000, SW_FRAG_TIMEOUT_S, 2);
	for (id = 0; id < 3; id++) {
		frag(&p, 0, id);
		p.k.family = SW_AF_INET6;
		p.k.src[0] = 0x20;
		p.k.src[1] = 0x01;
		p.k.src[2] = 0x0d;
		p.k.src[3] = 0xb8;
		p.k.src[15] = (uint8_t)(id + 1);	/* same /64 */
		assert_int_equal(first(&p, 8, 0), id < 2 ? SW_FRAG_R_OK :
				 SW_FRAG_R_SOURCE);
	}
	p.k.src[7] = 1;				/* another /64 */
	assert_int_equal(first(&p, 8, 0), SW_FRAG_R_OK);
}

/*
 * A source counts per ingress port: packets spoofed with a prefix on
 * one side do not spend the quota of that prefix's hosts on the other
 * (in a bridge both sides often share a prefix).
 */
static void
test_frag_per_source_per_port(void **state)
{
	struct sw_pkt p;
	uint32_t id;

	(void)state;
	sw_frag_init(t, 1000, SW_FRAG_TIMEOUT_S, 2);
	for (id = 0; id < 3; id++) {
		frag(&p, 9, id);
		p.k.in_port = 0;
		assert_int_equal(first(&p, 8, 0), id < 2 ? SW_FRAG_R_OK :
				 SW_FRAG_R_SOURCE);
	}
	frag(&p, 9, 3);
	p.k.in_port = 1;
	assert_int_equal(first(&p, 8, 0), SW_FRAG_R_OK);
	/* Its entry gives its place back to port 1's count. */
	assert_int_equal(later(&p, 8, 8, false, 0), SW_FRAG_R_OK);
	frag(&p, 9, 4);
	p.k.in_port = 1;
	assert_int_equal(first(&p, 8, 0), SW_FRAG_R_OK);
	frag(&p, 9, 5);
	p.k.in_port = 1;
	assert_int_equal(first(&p, 8, 0), SW_FRAG_R_OK);
	frag(&p, 9, 6);
	p.k.in_port = 1;
	assert_int_equal(first(&p, 8, 0), SW_FRAG_R_SOURCE);
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
	assert_int_equal(first(q, 8, 0), SW_FRAG_R_OK);
	assert_int_equal(later(&p, 8, 8, true, 1), SW_FRAG_R_OK);
}

/*
 * Issue 22, item 7: fragments of a datagram arrive where its first did;
 * another ingress port or outer VLAN cannot complete it.
 */
static void
test_frag_keyed_by_port_and_vlan(void **state)
{
	struct sw_pkt p, q;

	(void)state;
	frag(&p, 1, 11);
	p.k.in_port = 0;
	assert_int_equal(first(&p, 800, 0), SW_FRAG_R_OK);
	q = p;
	q.k.in_port = 1;
	assert_int_equal(later(&q, 800, 100, false, 1), SW_FRAG_R_UNKNOWN);
	q = p;
	q.vlan = 7;
	assert_int_equal(later(&q, 800, 100, false, 1), SW_FRAG_R_UNKNOWN);
	assert_int_equal(later(&p, 800, 100, false, 1), SW_FRAG_R_OK);
}

/*
 * A tracked TCP segment's first fragment: its datagram's last fragment
 * tells where the segment ends (sequence + datagram length - what came
 * before the payload).
 */
static void
test_frag_tcp_segment_end(void **state)
{
	struct sw_frag_info fi = { .off = 0, .len = 520, .more = true };
	struct sw_frag_tcp tcp = { .sport = 1, .dport = 2, .seq = 5000,
				   .skip = 20 };
	struct sw_frag_end e;
	struct sw_pkt p;

	(void)state;
	frag(&p, 1, 12);
	p.k.proto = 6;
	p.frag_nh = 6;
	assert_int_equal(sw_frag_first(t, &p, &fi, &tcp, 0), SW_FRAG_R_OK);
	fi = (struct sw_frag_info){ .off = 520, .len = 400, .more = true };
	assert_int_equal(sw_frag_later(t, &p, &fi, 1, &e), SW_FRAG_R_OK);
	assert_int_equal(e.known, 0);
	fi = (struct sw_frag_info){ .off = 920, .len = 300, .more = false };
	assert_int_equal(sw_frag_later(t, &p, &fi, 1, &e), SW_FRAG_R_OK);
	assert_int_equal(e.known, 1);
	assert_int_equal(e.sport, 1);
	assert_int_equal(e.dport, 2);
	assert_int_equal(e.end, 5000 + 1220 - 20);
	/* An untracked datagram tells nothing. */
	frag(&p, 1, 13);
	assert_int_equal(first(&p, 800, 2), SW_FRAG_R_OK);
	fi = (struct sw_frag_info){ .off = 800, .len = 8, .more = false };
	assert_int_equal(sw_frag_later(t, &p, &fi, 2, &e), SW_FRAG_R_OK);
	assert_int_equal(e.known, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_frag_later_follows_accepted_first, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_frag_expires, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_frag_overlap_dropped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_frag_bad_geometry_dropped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_frag_full_never_evicts,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_frag_per_source_limit,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_frag_per_source_v6_by_64,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_frag_per_source_per_port,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_frag_unaligned_metadata,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_frag_keyed_by_port_and_vlan,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_frag_tcp_segment_end,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("frag", tests, NULL, NULL);
}
