/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Rate limits and per-source meters: the state a rule's `limit` and
 * `meter` keep, shared by every worker. Each bucket is the generic cell
 * rate algorithm (ITU-T I.371): one word, the theoretical arrival time
 * of the next packet at the rate, moved on by a compare and swap; a
 * packet conforms when that time is no further ahead of now than the
 * burst allows. One word means no lock and no torn bucket, and the rate
 * holds whichever worker the packets reach (a bucket per worker would
 * let W times the rate through, or starve a busy worker).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "acl_private.h"
#include "sw_acl.h"

/* Meter entries when a rule does not say: 64 Ki (1 MiB). */
#define METER_DEFAULT_SIZE	65536u
/* A meter's compare-and-swap retries before a packet simply passes. */
#define METER_TRIES		4

/*
 * Take a token at `now`: conforming when the bucket's arrival time is
 * at most `tol` ahead; the time then moves one interval on. A packet
 * that does not conform changes nothing.
 */
static bool
gcra_take(uint64_t *tat, uint64_t interval, uint64_t tol, uint64_t now)
{
	uint64_t old = __atomic_load_n(tat, __ATOMIC_RELAXED), t;

	do {
		t = old > now ? old : now;
		if (t - now > tol)
			return false;
	} while (!__atomic_compare_exchange_n(tat, &old, t + interval, false,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

/* Ticks a token, and the tolerance a burst gives, of rate r at hz. */
static void
rate_ticks(const struct sw_acl_rate *r, uint64_t hz, uint64_t *interval,
	   uint64_t *tol)
{
	long double t = (long double)hz * r->seconds / r->packets;
	uint32_t burst = r->burst ? r->burst : 1;

	*interval = t < 1 ? 1 : (uint64_t)t;
	*tol = *interval * (burst - 1);
}

bool
acl_limit_take(const struct sw_acl *acl, const struct sw_acl_rule *r,
	       uint64_t now)
{
	struct acl_lim *l = &acl->lims[r->state];

	return gcra_take(&l->tat, l->interval, l->tolerance, now);
}

/* The source (or destination) prefix a meter counts a packet under. */
static uint64_t
meter_key(const struct sw_acl *acl, const struct sw_acl_rule *r,
	  const struct sw_acl_key *k)
{
	const uint8_t *a = r->meter.by_dst ? k->dst : k->src;
	unsigned int plen = k->family == 6 ? r->meter.v6_prefix :
					     r->meter.v4_prefix;
	unsigned int full = plen / 8, rest = plen % 8;
	uint8_t buf[17];

	memset(buf, 0, sizeof(buf));
	memcpy(buf, a, full);
	if (rest)
		buf[full] = (uint8_t)(a[full] & (0xff << (8 - rest)));
	buf[16] = k->family;
	/* 0 marks a free entry. */
	return acl->hash(buf, sizeof(buf)) | 1;
}

/*
 * The entry of key h in its bucket, taking one if it has none: a free
 * one, else the one idle longest (its arrival time furthest back: one
 * at or before now has a full bucket, and forgetting it loses
 * nothing). Two workers that take one at once: the compare and swap on
 * the key lets one win; the other looks again.
 */
static struct acl_way *
meter_way(const struct acl_lim *l, uint64_t h, uint64_t now)
{
	struct acl_way *b = &l->ways[(h >> 32 & l->m_mask) * ACL_METER_WAYS];
	struct acl_way *victim;
	uint64_t k, vk, best;
	unsigned int w, t;

	for (t = 0; t < METER_TRIES; t++) {
		victim = NULL;
		vk = 0;
		best = UINT64_MAX;
		for (w = 0; w < ACL_METER_WAYS; w++) {
			uint64_t tat;

			k = __atomic_load_n(&b[w].key, __ATOMIC_ACQUIRE);
			if (k == h)
				return &b[w];
			tat = k == 0 ? 0 :
			      __atomic_load_n(&b[w].tat, __ATOMIC_RELAXED);
			if (victim == NULL || tat < best) {
				best = tat;
				victim = &b[w];
				vk = k;
			}
		}
		if (!__atomic_compare_exchange_n(&victim->key, &vk, h, false,
						 __ATOMIC_ACQ_REL,
						 __ATOMIC_RELAXED))
			continue;
		/* A source still held to its rate: the new one starts full. */
		if (best > now)
			__atomic_store_n(&victim->tat, 0, __ATOMIC_RELAXED);
		return victim;
	}
	return NULL;
}

bool
acl_meter_take(const struct sw_acl *acl, const struct sw_acl_rule *r,
	       const struct sw_acl_key *k, uint64_t now)
{
	struct acl_lim *l = &acl->lims[r->state];
	struct acl_way *w = meter_way(l, meter_key(acl, r, k), now);

	/* Workers fighting over one bucket for so long: let it pass. */
	if (w == NULL)
		return true;
	return gcra_take(&w->tat, l->m_interval, l->m_tolerance, now);
}

int
acl_lims_create(struct sw_acl *acl, int socket_id, char *err, size_t errlen)
{
	unsigned int k, i, n = 0;

	for (k = 0; k < acl->nb_lists; k++)
		for (i = 0; i < acl->set[k].nb_rules; i++) {
			struct sw_acl_rule *r = &acl->set[k].rules[i];

			if (r->limit.packets || r->meter.rate.packets)
				r->state = n++;
		}
	if (n == 0)
		return 0;
	acl->lims = rte_zmalloc_socket("sw_acl_lims", sizeof(*acl->lims) * n,
				       RTE_CACHE_LINE_SIZE, socket_id);
	if (acl->lims == NULL)
		goto nomem;
	acl->nb_lims = n;
	for (k = 0; k < acl->nb_lists; k++)
		for (i = 0; i < acl->set[k].nb_rules; i++) {
			const struct sw_acl_rule *r = &acl->set[k].rules[i];
			struct acl_lim *l = &acl->lims[r->state];
			uint32_t size, nbk;

			if (r->limit.packets)
				rate_ticks(&r->limit, acl->hz, &l->interval,
					   &l->tolerance);
			if (!r->meter.rate.packets)
				continue;
			rate_ticks(&r->meter.rate, acl->hz, &l->m_interval,
				   &l->m_tolerance);
			size = r->meter.size ? r->meter.size :
			       METER_DEFAULT_SIZE;
			nbk = rte_align32pow2(RTE_MAX(size / ACL_METER_WAYS,
						      1u));
			l->ways = rte_zmalloc_socket("sw_acl_meter",
						     sizeof(*l->ways) * nbk *
						     ACL_METER_WAYS,
						     RTE_CACHE_LINE_SIZE,
						     socket_id);
			if (l->ways == NULL)
				goto nomem;
			l->m_mask = nbk - 1;
		}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory for rate limits and meters");
	return -ENOMEM;
}

void
acl_lims_free(struct sw_acl *acl)
{
	unsigned int i;

	for (i = 0; i < acl->nb_lims; i++)
		rte_free(acl->lims[i].ways);
	rte_free(acl->lims);
	acl->lims = NULL;
	acl->nb_lims = 0;
}
