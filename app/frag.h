/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_FRAG_H
#define SW_FRAG_H

/*
 * Per-worker memory of first-fragment verdicts (DESIGN step 2). A
 * non-first fragment has no ports, so the rules cannot judge it; it gets
 * the verdict of its datagram's first fragment, looked up by (family,
 * proto, src, dst, id), or is dropped when none is known (a first
 * fragment not seen, arrived later, or forgotten). Never accepted only
 * because it has no ports to deny.
 *
 * Direct-mapped: a collision replaces the older entry, so a flood of
 * fragments costs only memory already allocated. Entries expire after
 * SW_FRAG_TIMEOUT_S (Linux's ipfrag_time).
 *
 * Thread-safety: one table per worker, used by that worker only.
 */

#include <stdint.h>

#define SW_FRAG_SLOTS		1024	/* power of two */
#define SW_FRAG_TIMEOUT_S	30

struct sw_pkt;

struct sw_frag_entry {
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t id;
	uint8_t family;
	uint8_t proto;
	uint8_t verdict;	/* enum sw_acl_action; 0: empty */
	uint8_t pad;
	uint64_t expire;	/* TSC */
};

struct sw_frag_table {
	uint64_t timeout;	/* TSC ticks */
	struct sw_frag_entry e[SW_FRAG_SLOTS];
};

void sw_frag_init(struct sw_frag_table *t, uint64_t tsc_hz);

/* Remember the verdict of a first fragment. */
void sw_frag_record(struct sw_frag_table *t, const struct sw_pkt *p,
		    uint8_t verdict, uint64_t now);

/* Verdict for a later fragment, or 0 (SW_ACL_NONE) when unknown. */
uint8_t sw_frag_lookup(const struct sw_frag_table *t, const struct sw_pkt *p,
		       uint64_t now);

#endif /* SW_FRAG_H */
