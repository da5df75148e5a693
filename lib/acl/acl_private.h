/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_ACL_PRIVATE_H
#define SW_ACL_PRIVATE_H

/*
 * The layout of a build, for acl_build.c (which makes and frees it) and
 * acl_classify.c (which the workers run). Nothing outside lib/acl sees
 * it (sw_acl.h says only struct sw_acl).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

struct acl_set {
	struct rte_acl_ctx *ctx[2][ACL_MAX_PARTS];	/* IPv4, IPv6 */
	uint8_t nb_parts[2];		/* 0: no rule of that family */
	bool has_sets[2];		/* the context tests the sets field */
	struct sw_acl_rule *rules;
	unsigned int nb_rules;
	unsigned int nb_expanded;
	uint32_t hit_base;		/* first counter of this set */
	uint8_t default_action;
	bool default_log;
	bool logs;			/* a rule or the default logs */
};

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
	struct acl_set set[SW_ACL_NB_SETS];
};

#endif /* SW_ACL_PRIVATE_H */
