/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The workers' side of a build: classification, the hit counters and
 * what a worker asks of a build once a burst. acl_build.c makes builds.
 */
#include <string.h>

#include <rte_acl.h>
#include <rte_common.h>
#include <rte_debug.h>

#include "acl_private.h"
#include "sw_acl.h"

static void
classify_family(const struct acl_set *s, int v6, const uint8_t **data,
		const uint16_t *idx, uint16_t n, uint64_t *hits,
		uint8_t *action, uint32_t *rule)
{
	uint32_t res[ACL_BURST], more[ACL_BURST];
	uint16_t j;
	unsigned int p;

	if (n == 0)
		return;
	if (s->seg.nb_parts[v6] != 0)
		rte_acl_classify(s->seg.ctx[v6][0], data, res, n, 1);
	else
		memset(res, 0, sizeof(res[0]) * n);
	for (p = 1; p < s->seg.nb_parts[v6]; p++) {
		rte_acl_classify(s->seg.ctx[v6][p], data, more, n, 1);
		for (j = 0; j < n; j++)
			if (more[j] != 0 && (res[j] == 0 || more[j] < res[j]))
				res[j] = more[j];
	}
	for (j = 0; j < n; j++) {
		uint32_t ud = res[j];
		uint8_t a = ud ? s->rules[ud - 1].action : s->default_action;

		/* A return rule ends the list: the list's default. */
		action[idx[j]] = a == SW_ACL_RETURN ? s->default_action : a;
		if (rule != NULL)
			rule[idx[j]] = ud;
		if (hits != NULL)
			hits[ud ? ud - 1 : s->nb_rules]++;
	}
}

void
acl_classify_seg(const struct acl_seg *g, int v6, const uint8_t **data,
		 uint16_t n, uint32_t *res)
{
	uint32_t tmp[ACL_BURST * ACL_CATS], *out;
	unsigned int p, nc = g->nb_cats;
	uint16_t j, c;

	memset(res, 0, sizeof(res[0]) * ACL_CATS * n);
	for (p = 0; p < g->nb_parts[v6]; p++) {
		rte_acl_classify(g->ctx[v6][p], data, tmp, n, nc);
		/* The lowest rule index among the parts' answers wins. */
		for (j = 0; j < n; j++) {
			out = res + (size_t)j * ACL_CATS;
			for (c = 0; c < nc; c++) {
				uint32_t v = tmp[(size_t)j * nc + c];

				if (v != 0 && (out[c] == 0 || v < out[c]))
					out[c] = v;
			}
		}
	}
}

void
sw_acl_classify(const struct sw_acl *acl, enum sw_acl_set set,
		unsigned int worker, const struct sw_acl_key *const *keys,
		uint16_t nb, uint8_t *action, uint32_t *rule)
{
	sw_acl_eval(acl, set, worker, keys, nb, action, rule, NULL);
}

/* A list without continue rules: first match wins, one category. */
void
acl_classify_plain(const struct sw_acl *acl, enum sw_acl_set set,
		   unsigned int worker, const struct sw_acl_key *const *keys,
		   uint16_t nb, uint8_t *action, uint32_t *rule)
{
	const struct acl_set *s = &acl->set[set];
	const uint8_t *d4[ACL_BURST], *d6[ACL_BURST];
	uint16_t i4[ACL_BURST], i6[ACL_BURST];
	uint16_t i, n4 = 0, n6 = 0;
	uint64_t *hits = worker == SW_ACL_NO_COUNT ? NULL :
			 acl->hits + (size_t)worker * acl->hit_stride +
			 s->hit_base;

	RTE_ASSERT(nb <= ACL_BURST);
	RTE_ASSERT(worker == SW_ACL_NO_COUNT || worker < acl->nb_workers);
	for (i = 0; i < nb; i++) {
		if (keys[i]->family == 6) {
			d6[n6] = (const uint8_t *)keys[i];
			i6[n6++] = i;
		} else {
			d4[n4] = (const uint8_t *)keys[i];
			i4[n4++] = i;
		}
	}
	classify_family(s, 0, d4, i4, n4, hits, action, rule);
	classify_family(s, 1, d6, i6, n6, hits, action, rule);
}

bool
sw_acl_any_synproxy(const struct sw_acl *acl)
{
	return acl->synproxy;
}

