/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Per-source quotas, as pf's max-src-conn / max-src-conn-rate and
 * Linux's connlimit / hashlimit: each shard counts the live flows and
 * the new-flow rate of every source prefix (/32 and /64 by default) that
 * opened flows in it, in a table sized at start and keyed with the flow
 * table's SipHash. A source over its quota cannot insert; early drop
 * takes from the heaviest source first.
 *
 * The table is open addressing with linear probing over at most
 * SRC_PROBE slots. An entry whose count falls to 0 stays in its chain
 * (so later entries stay reachable) and is reused by the next new
 * source that probes past it. A new source whose chain is full takes
 * the place of the lightest entry in it (counted as untracked): that
 * source loses its count, so it may open as many flows again as it
 * held (at most what the lightest of 16 holds), where leaving the new
 * one out would let it open any number (spoofed fillers in 16 prefixes
 * were enough to free a real source from its quota). The lost count's
 * flows, when they end, decrement nothing: their source's entry is
 * gone, or, found again, never goes below 0.
 */
#include <string.h>

#include <rte_malloc.h>

#include "ft_private.h"

#define SRC_PROBE 16

struct ft_src {
	uint8_t addr[16];	/* the prefix, host bits cleared */
	uint8_t family;		/* 0: never used */
	uint8_t tag;		/* 8 bits of its hash: the flows' src tag */
	uint16_t pad;
	uint32_t flows;		/* live flows it opened in this shard */
	uint32_t tokens;	/* new flows it may open now (rate) */
	uint32_t last;		/* time unit of the last refill */
	uint32_t opened;	/* flows it opened in all */
	uint32_t win_start;	/* rate display: the current second */
	uint32_t win_new;	/* new flows in it */
	uint32_t last_rate;	/* new flows in the previous second */
	uint32_t pad2;
};

