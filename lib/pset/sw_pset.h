/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_PSET_H
#define SW_PSET_H

/*
 * lib/pset: named prefix sets ("@feed" in a rule). An address is in a
 * set when any of the set's prefixes contains it. IPv4 networks live in
 * an rte_fib (DIR24_8), IPv6 networks in an rte_fib6 (TRIE), and host
 * entries (/32, /128) in an rte_hash beside them; all sized at create
 * time. Prefixes are added and deleted in place, with no rule rebuild.
 *
 * Usage:
 *   - sw_pset_create() once per set (control thread), sized by `max`.
 *   - Control: sw_pset_update() adds or deletes a batch of prefixes,
 *     all or none; sw_pset_replace() swaps the whole content (a file
 *     loaded again, `set load`), all or none. sw_pset_test(),
 *     sw_pset_walk() and sw_pset_count() read.
 *   - Workers: sw_pset_lookup4() / sw_pset_lookup6() per burst; report
 *     an RCU quiescent state between bursts (the `qs` given at create).
 *   - Timeouts (a set made with `timeouts`, as ipset's and nftables'
 *     `timeout`): sw_pset_add() and sw_pset_load() give elements a time
 *     to live; the control thread calls sw_pset_expire() about once a
 *     second, which deletes the elements due. Times are seconds on the
 *     caller's clock (`now`), so tests need not wait.
 *   - sw_pset_digest() follows the content (not its order or history):
 *     a caller keeps the digest a set had when loaded to tell whether
 *     it drifted since; sw_pset_snapshot() lists it sorted.
 *
 * Thread-safety: one writer at a time (the functions that change a set
 * must not run concurrently on one set), any number of readers. rte_fib
 * in DPDK 22.11 frees and reuses its tbl8 groups at once (no RCU), so a
 * reader racing an update could read a group being recycled. Every set
 * therefore keeps two identical copies: a change is made to the copy no
 * reader uses, the copies are swapped, the writer waits out the readers
 * (rte_rcu_qsbr_synchronize) and makes the same change to the other
 * copy (see lib/pset/DESIGN.md). Memory is twice a single table's;
 * changes take twice as long; lookups never wait and never see a
 * half-made change.
 *
 * Shutdown order: stop the readers, then sw_pset_free().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rte_rcu_qsbr;
struct sw_pset;

/* One prefix: the same layout as lib/acl's struct sw_acl_cidr. */
struct sw_pset_prefix {
	uint8_t family;		/* 4 or 6 */
	uint8_t plen;
	uint8_t addr[16];	/* network order, host bits cleared */
};

struct sw_pset_conf {
	const char *name;	/* for logs and DPDK object names */
	uint8_t family;		/* 0: both, 4 or 6 */
	uint32_t max4;		/* IPv4 prefixes at most (family 0, 4) */
	uint32_t max6;		/* IPv6 prefixes at most (family 0, 6) */
	uint32_t nets4;		/* of which networks; 0: up to 65536 */
	uint32_t nets6;		/* the same for IPv6 */
	int socket_id;
	struct rte_rcu_qsbr *qs;	/* the readers; NULL: none run */
	bool timeouts;		/* elements may carry a timeout */
};

/*
 * DPDK memory the set will take (both copies), for checking before
 * creating it. 0 for a bad conf.
 */
size_t sw_pset_memsize(const struct sw_pset_conf *conf);

/*
 * Create an empty set. Returns it, or NULL with rte_errno set (EINVAL:
 * bad conf; ENOMEM).
 */
struct sw_pset *sw_pset_create(const struct sw_pset_conf *conf);

/* Free a set no reader uses any more. NULL is a no-op. */
void sw_pset_free(struct sw_pset *s);

/* Outcome of a batch. */
struct sw_pset_result {
	uint32_t changed;	/* added (or deleted) */
	uint32_t unchanged;	/* already there (or not there) */
	uint32_t failed;	/* index in the batch of the prefix refused */
};

/*
 * Add (del false) or delete (del true) n prefixes, all or none: a
 * prefix already there (or, deleting, not there) is counted unchanged.
 * Control thread. Returns 0, or
 *   -EINVAL  a prefix of a family the set does not hold (res->failed);
 *   -ENOSPC  the set is full: more than max prefixes of a family, or
 *            (IPv6) its table groups are used up (res->failed);
 *   -ENOMEM  out of memory for the batch.
 * On error nothing changed.
 */
int sw_pset_update(struct sw_pset *s, const struct sw_pset_prefix *p,
		   uint32_t n, bool del, struct sw_pset_result *res);

/*
 * Make the set hold exactly p[0..n-1] (duplicates allowed), atomically
 * for readers: they see the old content or the new, never a mix.
 * Returns 0 or an error as sw_pset_update (then nothing changed).
 */
int sw_pset_replace(struct sw_pset *s, const struct sw_pset_prefix *p,
		    uint32_t n, struct sw_pset_result *res);

