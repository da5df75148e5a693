/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <string.h>

#include <rte_hash_crc.h>

#include "frag.h"
#include "sw_pkt.h"

void
sw_frag_init(struct sw_frag_table *t, uint64_t tsc_hz)
{
	memset(t, 0, sizeof(*t));
	t->timeout = tsc_hz * SW_FRAG_TIMEOUT_S;
}

static inline uint32_t
slot(const struct sw_pkt *p)
{
	uint32_t h = rte_hash_crc(p->k.src, 16, p->frag_id);

	h = rte_hash_crc(p->k.dst, 16, h ^ p->k.proto);
	return h & (SW_FRAG_SLOTS - 1);
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
