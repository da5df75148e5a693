/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_FT_H
#define SW_FT_H

/*
 * lib/flowtable: connection tracking for spillway's workers.
 *
 * Usage:
 *   - sw_ft_create() sizes everything at start: one shard per worker on
 *     rte_hash, a flow array indexed by the position rte_hash returns.
 *   - A worker owns shard i: it looks keys up in bulk
 *     (sw_ft_lookup_burst), advances hits (sw_ft_update), asks what a
 *     miss may become (sw_ft_miss_kind), inserts accepted new flows
 *     (sw_ft_insert; -ENOSPC means spill to the fallback rules) and ages
 *     its shard a few slots per poll (sw_ft_expire).
 *   - The control thread reads without locks: sw_ft_walk() (show flows),
 *     sw_ft_shard_stats(), and sets timeouts (sw_ft_set_timeout).
 *
 * Time is whatever clock the caller passes as `now`, in ticks of the
 * `hz` given at create time (the worker: TSC; tests: a counter).
 *
 * Thread-safety: only the owning worker calls the per-shard functions
 * of a shard. sw_ft_walk() may run concurrently with the owners, from
 * up to SW_FT_MAX_READERS threads, each with its own reader id: deleted
 * slots are reclaimed only after every walking reader has passed a
 * quiescent state (rte_hash RCU, see lib/flowtable/DESIGN.md).
 *
 * Shutdown order: stop the workers and readers, then sw_ft_free().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Canonical flow key: the lower endpoint (address, then port) first.
 * IPv4 addresses use the first 4 bytes of lo/hi, the rest zero. 40
 * bytes, 8-byte aligned: the hash and our compare read it in 8-byte
 * words. The zone keeps flows of different port pairs (and VLANs, when
 * zones by VLAN are on) apart: the same 5-tuple in two zones is two
 * flows.
 */
struct __attribute__((aligned(8))) sw_ft_key {
	uint8_t lo[16];
	uint8_t hi[16];
	uint16_t lo_port;	/* network order */
	uint16_t hi_port;	/* network order */
	uint8_t proto;
	uint8_t family;		/* 4 or 6 */
	uint16_t zone;		/* the caller's: spillway puts pair, VLAN */
};

/* Direction of a packet relative to the canonical key. */
enum sw_ft_dir {
	SW_FT_DIR_LO = 0,	/* sent by the lower endpoint */
	SW_FT_DIR_HI = 1,	/* sent by the higher endpoint */
};

/*
 * Fill *key for a packet from (src, sport) to (dst, dport). `family` is
 * 4 or 6; addresses are 4 or 16 bytes in network order, ports in network
 * order. Returns the packet's direction (enum sw_ft_dir).
 */
int sw_ft_key_make(struct sw_ft_key *key, uint8_t family, uint8_t proto,
		   const uint8_t *src, const uint8_t *dst,
		   uint16_t sport, uint16_t dport);

/*
 * The keyed hash. Every table whose keys an attacker chooses (flows,
 * fragments, per-source counts) hashes with SipHash-1-3 under one secret
 * per process, drawn from getrandom(): CRC and Toeplitz are linear, so
 * colliding keys could be solved for.
 *
 * sw_ft_hash_init() draws the secret; it is idempotent, sw_ft_create()
 * calls it, and it must run before any hash is taken (control thread,
 * at start). Returns 0 or -errno from getrandom().
 * sw_ft_hash_set_secret() fixes the secret instead (tests only).
 * sw_ft_siphash() hashes len bytes; sw_ft_key_hash() a flow key (what
 * the flow table's rte_hash uses). Both are pure functions, any thread.
 */
int sw_ft_hash_init(void);
void sw_ft_hash_set_secret(uint64_t k0, uint64_t k1);
uint64_t sw_ft_siphash(const void *data, size_t len);
uint32_t sw_ft_key_hash(const struct sw_ft_key *key);
/* SipHash-c-d under an explicit key: the reference, for tests. */
uint64_t sw_ft_siphash_ref(const uint8_t key[16], const void *data,
			   size_t len, unsigned int c, unsigned int d);

