/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_rib.h>
#include <rte_rib6.h>

#include "pset_private.h"

RTE_LOG_REGISTER(sw_pset_logtype, user.sw.pset, INFO);

static uint32_t serial;

static bool
is_host(const struct sw_pset_prefix *p)
{
	return p->plen == (p->family == 4 ? 32 : 128);
}

static uint32_t
v4_groups(uint32_t nets)
{
	return RTE_MIN(RTE_ALIGN_CEIL(nets + V4_SPARE, 64), GROUPS_2B);
}

static uint32_t
v6_groups(uint32_t nets)
{
	return nets * V6_GROUPS + V4_SPARE;
}

/* rte_rib nodes: a mempool of 2 * max_routes objects. */
static size_t
pool_bytes(uint32_t routes, uint32_t node)
{
	struct rte_mempool_objsz sz;

	return (size_t)2 * routes * rte_mempool_calc_obj_size(node, 0, &sz);
}

/* The hash's entries: room to spare, as cuckoo inserts fail near full. */
static uint32_t
hash_entries(uint32_t max)
{
	return RTE_MAX(max + max / 4, 64u);
}

static size_t
hash_bytes(uint32_t max, uint32_t key_len)
{
	uint32_t n = rte_align32pow2(hash_entries(max));

	/* Buckets of 8 (64 bytes), a key slot per entry, the free ring. */
	return (size_t)n / 8 * 64 * 2 + (size_t)n *
	       RTE_ALIGN_CEIL(key_len + 8, 8) + (size_t)n * 8;
}

static void
sizes(const struct sw_pset_conf *c, uint32_t *max, uint32_t *nets)
{
	max[0] = pset_holds(c->family, 4) ? c->max4 : 0;
	max[1] = pset_holds(c->family, 6) ? c->max6 : 0;
	nets[0] = RTE_MIN(max[0], c->nets4 ? c->nets4 : 65536);
	nets[1] = RTE_MIN(max[1], c->nets6 ? c->nets6 : 65536);
}

size_t
sw_pset_memsize(const struct sw_pset_conf *c)
{
	uint32_t max[2], nets[2];
	size_t one = 0, g6;

	if (c->family != 0 && c->family != 4 && c->family != 6)
		return 0;
	sizes(c, max, nets);
	if (max[0]) {
		one += pool_bytes(nets[0], 40) + hash_bytes(max[0], 4);
		if (nets[0] > TREE_MAX)
			one += (1u << 24) * 2 + (size_t)(v4_groups(nets[0]) +
							 1) * 512;
	}
	if (max[1]) {
		g6 = v6_groups(nets[1]) > GROUPS_2B ? 4 : 2;
		one += pool_bytes(nets[1], 64) + hash_bytes(max[1], 16);
		if (nets[1] > TREE_MAX)
			one += (1u << 24) * g6 + (size_t)(v6_groups(nets[1]) +
							  1) * 256 * g6;
	}
	return 2 * one + pset_meta_bytes(c);
}

static void
copy_free(struct pset_copy *cp)
{
	rte_fib_free(cp->f4);
	rte_fib6_free(cp->f6);
	rte_hash_free(cp->h4);
	rte_hash_free(cp->h6);
	memset(cp, 0, sizeof(*cp));
}

static struct rte_hash *
host_hash(const struct sw_pset *s, unsigned int f, uint32_t n)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp;

	snprintf(name, sizeof(name), "ps%u_h%u", n, f ? 6 : 4);
	memset(&hp, 0, sizeof(hp));
	hp.name = name;
	hp.entries = hash_entries(s->max[f]);
	hp.key_len = f ? 16 : 4;
	hp.hash_func = rte_hash_crc;
	hp.socket_id = s->socket_id;
	return rte_hash_create(&hp);
}

