/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Lists with continue rules: jumps and gotos into groups, and rules
 * whose conditions hold state (limit, meter, connection limit). The
 * list's first segment is classified for the whole burst at once, in
 * all its categories; then each packet walks its rules from the first
 * match: a condition that fails, or a group that ends without a
 * verdict, sends it to the first match below that rule, which the same
 * classification already answered (its category). Only a jump (the
 * group's own classification) or more than 15 continue rules above the
 * answer (the next segment) classify again, one packet at a time.
 * lib/acl/DESIGN.md has the why.
 */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_debug.h>

#include "acl_private.h"
#include "sw_acl.h"

/* Where a packet stands in one list: the caller's frame of a jump. */
struct frame {
	uint16_t list;
	uint16_t seg;		/* the segment res[] answers */
	uint32_t after;		/* a jump's caller: the jump rule */
	uint32_t res[ACL_CATS];
};

/* One packet's walk. */
struct walk {
	const struct sw_acl *acl;
	const struct sw_acl_key *key;
	uint64_t *hits;		/* its worker's bank; NULL: none */
	struct sw_acl_ctx *cx;	/* NULL: conditions met, nothing spent */
	uint16_t i;		/* the packet's index in the burst */
};

static void
classify_one(const struct walk *w, struct frame *f, unsigned int list,
	     unsigned int seg)
{
	const struct acl_set *s = &w->acl->set[list];
	const uint8_t *data = (const uint8_t *)w->key;

	f->list = (uint16_t)list;
	f->seg = (uint16_t)seg;
	acl_classify_seg(acl_seg_of(s, seg), w->key->family == 6, &data, 1,
			 f->res);
}

/*
 * The first match below continue rule i of frame f's list (userdata,
 * 0: none): its category in the segment that carries it, classified
 * again only when that is not the segment f holds.
 */
static uint32_t
next_below(const struct walk *w, struct frame *f, uint32_t i)
{
	const struct acl_set *s = &w->acl->set[f->list];
	uint32_t m = s->cont_no[i];
	unsigned int c = (m - 1) / ACL_SEG_CONT;

	RTE_ASSERT(m != 0);
	if (f->seg != c)
		classify_one(w, f, f->list, c);
	return f->res[m - c * ACL_SEG_CONT];
}

/*
 * Do rule r's conditions with state hold for this packet? Each is
 * asked only when the ones before it held, so a limit spends a token
 * only on packets that match everything else (as nftables evaluates a
 * rule's expressions in order).
 */
static bool
conditions(const struct walk *w, const struct sw_acl_rule *r)
{
	struct sw_acl_ctx *cx = w->cx;
	bool ok;

	if (r->limit.packets) {
		ok = cx == NULL || acl_limit_take(w->acl, r, cx->now);
		if (ok == (r->limit.over != 0)) {
			if (cx != NULL && !r->limit.over)
				cx->limited++;
			return false;
		}
	}
	if (r->meter.rate.packets) {
		ok = cx == NULL || acl_meter_take(w->acl, r, w->key, cx->now);
		if (ok == (r->meter.rate.over != 0)) {
			if (cx != NULL && !r->meter.rate.over)
				cx->limited++;
			return false;
		}
	}
	if (r->conn.max) {
		ok = cx == NULL || cx->conn == NULL ||
		     cx->conn(cx->arg, w->i, r);
		if (ok == (r->conn.over != 0)) {
			if (cx != NULL && !r->conn.over)
				cx->conn_limited++;
			return false;
		}
	}
	return true;
}

static inline uint32_t
rule_id(unsigned int list, uint32_t i)
{
	return list < SW_ACL_NB_SETS ? i :
	       i | (uint32_t)(list - SW_ACL_NB_SETS + 1) << ACL_ID_SHIFT;
}

/*
 * Walk one packet from `ud`, the first match of base list `set` (res0:
 * that classification's answers). Returns the verdict; *id the rule id
 * + 1 of the rule that gave it (0: the set's default).
 */
static uint8_t
walk_one(const struct walk *w, enum sw_acl_set set, const uint32_t *res0,
	 uint32_t *id)
{
	const struct sw_acl *acl = w->acl;
	struct frame st[SW_ACL_MAX_DEPTH + 1];
	unsigned int d = 0;
	struct frame *f = &st[0];
	uint32_t ud = res0[0], i;

	f->list = (uint16_t)set;
	f->seg = 0;
	memcpy(f->res, res0, sizeof(f->res));
	for (;;) {
		const struct acl_set *s = &acl->set[f->list];
		const struct sw_acl_rule *r;

		if (ud == 0) {
			/* The list ends: the caller goes on below its jump. */
			if (d == 0)
				break;
			f = &st[--d];
			ud = next_below(w, f, f->after);
			continue;
		}
		i = ud - 1;
		r = &s->rules[i];
		if (s->stateful && s->cont_no[i] && !conditions(w, r)) {
			ud = next_below(w, f, i);
			continue;
		}
		if (w->hits != NULL)
			w->hits[s->hit_base + i]++;
		switch (r->action) {
		case SW_ACL_JUMP:
			/* check_refs bounds the depth (SW_ACL_MAX_DEPTH). */
			RTE_ASSERT(d < SW_ACL_MAX_DEPTH);
			f->after = i;
			f = &st[++d];
			classify_one(w, f, SW_ACL_NB_SETS + r->group, 0);
			ud = f->res[0];
			continue;
		case SW_ACL_GOTO:
			classify_one(w, f, SW_ACL_NB_SETS + r->group, 0);
			ud = f->res[0];
			continue;
		case SW_ACL_RETURN:
			if (d == 0) {
				*id = rule_id(f->list, i) + 1;
				return acl->set[set].default_action;
			}
			f = &st[--d];
			ud = next_below(w, f, f->after);
			continue;
		default:
			*id = rule_id(f->list, i) + 1;
			return r->action;
		}
	}
	if (w->hits != NULL)
		w->hits[acl->set[set].hit_base + acl->set[set].nb_rules]++;
	*id = 0;
	return acl->set[set].default_action;
}

static void
eval_family(const struct sw_acl *acl, enum sw_acl_set set, int v6,
	    const struct sw_acl_key *const *keys, const uint16_t *idx,
	    uint16_t n, uint64_t *hits, uint8_t *action, uint32_t *rule,
	    struct sw_acl_ctx *cx)
{
	uint32_t res[ACL_BURST * ACL_CATS];
	const uint8_t *data[ACL_BURST];
	struct walk w = { .acl = acl, .hits = hits, .cx = cx };
	uint16_t j;
	uint32_t id;

	if (n == 0)
		return;
	for (j = 0; j < n; j++)
		data[j] = (const uint8_t *)keys[idx[j]];
	acl_classify_seg(&acl->set[set].seg, v6, data, n, res);
	for (j = 0; j < n; j++) {
		w.key = keys[idx[j]];
		w.i = idx[j];
		action[idx[j]] = walk_one(&w, set, res + (size_t)j * ACL_CATS,
					  &id);
		if (rule != NULL)
			rule[idx[j]] = id;
	}
}

void
sw_acl_eval(const struct sw_acl *acl, enum sw_acl_set set,
	    unsigned int worker, const struct sw_acl_key *const *keys,
	    uint16_t nb, uint8_t *action, uint32_t *rule,
	    struct sw_acl_ctx *ctx)
{
	const struct acl_set *s = &acl->set[set];
	uint16_t i4[ACL_BURST], i6[ACL_BURST];
	uint16_t i, n4 = 0, n6 = 0;
	uint64_t *hits;

	/* The common case pays one branch for the rest of this file. */
	if (likely(!s->stateful)) {
		acl_classify_plain(acl, set, worker, keys, nb, action, rule);
		return;
	}
	RTE_ASSERT(nb <= ACL_BURST);
	RTE_ASSERT(worker == SW_ACL_NO_COUNT || worker < acl->nb_workers);
	hits = worker == SW_ACL_NO_COUNT ? NULL :
	       acl->hits + (size_t)worker * acl->hit_stride;
	for (i = 0; i < nb; i++) {
		if (keys[i]->family == 6)
			i6[n6++] = i;
		else
			i4[n4++] = i;
	}
	eval_family(acl, set, 0, keys, i4, n4, hits, action, rule, ctx);
	eval_family(acl, set, 1, keys, i6, n6, hits, action, rule, ctx);
}
