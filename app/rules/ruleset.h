/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_RULESET_H
#define SW_RULESET_H

/*
 * What the workers judge by: the compiled rules and the prefix sets
 * they name, published together as one pointer (RCU), so a worker never
 * sees rules of one configuration with sets of another. A set the next
 * configuration defines the same way is shared by both snapshots (its
 * runtime changes kept); sets are changed in place by `set add/del`.
 *
 * Usage: sw_ruleset_build() (any thread: a reload builds off the
 * control thread), then sw_ruleset_publish() on the control thread.
 * Workers load the slot once per burst (sw_ruleset_current()).
 *
 * Shutdown order: stop the workers, then sw_ruleset_free(rs, NULL).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "sw_acl.h"

struct rte_rcu_qsbr;
struct sw_buf;
struct sw_ft;
struct sw_pset;

struct sw_ruleset {
	struct sw_acl *acl;
	unsigned int nb_sets;
	struct sw_pset *sets[SW_ACL_MAX_SETS];	/* by config index */
	uint64_t digest[SW_ACL_MAX_SETS];	/* of each set's definition */
	uint64_t content[SW_ACL_MAX_SETS];	/* of its config's elements */
	/*
	 * The set's content digest (sw_pset_digest) when its config's
	 * elements were put in: the set drifted from its config (set
	 * add/del/load, timeouts) while its digest differs.
	 */
	uint64_t loaded[SW_ACL_MAX_SETS];
	char names[SW_ACL_MAX_SETS][SW_SET_NAME_MAX];
	/* The sets behind the bits of key->sets, per direction. */
	unsigned int nb_look[2];
	struct sw_pset *look[2][SW_ACL_SET_BITS];
	uint64_t gen;				/* bumped by each publish */
	/*
	 * The flow table's connection counters its conn_limit rules use:
	 * by tag, what the rule is (0: unused), so that the next build
	 * gives the same rule the same tag, and its live flows' count.
	 */
	uint64_t *tag_rule;		/* [SW_FT_MAX_TAGS], or NULL */
};

/* Worker side: the snapshot in force. Load once per burst. */
static inline const struct sw_ruleset *
sw_ruleset_current(struct sw_ruleset *const *slot)
{
	return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}

/* What a build may take, to check before making it. */
struct sw_ruleset_need {
	size_t acl_bytes;	/* estimated rte_acl memory */
	size_t set_bytes;	/* new sets */
	uint64_t expanded;	/* classifier rules */
};

/*
 * Build rules and sets for `cfg`. A set of `cur` (may be NULL) with the
 * same name and digest is kept as it runs; one whose elements are the
 * same but whose size or timeouts changed is made again beside it and
 * takes what it holds (runtime changes and timeouts included); the
 * others are made from cfg's elements. `cur`'s sets must not change
 * while this runs (the CLI holds set changes back during a reload). With check_memory, the DPDK memory free is compared
 * with what the build needs first, and a build that would not fit is
 * refused with both numbers and the setting to raise. Appends a line
 * per set made or kept to `report` (may be NULL). Rules with a
 * conn_limit count their flows under tags of `ft` (NULL: a config
 * with such rules is refused). Returns the snapshot, or NULL with err
 * set.
 */
struct sw_ruleset *sw_ruleset_build(const struct sw_config *cfg,
				    const struct sw_ruleset *cur,
				    unsigned int nb_workers, int socket_id,
				    struct rte_rcu_qsbr *qs, struct sw_ft *ft,
				    bool check_memory, struct sw_buf *report,
				    char *err, size_t errlen);

/*
 * Make `next` current, wait out the workers, carry hit counts of rules
 * whose match and action did not change from the old snapshot, and
 * free the old one (but the sets next shares). Control thread.
 */
void sw_ruleset_publish(struct sw_ruleset **slot, struct sw_ruleset *next,
			const struct sw_config *next_cfg,
			const struct sw_config *old_cfg,
			struct rte_rcu_qsbr *qs);

/*
 * A snapshot of an acl build made elsewhere and its sets (benchmarks,
 * fuzzers): takes the build and the sets. NULL when out of memory.
 */
struct sw_ruleset *sw_ruleset_wrap(struct sw_acl *acl,
				   struct sw_pset *const *sets,
				   unsigned int nb_sets);

/* Free a snapshot, but not the sets `keep` shares. NULL is a no-op. */
void sw_ruleset_free(struct sw_ruleset *rs, const struct sw_ruleset *keep);

/*
 * Fill key->sets of n (<= SW_RULESET_BURST_MAX) keys from the
 * snapshot's sets: one bulk lookup per set the rules test. The worker
 * does this once a burst; revalidation for one key. Any thread that
 * holds the snapshot.
 */
#define SW_RULESET_BURST_MAX 64
void sw_ruleset_set_bits(const struct sw_ruleset *rs,
			 struct sw_acl_key *const *keys, uint16_t n);

/* True when set i no longer holds what its config gave it. */
bool sw_ruleset_set_drifted(const struct sw_ruleset *rs, unsigned int i);

/*
 * Delete the elements of every set whose timeout is due at `now`
 * (seconds, sw_now_s()); how many went. Control thread, never while a
 * reload builds.
 */
uint64_t sw_ruleset_expire(struct sw_ruleset *rs, uint64_t now);

/* Index of a set by name, or -1. */
int sw_ruleset_set_index(const struct sw_ruleset *rs, const char *name);

/*
 * DPDK memory free now (all sockets; with hugepages, the free pages
 * the heap may still grow into), and the largest free block.
 */
void sw_ruleset_memory_free(size_t *free_bytes, size_t *largest);

#endif /* SW_RULESET_H */