/* Flow states: Linux's TCP states, then the other protocols'. */
#define SW_FT_STATES(X) \
	X(TCP_NONE,        "NONE",        tcp_close) \
	X(TCP_SYN_SENT,    "SYN_SENT",    tcp_syn_sent) \
	X(TCP_SYN_RECV,    "SYN_RECV",    tcp_syn_recv) \
	X(TCP_ESTABLISHED, "ESTABLISHED", tcp_established) \
	X(TCP_FIN_WAIT,    "FIN_WAIT",    tcp_fin_wait) \
	X(TCP_CLOSE_WAIT,  "CLOSE_WAIT",  tcp_close_wait) \
	X(TCP_LAST_ACK,    "LAST_ACK",    tcp_last_ack) \
	X(TCP_TIME_WAIT,   "TIME_WAIT",   tcp_time_wait) \
	X(TCP_CLOSE,       "CLOSE",       tcp_close) \
	X(TCP_SYN_SENT2,   "SYN_SENT2",   tcp_syn_sent) \
	X(UDP,             "UNREPLIED",   udp) \
	X(UDP_STREAM,      "REPLIED",     udp_stream) \
	X(ICMP,            "ICMP",        icmp) \
	X(GENERIC,         "GENERIC",     generic)

enum sw_ft_state {
#define SW_FT_STATE_ENUM(n, s, t) SW_FT_##n,
	SW_FT_STATES(SW_FT_STATE_ENUM)
#undef SW_FT_STATE_ENUM
	SW_FT_STATE_MAX
};

/* Timeouts in seconds, under Linux's sysctl names, with its defaults. */
#define SW_FT_TIMEOUTS(X) \
	X(tcp_syn_sent,       120) \
	X(tcp_syn_recv,        60) \
	X(tcp_established, 432000) \
	X(tcp_fin_wait,       120) \
	X(tcp_close_wait,      60) \
	X(tcp_last_ack,        30) \
	X(tcp_time_wait,      120) \
	X(tcp_close,           10) \
	X(tcp_unacknowledged, 300) \
	X(udp,                 30) \
	X(udp_stream,         180) \
	X(icmp,                30) \
	X(generic,            600)

enum sw_ft_timeout {
#define SW_FT_TO_ENUM(n, d) SW_FT_TO_##n,
	SW_FT_TIMEOUTS(SW_FT_TO_ENUM)
#undef SW_FT_TO_ENUM
	SW_FT_TO_MAX
};

/* "tcp_established" -> index, or -1. */
int sw_ft_timeout_index(const char *name);
const char *sw_ft_timeout_name(unsigned int t);
uint32_t sw_ft_timeout_default(unsigned int t);
const char *sw_ft_state_name(unsigned int state);

#define SW_FT_MAX_READERS 4

struct sw_ft_conf {
	uint32_t max_flows;	/* all shards together */
	unsigned int nb_shards;	/* one per worker */
	bool tcp_loose;		/* pick up TCP mid-stream */
	bool early_drop;	/* evict unassured entries when full */
	uint8_t high_water;	/* % of an rte_hash's slots ever used */
	uint16_t adaptive_start; /* % of max_flows; 0: no adaptive scaling */
	uint16_t adaptive_end;	/* %, > start */
	uint32_t timeouts[SW_FT_TO_MAX];	/* seconds */
	uint64_t hz;		/* ticks of `now` per second */
	int socket_id;
};

/* Fill *conf with the defaults (max_flows 1M, 1 shard, hz 1). */
void sw_ft_conf_defaults(struct sw_ft_conf *conf);

struct sw_ft;
struct sw_ft_shard;

/*
 * Create the table. Control thread, before the workers start. Returns
 * NULL with rte_errno set: EINVAL (bad conf), ENOMEM, or what rte_hash
 * reports.
 */
struct sw_ft *sw_ft_create(const struct sw_ft_conf *conf);

/* NULL is a no-op. Nobody may use the table any more. */
void sw_ft_free(struct sw_ft *ft);