void
ft_source_prefix(const struct ft_source_conf *sc, const struct sw_ft_key *k,
		 int dir, uint8_t *a)
{
	const uint8_t *src = dir == SW_FT_DIR_HI ? k->hi : k->lo;
	unsigned int plen = k->family == 4 ? sc->v4_prefix : sc->v6_prefix;
	unsigned int i;

	memset(a, 0, 16);
	memcpy(a, src, k->family == 4 ? 4 : 16);
	for (i = plen; i < 128; i++)
		a[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

static uint32_t
src_hash(const uint8_t *a, uint8_t family)
{
	uint64_t m[3];

	m[0] = 0x7372635f71756f74ull;	/* "src_quot" */
	memcpy(&m[1], a, 16);
	m[0] ^= family;
	return (uint32_t)sw_ft_siphash(m, sizeof(m));
}

size_t
ft_source_size(uint32_t nb)
{
	return sizeof(struct ft_src) * nb;
}

int
ft_source_create(struct sw_ft_shard *s, const struct ft_source_conf *sc,
		 int socket_id)
{
	uint32_t n = 16;

	if (sc->max_flows == 0 && sc->max_new_per_s == 0)
		return 0;
	while (n < sc->max_sources && n < (1u << 30))
		n <<= 1;
	s->src = rte_zmalloc_socket("sw_ft_src", ft_source_size(n),
				    RTE_CACHE_LINE_SIZE, socket_id);
	if (s->src == NULL)
		return -ENOMEM;
	s->src_mask = n - 1;
	return 0;
}

/* The source's entry, or a slot for it (new), or NULL: untracked. */
static struct ft_src *
src_find(struct sw_ft_shard *s, const uint8_t *a, uint8_t family, bool add,
	 uint32_t now_u)
{
	uint32_t h = src_hash(a, family), i, slot = h & s->src_mask;
	struct ft_src *free_slot = NULL, *lightest = NULL;

	for (i = 0; i < SRC_PROBE && i <= s->src_mask; i++) {
		struct ft_src *e = &s->src[(slot + i) & s->src_mask];

		if (e->family == family && memcmp(e->addr, a, 16) == 0)
			return e;
		if (e->family == 0) {
			if (free_slot == NULL)
				free_slot = e;
			break;		/* the chain ends here */
		}
		if (e->flows == 0 && free_slot == NULL)
			free_slot = e;
		if (lightest == NULL || e->flows < lightest->flows)
			lightest = e;
	}
	if (!add)
		return NULL;
	if (free_slot == NULL) {
		/* The chain is full: the lightest source makes room. */
		FT_INC(s->cnt.src_untracked);
		free_slot = lightest;
		if (free_slot->tag == s->heavy_tag) {
			s->heavy_tag = 0;
			s->heavy_flows = 0;
		}
		/* Unpublished while rewritten (the control thread lists). */
		__atomic_store_n(&free_slot->family, 0, __ATOMIC_RELEASE);
	}
	memset(free_slot, 0, sizeof(*free_slot));
	memcpy(free_slot->addr, a, 16);
	free_slot->tag = (uint8_t)(h >> 24) | 1;	/* never 0: no source */
	free_slot->tokens = s->ft->src.max_new_per_s;
	free_slot->last = now_u;
	/* Published last (the control thread lists sources). */
	__atomic_store_n(&free_slot->family, family, __ATOMIC_RELEASE);
	return free_slot;
}

int
ft_source_acquire(struct sw_ft_shard *s, const struct sw_ft_key *k, int dir,
		  uint32_t t, uint8_t *tag)
{
	const struct ft_source_conf *sc = &s->ft->src;
	struct ft_src *e;
	uint8_t a[16];

	*tag = 0;
	if (s->src == NULL)
		return 0;
	ft_source_prefix(sc, k, dir, a);
	e = src_find(s, a, k->family, true, t);
	if (sc->max_new_per_s) {
		/* Refill: rate x elapsed; the rest of a token carries over. */
		uint64_t ups = s->ft->src_u_per_s, rate = sc->max_new_per_s;
		uint64_t add = (uint64_t)(t - e->last) * rate / ups;

		if (add) {
			e->tokens = (uint32_t)RTE_MIN(e->tokens + add, rate);
			e->last += (uint32_t)(add * ups / rate);
		}
		if (e->tokens == 0)
			goto over;
	}
	if (sc->max_flows && e->flows >= sc->max_flows)
		goto over;
	if (sc->max_new_per_s)
		e->tokens--;
	FT_SET(e->flows, e->flows + 1);
	FT_SET(e->opened, e->opened + 1);
	if (t - e->win_start >= s->ft->src_u_per_s) {
		FT_SET(e->last_rate, t - e->win_start < 2 * s->ft->src_u_per_s ?
				     e->win_new : 0);
		e->win_start = t;
		e->win_new = 0;
	}
	e->win_new++;
	/* The heaviest source of the shard: early drop's first choice. */
	if (e->flows > s->heavy_flows || e->tag == s->heavy_tag) {
		s->heavy_tag = e->tag;
		s->heavy_flows = e->flows;
	}
	*tag = e->tag;
	return 0;
over:
	FT_INC(s->cnt.src_over);
	return -EDQUOT;
}

void
ft_source_release(struct sw_ft_shard *s, const struct sw_ft_key *k, int dir)
{
	struct ft_src *e;
	uint8_t a[16];

	if (s->src == NULL)
		return;
	ft_source_prefix(&s->ft->src, k, dir, a);
	e = src_find(s, a, k->family, false, 0);
	if (e == NULL || e->flows == 0)
		return;
	FT_SET(e->flows, e->flows - 1);
	if (e->tag == s->heavy_tag && s->heavy_flows)
		s->heavy_flows--;
}

unsigned int
sw_ft_sources(const struct sw_ft *ft, unsigned int shard,
	      sw_ft_source_cb cb, void *arg)
{
	const struct sw_ft_shard *s;
	unsigned int n = 0;
	uint32_t i;

	if (shard >= ft->nb_shards || ft->shards[shard]->src == NULL)
		return 0;
	s = ft->shards[shard];
	for (i = 0; i <= s->src_mask; i++) {
		const struct ft_src *e = &s->src[i];
		struct sw_ft_source info;
		uint8_t fam = __atomic_load_n(&e->family, __ATOMIC_ACQUIRE);

		if (fam == 0)
			continue;
		memset(&info, 0, sizeof(info));
		info.family = fam;
		memcpy(info.addr, e->addr, 16);
		info.plen = (uint8_t)(fam == 4 ? ft->src.v4_prefix :
					    ft->src.v6_prefix);
		info.flows = FT_GET(e->flows);
		info.opened = FT_GET(e->opened);
		info.new_per_s = FT_GET(e->last_rate);
		if (info.flows == 0 && info.new_per_s == 0)
			continue;
		n++;
		if (cb(shard, &info, arg))
			break;
	}
	return n;
}