static int
copy_create(const struct sw_pset *s, struct pset_copy *cp)
{
	char name[RTE_MEMZONE_NAMESIZE];
	uint32_t n = __atomic_fetch_add(&serial, 1, __ATOMIC_RELAXED);

	memset(cp, 0, sizeof(*cp));
	if (s->max[0]) {
		struct rte_fib_conf fc;

		memset(&fc, 0, sizeof(fc));
		fc.type = s->nets[0] > TREE_MAX ? RTE_FIB_DIR24_8 :
						  RTE_FIB_DUMMY;
		fc.max_routes = (int)s->nets[0];
		fc.dir24_8.nh_sz = RTE_FIB_DIR24_8_2B;
		fc.dir24_8.num_tbl8 = v4_groups(s->nets[0]);
		snprintf(name, sizeof(name), "ps%u_4", n);
		cp->f4 = rte_fib_create(name, s->socket_id, &fc);
		cp->h4 = cp->f4 ? host_hash(s, 0, n) : NULL;
		if (cp->h4 == NULL)
			goto err;
	}
	if (s->max[1]) {
		struct rte_fib6_conf fc;

		memset(&fc, 0, sizeof(fc));
		fc.type = s->nets[1] > TREE_MAX ? RTE_FIB6_TRIE :
						  RTE_FIB6_DUMMY;
		fc.max_routes = (int)s->nets[1];
		fc.trie.num_tbl8 = v6_groups(s->nets[1]);
		fc.trie.nh_sz = fc.trie.num_tbl8 > GROUPS_2B ?
				RTE_FIB6_TRIE_4B : RTE_FIB6_TRIE_2B;
		snprintf(name, sizeof(name), "ps%u_6", n);
		cp->f6 = rte_fib6_create(name, s->socket_id, &fc);
		cp->h6 = cp->f6 ? host_hash(s, 1, n) : NULL;
		if (cp->h6 == NULL)
			goto err;
	}
	return 0;
err:
	copy_free(cp);
	return rte_errno ? -rte_errno : -ENOMEM;
}

struct sw_pset *
sw_pset_create(const struct sw_pset_conf *c)
{
	struct sw_pset *s;
	int rc;

	if (c == NULL || (c->family != 0 && c->family != 4 &&
			  c->family != 6) ||
	    (pset_holds(c->family, 4) && (c->max4 == 0 || c->max4 > BATCH_MAX)) ||
	    (pset_holds(c->family, 6) && (c->max6 == 0 || c->max6 > BATCH_MAX))) {
		rte_errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	snprintf(s->name, sizeof(s->name), "%s", c->name ? c->name : "set");
	s->family = c->family;
	sizes(c, s->max, s->nets);
	s->socket_id = c->socket_id;
	s->qs = c->qs;
	rc = copy_create(s, &s->copy[0]);
	if (rc == 0)
		rc = copy_create(s, &s->copy[1]);
	if (rc == 0 && c->timeouts)
		rc = pset_meta_create(s, __atomic_fetch_add(&serial, 1,
							    __ATOMIC_RELAXED));
	if (rc) {
		sw_pset_free(s);
		rte_errno = -rc;
		return NULL;
	}
	return s;
}

void
sw_pset_free(struct sw_pset *s)
{
	if (s == NULL)
		return;
	copy_free(&s->copy[0]);
	copy_free(&s->copy[1]);
	pset_meta_free(s);
	free(s);
}

static uint32_t
v4_of(const struct sw_pset_prefix *p)
{
	uint32_t be;

	memcpy(&be, p->addr, 4);
	return rte_be_to_cpu_32(be);
}

/* Is prefix p in copy cp exactly (as a prefix, not as an address)? */
/*
 * An IPv6 host as rte_hash's key: rte_hash_crc reads it 8 bytes at a
 * time, and a prefix's addr[] sits 2 bytes into its struct.
 */
union key6 {
	uint64_t align;
	uint8_t a[16];
};

static bool
has_exact(const struct pset_copy *cp, const struct sw_pset_prefix *p)
{
	union key6 k;
	uint32_t ip;

	if (p->family == 4) {
		ip = v4_of(p);
		if (p->plen == 32)
			return rte_hash_lookup(cp->h4, &ip) >= 0;
		return rte_rib_lookup_exact(rte_fib_get_rib(cp->f4), ip,
					    p->plen) != NULL;
	}
	if (p->plen == 128) {
		memcpy(k.a, p->addr, sizeof(k.a));
		return rte_hash_lookup(cp->h6, k.a) >= 0;
	}
	return rte_rib6_lookup_exact(rte_fib6_get_rib(cp->f6), p->addr,
				     p->plen) != NULL;
}

static int
apply_one(struct pset_copy *cp, const struct sw_pset_prefix *p, bool del)
{
	union key6 k;
	uint32_t ip;
	int rc;

	if (p->family == 4) {
		ip = v4_of(p);
		if (p->plen == 32) {
			rc = del ? rte_hash_del_key(cp->h4, &ip) :
				   rte_hash_add_key(cp->h4, &ip);
			return rc < 0 ? rc : 0;
		}
		return del ? rte_fib_delete(cp->f4, ip, p->plen) :
			     rte_fib_add(cp->f4, ip, p->plen, NH_OF(p));
	}
	if (p->plen == 128) {
		memcpy(k.a, p->addr, sizeof(k.a));
		rc = del ? rte_hash_del_key(cp->h6, k.a) :
			   rte_hash_add_key(cp->h6, k.a);
		return rc < 0 ? rc : 0;
	}
	return del ? rte_fib6_delete(cp->f6, p->addr, p->plen) :
		     rte_fib6_add(cp->f6, p->addr, p->plen, NH_OF(p));
}

/* Room for one more prefix like p, counting d[] pending additions. */
static bool
room(const struct sw_pset *s, const struct sw_pset_prefix *p,
     const uint32_t d[2][2])
{
	unsigned int f = p->family == 6;
	uint32_t nets = s->count[f] - s->hosts[f] + d[f][0];

	if (s->count[f] + d[f][0] + d[f][1] >= s->max[f])
		return false;
	return is_host(p) || nets < s->nets[f];
}

/* Apply ops[0..n-1] (each a real change) to one copy; undo on failure. */
static int
apply(struct pset_copy *cp, const struct sw_pset_prefix *const *ops,
      uint32_t n, bool del)
{
	uint32_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = apply_one(cp, ops[i], del);
		if (rc == 0)
			continue;
		while (i-- > 0)
			apply_one(cp, ops[i], !del);
		return rc == -ENOMEM ? -ENOSPC : rc;
	}
	return 0;
}

