/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include "ft_private.h"

RTE_LOG_REGISTER(sw_ft_logtype, user.sw.ft, INFO);

#define Q10 1024u

static const char *const timeout_names[SW_FT_TO_MAX] = {
#define TO_NAME(n, d) #n,
	SW_FT_TIMEOUTS(TO_NAME)
#undef TO_NAME
};

static const uint32_t timeout_defaults[SW_FT_TO_MAX] = {
#define TO_DEF(n, d) d,
	SW_FT_TIMEOUTS(TO_DEF)
#undef TO_DEF
};

static const char *const state_names[SW_FT_STATE_MAX] = {
#define ST_NAME(n, s, t) s,
	SW_FT_STATES(ST_NAME)
#undef ST_NAME
};

const uint8_t ft_state_timeout[SW_FT_STATE_MAX] = {
#define ST_TO(n, s, t) SW_FT_TO_##t,
	SW_FT_STATES(ST_TO)
#undef ST_TO
};

int
sw_ft_timeout_index(const char *name)
{
	unsigned int i;

	for (i = 0; i < SW_FT_TO_MAX; i++)
		if (strcmp(name, timeout_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
sw_ft_timeout_name(unsigned int t)
{
	return t < SW_FT_TO_MAX ? timeout_names[t] : "?";
}

uint32_t
sw_ft_timeout_default(unsigned int t)
{
	return t < SW_FT_TO_MAX ? timeout_defaults[t] : 0;
}

const char *
sw_ft_state_name(unsigned int state)
{
	return state < SW_FT_STATE_MAX ? state_names[state] : "?";
}

void
sw_ft_conf_defaults(struct sw_ft_conf *c)
{
	unsigned int t;

	memset(c, 0, sizeof(*c));
	c->max_flows = 1u << 20;
	c->nb_shards = 1;
	c->tcp_loose = true;
	c->early_drop = true;
	c->high_water = 95;
	c->adaptive_start = 60;
	c->adaptive_end = 120;
	for (t = 0; t < SW_FT_TO_MAX; t++)
		c->timeouts[t] = timeout_defaults[t];
	c->hz = 1;
	c->socket_id = SOCKET_ID_ANY;
}

static size_t
heap_used(int socket)
{
	struct rte_malloc_socket_stats st;
	size_t sum = 0;
	unsigned int s;

	/* rte_hash allocates on its own; measure the heaps around it. */
	for (s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		if (socket != SOCKET_ID_ANY && (int)s != socket)
			continue;
		if (rte_malloc_get_socket_stats((int)s, &st) == 0)
			sum += st.heap_allocsz_bytes;
	}
	return sum;
}

/*
 * rte_hash compares keys it does not have a vector routine for (ours
 * are 40 bytes) with libc memcmp. Five 64-bit words, no branch.
 */
static int
key_cmp(const void *a, const void *b, size_t len)
{
	uint64_t x[5], y[5];

	(void)len;
	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) |
		(x[3] ^ y[3]) | (x[4] ^ y[4])) != 0;
}

static void
shard_free(struct sw_ft_shard *s)
{
	if (s == NULL)
		return;
	rte_hash_free(s->h);
	rte_free(s->flows);
	rte_free(s);
}

static struct sw_ft_shard *
shard_create(struct sw_ft *ft, const struct sw_ft_conf *c, unsigned int id)
{
	static uint32_t serial;
	struct rte_hash_parameters hp;
	struct rte_hash_rcu_config rcu;
	struct sw_ft_shard *s;
	char name[RTE_HASH_NAMESIZE];
	uint32_t slots;

	s = rte_zmalloc_socket("sw_ft_shard", sizeof(*s), RTE_CACHE_LINE_SIZE,
			       c->socket_id);
	if (s == NULL)
		return NULL;
	s->ft = ft;
	s->id = id;
	s->max = ft->shard_max;
	s->spill_clear = (uint32_t)((uint64_t)s->max * 9 / 10);
	s->tcp_loose = c->tcp_loose;
	s->early_drop = c->early_drop;
	if (c->adaptive_start) {
		s->adapt_start = (uint32_t)((uint64_t)s->max *
					    c->adaptive_start / 100);
		s->adapt_end = (uint32_t)((uint64_t)s->max *
					  c->adaptive_end / 100);
	}
	s->cnt.scale_q10 = Q10;

	/*
	 * The hash gets 100 / high_water times the slots a shard may fill,
	 * so cuckoo insertion never runs above the high-water load: past it
	 * rte_hash's search for a free slot grows long.
	 */
	slots = (uint32_t)RTE_MAX(8u, ((uint64_t)s->max * 100 +
				       c->high_water - 1) / c->high_water);
	snprintf(name, sizeof(name), "sw_ft%u_%u",
		 __atomic_fetch_add(&serial, 1, __ATOMIC_RELAXED), id);
	memset(&hp, 0, sizeof(hp));
	hp.name = name;
	hp.entries = slots;
	hp.key_len = sizeof(struct sw_ft_key);
	hp.hash_func = ft_hash_func;
	hp.socket_id = c->socket_id;
	/* One writer (the owner), lock-free readers (the control thread). */
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
	s->h = rte_hash_create(&hp);
	if (s->h == NULL)
		goto err;
	rte_hash_set_cmp_func(s->h, key_cmp);
	memset(&rcu, 0, sizeof(rcu));
	rcu.v = ft->qs;
	rcu.mode = RTE_HASH_QSBR_MODE_DQ;
	/*
	 * Reclaim on every delete: with no reader walking, the grace period
	 * is over at once and the slot is free for the next insert (early
	 * drop relies on it). 22.11 reclaims at most 16 per call anyway.
	 */
	rcu.trigger_reclaim_limit = 1;
	if (rte_hash_rcu_qsbr_add(s->h, &rcu) != 0)
		goto err;
	s->nb_slots = (uint32_t)rte_hash_max_key_id(s->h) + 1;
	s->flows = rte_zmalloc_socket("sw_ft_flows",
				      sizeof(struct ft_flow) * s->nb_slots,
				      RTE_CACHE_LINE_SIZE, c->socket_id);
	if (s->flows == NULL)
		goto err;
	return s;
err:
	shard_free(s);
	return NULL;
}

struct sw_ft *
sw_ft_create(const struct sw_ft_conf *c)
{
	struct sw_ft *ft;
	size_t before, sz;
	unsigned int i;

	if (c->nb_shards == 0 || c->max_flows < c->nb_shards ||
	    c->high_water < 50 || c->high_water > 100 || c->hz == 0 ||
	    (c->adaptive_start && c->adaptive_end <= c->adaptive_start)) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (sw_ft_hash_init() != 0) {
		rte_errno = EAGAIN;
		return NULL;
	}
	before = heap_used(c->socket_id);
	ft = rte_zmalloc_socket("sw_ft", sizeof(*ft) + c->nb_shards *
				sizeof(ft->shards[0]), RTE_CACHE_LINE_SIZE,
				c->socket_id);
	if (ft == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	ft->hz = c->hz;
	ft->nb_shards = c->nb_shards;
	ft->shard_max = c->max_flows / c->nb_shards;
	for (i = 0; i < SW_FT_TO_MAX; i++)
		sw_ft_set_timeout(ft, i, c->timeouts[i]);
	sz = rte_rcu_qsbr_get_memsize(SW_FT_MAX_READERS);
	ft->qs = rte_zmalloc_socket("sw_ft_qs", sz, RTE_CACHE_LINE_SIZE,
				    c->socket_id);
	if (ft->qs == NULL || rte_rcu_qsbr_init(ft->qs, SW_FT_MAX_READERS))
		goto err;
	/* Readers are registered but offline until they walk. */
	for (i = 0; i < SW_FT_MAX_READERS; i++)
		rte_rcu_qsbr_thread_register(ft->qs, i);
	for (i = 0; i < c->nb_shards; i++) {
		ft->shards[i] = shard_create(ft, c, i);
		if (ft->shards[i] == NULL)
			goto err;
	}
	ft->memory = heap_used(c->socket_id) - before;
	return ft;
err:
	sw_ft_free(ft);
	if (rte_errno == 0)
		rte_errno = ENOMEM;
	return NULL;
}

void
sw_ft_free(struct sw_ft *ft)
{
	unsigned int i;

	if (ft == NULL)
		return;
	for (i = 0; i < ft->nb_shards; i++)
		shard_free(ft->shards[i]);
	rte_free(ft->qs);
	rte_free(ft);
}

size_t
sw_ft_memory(const struct sw_ft *ft)
{
	return ft->memory;
}

unsigned int
sw_ft_nb_shards(const struct sw_ft *ft)
{
	return ft->nb_shards;
}

struct sw_ft_shard *
sw_ft_shard(struct sw_ft *ft, unsigned int i)
{
	return i < ft->nb_shards ? ft->shards[i] : NULL;
}

uint32_t
sw_ft_shard_max(const struct sw_ft *ft)
{
	return ft->shard_max;
}

void
sw_ft_set_timeout(struct sw_ft *ft, unsigned int t, uint32_t seconds)
{
	if (t >= SW_FT_TO_MAX)
		return;
	__atomic_store_n(&ft->timeout_s[t], seconds, __ATOMIC_RELAXED);
	__atomic_store_n(&ft->timeout_ticks[t], (uint64_t)seconds * ft->hz,
			 __ATOMIC_RELAXED);
}

uint32_t
sw_ft_get_timeout(const struct sw_ft *ft, unsigned int t)
{
	return t < SW_FT_TO_MAX ?
	       __atomic_load_n(&ft->timeout_s[t], __ATOMIC_RELAXED) : 0;
}

/* The flow's timeout now, in ticks: its state's, adaptively scaled. */
static inline uint64_t
flow_timeout(const struct sw_ft_shard *s, const struct ft_flow *f,
	     uint8_t state)
{
	uint64_t t = __atomic_load_n(
		&s->ft->timeout_ticks[ft_state_timeout[state]],
		__ATOMIC_RELAXED);
	uint32_t q = FT_GET(s->cnt.scale_q10);

	(void)f;
	if (q == Q10)
		return t;
	/* Exact for any tick count below 2^54 (years of TSC). */
	return t < (1ull << 54) ? (t * q) >> 10 : (t >> 10) * q;
}

void
sw_ft_lookup_burst(struct sw_ft_shard *s, const struct sw_ft_key **keys,
		   uint16_t n, int32_t *pos)
{
	uint16_t i;

	s->burst_inserts = 0;
	if (n == 0)
		return;
	rte_hash_lookup_bulk(s->h, (const void **)keys, n, pos);
	/*
	 * The caller updates every hit next: start fetching all their
	 * flow entries now, so the misses overlap instead of queueing.
	 */
	for (i = 0; i < n; i++)
		if (pos[i] >= 0)
			rte_prefetch0(&s->flows[pos[i]]);
}

int32_t
sw_ft_lookup(struct sw_ft_shard *s, const struct sw_ft_key *key)
{
	int32_t pos = rte_hash_lookup(s->h, key);

	if (pos >= 0)
		rte_prefetch0(&s->flows[pos]);
	return pos;
}

static int
pclass(uint8_t proto, uint8_t family)
{
	switch (proto) {
	case 6:
		return FT_P_TCP;
	case 17:
		return FT_P_UDP;
	case 1:
		return family == 4 ? FT_P_ICMP : FT_P_OTHER;
	case 58:
		return family == 6 ? FT_P_ICMP : FT_P_OTHER;
	default:
		return FT_P_OTHER;
	}
}

int
sw_ft_miss_kind(const struct sw_ft_shard *s, uint8_t family, uint8_t proto,
		uint8_t tcp_flags, uint8_t icmp_type)
{
	switch (pclass(proto, family)) {
	case FT_P_TCP:
		switch (ft_tcp_class(tcp_flags)) {
		case FT_TCP_SYN:
			return SW_FT_MISS_NEW;
		case FT_TCP_ACK:
			return __atomic_load_n(&s->tcp_loose, __ATOMIC_RELAXED) ?
			       SW_FT_MISS_LOOSE : SW_FT_MISS_INVALID;
		default:
			return SW_FT_MISS_INVALID;
		}
	case FT_P_ICMP:
		/* Echo requests open a flow keyed by their identifier. */
		return icmp_type == (family == 4 ? 8 : 128) ?
		       SW_FT_MISS_NEW : SW_FT_MISS_UNTRACKED;
	default:
		return SW_FT_MISS_NEW;
	}
}

static void
set_assured(struct ft_flow *f)
{
	if ((f->flags & (FT_REPLIED | FT_ASSURED)) == FT_REPLIED &&
	    (f->pclass != FT_P_TCP || (f->state >= SW_FT_TCP_ESTABLISHED &&
				       f->state <= SW_FT_TCP_TIME_WAIT)))
		FT_SET(f->flags, (uint8_t)(f->flags | FT_ASSURED));
}

int
sw_ft_update(struct sw_ft_shard *s, int32_t pos, int dir, uint8_t tcp_flags,
	     uint32_t len, uint64_t now)
{
	struct ft_flow *f = &s->flows[pos];
	int reply = dir != ((f->flags & FT_ORIG_HI) ? SW_FT_DIR_HI :
						     SW_FT_DIR_LO);
	uint8_t next;

	switch (f->pclass) {
	case FT_P_TCP:
		next = ft_tcp_next(f->state, reply, tcp_flags);
		if (next == FT_TCP_INVALID)
			return SW_FT_INVALID;
		if (next == FT_TCP_IGNORE) {
			/* Counted, but it refreshes nothing. */
			FT_INC(f->pkts[reply]);
			FT_ADD(f->bytes[reply], len);
			return SW_FT_OK;
		}
		if (next == SW_FT_TCP_SYN_SENT &&
		    (f->state == SW_FT_TCP_TIME_WAIT ||
		     f->state == SW_FT_TCP_CLOSE)) {
			/* Reopened: a new connection on the old tuple. */
			FT_SET(f->pkts[0], 0);
			FT_SET(f->pkts[1], 0);
			FT_SET(f->bytes[0], 0);
			FT_SET(f->bytes[1], 0);
			FT_SET(f->flags, (uint8_t)(FT_USED |
			       (dir == SW_FT_DIR_HI ? FT_ORIG_HI : 0)));
			reply = 0;
		}
		FT_SET(f->state, next);
		break;
	case FT_P_UDP:
		if (reply)
			FT_SET(f->state, (uint8_t)SW_FT_UDP_STREAM);
		break;
	default:
		break;
	}
	if (reply && !(f->flags & FT_REPLIED))
		FT_SET(f->flags, (uint8_t)(f->flags | FT_REPLIED));
	set_assured(f);
	FT_INC(f->pkts[reply]);
	FT_ADD(f->bytes[reply], len);
	FT_SET(f->last, now);
	return SW_FT_OK;
}

static void
flow_delete(struct sw_ft_shard *s, uint32_t pos)
{
	void *key;

	if (rte_hash_get_key_with_position(s->h, (int32_t)pos, &key) == 0)
		rte_hash_del_key(s->h, key);
	/* The slot's memory is reused only after the RCU grace period. */
	__atomic_store_n(&s->flows[pos].flags, 0, __ATOMIC_RELEASE);
	FT_SET(s->cnt.flows, s->cnt.flows - 1);
}

/*
 * Linux's early drop: among a bounded sample of live flows, evict the
 * oldest that never saw a reply (SYN_SENT, UDP unreplied). An assured
 * flow is never evicted. Returns 1 if a slot was freed.
 */
static int
early_drop(struct sw_ft_shard *s)
{
	uint32_t pos = s->ed_hand, seen = 0, scanned = 0, victim = UINT32_MAX;
	uint64_t oldest = UINT64_MAX;

	if (s->ed_skip) {
		s->ed_skip--;
		return 0;
	}
	while (seen < FT_EARLY_DROP_SAMPLE && scanned < 4 * FT_EARLY_DROP_SAMPLE) {
		const struct ft_flow *f = &s->flows[pos];

		if (f->flags & FT_USED) {
			seen++;
			if (!(f->flags & FT_ASSURED) && f->last < oldest) {
				oldest = f->last;
				victim = pos;
			}
		}
		scanned++;
		if (++pos == s->nb_slots)
			pos = 0;
	}
	s->ed_hand = pos;
	if (victim == UINT32_MAX) {
		s->ed_skip = FT_EARLY_DROP_RETRY - 1;
		return 0;
	}
	flow_delete(s, victim);
	FT_INC(s->cnt.early_drops);
	return 1;
}

int
sw_ft_insert(struct sw_ft_shard *s, const struct sw_ft_key *key, int dir,
	     uint8_t tag, uint8_t tcp_flags, uint32_t len, uint64_t now)
{
	struct ft_flow *f;
	int32_t pos;
	bool ed;

	/*
	 * A key the bulk lookup missed can only be here if this burst
	 * inserted it since: look again only then.
	 */
	pos = s->burst_inserts ? rte_hash_lookup(s->h, key) : -ENOENT;
	if (pos >= 0)
		return sw_ft_update(s, pos, dir, tcp_flags, len, now) ==
		       SW_FT_OK ? 1 : -EINVAL;
	/*
	 * Above the high-water mark, no cuckoo search: early drop or spill.
	 * That keeps a flood's cost per packet flat when the table is full.
	 */
	ed = __atomic_load_n(&s->early_drop, __ATOMIC_RELAXED);
	if (s->cnt.flows >= s->max && !(ed && early_drop(s)))
		goto full;
	/* The slot it hands out may be one a walker has just let go of. */
	FT_TSAN_ACQUIRE(s->ft->qs);
	pos = rte_hash_add_key(s->h, key);
	if (pos < 0 && ed && early_drop(s))
		pos = rte_hash_add_key(s->h, key);
	if (pos < 0)
		goto full;
	f = &s->flows[pos];
	/*
	 * rte_hash_add_key returns the slot of a key that is already there:
	 * then this is an update, not a new flow (never count it twice).
	 */
	if (f->flags & FT_USED)
		return sw_ft_update(s, pos, dir, tcp_flags, len, now) ==
		       SW_FT_OK ? 1 : -EINVAL;
	/*
	 * Everything but flags, which is 0 since the delete and is written
	 * only by the release store below: a walker checks it first.
	 */
	memset(f, 0, offsetof(struct ft_flow, flags));
	f->tag = tag;
	f->pclass = (uint8_t)pclass(key->proto, key->family);
	switch (f->pclass) {
	case FT_P_TCP:
		f->state = SW_FT_TCP_NONE;
		break;
	case FT_P_UDP:
		f->state = SW_FT_UDP;
		break;
	case FT_P_ICMP:
		f->state = SW_FT_ICMP;
		break;
	default:
		f->state = SW_FT_GENERIC;
		break;
	}
	/* Published last: a walking reader sees a whole entry or none. */
	__atomic_store_n(&f->flags, FT_USED | (dir == SW_FT_DIR_HI ?
					       FT_ORIG_HI : 0),
			 __ATOMIC_RELEASE);
	FT_INC(s->cnt.flows);
	FT_INC(s->cnt.inserts);
	s->burst_inserts++;
	if (sw_ft_update(s, pos, dir, tcp_flags, len, now) != SW_FT_OK) {
		/* Callers only insert what sw_ft_miss_kind() allowed. */
		flow_delete(s, (uint32_t)pos);
		FT_SET(s->cnt.inserts, s->cnt.inserts - 1);
		return -EINVAL;
	}
	return 0;
full:
	FT_INC(s->cnt.insert_failed);
	FT_SET(s->cnt.spilling, 1);
	return -ENOSPC;
}

bool
sw_ft_spilling(const struct sw_ft_shard *s)
{
	return s->cnt.spilling != 0;
}

/*
 * pf's adaptive timeouts: past adapt_start flows every timeout is scaled
 * by (end - flows) / (end - start), reaching 0 at adapt_end.
 */
static void
update_scale(struct sw_ft_shard *s)
{
	uint64_t flows = s->cnt.flows;

	uint32_t q;

	if (s->adapt_end == 0 || flows <= s->adapt_start)
		q = Q10;
	else if (flows >= s->adapt_end)
		q = 0;
	else
		q = (uint32_t)((s->adapt_end - flows) * Q10 /
			       (s->adapt_end - s->adapt_start));
	if (q != s->cnt.scale_q10)
		FT_SET(s->cnt.scale_q10, q);
}

/*
 * Start a flush or revalidation pass when one was asked for: the next
 * nb_slots slots of the hand's sweep serve it.
 */
static void
start_pass(struct sw_ft_shard *s)
{
	uint32_t fr = __atomic_load_n(&s->flush_req, __ATOMIC_ACQUIRE);
	uint32_t rr = __atomic_load_n(&s->reval_req, __ATOMIC_ACQUIRE);

	if (fr == s->flush_done && rr == s->reval_done)
		return;
	s->pass_flush = fr != s->flush_done ? fr : 0;
	s->pass_reval = rr != s->reval_done ? rr : 0;
	s->pass_left = s->nb_slots;
}

static void
end_pass(struct sw_ft_shard *s)
{
	if (s->pass_flush)
		__atomic_store_n(&s->flush_done, s->pass_flush,
				 __ATOMIC_RELEASE);
	if (s->pass_reval)
		__atomic_store_n(&s->reval_done, s->pass_reval,
				 __ATOMIC_RELEASE);
	s->pass_flush = 0;
	s->pass_reval = 0;
}

static bool
judged_out(struct sw_ft_shard *s, uint32_t pos, const struct ft_flow *f)
{
	void *key;

	if (s->ft->judge == NULL ||
	    rte_hash_get_key_with_position(s->h, (int32_t)pos, &key) != 0)
		return false;
	return !s->ft->judge(s->id, key, (f->flags & FT_ORIG_HI) ?
			     SW_FT_DIR_HI : SW_FT_DIR_LO, f->tag,
			     s->ft->judge_arg);
}

void
sw_ft_expire(struct sw_ft_shard *s, uint64_t now)
{
	uint32_t k, pos = s->hand;

	/* One division per poll, never per packet. */
	update_scale(s);
	if (s->cnt.spilling && s->cnt.flows < s->spill_clear)
		FT_SET(s->cnt.spilling, 0);
	if (s->pass_left == 0)
		start_pass(s);
	for (k = 0; k < SW_FT_EXPIRE_BATCH; k++) {
		struct ft_flow *f = &s->flows[pos];

		if (f->flags & FT_USED) {
			if (now - f->last > flow_timeout(s, f, f->state)) {
				flow_delete(s, pos);
				FT_INC(s->cnt.expired);
			} else if (s->pass_flush) {
				flow_delete(s, pos);
				FT_INC(s->cnt.flushed);
			} else if (s->pass_reval && judged_out(s, pos, f)) {
				flow_delete(s, pos);
				FT_INC(s->cnt.revalidated);
			}
		}
		if (++pos == s->nb_slots)
			pos = 0;
		if (s->pass_left && --s->pass_left == 0)
			end_pass(s);
	}
	s->hand = pos;
}

/* Ask for a pass: bump a request counter (0 means "no pass": skipped). */
static void
bump(uint32_t *req)
{
	uint32_t v = __atomic_load_n(req, __ATOMIC_RELAXED);

	__atomic_store_n(req, v + 1 ? v + 1 : 1, __ATOMIC_RELEASE);
}

void
sw_ft_flush(struct sw_ft *ft)
{
	unsigned int i;

	for (i = 0; i < ft->nb_shards; i++)
		bump(&ft->shards[i]->flush_req);
}

void
sw_ft_set_judge(struct sw_ft *ft, sw_ft_judge_cb cb, void *arg)
{
	ft->judge_arg = arg;
	ft->judge = cb;
}

void
sw_ft_revalidate(struct sw_ft *ft)
{
	unsigned int i;

	for (i = 0; i < ft->nb_shards; i++)
		bump(&ft->shards[i]->reval_req);
}

void
sw_ft_set_options(struct sw_ft *ft, bool tcp_loose, bool early_drop)
{
	unsigned int i;

	for (i = 0; i < ft->nb_shards; i++) {
		__atomic_store_n(&ft->shards[i]->tcp_loose, tcp_loose,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&ft->shards[i]->early_drop, early_drop,
				 __ATOMIC_RELAXED);
	}
}

void
sw_ft_shard_stats(const struct sw_ft *ft, unsigned int i,
		  struct sw_ft_stats *st)
{
	const struct ft_counters *c = &ft->shards[i]->cnt;

	st->flows = __atomic_load_n(&c->flows, __ATOMIC_RELAXED);
	st->inserts = __atomic_load_n(&c->inserts, __ATOMIC_RELAXED);
	st->insert_failed = __atomic_load_n(&c->insert_failed,
					    __ATOMIC_RELAXED);
	st->early_drops = __atomic_load_n(&c->early_drops, __ATOMIC_RELAXED);
	st->expired = __atomic_load_n(&c->expired, __ATOMIC_RELAXED);
	st->flushed = __atomic_load_n(&c->flushed, __ATOMIC_RELAXED);
	st->revalidated = __atomic_load_n(&c->revalidated, __ATOMIC_RELAXED);
	st->adaptive_scale_q10 = __atomic_load_n(&c->scale_q10,
						 __ATOMIC_RELAXED);
	st->spilling = __atomic_load_n(&c->spilling, __ATOMIC_RELAXED) != 0;
}

/* Fill *info for a live slot; false when the slot holds no flow. */
static bool
walk_slot(const struct sw_ft *ft, unsigned int i, uint32_t pos, uint64_t now,
	  struct sw_ft_info *info, void **key)
{
	const struct sw_ft_shard *s = ft->shards[i];
	const struct ft_flow *f = &s->flows[pos];
	uint8_t flags = __atomic_load_n(&f->flags, __ATOMIC_ACQUIRE);
	uint64_t idle, to, last;

	if (!(flags & FT_USED) ||
	    rte_hash_get_key_with_position(s->h, (int32_t)pos, key) != 0)
		return false;
	memset(info, 0, sizeof(*info));
	info->shard = i;
	info->state = FT_GET(f->state);
	info->orig_dir = (flags & FT_ORIG_HI) ? SW_FT_DIR_HI : SW_FT_DIR_LO;
	info->assured = (flags & FT_ASSURED) != 0;
	info->replied = (flags & FT_REPLIED) != 0;
	info->pkts[0] = FT_GET(f->pkts[0]);
	info->pkts[1] = FT_GET(f->pkts[1]);
	info->bytes[0] = FT_GET(f->bytes[0]);
	info->bytes[1] = FT_GET(f->bytes[1]);
	last = FT_GET(f->last);
	idle = now > last ? now - last : 0;
	to = flow_timeout(s, f, info->state);
	info->remaining = idle < to ? (to - idle) / ft->hz : 0;
	return true;
}

unsigned int
sw_ft_walk_from(struct sw_ft *ft, unsigned int reader,
		struct sw_ft_cursor *cur, uint32_t max_slots, uint64_t now,
		sw_ft_walk_cb cb, void *arg)
{
	struct sw_ft_info info;
	unsigned int n = 0;
	void *key;

	if (reader >= SW_FT_MAX_READERS || cur->shard >= ft->nb_shards)
		return 0;
	/*
	 * Online, no slot we can see is reused: the owners only free slots
	 * once every online reader has reported a quiescent state. Offline
	 * again before returning, so that between calls (a streamed
	 * listing waiting on its client) the owners reclaim freely.
	 */
	rte_rcu_qsbr_thread_online(ft->qs, reader);
	while (max_slots > 0 && cur->shard < ft->nb_shards) {
		const struct sw_ft_shard *s = ft->shards[cur->shard];
		int stop = 0;

		for (; cur->pos < s->nb_slots && max_slots > 0 && !stop;
		     cur->pos++, max_slots--) {
			if (!walk_slot(ft, cur->shard, cur->pos, now, &info,
				       &key))
				continue;
			n++;
			stop = cb(key, &info, arg);
		}
		if (cur->pos >= s->nb_slots) {
			cur->shard++;
			cur->pos = 0;
		}
		/* Let the owners reclaim between shards. */
		FT_TSAN_RELEASE(ft->qs);
		rte_rcu_qsbr_quiescent(ft->qs, reader);
		if (stop)
			break;
	}
	FT_TSAN_RELEASE(ft->qs);
	rte_rcu_qsbr_thread_offline(ft->qs, reader);
	return n;
}

bool
sw_ft_walk_done(const struct sw_ft *ft, const struct sw_ft_cursor *cur)
{
	return cur->shard >= ft->nb_shards;
}

unsigned int
sw_ft_walk(struct sw_ft *ft, unsigned int reader, uint64_t now,
	   sw_ft_walk_cb cb, void *arg)
{
	struct sw_ft_cursor cur = { 0 };

	return sw_ft_walk_from(ft, reader, &cur, UINT32_MAX, now, cb, arg);
}