/* Bytes allocated for the table (hashes, flow arrays, shards). */
size_t sw_ft_memory(const struct sw_ft *ft);

unsigned int sw_ft_nb_shards(const struct sw_ft *ft);
struct sw_ft_shard *sw_ft_shard(struct sw_ft *ft, unsigned int i);
/* Flows one shard may hold (max_flows / nb_shards). */
uint32_t sw_ft_shard_max(const struct sw_ft *ft);

/* ---- Worker side: the shard's owner only ---- */

/*
 * Look up n (<= 64) keys; pos[i] >= 0 is the flow's slot, < 0 a miss.
 * sw_ft_insert() relies on it: call it for each burst before inserting
 * that burst's misses.
 */
void sw_ft_lookup_burst(struct sw_ft_shard *s, const struct sw_ft_key **keys,
			uint16_t n, int32_t *pos);

/*
 * Look one key up again within a burst (after inserts), without
 * starting a new burst. Returns the slot, or < 0.
 */
int32_t sw_ft_lookup(struct sw_ft_shard *s, const struct sw_ft_key *key);

enum sw_ft_verdict {
	SW_FT_OK = 0,		/* forward */
	SW_FT_INVALID,		/* drop: impossible flags or transition */
};

/*
 * A packet of `len` bytes in direction `dir` hit slot `pos`: count it,
 * advance the state machine (tcp_flags for TCP), refresh the flow.
 * Returns enum sw_ft_verdict.
 */
int sw_ft_update(struct sw_ft_shard *s, int32_t pos, int dir,
		 uint8_t tcp_flags, uint32_t len, uint64_t now);

enum sw_ft_miss {
	SW_FT_MISS_NEW = 0,	/* may open a flow if the policy accepts */
	SW_FT_MISS_LOOSE,	/* TCP mid-stream: may open one (tcp_loose) */
	SW_FT_MISS_UNTRACKED,	/* judged by the policy, never tracked */
	SW_FT_MISS_INVALID,	/* drop */
};

/*
 * What a packet that missed may become. TCP: a SYN without ACK is NEW; a
 * plain ACK is LOOSE when tcp_loose, else INVALID; anything else (and
 * impossible flag sets) INVALID. ICMP/ICMPv6 echo requests are NEW, other
 * ICMP UNTRACKED. Every other protocol is NEW.
 */
int sw_ft_miss_kind(const struct sw_ft_shard *s, uint8_t family,
		    uint8_t proto, uint8_t tcp_flags, uint8_t icmp_type);

/*
 * Insert a flow opened by this packet (direction dir), with a byte of
 * the caller's (`tag`: spillway stores the ingress port) kept with the
 * flow for sw_ft_revalidate()'s judge, then count the
 * packet as sw_ft_update() would. Returns 0 (inserted), 1 (the key was
 * already there, e.g. opened earlier in the same burst: updated as by
 * sw_ft_update), -EINVAL (the packet is invalid for that existing flow),
 * or -ENOSPC: the shard is full even after early drop, and the packet
 * must spill. Above the high-water mark no cuckoo search is tried.
 */
int sw_ft_insert(struct sw_ft_shard *s, const struct sw_ft_key *key, int dir,
		 uint8_t tag, uint8_t tcp_flags, uint32_t len, uint64_t now);

/*
 * True while the shard is spilling: an insert failed, and the shard has
 * not yet dropped below 90 % of its size. Misses that are not NEW then
 * go to the fallback rules, so connections they admitted keep working.
 */
bool sw_ft_spilling(const struct sw_ft_shard *s);

/* Examine the next SW_FT_EXPIRE_BATCH slots; delete what timed out. */
#define SW_FT_EXPIRE_BATCH 32
void sw_ft_expire(struct sw_ft_shard *s, uint64_t now);

/* ---- Control side ---- */

/*
 * Ask every shard's owner to delete all its flows. Asynchronous: each
 * worker deletes during its next sweep of its shard (bounded work per
 * poll, done within milliseconds while it polls).
 */