/* Readers move to copy `to`; wait until none reads the other. */
static void
switch_to(struct sw_pset *s, uint32_t to)
{
	__atomic_store_n(&s->active, to, __ATOMIC_RELEASE);
	if (s->qs != NULL)
		rte_rcu_qsbr_synchronize(s->qs, RTE_QSBR_THRID_INVALID);
}

static int
check_family(const struct sw_pset *s, const struct sw_pset_prefix *p,
	     uint32_t n, struct sw_pset_result *res)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if ((p[i].family != 4 && p[i].family != 6) ||
		    !pset_holds(s->family, p[i].family) ||
		    p[i].plen > (p[i].family == 4 ? 32 : 128)) {
			res->failed = i;
			return -EINVAL;
		}
	return 0;
}

/*
 * Make the changes on the idle copy, one prefix at a time (so a prefix
 * given twice is a change once), keeping the list of real changes;
 * then let the readers move to it and make the same changes on the
 * other copy, which held the same prefixes. Should the second pass
 * fail anyway, both copies are put back as they were.
 */
int
sw_pset_update(struct sw_pset *s, const struct sw_pset_prefix *p, uint32_t n,
	       bool del, struct sw_pset_result *res)
{
	uint32_t idle = !s->active, used = s->active;
	const struct sw_pset_prefix **ops;
	uint32_t i, k = 0, d[2][2] = { { 0, 0 }, { 0, 0 } };
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (n > BATCH_MAX)
		return -ENOMEM;
	rc = check_family(s, p, n, res);
	if (rc)
		return rc;
	ops = malloc(sizeof(*ops) * (n ? n : 1));
	if (ops == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (has_exact(&s->copy[idle], &p[i]) != del) {
			res->unchanged++;
			continue;
		}
		if (!del && !room(s, &p[i], (const uint32_t (*)[2])d))
			rc = -ENOSPC;
		else
			rc = apply_one(&s->copy[idle], &p[i], del);
		if (rc) {
			res->failed = i;
			res->unchanged = 0;
			while (k-- > 0)
				apply_one(&s->copy[idle], ops[k], !del);
			free(ops);
			return rc == -ENOMEM ? -ENOSPC : rc;
		}
		ops[k++] = &p[i];
		d[p[i].family == 6][is_host(&p[i])]++;
	}
	if (k > 0) {
		switch_to(s, idle);
		rc = apply(&s->copy[used], ops, k, del);
		if (rc) {
			PSET_LOG(ERR, "set %s: the second copy refused what "
				 "the first took (%s); both put back\n",
				 s->name, strerror(-rc));
			switch_to(s, used);
			apply(&s->copy[idle], ops, k, !del);
			res->unchanged = 0;
			free(ops);
			return rc;
		}
		s->gen++;
		pset_elem_changed(s, ops, k, del);
	}
	res->changed = k;
	for (i = 0; i < 2; i++) {
		uint32_t all = d[i][0] + d[i][1];

		s->count[i] = del ? s->count[i] - all : s->count[i] + all;
		s->hosts[i] = del ? s->hosts[i] - d[i][1] :
				    s->hosts[i] + d[i][1];
	}
	free(ops);
	return 0;
}

