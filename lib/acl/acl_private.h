/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_ACL_PRIVATE_H
#define SW_ACL_PRIVATE_H

/*
 * The layout of a build, for acl_build.c (which makes and frees it),
 * acl_classify.c (which the workers run) and acl_eval.c (groups and
 * conditions with state). Nothing outside lib/acl sees it (sw_acl.h
 * says only struct sw_acl).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "sw_acl.h"

struct rte_acl_ctx;

#define ACL_MAGIC	0x5357ac11u
#define ACL_DEAD	0xdeadac11u
#define ACL_BURST	64
/*
 * rte_acl gives up on a rule set that needs more than 8 tries (-ENOMEM):
 * large, irregular sets of wide ranges and prefixes do. Such a set is
 * split in halves, recursively, into up to ACL_MAX_PARTS contexts that
 * are all classified; the lowest rule index among their answers wins.
 */
#define ACL_MAX_PARTS	16

/*
 * rte_acl answers up to 16 categories in one walk of its tries, each
 * the first match among the rules in that category. A list whose rules
 * may fail to match after the classifier chose them (a jump whose group
 * ends without a verdict, a condition with state) puts each rule in
 * category 0 and in the category of every such "continue" rule above
 * it: category j's answer is then the first match below continue rule
 * j, known from the same walk. Past 15 of them, another classifier of
 * the rules below the 15th carries the next 15 (a segment).
 */
#define ACL_CATS	16
#define ACL_SEG_CONT	(ACL_CATS - 1)

/* One classifier of a list: its rules below `base`, in parts. */
struct acl_seg {
	struct rte_acl_ctx *ctx[2][ACL_MAX_PARTS];	/* IPv4, IPv6 */
	uint8_t nb_parts[2];		/* 0: no rule of that family */
	uint8_t nb_cats;		/* 1, or a multiple of 4 */
	int64_t base;			/* rules above base: -1 all */
};

/* One list: a set or a group. */
struct acl_set {
	struct acl_seg seg;		/* every rule: the first segment */
	struct acl_seg *more;		/* segments 1 .. nb_seg - 1 */
	unsigned int nb_seg;
	bool has_sets[2];		/* the context tests the sets field */
	struct sw_acl_rule *rules;
	unsigned int nb_rules;
	unsigned int nb_expanded;
	uint32_t hit_base;		/* first counter of this list */
	uint8_t default_action;
	bool default_log;
	bool logs;			/* a rule or the default logs */
	bool stateful;			/* continue rules: sw_acl_eval */
	uint32_t nb_cont;
	uint32_t *cont;			/* the continue rules */
	uint32_t *cont_no;		/* rule -> 1 + place in cont, 0 */
	char name[SW_ACL_GROUP_NAME_MAX];
};

/*
 * A rule's rate state: the generic cell rate algorithm's theoretical
 * arrival time, one word every worker updates with a compare and swap
 * (a shared bucket: the rate holds whichever worker the packets reach).
 * A meter keeps one such word per source in its table.
 */
struct acl_way {
	uint64_t key;		/* keyed hash of the prefix; 0: free */
	uint64_t tat;
};

#define ACL_METER_WAYS	4

struct acl_lim {
	uint64_t tat;			/* the rule's limit */
	uint64_t interval;		/* ticks a token */
	uint64_t tolerance;		/* (burst - 1) * interval */
	uint64_t m_interval;		/* the meter's */
	uint64_t m_tolerance;
	struct acl_way *ways;	/* meter: buckets of ACL_METER_WAYS */
	uint32_t m_mask;		/* buckets - 1 */
} __rte_cache_aligned;

struct sw_acl {
	uint32_t magic;
	unsigned int nb_workers;
	uint32_t hit_stride;		/* counters per worker bank */
	uint64_t *hits;			/* [worker][hit_stride] */
	uint64_t *hits_base;		/* [hit_stride]: carried over */
	bool synproxy;			/* a policy rule says synproxy = true */
	struct sw_acl_cidr *pool;
	unsigned int nb_pool;
	uint8_t set_family[SW_ACL_MAX_SETS];
	/* Set id behind each bit of key->sets, [0] source, [1] dest. */
	uint8_t set_id[2][SW_ACL_SET_BITS];
	uint8_t nb_set_bits[2];
	int8_t set_bit[2][SW_ACL_MAX_SETS];	/* id -> bit, -1: unused */
	size_t mem;			/* DPDK memory it took */
	uint64_t hz;
	uint64_t (*hash)(const void *data, size_t len);
	struct acl_lim *lims;		/* rules with a limit or a meter */
	unsigned int nb_lims;
	unsigned int nb_lists;		/* the sets, then the groups */
	struct acl_set set[SW_ACL_NB_SETS + SW_ACL_MAX_GROUPS];
};

/* Segment c of a list. */
static inline const struct acl_seg *
acl_seg_of(const struct acl_set *s, unsigned int c)
{
	return c == 0 ? &s->seg : &s->more[c - 1];
}

/*
 * Classify n keys (one family) in a segment: res[j * ACL_CATS + c] is
 * the userdata (rule index + 1, 0: none) of category c's answer for
 * key j, zero beyond the segment's categories (acl_classify.c).
 */
/* acl_check.c: list k of a conf (a set, then the groups), its name. */
const struct sw_acl_rule *acl_conf_rules(const struct sw_acl_conf *conf,
					 unsigned int k, unsigned int *n);
const char *acl_conf_name(const struct sw_acl_conf *conf, unsigned int k,
			  char *buf, size_t len);
/* Every reference a rule makes is sound; else -EINVAL and err. */
int acl_check_refs(const struct sw_acl_conf *conf, char *err, size_t errlen);

void acl_classify_seg(const struct acl_seg *g, int v6, const uint8_t **data,
		      uint16_t n, uint32_t *res);

/* sw_acl_classify of a list without continue rules (acl_classify.c). */
void acl_classify_plain(const struct sw_acl *acl, enum sw_acl_set set,
			unsigned int worker,
			const struct sw_acl_key *const *keys, uint16_t nb,
			uint8_t *action, uint32_t *rule);

/* Rule ids of sw_acl_eval: a group's rules carry the group in bit 24+. */
#define ACL_ID_SHIFT	24
#define ACL_ID_MASK	((1u << ACL_ID_SHIFT) - 1)

/* Set up and free the rules' rate state (acl_limit.c). */
int acl_lims_create(struct sw_acl *acl, int socket_id, char *err,
		    size_t errlen);
void acl_lims_free(struct sw_acl *acl);

/*
 * May a packet pass rule r's limit / meter at `now`? Takes the token
 * when it may (acl_limit.c). Any worker, lock-free.
 */
bool acl_limit_take(const struct sw_acl *acl, const struct sw_acl_rule *r,
		    uint64_t now);
bool acl_meter_take(const struct sw_acl *acl, const struct sw_acl_rule *r,
		    const struct sw_acl_key *k, uint64_t now);

#endif /* SW_ACL_PRIVATE_H */
