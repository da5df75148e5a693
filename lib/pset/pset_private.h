/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/pset's layouts, for pset.c (the tables, changes, lookups) and
 * pset_elem.c (what an element carries beyond its prefix: timeouts,
 * the content's digest, the sorted listing).
 */
#ifndef SW_PSET_PRIVATE_H
#define SW_PSET_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>

#include "sw_pset.h"

struct rte_fib;
struct rte_fib6;
struct rte_hash;

extern int sw_pset_logtype;
#define RTE_LOGTYPE_SW_PSET sw_pset_logtype
#define PSET_LOG(l, ...) RTE_LOG(l, SW_PSET, __VA_ARGS__)

/*
 * Next hop of a prefix: its length + 1, never 0 (what an address no
 * prefix holds gets). Every prefix's next hop differs from its parent's
 * so that DPDK 22.11's dir24_8 never takes its "same next hop as the
 * parent" shortcut on add: that path skips reserving the prefix's table
 * group while delete releases one, so the count wraps and every later
 * prefix longer than /24 is refused with ENOSPC (see DESIGN.md).
 */
#define NH_OF(p)	((uint64_t)(p)->plen + 1)
/*
 * Host entries (/32, /128) go to a hash, other prefixes to the FIB:
 * DIR24_8 spends a 256-entry table group on every /24 that holds a
 * longer prefix, so a feed of a million scattered hosts would need a
 * million groups (over 1 GB); the hash holds them in about 40 bytes
 * each. A lookup asks the FIB, then the hash.
 *
 * FIB table groups: an IPv4 prefix longer than /24 reserves one group
 * (that of its /24), at most 32767 with 2-byte next hops. An IPv6
 * prefix of length L > 24 reserves ceil(L / 8) - 3 groups below its
 * parent: the table has V6_GROUPS per prefix (all /48s fit, 3/5 as
 * many /64s).
 */
#define V4_SPARE	64
/*
 * Up to this many networks a family uses the RIB tree alone
 * (RTE_FIB_DUMMY: a few node reads a lookup, a few hundred bytes a
 * prefix) rather than DIR24_8's 2^24-entry table (32 MB a copy).
 */
#define TREE_MAX	4096
#define V6_GROUPS	3
#define GROUPS_2B	32767u
#define BATCH_MAX	(1u << 26)

struct pset_copy {
	struct rte_fib *f4;
	struct rte_fib6 *f6;
	struct rte_hash *h4;	/* /32s: host-order uint32 keys */
	struct rte_hash *h6;	/* /128s: 16-byte keys */
};

struct sw_pset {
	char name[32];
	uint8_t family;
	uint32_t max[2];		/* [0] IPv4, [1] IPv6: prefixes */
	uint32_t nets[2];		/* of which shorter than a host */
	int socket_id;
	struct rte_rcu_qsbr *qs;
	uint32_t active;		/* the copy readers use */
	uint32_t count[2];		/* prefixes now */
	uint32_t hosts[2];		/* of which hosts, in the hash */
	uint64_t gen;
	struct pset_copy copy[2];
	/*
	 * The content's digest: the XOR of every element's mix
	 * (pset_mix), so that it follows adds and deletes one element at a
	 * time and two sets holding the same elements, however they got
	 * them, have the same digest.
	 */
	uint64_t digest;
	/*
	 * Elements that carry a timeout (sets made with timeouts only):
	 * prefix -> the second it expires, on the caller's clock. The
	 * control thread alone reads and writes it; workers never see it.
	 */
	struct rte_hash *meta;
	uint32_t nb_timed;
};


static inline bool
pset_holds(uint8_t set_family, uint8_t family)
{
	return set_family == 0 || set_family == family;
}

/* An element's share of the digest: a 64-bit mix of its prefix. */
uint64_t pset_mix(const struct sw_pset_prefix *p);

/*
 * pset_elem.c's part of a change the tables took: the digest follows
 * the n prefixes added or deleted (each a real change), and a deleted
 * prefix's timeout goes. Control thread.
 */
void pset_elem_changed(struct sw_pset *s, const struct sw_pset_prefix *const *p,
		       uint32_t n, bool del);

/* After a replace: no timeouts left, the digest given. */
void pset_elem_reset(struct sw_pset *s, uint64_t digest);

/* The timeouts' table (sets made with timeouts), and its free. */
int pset_meta_create(struct sw_pset *s, uint32_t n);
void pset_meta_free(struct sw_pset *s);
size_t pset_meta_bytes(const struct sw_pset_conf *c);

#endif /* SW_PSET_PRIVATE_H */