bool
sw_acl_logs(const struct sw_acl *acl, enum sw_acl_set set)
{
	return acl->set[set].logs;
}

bool
sw_acl_default_logs(const struct sw_acl *acl, enum sw_acl_set set)
{
	return acl->set[set].default_log;
}

unsigned int
sw_acl_set_map(const struct sw_acl *acl, int dir,
	       uint8_t ids[SW_ACL_SET_BITS])
{
	memcpy(ids, acl->set_id[dir != 0], SW_ACL_SET_BITS);
	return acl->nb_set_bits[dir != 0];
}

const struct sw_acl_cidr *
sw_acl_pool(const struct sw_acl *acl)
{
	return acl->pool;
}

size_t
sw_acl_memory(const struct sw_acl *acl)
{
	return acl->mem;
}

unsigned int
sw_acl_nb_expanded_all(const struct sw_acl *acl)
{
	unsigned int k, n = 0;

	for (k = 0; k < acl->nb_lists; k++)
		n += acl->set[k].nb_expanded;
	return n;
}

void
sw_acl_set_hits_base(struct sw_acl *acl, enum sw_acl_set set, unsigned int i,
		     uint64_t hits)
{
	const struct acl_set *s = &acl->set[set];

	if (i <= s->nb_rules)
		__atomic_store_n(&acl->hits_base[s->hit_base + i], hits,
				 __ATOMIC_RELAXED);
}

bool
sw_acl_empty(const struct sw_acl *acl, enum sw_acl_set set)
{
	return acl->set[set].nb_rules == 0;
}

unsigned int
sw_acl_nb_rules(const struct sw_acl *acl, enum sw_acl_set set)
{
	return acl->set[set].nb_rules;
}

enum sw_acl_set
sw_acl_rule_list(enum sw_acl_set set, uint32_t id, unsigned int *index)
{
	*index = id & ACL_ID_MASK;
	return (id >> ACL_ID_SHIFT) ?
	       SW_ACL_GROUP((id >> ACL_ID_SHIFT) - 1) : set;
}

const struct sw_acl_rule *
sw_acl_get_rule(const struct sw_acl *acl, enum sw_acl_set set, unsigned int i)
{
	set = sw_acl_rule_list(set, i, &i);
	if ((unsigned int)set >= acl->nb_lists)
		return NULL;
	return i < acl->set[set].nb_rules ? &acl->set[set].rules[i] : NULL;
}

unsigned int
sw_acl_nb_lists(const struct sw_acl *acl)
{
	return acl->nb_lists;
}

const char *
sw_acl_list_name(const struct sw_acl *acl, enum sw_acl_set list)
{
	if ((unsigned int)list < SW_ACL_NB_SETS)
		return sw_acl_set_name(list);
	return (unsigned int)list < acl->nb_lists ? acl->set[list].name : "?";
}

bool
sw_acl_stateful(const struct sw_acl *acl, enum sw_acl_set set)
{
	return acl->set[set].stateful;
}

void
sw_acl_set_conn_tag(struct sw_acl *acl, enum sw_acl_set list, unsigned int i,
		    uint16_t tag)
{
	if ((unsigned int)list < acl->nb_lists && i < acl->set[list].nb_rules)
		acl->set[list].rules[i].conn.tag = tag;
}

uint8_t
sw_acl_default(const struct sw_acl *acl, enum sw_acl_set set)
{
	return acl->set[set].default_action;
}

unsigned int
sw_acl_nb_expanded(const struct sw_acl *acl, enum sw_acl_set set)
{
	return acl->set[set].nb_expanded;
}

uint64_t
sw_acl_hits(const struct sw_acl *acl, enum sw_acl_set set, unsigned int i)
{
	const struct acl_set *s = &acl->set[set];
	uint64_t sum = 0;
	unsigned int w;

	if (i > s->nb_rules)
		return 0;
	sum = __atomic_load_n(&acl->hits_base[s->hit_base + i],
			      __ATOMIC_RELAXED);
	for (w = 0; w < acl->nb_workers; w++)
		sum += acl->hits[(size_t)w * acl->hit_stride + s->hit_base + i];
	return sum;
}

int
sw_acl_alive(const struct sw_acl *acl)
{
	return acl->magic == ACL_MAGIC;
}