/*
 * Visit up to max prefixes of one copy from *pos: IPv4 hosts, IPv4
 * networks, IPv6 hosts, IPv6 networks. rte_rib_get_nxt() never returns
 * the /0 itself: it is visited first, by an exact lookup.
 */
enum {
	POS_START = 0, POS_H4, POS_Z4, POS_N4, POS_H6, POS_Z6, POS_N6,
	POS_END
};

static bool
walk_step(const struct pset_copy *cp, struct sw_pset_pos *pos,
	  struct sw_pset_prefix *p)
{
	const void *key;
	void *data;
	uint32_t ip;

	memset(p, 0, sizeof(*p));
	switch (pos->stage) {
	case POS_H4:
	case POS_H6:
		if (rte_hash_iterate(pos->stage == POS_H4 ? cp->h4 : cp->h6,
				     &key, &data, &pos->next) < 0) {
			pos->stage++;
			pos->node = NULL;
			return false;
		}
		if (pos->stage == POS_H4) {
			memcpy(&ip, key, 4);
			ip = rte_cpu_to_be_32(ip);
			memcpy(p->addr, &ip, 4);
			p->family = 4;
			p->plen = 32;
		} else {
			memcpy(p->addr, key, 16);
			p->family = 6;
			p->plen = 128;
		}
		return true;
	case POS_Z4:
		pos->stage++;
		p->family = 4;
		return rte_rib_lookup_exact(rte_fib_get_rib(cp->f4), 0, 0) !=
		       NULL;
	case POS_Z6:
		pos->stage++;
		p->family = 6;
		return rte_rib6_lookup_exact(rte_fib6_get_rib(cp->f6), p->addr,
					     0) != NULL;
	case POS_N4: {
		struct rte_rib_node *nd = rte_rib_get_nxt(
			rte_fib_get_rib(cp->f4), 0, 0,
			(struct rte_rib_node *)(uintptr_t)pos->node,
			RTE_RIB_GET_NXT_ALL);

		if (nd == NULL) {
			pos->stage++;
			pos->next = 0;
			return false;
		}
		pos->node = nd;
		rte_rib_get_ip(nd, &ip);
		rte_rib_get_depth(nd, &p->plen);
		ip = rte_cpu_to_be_32(ip);
		memcpy(p->addr, &ip, 4);
		p->family = 4;
		return true;
	}
	default: {	/* POS_N6 */
		struct rte_rib6_node *nd = rte_rib6_get_nxt(
			rte_fib6_get_rib(cp->f6), p->addr, 0,
			(struct rte_rib6_node *)(uintptr_t)pos->node,
			RTE_RIB6_GET_NXT_ALL);

		if (nd == NULL) {
			pos->stage = POS_END;
			return false;
		}
		pos->node = nd;
		rte_rib6_get_ip(nd, p->addr);
		rte_rib6_get_depth(nd, &p->plen);
		p->family = 6;
		return true;
	}
	}
}

