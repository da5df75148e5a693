/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * What an element carries beyond its prefix: a timeout (sets made with
 * timeouts, as ipset's and nftables' `timeout`), its share of the
 * content's digest; and the sorted listing. Control thread only: the
 * workers look up the tables of pset.c and never this.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>

#include "pset_private.h"

/*
 * A prefix as a key: the family's address bytes only, the rest zero,
 * so one prefix is one key however the caller filled the bytes past
 * its family's length.
 */
static void
key_of(const struct sw_pset_prefix *p, struct sw_pset_prefix *k)
{
	memset(k, 0, sizeof(*k));
	k->family = p->family;
	k->plen = p->plen;
	memcpy(k->addr, p->addr, p->family == 4 ? 4 : 16);
}

uint64_t
pset_mix(const struct sw_pset_prefix *p)
{
	struct sw_pset_prefix k;
	uint64_t h = 0xcbf29ce484222325ull;
	const uint8_t *b = (const uint8_t *)&k;
	size_t i;

	key_of(p, &k);
	for (i = 0; i < sizeof(k); i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	/* splitmix64's finalizer: XOR of many stays evenly spread. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

static uint32_t
meta_entries(uint32_t max)
{
	return RTE_MAX(max + max / 4, 64u);
}

size_t
pset_meta_bytes(const struct sw_pset_conf *c)
{
	uint32_t n;

	if (!c->timeouts)
		return 0;
	n = rte_align32pow2(meta_entries((pset_holds(c->family, 4) ?
					   c->max4 : 0) +
					  (pset_holds(c->family, 6) ?
					   c->max6 : 0)));
	/* Buckets (64 bytes a pair of 8), a key and a pointer, the ring. */
	return (size_t)n / 8 * 64 * 2 + (size_t)n *
	       RTE_ALIGN_CEIL(sizeof(struct sw_pset_prefix) + 8, 8) +
	       (size_t)n * 8;
}

int
pset_meta_create(struct sw_pset *s, uint32_t n)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp;

	snprintf(name, sizeof(name), "ps%u_t", n);
	memset(&hp, 0, sizeof(hp));
	hp.name = name;
	hp.entries = meta_entries(s->max[0] + s->max[1]);
	hp.key_len = sizeof(struct sw_pset_prefix);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = s->socket_id;
	s->meta = rte_hash_create(&hp);
	return s->meta != NULL ? 0 : rte_errno ? -rte_errno : -ENOMEM;
}

void
pset_meta_free(struct sw_pset *s)
{
	rte_hash_free(s->meta);
	s->meta = NULL;
	s->nb_timed = 0;
}

/* Give p an expiry (0: none, it stays until deleted). */
static int
meta_set(struct sw_pset *s, const struct sw_pset_prefix *p, uint64_t expires)
{
	struct sw_pset_prefix k;
	bool had;
	int rc;

	key_of(p, &k);
	had = rte_hash_lookup(s->meta, &k) >= 0;
	if (expires == 0) {
		if (had && rte_hash_del_key(s->meta, &k) >= 0)
			s->nb_timed--;
		return 0;
	}
	rc = rte_hash_add_key_data(s->meta, &k, (void *)(uintptr_t)expires);
	if (rc == 0 && !had)
		s->nb_timed++;
	return rc;
}

void
pset_elem_changed(struct sw_pset *s, const struct sw_pset_prefix *const *p,
		  uint32_t n, bool del)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		s->digest ^= pset_mix(p[i]);
		if (del && s->meta != NULL)
			meta_set(s, p[i], 0);
	}
}

void
pset_elem_reset(struct sw_pset *s, uint64_t digest)
{
	s->digest = digest;
	if (s->meta != NULL)
		rte_hash_reset(s->meta);
	s->nb_timed = 0;
}

/* A timeout on a set made without them: where, or -1. */
static int64_t
untimed(const struct sw_pset *s, const uint32_t *timeout, uint32_t n)
{
	uint32_t i;

	for (i = 0; timeout != NULL && s->meta == NULL && i < n; i++)
		if (timeout[i] != 0)
			return i;
	return -1;
}

/* After the tables took them: each prefix's timeout, from now. */
static void
set_timeouts(struct sw_pset *s, const struct sw_pset_prefix *p,
	     const uint32_t *timeout, uint32_t n, uint64_t now)
{
	uint32_t i;

	for (i = 0; timeout != NULL && s->meta != NULL && i < n; i++)
		if (meta_set(s, &p[i], timeout[i] ? now + timeout[i] : 0))
			PSET_LOG(ERR, "set %s: no room for a timeout: an "
				 "element stays until deleted\n", s->name);
}

int
sw_pset_add(struct sw_pset *s, const struct sw_pset_prefix *p,
	    const uint32_t *timeout, uint32_t n, uint64_t now,
	    struct sw_pset_result *res)
{
	int64_t bad = untimed(s, timeout, n);
	int rc;

