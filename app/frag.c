/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <string.h>


#include "frag.h"
#include "sw_ft.h"
#include "sw_pkt.h"

void
sw_frag_init(struct sw_frag_table *t, uint64_t tsc_hz)
{
	memset(t, 0, sizeof(*t));
	/* Slots are keyed: an attacker cannot aim fragments at a slot. */
	sw_ft_hash_init();
	t->timeout = tsc_hz * SW_FRAG_TIMEOUT_S;
}

static inline uint32_t
slot(const struct sw_pkt *p)
{
	/*
	 * Keyed (SipHash under the per-start secret), over an aligned copy:
	 * the addresses sit at offset 12 of the packet metadata (the
	 * misaligned load was found by fuzz_path under UBSan).
	 */
	uint64_t a[5];

	memcpy(a, p->k.src, 16);
	memcpy(a + 2, p->k.dst, 16);
	a[4] = (uint64_t)p->frag_id << 16 | (uint64_t)p->k.proto << 8 |
	       p->k.family;
	return (uint32_t)sw_ft_siphash(a, sizeof(a)) & (SW_FRAG_SLOTS - 1);
}

static inline int
same(const struct sw_frag_entry *e, const struct sw_pkt *p)
{
	return e->id == p->frag_id && e->family == p->k.family &&
	       e->proto == p->k.proto &&
	       memcmp(e->src, p->k.src, 16) == 0 &&
	       memcmp(e->dst, p->k.dst, 16) == 0;
}

void
sw_frag_record(struct sw_frag_table *t, const struct sw_pkt *p,
	       uint8_t verdict, uint64_t now)
{
	struct sw_frag_entry *e = &t->e[slot(p)];

	memcpy(e->src, p->k.src, 16);
	memcpy(e->dst, p->k.dst, 16);
	e->id = p->frag_id;
	e->family = p->k.family;
	e->proto = p->k.proto;
	e->verdict = verdict;
	e->expire = now + t->timeout;
}

uint8_t
sw_frag_lookup(const struct sw_frag_table *t, const struct sw_pkt *p,
	       uint64_t now)
{
	const struct sw_frag_entry *e = &t->e[slot(p)];

	if (e->verdict == 0 || (int64_t)(now - e->expire) > 0 || !same(e, p))
		return 0;
	return e->verdict;
}