static unsigned int
walk_copy(const struct pset_copy *cp, uint8_t set_family,
	  struct sw_pset_pos *pos, unsigned int max, sw_pset_walk_cb cb,
	  void *arg)
{
	struct sw_pset_prefix p;
	unsigned int n = 0;

	if (pos->stage == POS_START) {
		pos->stage = pset_holds(set_family, 4) ? POS_H4 : POS_H6;
		pos->next = 0;
		pos->node = NULL;
	}
	while (n < max && pos->stage != POS_END) {
		if (pos->stage == POS_H6 && !pset_holds(set_family, 6)) {
			pos->stage = POS_END;
			break;
		}
		if (!walk_step(cp, pos, &p))
			continue;
		n++;
		if (cb(&p, arg))
			break;
	}
	return n;
}

unsigned int
sw_pset_walk(const struct sw_pset *s, struct sw_pset_pos *pos,
	     unsigned int max, sw_pset_walk_cb cb, void *arg)
{
	return walk_copy(&s->copy[s->active], s->family, pos, max, cb, arg);
}

struct fill_arg {
	struct pset_copy *to;
	int rc;
};

static int
fill_one(const struct sw_pset_prefix *p, void *arg)
{
	struct fill_arg *fa = arg;

	fa->rc = apply_one(fa->to, p, false);
	return fa->rc != 0;
}

/* Remake copy `to` empty, then with the prefixes of copy `from`. */
static int
clone_copy(struct sw_pset *s, struct pset_copy *to,
	   const struct pset_copy *from)
{
	struct fill_arg fa = { .to = to, .rc = 0 };
	struct sw_pset_pos pos;

	copy_free(to);
	fa.rc = copy_create(s, to);
	memset(&pos, 0, sizeof(pos));
	while (fa.rc == 0 &&
	       walk_copy(from, s->family, &pos, 4096, fill_one, &fa) > 0)
		;
	return fa.rc;
}

/*
 * The new content is built in a fresh idle copy; the readers move to
 * it; the other copy is then made its clone. On a failure the idle copy
 * is made a clone of the one in use again.
 */
int
sw_pset_replace(struct sw_pset *s, const struct sw_pset_prefix *p, uint32_t n,
		struct sw_pset_result *res)
{
	uint32_t idle = !s->active, used = s->active;
	uint32_t i, d[2][2] = { { 0, 0 }, { 0, 0 } };
	uint32_t old_count[2], old_hosts[2];
	uint64_t digest = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = check_family(s, p, n, res);
	if (rc)
		return rc;
	copy_free(&s->copy[idle]);
	rc = copy_create(s, &s->copy[idle]);
	/* room() counts from the set's counts: from zero here. */
	memcpy(old_count, s->count, sizeof(old_count));
	memcpy(old_hosts, s->hosts, sizeof(old_hosts));
	memset(s->count, 0, sizeof(s->count));
	memset(s->hosts, 0, sizeof(s->hosts));
	for (i = 0; rc == 0 && i < n; i++) {
		if (has_exact(&s->copy[idle], &p[i])) {
			res->unchanged++;
			continue;
		}
		if (!room(s, &p[i], (const uint32_t (*)[2])d))
			rc = -ENOSPC;
		else
			rc = apply_one(&s->copy[idle], &p[i], false);
		if (rc) {
			res->failed = i;
		} else {
			d[p[i].family == 6][is_host(&p[i])]++;
			digest ^= pset_mix(&p[i]);
		}
	}
	memcpy(s->count, old_count, sizeof(old_count));
	memcpy(s->hosts, old_hosts, sizeof(old_hosts));
	if (rc) {
		if (rc == -ENOMEM)
			rc = -ENOSPC;
		res->unchanged = 0;
		if (clone_copy(s, &s->copy[idle], &s->copy[used]) != 0)
			PSET_LOG(ERR, "set %s: cannot remake its idle copy\n",
				 s->name);
		return rc;
	}
	switch_to(s, idle);
	rc = clone_copy(s, &s->copy[used], &s->copy[idle]);
	if (rc)
		PSET_LOG(ERR, "set %s: its second copy could not be remade "
			 "(%s); lookups use the first\n", s->name,
			 strerror(-rc));
	for (i = 0; i < 2; i++) {
		s->count[i] = d[i][0] + d[i][1];
		s->hosts[i] = d[i][1];
	}
	res->changed = s->count[0] + s->count[1];
	s->gen++;
	pset_elem_reset(s, digest);
	return 0;
}

