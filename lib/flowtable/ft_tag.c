/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Connection counters (tags): live flows counted across every shard,
 * for limits that must hold whichever worker a connection lands on (a
 * rule's conn_limit). A worker reserves a place with a fetch-and-add
 * before it inserts, and gives it back if it inserts nothing; the
 * table gives it back when the flow is deleted (ft_flow_delete), by
 * expiry, early drop, flush, RST or revalidation alike. Two workers
 * that race for the last place may both fail and give theirs back:
 * the limit is never exceeded, at worst met one flow late.
 *
 * Per source, the counts live in a count-min sketch: two rows of
 * counters, each indexed by a different part of the keyed hash of
 * (tag, prefix); a source's count is the smaller of its two cells. A
 * collision only adds another source's flows, so a source may be held
 * back early, never let past its limit, and an attacker who cannot
 * compute the hash cannot aim at a victim's cells.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "ft_private.h"
#include "sw_ft.h"

int
ft_tags_create(struct sw_ft *ft, int socket_id)
{
	ft->tag_count = rte_zmalloc_socket("sw_ft_tags", sizeof(uint32_t) *
					   SW_FT_MAX_TAGS, RTE_CACHE_LINE_SIZE,
					   socket_id);
	ft->tag_prefix = rte_zmalloc_socket("sw_ft_tagp", 2 * SW_FT_MAX_TAGS,
					    RTE_CACHE_LINE_SIZE, socket_id);
	ft->tag_socket = socket_id;
	return ft->tag_count && ft->tag_prefix ? 0 : -ENOMEM;
}

/*
 * The per-source sketch, allocated when a tag first counts per source
 * (the control thread, as it sets the tag up). Workers reach it only
 * through a tag whose prefix is stored after it (release, acquire in
 * cells()), so none sees the pointer before it is set.
 */
static int
sketch_create(struct sw_ft *ft)
{
	size_t sz = sizeof(uint32_t) * 2 * FT_SKETCH;
	uint32_t *sk;

	if (ft->sketch != NULL)
		return 0;
	sk = rte_zmalloc_socket("sw_ft_sketch", sz, RTE_CACHE_LINE_SIZE,
				ft->tag_socket);
	if (sk == NULL)
		return -ENOMEM;
	__atomic_store_n(&ft->sketch, sk, __ATOMIC_RELEASE);
	ft->memory += sz;
	return 0;
}

void
ft_tags_free(struct sw_ft *ft)
{
	rte_free(ft->tag_count);
	rte_free(ft->tag_prefix);
	rte_free(ft->sketch);
}

int
sw_ft_tag_setup(struct sw_ft *ft, uint16_t t, uint8_t v4_prefix,
		uint8_t v6_prefix)
{
	if (t == 0 || t >= SW_FT_MAX_TAGS || v4_prefix > 32 ||
	    v6_prefix > 128 || (v4_prefix == 0) != (v6_prefix == 0))
		return -EINVAL;
	if (sw_ft_tag_count(ft, t) != 0 &&
	    (ft->tag_prefix[2 * t] != v4_prefix ||
	     ft->tag_prefix[2 * t + 1] != v6_prefix))
		return -EBUSY;
	if (v4_prefix != 0 && sketch_create(ft) != 0)
		return -ENOMEM;
	__atomic_store_n(&ft->tags_used, true, __ATOMIC_RELAXED);
	__atomic_store_n(&ft->tag_prefix[2 * t], v4_prefix, __ATOMIC_RELEASE);
	__atomic_store_n(&ft->tag_prefix[2 * t + 1], v6_prefix,
			 __ATOMIC_RELEASE);
	return 0;
}

/* The two sketch cells of (t, src), or false when t counts no source. */
static bool
cells(const struct sw_ft *ft, uint16_t t, uint8_t family, const uint8_t *src,
      uint32_t *c0, uint32_t *c1)
{
	/* Acquire: a prefix set means the sketch is there (sketch_create). */
	unsigned int plen = __atomic_load_n(&ft->tag_prefix[2 * t +
					    (family == 6)], __ATOMIC_ACQUIRE);
	unsigned int full = plen / 8, rest = plen % 8;
	uint8_t k[20];
	uint64_t h;

	if (plen == 0)
		return false;
	memset(k, 0, sizeof(k));
	memcpy(k, src, full);
	if (rest)
		k[full] = (uint8_t)(src[full] & (0xff << (8 - rest)));
	k[16] = family;
	k[17] = (uint8_t)plen;
	memcpy(k + 18, &t, 2);
	h = sw_ft_siphash(k, sizeof(k));
	*c0 = (uint32_t)h & (FT_SKETCH - 1);
	*c1 = FT_SKETCH + ((uint32_t)(h >> 32) & (FT_SKETCH - 1));
	return true;
}

int
sw_ft_tag_acquire(struct sw_ft *ft, uint16_t t, uint32_t max, uint8_t family,
		  const uint8_t *src)
{
	uint32_t c0, c1, a, b;

	if (t == 0 || t >= SW_FT_MAX_TAGS)
		return -EDQUOT;
	if (cells(ft, t, family, src, &c0, &c1)) {
		a = __atomic_add_fetch(&ft->sketch[c0], 1, __ATOMIC_RELAXED);
		b = __atomic_add_fetch(&ft->sketch[c1], 1, __ATOMIC_RELAXED);
		if (RTE_MIN(a, b) > max) {
			__atomic_sub_fetch(&ft->sketch[c0], 1,
					   __ATOMIC_RELAXED);
			__atomic_sub_fetch(&ft->sketch[c1], 1,
					   __ATOMIC_RELAXED);
			return -EDQUOT;
		}
		__atomic_add_fetch(&ft->tag_count[t], 1, __ATOMIC_RELAXED);
		return 0;
	}
	if (__atomic_add_fetch(&ft->tag_count[t], 1, __ATOMIC_RELAXED) > max) {
		__atomic_sub_fetch(&ft->tag_count[t], 1, __ATOMIC_RELAXED);
		return -EDQUOT;
	}
	return 0;
}

void
sw_ft_tag_release(struct sw_ft *ft, uint16_t t, uint8_t family,
		  const uint8_t *src)
{
	uint32_t c0, c1;

	if (t == 0 || t >= SW_FT_MAX_TAGS)
		return;
	if (cells(ft, t, family, src, &c0, &c1)) {
		__atomic_sub_fetch(&ft->sketch[c0], 1, __ATOMIC_RELAXED);
		__atomic_sub_fetch(&ft->sketch[c1], 1, __ATOMIC_RELAXED);
	}
	__atomic_sub_fetch(&ft->tag_count[t], 1, __ATOMIC_RELAXED);
}

bool
sw_ft_tag_fits(const struct sw_ft *ft, uint16_t t, uint32_t max,
	       uint8_t family, const uint8_t *src)
{
	uint32_t c0, c1;

	if (t == 0 || t >= SW_FT_MAX_TAGS)
		return false;
	if (cells(ft, t, family, src, &c0, &c1))
		return RTE_MIN(__atomic_load_n(&ft->sketch[c0],
					       __ATOMIC_RELAXED),
			       __atomic_load_n(&ft->sketch[c1],
					       __ATOMIC_RELAXED)) < max;
	return sw_ft_tag_count(ft, t) < max;
}

uint32_t
sw_ft_tag_count(const struct sw_ft *ft, uint16_t t)
{
	return t && t < SW_FT_MAX_TAGS ?
	       __atomic_load_n(&ft->tag_count[t], __ATOMIC_RELAXED) : 0;
}