	if (bad >= 0) {
		memset(res, 0, sizeof(*res));
		res->failed = (uint32_t)bad;
		return -ENOTSUP;
	}
	rc = sw_pset_update(s, p, n, false, res);
	if (rc == 0)
		set_timeouts(s, p, timeout, n, now);
	return rc;
}

int
sw_pset_load(struct sw_pset *s, const struct sw_pset_prefix *p,
	     const uint32_t *timeout, uint32_t n, uint64_t now,
	     struct sw_pset_result *res)
{
	int64_t bad = untimed(s, timeout, n);
	int rc;

	if (bad >= 0) {
		memset(res, 0, sizeof(*res));
		res->failed = (uint32_t)bad;
		return -ENOTSUP;
	}
	rc = sw_pset_replace(s, p, n, res);
	if (rc == 0)
		set_timeouts(s, p, timeout, n, now);
	return rc;
}

int
sw_pset_expire(struct sw_pset *s, uint64_t now)
{
	struct sw_pset_result res;
	struct sw_pset_prefix *v;
	const void *key;
	void *data;
	uint32_t next = 0, k = 0;
	int rc;

	if (s->meta == NULL || s->nb_timed == 0)
		return 0;
	v = malloc(sizeof(*v) * s->nb_timed);
	if (v == NULL)
		return -ENOMEM;
	while (k < s->nb_timed &&
	       rte_hash_iterate(s->meta, &key, &data, &next) >= 0)
		if ((uint64_t)(uintptr_t)data <= now)
			memcpy(&v[k++], key, sizeof(*v));
	memset(&res, 0, sizeof(res));
	rc = k ? sw_pset_update(s, v, k, true, &res) : 0;
	free(v);
	return rc ? rc : (int)RTE_MIN(res.changed, (uint32_t)INT32_MAX);
}

uint32_t
sw_pset_timeout_left(const struct sw_pset *s, const struct sw_pset_prefix *p,
		     uint64_t now)
{
	struct sw_pset_prefix k;
	void *data;
	uint64_t exp;

	if (s->meta == NULL || s->nb_timed == 0)
		return 0;
	key_of(p, &k);
	if (rte_hash_lookup_data(s->meta, &k, &data) < 0)
		return 0;
	exp = (uint64_t)(uintptr_t)data;
	/* Due, not yet swept: it goes within the caller's next sweep. */
	return exp > now ? (uint32_t)RTE_MIN(exp - now, (uint64_t)UINT32_MAX) :
			   1;
}

bool
sw_pset_has_timeouts(const struct sw_pset *s)
{
	return s->meta != NULL;
}

uint32_t
sw_pset_nb_timed(const struct sw_pset *s)
{
	return s->nb_timed;
}

uint64_t
sw_pset_digest(const struct sw_pset *s)
{
	return s->digest;
}

struct snap_arg {
	struct sw_pset_prefix *v;
	uint32_t n, cap;
};

static int
snap_one(const struct sw_pset_prefix *p, void *arg)
{
	struct snap_arg *a = arg;

	if (a->n == a->cap)
		return 1;
	key_of(p, &a->v[a->n++]);
	return 0;
}

/* IPv4 first; by address; a network before the longer ones inside. */
static int
cmp_prefix(const void *a, const void *b)
{
	const struct sw_pset_prefix *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	c = memcmp(x->addr, y->addr, x->family == 4 ? 4 : 16);
	if (c != 0)
		return c;
	return (int)x->plen - (int)y->plen;
}

int
sw_pset_snapshot(const struct sw_pset *s, struct sw_pset_prefix **v,
		 uint32_t *n)
{
	struct snap_arg a = { .cap = s->count[0] + s->count[1] };
	struct sw_pset_pos pos;

	*v = NULL;
	*n = 0;
	a.v = malloc(sizeof(*a.v) * RTE_MAX(a.cap, 1u));
	if (a.v == NULL)
		return -ENOMEM;
	memset(&pos, 0, sizeof(pos));
	while (sw_pset_walk(s, &pos, 4096, snap_one, &a) > 0 && a.n < a.cap)
		;
	qsort(a.v, a.n, sizeof(*a.v), cmp_prefix);
	*v = a.v;
	*n = a.n;
	return 0;
}

int
sw_pset_copy(struct sw_pset *to, const struct sw_pset *from, uint64_t now,
	     struct sw_pset_result *res)
{
	struct sw_pset_prefix *v;
	uint32_t *t = NULL, n, i;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = sw_pset_snapshot(from, &v, &n);
	if (rc)
		return rc;
	if (from->nb_timed && to->meta != NULL) {
		t = malloc(sizeof(*t) * RTE_MAX(n, 1u));
		if (t == NULL) {
			free(v);
			return -ENOMEM;
		}
		for (i = 0; i < n; i++)
			t[i] = sw_pset_timeout_left(from, &v[i], now);
	}
	rc = sw_pset_load(to, v, t, n, now, res);
	free(t);
	free(v);
	return rc;
}