void sw_ft_flush(struct sw_ft *ft);

/*
 * Judge of a live flow, called on the shard's owner during a
 * revalidation sweep: return false to delete the flow. `orig_dir` is the
 * opener's side; `tag` what sw_ft_insert() was given. Must not block.
 */
typedef bool (*sw_ft_judge_cb)(unsigned int shard, const struct sw_ft_key *key,
			       int orig_dir, uint8_t tag, void *arg);

/* Set the judge (before the workers start). */
void sw_ft_set_judge(struct sw_ft *ft, sw_ft_judge_cb cb, void *arg);

/*
 * Ask every owner to pass each of its live flows to the judge once
 * (asynchronous, like sw_ft_flush). Flows it rejects are deleted and
 * counted as revalidated.
 */
void sw_ft_revalidate(struct sw_ft *ft);

/* Change tcp_loose / early_drop of every shard (live). */
void sw_ft_set_options(struct sw_ft *ft, bool tcp_loose, bool early_drop);

struct sw_ft_stats {
	uint64_t flows;		/* live now */
	uint64_t inserts;
	uint64_t insert_failed;	/* spilled: full after early drop */
	uint64_t early_drops;
	uint64_t expired;
	uint64_t flushed;	/* deleted by sw_ft_flush */
	uint64_t revalidated;	/* deleted by sw_ft_revalidate's judge */
	uint32_t adaptive_scale_q10; /* 1024 = timeouts unscaled */
	bool spilling;
};

/* Stats of shard i (no locks; a few packets stale is fine). */
void sw_ft_shard_stats(const struct sw_ft *ft, unsigned int i,
		       struct sw_ft_stats *st);

/* Set / read a timeout (seconds). Live flows follow at once. */
void sw_ft_set_timeout(struct sw_ft *ft, unsigned int t, uint32_t seconds);
uint32_t sw_ft_get_timeout(const struct sw_ft *ft, unsigned int t);

struct sw_ft_info {
	unsigned int shard;
	uint8_t state;		/* enum sw_ft_state */
	uint8_t orig_dir;	/* side that opened: enum sw_ft_dir */
	bool assured;
	bool replied;
	uint64_t pkts[2];	/* [0] opener -> peer, [1] replies */
	uint64_t bytes[2];
	uint64_t remaining;	/* seconds before expiry */
};

/* Return non-zero to stop the walk. */
typedef int (*sw_ft_walk_cb)(const struct sw_ft_key *key,
			     const struct sw_ft_info *info, void *arg);

/*
 * Visit every live flow of every shard, concurrently with the workers,
 * as reader `reader` (< SW_FT_MAX_READERS, one per thread). Returns
 * the number of flows visited.
 */
unsigned int sw_ft_walk(struct sw_ft *ft, unsigned int reader, uint64_t now,
			sw_ft_walk_cb cb, void *arg);

/*
 * Where a walk stands, for listings that go on across calls (show flows,
 * streamed to a slow client). Zero it to start at the first slot.
 */
struct sw_ft_cursor {
	unsigned int shard;
	uint32_t pos;
};

/*
 * Go on with a walk from *cur: examine at most max_slots slots (live or
 * not), calling cb for each live flow, and leave *cur where the next
 * call goes on. A callback that returns non-zero ends the call early,
 * with *cur just after its flow. The reader is online only during the
 * call: between calls the owners reclaim what they delete, however
 * long the caller waits. A flow may be missed or seen twice only if it
 * is deleted and its slot reused between calls, as in `conntrack -L`
 * on a busy table. Returns the number of flows visited. Control side;
 * `reader` as for
 * sw_ft_walk().
 */
unsigned int sw_ft_walk_from(struct sw_ft *ft, unsigned int reader,
			     struct sw_ft_cursor *cur, uint32_t max_slots,
			     uint64_t now, sw_ft_walk_cb cb, void *arg);

/* True once a walk from *cur has seen every slot. */
bool sw_ft_walk_done(const struct sw_ft *ft, const struct sw_ft_cursor *cur);

#endif /* SW_FT_H */