/*
 * Is `addr` (network order; 4 or 16 bytes by family) in the set? If
 * so and `match` is not NULL, the longest prefix that holds it.
 * Control thread.
 */
bool sw_pset_test(const struct sw_pset *s, uint8_t family,
		  const uint8_t *addr, struct sw_pset_prefix *match);

/* Prefixes of a family (4 or 6) in the set. */
uint32_t sw_pset_count(const struct sw_pset *s, uint8_t family);

/* The family given at create (0: both), and max per family. */
uint8_t sw_pset_family(const struct sw_pset *s);
uint32_t sw_pset_max(const struct sw_pset *s, uint8_t family);

/*
 * Changes so far: bumped by every update or replace that changed
 * something, so a listing that goes on across calls can tell.
 */
uint64_t sw_pset_generation(const struct sw_pset *s);

/*
 * Listing, a piece at a time: *pos starts zeroed; each call visits up
 * to max prefixes (IPv4 first, then IPv6) and leaves *pos where the next
 * call goes on. The callback returns non-zero to stop early (*pos stays
 * after that prefix). Returns the number visited; 0 at the end. The
 * set must not change between calls (check sw_pset_generation()).
 * Control thread.
 */
struct sw_pset_pos {
	uint8_t stage;		/* 0: not started */
	uint32_t next;		/* hash iteration position */
	const void *node;	/* the last node visited */
};

typedef int (*sw_pset_walk_cb)(const struct sw_pset_prefix *p, void *arg);

unsigned int sw_pset_walk(const struct sw_pset *s, struct sw_pset_pos *pos,
			  unsigned int max, sw_pset_walk_cb cb, void *arg);

/*
 * Add n prefixes as sw_pset_update() does, all or none, each with
 * timeout[i] seconds to live from `now` (0: none; timeout NULL: none
 * given, and a prefix already there keeps the timeout it has). A
 * prefix already there gets the timeout given anew (it is counted
 * unchanged). Control thread. Returns 0, an error of sw_pset_update(),
 * or -ENOTSUP: a timeout on a set made without timeouts (res->failed).
 */
int sw_pset_add(struct sw_pset *s, const struct sw_pset_prefix *p,
		const uint32_t *timeout, uint32_t n, uint64_t now,
		struct sw_pset_result *res);

/*
 * sw_pset_replace() with timeouts as sw_pset_add() takes them; every
 * timeout the set had goes with its old content. Same errors.
 */
int sw_pset_load(struct sw_pset *s, const struct sw_pset_prefix *p,
		 const uint32_t *timeout, uint32_t n, uint64_t now,
		 struct sw_pset_result *res);

/*
 * Delete every element whose timeout is due at `now` (one batch, as
 * sw_pset_update() deletes). Returns how many went, or -errno (then
 * none did). Control thread.
 */
int sw_pset_expire(struct sw_pset *s, uint64_t now);

/*
 * Seconds p (a prefix of the set) has left at `now`: 0 when it has no
 * timeout; at least 1 while it is in the set.
 */
uint32_t sw_pset_timeout_left(const struct sw_pset *s,
			      const struct sw_pset_prefix *p, uint64_t now);

/* Made with timeouts; and how many elements carry one now. */
bool sw_pset_has_timeouts(const struct sw_pset *s);
uint32_t sw_pset_nb_timed(const struct sw_pset *s);

/*
 * The content's digest: equal for two sets with the same prefixes
 * however they got there (the XOR of a 64-bit mix of each), 0 empty.
 */
uint64_t sw_pset_digest(const struct sw_pset *s);

/*
 * Every prefix, sorted (IPv4 first; by address, then length) into *v
 * (malloc'd, the caller frees) of *n. Returns 0 or -ENOMEM. Control
 * thread.
 */
int sw_pset_snapshot(const struct sw_pset *s, struct sw_pset_prefix **v,
		     uint32_t *n);

/*
 * Make `to` hold what `from` holds, with the time each element has
 * left (none when `to` was made without timeouts): a set made again
 * with another size. Errors as sw_pset_load(); then `to` is unchanged.
 */
int sw_pset_copy(struct sw_pset *to, const struct sw_pset *from, uint64_t now,
		 struct sw_pset_result *res);

/*
 * Workers: membership of n addresses. lookup4 takes IPv4 addresses in
 * host order; lookup6 16-byte addresses in network order. in[i] is set
 * to non-zero for a member, 0 otherwise. n <= 64. A set of the other family
 * answers 0 for all. A member gets a non-zero value (not always 1).
 */
void sw_pset_lookup4(const struct sw_pset *s, const uint32_t *ip, uint16_t n,
		     uint64_t *in);
void sw_pset_lookup6(const struct sw_pset *s, const uint8_t (*ip)[16],
		     uint16_t n, uint64_t *in);

#endif /* SW_PSET_H */