bool
sw_pset_test(const struct sw_pset *s, uint8_t family, const uint8_t *addr,
	     struct sw_pset_prefix *match)
{
	const struct pset_copy *cp = &s->copy[s->active];

	if (!pset_holds(s->family, family) || (family != 4 && family != 6))
		return false;
	if (match != NULL) {
		memset(match, 0, sizeof(*match));
		match->family = family;
		match->plen = family == 4 ? 32 : 128;
		memcpy(match->addr, addr, family == 4 ? 4 : 16);
	}
	if (family == 4) {
		struct rte_rib_node *nd;
		uint32_t be, ip;

		memcpy(&be, addr, 4);
		ip = rte_be_to_cpu_32(be);
		if (rte_hash_lookup(cp->h4, &ip) >= 0)
			return true;
		nd = rte_rib_lookup(rte_fib_get_rib(cp->f4), ip);
		if (nd == NULL)
			return false;
		if (match != NULL) {
			memset(match, 0, sizeof(*match));
			match->family = 4;
			rte_rib_get_ip(nd, &ip);
			rte_rib_get_depth(nd, &match->plen);
			ip = rte_cpu_to_be_32(ip);
			memcpy(match->addr, &ip, 4);
		}
		return true;
	}
	{
		struct rte_rib6_node *nd;

		if (rte_hash_lookup(cp->h6, addr) >= 0)
			return true;
		nd = rte_rib6_lookup(rte_fib6_get_rib(cp->f6), addr);
		if (nd == NULL)
			return false;
		if (match != NULL) {
			memset(match, 0, sizeof(*match));
			match->family = 6;
			rte_rib6_get_ip(nd, match->addr);
			rte_rib6_get_depth(nd, &match->plen);
		}
		return true;
	}
}

uint32_t
sw_pset_count(const struct sw_pset *s, uint8_t family)
{
	return s->count[family == 6];
}

uint8_t
sw_pset_family(const struct sw_pset *s)
{
	return s->family;
}

uint32_t
sw_pset_max(const struct sw_pset *s, uint8_t family)
{
	return s->max[family == 6];
}

uint64_t
sw_pset_generation(const struct sw_pset *s)
{
	return s->gen;
}

/* Hosts: a hash lookup per address, only when the set holds any. */
static void
or_hosts(const struct rte_hash *h, const void *keys, size_t ksz, uint16_t n,
	 uint64_t *in)
{
	const void *kp[RTE_HASH_LOOKUP_BULK_MAX];
	int32_t pos[RTE_HASH_LOOKUP_BULK_MAX];
	uint16_t i;

	for (i = 0; i < n; i++)
		kp[i] = (const uint8_t *)keys + i * ksz;
	rte_hash_lookup_bulk(h, kp, n, pos);
	for (i = 0; i < n; i++)
		in[i] |= pos[i] >= 0;
}

void
sw_pset_lookup4(const struct sw_pset *s, const uint32_t *ip, uint16_t n,
		uint64_t *in)
{
	const struct pset_copy *cp =
		&s->copy[__atomic_load_n(&s->active, __ATOMIC_ACQUIRE)];

	if (cp->f4 == NULL) {
		memset(in, 0, sizeof(*in) * n);
		return;
	}
	rte_fib_lookup_bulk(cp->f4, (uint32_t *)(uintptr_t)ip, in, n);
	if (__atomic_load_n(&s->hosts[0], __ATOMIC_RELAXED))
		or_hosts(cp->h4, ip, 4, n, in);
}

void
sw_pset_lookup6(const struct sw_pset *s, const uint8_t (*ip)[16], uint16_t n,
		uint64_t *in)
{
	const struct pset_copy *cp =
		&s->copy[__atomic_load_n(&s->active, __ATOMIC_ACQUIRE)];

	if (cp->f6 == NULL) {
		memset(in, 0, sizeof(*in) * n);
		return;
	}
	rte_fib6_lookup_bulk(cp->f6, (uint8_t (*)[16])(uintptr_t)ip, in, n);
	if (__atomic_load_n(&s->hosts[1], __ATOMIC_RELAXED))
		or_hosts(cp->h6, ip, 16, n, in);
}
