/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_branch_prediction.h>
#if defined(__SSE4_1__)
#include <smmintrin.h>
#endif
#include <rte_tcp.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_icmp.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include "ft_private.h"
#include "sw_proto.h"

RTE_LOG_REGISTER(sw_ft_logtype, user.sw.ft, INFO);

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
 * are 40 bytes) with libc memcmp. Two 16-byte and one 8-byte compare,
 * no branch (SSE4.1's ptest: the build's -march has it).
 */
static int
key_cmp(const void *a, const void *b, size_t len)
{
	(void)len;
#if defined(__SSE4_1__)
	{
		const uint8_t *p = a, *q = b;
		__m128i d = _mm_or_si128(
			_mm_xor_si128(_mm_loadu_si128((const __m128i *)p),
				      _mm_loadu_si128((const __m128i *)q)),
			_mm_xor_si128(_mm_loadu_si128((const __m128i *)
						      (p + 16)),
				      _mm_loadu_si128((const __m128i *)
						      (q + 16))));
		uint64_t x, y;

		memcpy(&x, p + 32, 8);
		memcpy(&y, q + 32, 8);
		return !_mm_testz_si128(d, d) || x != y;
	}
#else
	{
		uint64_t x[5], y[5];

		memcpy(x, a, sizeof(x));
		memcpy(y, b, sizeof(y));
		return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) |
			(x[3] ^ y[3]) | (x[4] ^ y[4])) != 0;
	}
#endif
}

static void
shard_free(struct sw_ft_shard *s)
{
	if (s == NULL)
		return;
	rte_hash_free(s->h);
	rte_free(s->live);
	rte_free(s->dq);
	rte_free(s->src);
	rte_free(s->badck);
	rte_free(s->ev);
	rte_free(s);
}

/* Key, flow, hash: two cache lines with rte_hash's data pointer. */
_Static_assert(sizeof(struct ft_slot) == 120, "a slot is 128 bytes in all");

/*
 * Where rte_hash keeps position pos's key: rte_hash_get_key_with_position
 * gives the address of any position (22.11 sets it before it checks
 * that the slot is in use); two of them give the stride. A probe key,
 * inserted and removed before the table is used, checks the layout
 * against a real insert, so a librte_hash that lays its key store out
 * otherwise fails here, not on a packet.
 */
static int
find_slots(struct sw_ft_shard *s)
{
	struct ft_slot probe;
	void *k0 = NULL, *k1 = NULL;
	uint32_t hash;
	int32_t pos;
	int ok;

	rte_hash_get_key_with_position(s->h, 0, &k0);
	rte_hash_get_key_with_position(s->h, 1, &k1);
	if (k0 == NULL || k1 == NULL || (uint8_t *)k1 <= (uint8_t *)k0 ||
	    (size_t)((uint8_t *)k1 - (uint8_t *)k0) < sizeof(struct ft_slot) ||
	    ((uintptr_t)k0 & 7) != 0)
		return -1;
	s->slots = k0;
	s->stride = (size_t)((uint8_t *)k1 - (uint8_t *)k0);
	memset(&probe, 0, sizeof(probe));
	memset(probe.key.lo, 0x5a, sizeof(probe.key.lo));
	probe.key.family = 6;
	probe.f.pkts[1] = 0x5a5a5a5a;
	hash = sw_ft_key_hash(&probe.key);
	probe.hash = hash;
	pos = rte_hash_add_key_with_hash(s->h, &probe, hash);
	if (pos < 0)
		return -1;
	ok = memcmp(ft_slot(s, (uint32_t)pos), &probe, sizeof(probe)) == 0;
	if (rte_hash_del_key_with_hash(s->h, &probe, hash) != pos ||
	    rte_hash_free_key_with_position(s->h, pos) != 0)
		return -1;
	return ok ? 0 : -1;
}

static struct sw_ft_shard *
shard_create(struct sw_ft *ft, const struct sw_ft_conf *c, unsigned int id)
{
	static uint32_t serial;
	struct rte_hash_parameters hp;
	struct sw_ft_shard *s;
	char name[RTE_HASH_NAMESIZE];
	uint64_t turn, batches;
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
	s->tcp_be_liberal = c->tcp_be_liberal;
	s->early_drop = c->early_drop;
	if (c->adaptive_start) {
		s->adapt_start = (uint32_t)((uint64_t)s->max *
					    c->adaptive_start / 100);
		s->adapt_end = (uint32_t)((uint64_t)s->max *
					  c->adaptive_end / 100);
	}
	s->cnt.scale_q10 = FT_Q10;
	s->cnt.adaptive_scale_permille = 1000;
	s->cnt.max_flows = s->max;

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
	hp.key_len = sizeof(struct ft_slot);
	hp.hash_func = ft_hash_func;
	hp.socket_id = c->socket_id;
	/* One writer (the owner), lock-free readers (the control thread). */
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
	s->h = rte_hash_create(&hp);
	if (s->h == NULL)
		goto err;
	rte_hash_set_cmp_func(s->h, key_cmp);
	if (find_slots(s) != 0)
		goto err;
	/*
	 * Positions 0 .. max_key_id - 1 (key indices 1 .. entries; index 0
	 * is rte_hash's dummy). Counting one more, as this did until
	 * 2026-12-08, made the sweep, early drop and walkers read a slot
	 * past the key store: whatever rte_malloc put after it (the RCU
	 * defer queue's ring, until that went).
	 */
	s->nb_slots = (uint32_t)rte_hash_max_key_id(s->h);
	s->live = rte_zmalloc_socket("sw_ft_live", s->nb_slots,
				     RTE_CACHE_LINE_SIZE, c->socket_id);
	/*
	 * Deleted slots wait here for the walkers, not in rte_hash's RCU
	 * defer queue: that one takes a token and logs three times (a
	 * filtered rte_log call each) for every delete, about 650
	 * instructions, where this takes one token a poll.
	 */
	s->dq = rte_malloc_socket("sw_ft_dq", sizeof(*s->dq) * s->nb_slots,
				  RTE_CACHE_LINE_SIZE, c->socket_id);
	if (s->live == NULL || s->dq == NULL)
		goto err;
	turn = (uint64_t)c->hz * FT_SWEEP_TURN_MS / 1000;
	batches = (s->nb_slots + SW_FT_EXPIRE_BATCH - 1) / SW_FT_EXPIRE_BATCH;
	s->sweep_gap = (turn + batches - 1) / batches;	/* never shorter */
	if (ft_source_create(s, &ft->src, c->socket_id) != 0 ||
	    ft_badck_create(s, c->socket_id) != 0)
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
	uint64_t period;
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
	/* A time unit of about 1/256 s or more: 32 bits hold 80+ days. */
	while ((c->hz >> ft->tshift) > 511)
		ft->tshift++;
	/* Ticks to ms: the divisions of ft_units_to_ms, as a multiply. */
	ft->ms_mul = c->hz >= 1000 ? 1 : 1000;
	ft->ms_div = rte_reciprocal_value_u64(c->hz >= 1000 ? c->hz / 1000 :
					      c->hz);
	ft->udp_stream_u = (uint32_t)((2 * c->hz) >> ft->tshift);
	/*
	 * Cookie time slices of the period, rounded down to a power of two
	 * of time units (a shift, not a division, per cookie): a cookie
	 * lives between one and three periods.
	 */
	period = (uint64_t)(c->proxy_cookie_period ? c->proxy_cookie_period :
			    64) * (c->hz >> ft->tshift);
	while ((2ull << ft->cookie_shift) <= period && ft->cookie_shift < 31)
		ft->cookie_shift++;
	ft->bad_cookies = c->proxy_bad_cookies;
	ft->badck_window_u = (uint32_t)((10 * c->hz) >> ft->tshift);
	ft->proxy_wscale = RTE_MIN(c->proxy_wscale, 14);
	ft->proxy_mode = c->proxy_mode;
	ft->proxy_start = c->proxy_start;
	ft->proxy_window_u = (uint32_t)((5 * c->hz) >> ft->tshift);
	ft->src.v4_prefix = RTE_MIN(c->src_v4_prefix, 32);
	ft->src.v6_prefix = RTE_MIN(c->src_v6_prefix, 128);
	ft->src.max_flows = c->src_max_flows;
	ft->src.max_new_per_s = c->src_max_new_per_s;
	ft->src.max_sources = c->src_max_sources ? c->src_max_sources :
			      RTE_MAX(64u, ft->shard_max / 4);
	ft->src_u_per_s = (uint32_t)RTE_MAX(1ull, c->hz >> ft->tshift);

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
	if (ft_tags_create(ft, c->socket_id))
		goto err;
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
	ft_tags_free(ft);
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

struct sw_ft *
sw_ft_of(const struct sw_ft_shard *s)
{
	return s->ft;
}

uint32_t
sw_ft_shard_max(const struct sw_ft *ft)
{
	return ft->shard_max;
}

void
sw_ft_set_timeout(struct sw_ft *ft, unsigned int t, uint32_t seconds)
{
	uint64_t u;

	if (t >= SW_FT_TO_MAX)
		return;
	/* Capped where 32-bit time differences stay exact (80+ days). */
	u = ((uint64_t)seconds * ft->hz) >> ft->tshift;
	if (u > INT32_MAX)
		u = INT32_MAX;
	__atomic_store_n(&ft->timeout_s[t], seconds, __ATOMIC_RELAXED);
	__atomic_store_n(&ft->timeout_u[t], (uint32_t)u, __ATOMIC_RELAXED);
}

uint32_t
sw_ft_get_timeout(const struct sw_ft *ft, unsigned int t)
{
	return t < SW_FT_TO_MAX ?
	       __atomic_load_n(&ft->timeout_s[t], __ATOMIC_RELAXED) : 0;
}

void
sw_ft_lookup_burst_hash(struct sw_ft_shard *s, const struct sw_ft_key **keys,
			const uint32_t *hash, uint16_t n, int32_t *pos)
{
	uint16_t i;

	if (s->burst_inserts != 0) {
		memset(s->burst_seen, 0, sizeof(s->burst_seen));
		s->burst_inserts = 0;
	}
	if (n == 0)
		return;
	rte_hash_lookup_with_hash_bulk(s->h, (const void **)keys,
				       (hash_sig_t *)(uintptr_t)hash, n, pos);
	/*
	 * The caller updates every hit next: start fetching all their
	 * flow entries now, so the misses overlap instead of queueing.
	 */
	for (i = 0; i < n; i++)
		if (pos[i] >= 0) {
			const uint8_t *f = (const uint8_t *)
				ft_flow_at(s, (uint32_t)pos[i]);

			rte_prefetch0(f);
			rte_prefetch0(f + sizeof(struct ft_flow) - 1);
		}
}

void
sw_ft_lookup_burst(struct sw_ft_shard *s, const struct sw_ft_key **keys,
		   uint16_t n, int32_t *pos)
{
	uint32_t hash[SW_FT_BURST_MAX];
	uint16_t i;

	n = RTE_MIN(n, (uint16_t)SW_FT_BURST_MAX);
	for (i = 0; i < n; i++)
		hash[i] = sw_ft_key_hash(keys[i]);
	sw_ft_lookup_burst_hash(s, keys, hash, n, pos);
}

int32_t
sw_ft_lookup(struct sw_ft_shard *s, const struct sw_ft_key *key)
{
	int32_t pos = rte_hash_lookup(s->h, key);

	if (pos >= 0)
		rte_prefetch0(ft_flow_at(s, (uint32_t)pos));
	return pos;
}

static int
pclass(uint8_t proto, uint8_t family)
{
	switch (proto) {
	case IPPROTO_TCP:
		return FT_P_TCP;
	case IPPROTO_UDP:
		return FT_P_UDP;
	case IPPROTO_ICMP:
		return family == 4 ? FT_P_ICMP : FT_P_OTHER;
	case IPPROTO_ICMPV6:
		return family == 6 ? FT_P_ICMP : FT_P_OTHER;
	default:
		return FT_P_OTHER;
	}
}

bool
sw_ft_loose(const struct sw_ft_shard *s)
{
	return __atomic_load_n(&s->tcp_loose, __ATOMIC_RELAXED);
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
			return sw_ft_loose(s) ? SW_FT_MISS_LOOSE :
						SW_FT_MISS_MIDSTREAM;
		case FT_TCP_CLASS_INVALID:
		case FT_TCP_NONE:
			return SW_FT_MISS_INVALID;
		default:
			return SW_FT_MISS_MIDSTREAM;
		}
	case FT_P_ICMP:
		/* Echo requests open a flow keyed by their identifier. */
		return icmp_type == (family == 4 ? RTE_IP_ICMP_ECHO_REQUEST :
				     SW_ICMP6_ECHO_REQUEST) ?
		       SW_FT_MISS_NEW : SW_FT_MISS_UNTRACKED;
	default:
		return SW_FT_MISS_NEW;
	}
}

static inline bool
closed(uint8_t state)
{
	return state == SW_FT_TCP_TIME_WAIT || state == SW_FT_TCP_CLOSE;
}

/*
 * A connection that closed (TIME_WAIT, CLOSE) no longer counts to its
 * source's quota, as Linux's connlimit (nf_conncount's already_closed)
 * does not count it: a busy client's own closing flows must not lock it
 * out (20 connections a second and 5 s of TIME_WAIT hold 100 entries).
 * The entry stays, evictable like every closing flow, so the table
 * itself stays bounded; reopening it is a new flow for the quota
 * (sw_ft_update).
 */
static void
source_leave(struct sw_ft_shard *s, uint32_t pos, struct ft_flow *f)
{
	ft_source_release(s, &ft_slot(s, pos)->key, (f->flags & FT_ORIG_HI) ?
			  SW_FT_DIR_HI : SW_FT_DIR_LO);
	FT_SET(f->stag, 0);
}

/* The same for its rule's connection count (a tag): nf_conncount's. */
static void
tag_leave(struct sw_ft_shard *s, uint32_t pos, struct ft_flow *f)
{
	struct ft_slot *sl = ft_slot(s, pos);

	sw_ft_tag_release(s->ft, sl->tag, sl->key.family,
			  (f->flags & FT_ORIG_HI) ? sl->key.hi : sl->key.lo);
	sl->tag = 0;
}

/*
 * A SYN from the opener, on its port, that must start a new flow rather
 * than go on with this one (the caller deletes this one and judges the
 * SYN as a miss):
 *   - on a CLOSE flow, always, as Linux kills an entry closed or reset
 *     when a new SYN comes: an RST forged in the client's name (off-path,
 *     one packet every few seconds) must not hold the tuple against its
 *     next connection, whatever ISN that one picks;
 *   - while the proxy answers SYNs, one that would go to the server on
 *     an entry's say: it repeats a direct entry nobody answered (a flood
 *     from before the proxy engaged), or would reopen TIME_WAIT (a
 *     proxied flow's tuple is not a pass for the next connection).
 */
static inline bool
syn_starts_over(const struct sw_ft_shard *s, const struct ft_flow *f)
{
	if (f->state == SW_FT_TCP_CLOSE)
		return true;
	return s->cnt.proxying &&
	       ((f->state == SW_FT_TCP_SYN_SENT &&
		 !(f->flags & (FT_PROXY | FT_REPLIED))) ||
		f->state == SW_FT_TCP_TIME_WAIT);
}

/*
 * sw_ft_update for the common packet (see there): the port, the window,
 * assured for a picked-up flow's first answer, the counters.
 */
static inline int
update_ack(struct sw_ft_shard *s, int32_t pos, struct ft_flow *f,
	   const struct sw_ft_pkt *p, int reply, uint32_t t)
{
	if (unlikely((p->port == f->port) == (reply != 0)))
		return SW_FT_INV_ZONE;
	if (unlikely(ft_tcp_ack(f, p, reply, __atomic_load_n(
				&s->tcp_be_liberal, __ATOMIC_RELAXED)) !=
		     SW_FT_OK))
		return SW_FT_INV_SEQ;
	if (unlikely(!(f->flags & FT_ASSURED)) && reply) {
		/* Picked up mid-stream: the other side's answer earns it. */
		if (!(f->flags & FT_REPLIED))
			FT_SET(f->flags, (uint8_t)(f->flags | FT_REPLIED));
		if (f->tflags[0] & SW_FT_TCPF_PICKUP) {
			uint8_t was = f->flags, mode = FT_GET(s->sync_mode);

			FT_SET(f->flags, (uint8_t)(f->flags | FT_ASSURED));
			if (mode)
				ft_sync_changed(s, mode, f, (uint32_t)pos,
						f->state, was, t);
		}
		ft_track_evictable(s, f);
	}
	FT_INC(f->pkts[reply]);
	FT_ADD(f->bytes[reply], p->len);
	FT_SET(f->last, t);
	return SW_FT_OK;
}

int
sw_ft_update(struct sw_ft_shard *s, int32_t pos, const struct sw_ft_pkt *p,
	     uint64_t now, struct sw_ft_xlate *x)
{
	struct ft_flow *f = ft_flow_at(s, (uint32_t)pos);
	int reply = ft_flow_reply(f, p->dir), v;
	uint32_t t = time_unit(s->ft, now);
	struct sw_ft_xlate dummy;
	bool refresh = true, was_closed = closed(f->state), liberal;
	uint8_t old_state, old_flags, mode;

	if (x == NULL)
		x = &dummy;
	x->act = SW_FT_PX_NONE;
	/*
	 * Most packets: an ACK of an established direct flow, both sides
	 * seen, not a fragment, nothing learnt from the HA peer still to
	 * check. The same checks as below, straight.
	 */
	if (likely((p->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG |
				    RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG)) ==
		   RTE_TCP_ACK_FLAG && f->state == SW_FT_TCP_ESTABLISHED &&
		   !(f->flags & (FT_PROXY | FT_SYNC)) && !p->frag &&
		   f->maxwin[reply] != 0))
		return update_ack(s, pos, f, p, reply, t);
	if (unlikely(!reply && (p->tcp_flags & (RTE_TCP_SYN_FLAG |
						RTE_TCP_ACK_FLAG)) ==
		     RTE_TCP_SYN_FLAG && p->port == f->port) &&
	    syn_starts_over(s, f)) {
		ft_flow_delete(s, (uint32_t)pos, SW_FT_DEL_RESTARTED);
		return SW_FT_RETRY;
	}
	/*
	 * A first fragment: its length and checksum are unknown. It may
	 * carry data within an established connection, nothing more: no
	 * handshake, no close, no reset, and no state change.
	 */
	if (unlikely(p->frag) &&
	    (f->state != SW_FT_TCP_ESTABLISHED ||
	     (p->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG |
			      RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG)) !=
	     RTE_TCP_ACK_FLAG))
		return SW_FT_INV_FRAG;

	/*
	 * The opener's packets come in on the opener's port, replies on
	 * another: a host on one side cannot play both ends of a flow.
	 */
	if ((p->port == f->port) == (reply != 0))
		return SW_FT_INV_ZONE;
	old_state = f->state;
	old_flags = f->flags;
	liberal = __atomic_load_n(&s->tcp_be_liberal, __ATOMIC_RELAXED);
	/*
	 * Numbers from the HA peer: a side not seen here yet is learnt
	 * again from this segment, and while the other side is unseen its
	 * numbers may be behind: liberal, as conntrackd's users set
	 * tcp_be_liberal for a takeover.
	 */
	if (unlikely(f->flags & FT_SYNC))
		liberal |= ft_sync_seen(s, (uint32_t)pos, reply);
	if (unlikely(f->flags & FT_PROXY)) {
		memset((uint8_t *)x + 1, 0, sizeof(*x) - 1);
		v = ft_proxy_packet(f, p, reply, liberal,
				    s->ft->proxy_wscale, &refresh, x);
		if (v != SW_FT_OK)
			return v;
	} else if (is_tcp(f->state)) {
		v = ft_tcp_packet(f, p, reply, liberal, &refresh);
		if (v != SW_FT_OK)
			return v;
	} else {
		if (reply && !(f->flags & FT_REPLIED))
			FT_SET(f->flags, (uint8_t)(f->flags | FT_REPLIED));
		/*
		 * Linux's UDP: replied and still alive 2 s after its first
		 * packet, it is a stream (longer timeout) and assured; other
		 * protocols the same. ICMP echo is never assured.
		 */
		if (f->state != SW_FT_ICMP &&
		    (f->flags & (FT_REPLIED | FT_ASSURED)) == FT_REPLIED &&
		    t - f->end[0] >= s->ft->udp_stream_u) {
			if (f->state == SW_FT_UDP)
				FT_SET(f->state, (uint8_t)SW_FT_UDP_STREAM);
			FT_SET(f->flags, (uint8_t)(f->flags | FT_ASSURED));
		}
	}
	if (unlikely(was_closed != closed(f->state)) &&
	    (s->src || __atomic_load_n(&s->ft->tags_used, __ATOMIC_RELAXED))) {
		if (was_closed) {
			/*
			 * A valid SYN reopened a closed flow, which left its
			 * source's count (and its rule's): it starts again
			 * as a new flow, so that the quota and the rules'
			 * connection limits judge it.
			 */
			ft_flow_delete(s, (uint32_t)pos, SW_FT_DEL_RESTARTED);
			return SW_FT_RETRY;
		}
		if (f->stag)
			source_leave(s, (uint32_t)pos, f);
		if (ft_slot(s, (uint32_t)pos)->tag)
			tag_leave(s, (uint32_t)pos, f);
	}
	ft_track_evictable(s, f);
	FT_INC(f->pkts[reply]);
	FT_ADD(f->bytes[reply], p->len);
	if (refresh)
		FT_SET(f->last, t);
	if (unlikely(f->flags & FT_SYNC))
		ft_sync_passed(s, (uint32_t)pos, reply);
	mode = FT_GET(s->sync_mode);
	if (unlikely(mode) && (f->state != old_state || f->flags != old_flags))
		ft_sync_changed(s, mode, f, (uint32_t)pos, old_state, old_flags,
				t);
	return SW_FT_OK;
}

int
sw_ft_related(const struct sw_ft_shard *s, int32_t pos,
	      const struct sw_ft_pkt *q)
{
	const struct ft_flow *f = ft_flow_at(s, (uint32_t)pos);
	int side = ft_flow_reply(f, q->dir);

	/*
	 * The quoted packet went from `side` to the other side; the error
	 * about it comes back from there: on the opener's port when the
	 * quoted packet was a reply, on the other port when it was the
	 * opener's.
	 */
	if ((q->port == f->port) != (side != 0))
		return SW_FT_INV_ICMP;
	if (is_tcp(FT_GET(f->state)) && !ft_tcp_quote_ok(f, side, q->seq))
		return SW_FT_INV_ICMP;
	return SW_FT_OK;
}

int
sw_ft_advance(struct sw_ft_shard *s, int32_t pos, uint8_t dir, uint8_t port,
	      uint32_t end)
{
	struct ft_flow *f = ft_flow_at(s, (uint32_t)pos);
	int snd = ft_flow_reply(f, dir);

	if ((port == f->port) == (snd != 0))
		return SW_FT_INV_ZONE;
	if (f->state != SW_FT_TCP_ESTABLISHED)
		return SW_FT_INV_FRAG;
	return ft_tcp_advance(f, snd, end);
}

/*
 * One token covers every slot deleted before it was taken. While a
 * walker holds it, later deletes wait for the next token rather than
 * take a fresh one each poll: a walker that reports between shards
 * would never catch up with a token that keeps moving. With no walker
 * online the check passes at once, and a second round frees what was
 * deleted after the first token.
 */
uint32_t
ft_reclaim(struct sw_ft_shard *s)
{
	uint32_t freed = 0, round;

	for (round = 0; round < 2 && s->dq_count != 0; round++) {
		if (s->dq_ntok == 0) {
			s->dq_tok = rte_rcu_qsbr_start(s->ft->qs);
			s->dq_ntok = s->dq_count;
		}
		if (rte_rcu_qsbr_check(s->ft->qs, s->dq_tok, false) != 1)
			break;
		/* The walkers' quiescent reports (release) happen before. */
		FT_TSAN_ACQUIRE(s->ft->qs);
		freed += s->dq_ntok;
		s->dq_count -= s->dq_ntok;
		for (; s->dq_ntok != 0; s->dq_ntok--) {
			rte_hash_free_key_with_position(s->h,
						(int32_t)s->dq[s->dq_head]);
			if (++s->dq_head == s->nb_slots)
				s->dq_head = 0;
		}
	}
	return freed;
}

void
ft_flow_delete(struct sw_ft_shard *s, uint32_t pos, uint8_t reason)
{
	struct ft_slot *sl = ft_slot(s, pos);
	struct ft_flow *f = &sl->f;

	if (unlikely(FT_GET(s->sync_mode)) && (sl->sync & FT_SY_SENT))
		ft_sync_deleted(s, pos, reason);
	if (f->stag)
		ft_source_release(s, &sl->key, (f->flags & FT_ORIG_HI) ?
				  SW_FT_DIR_HI : SW_FT_DIR_LO);
	/* Its rule's connection count, whoever deletes it. */
	if (sl->tag)
		sw_ft_tag_release(s->ft, sl->tag, sl->key.family,
				  (f->flags & FT_ORIG_HI) ? sl->key.hi :
				  sl->key.lo);
	/* Walkers stop reading the slot before rte_hash may reuse it. */
	__atomic_store_n(&s->live[pos], 0, __ATOMIC_RELEASE);
	/* The key leaves the buckets now; its slot after the grace period. */
	if (rte_hash_del_key_with_hash(s->h, &sl->key, sl->hash) >= 0) {
		uint32_t tail = s->dq_head + s->dq_count;

		s->dq[tail >= s->nb_slots ? tail - s->nb_slots : tail] = pos;
		s->dq_count++;
	}
	if (f->flags & FT_EVICTABLE)
		FT_SET(s->cnt.evictable, s->cnt.evictable - 1);
	if (f->flags & FT_SOFT)
		FT_SET(s->cnt.evictable_assured, s->cnt.evictable_assured - 1);
	/* The slot's memory is reused only after the RCU grace period. */
	__atomic_store_n(&f->flags, 0, __ATOMIC_RELEASE);
	FT_SET(s->cnt.flows, s->cnt.flows - 1);
}

/*
 * Linux's early drop: evict the oldest of a bounded sample of flows of
 * one class (FT_EVICTABLE: not assured or closing; FT_SOFT: assured
 * connectionless). The sample starts where the last one stopped, so
 * repeated attempts cover the whole shard; the shard's count of each
 * class lets a table without one refuse at once, without scanning and
 * without skipping anyone. Returns 1 if a slot was freed.
 */
static int
early_drop_class(struct sw_ft_shard *s, uint8_t class)
{
	uint32_t pos = s->ed_hand, seen = 0, scanned = 0, victim = UINT32_MAX;
	uint32_t oldest = 0, now = 0;
	bool first = true, heavy = false;
	/* With quotas: the heaviest source's flows go first. */
	uint8_t htag = s->heavy_flows > 1 ? s->heavy_tag : 0;

	while (seen < FT_EARLY_DROP_SAMPLE && scanned < FT_EARLY_DROP_SCAN) {
		const struct ft_flow *f = ft_flow_at(s, (uint32_t)pos);

		if ((f->flags & (FT_USED | class)) == (FT_USED | class)) {
			/* Ages relative to the first candidate's time. */
			uint32_t age;

			if (first) {
				now = f->last;
				first = false;
			}
			age = now - f->last;
			if (htag && f->stag == htag && !heavy) {
				heavy = true;	/* better than any older */
				oldest = age;
				victim = pos;
			} else if ((!htag || (f->stag == htag) == heavy) &&
				   (victim == UINT32_MAX ||
				    (int32_t)age > (int32_t)oldest)) {
				oldest = age;
				victim = pos;
			}
			seen++;
		}
		scanned++;
		if (++pos == s->nb_slots)
			pos = 0;
	}
	s->ed_hand = pos;
	if (victim == UINT32_MAX)
		return 0;
	ft_flow_delete(s, victim, SW_FT_DEL_EVICTED);
	if (class == FT_SOFT)
		FT_INC(s->cnt.early_drops_assured);
	else
		FT_INC(s->cnt.early_drops);
	return 1;
}

/*
 * Unassured and closing flows first, as Linux; then, unlike Linux,
 * assured UDP and other connectionless flows, the heaviest source's
 * first: two spoofed queries 2 s apart to any service that answers make
 * a UDP flow assured, and a table of those must not refuse the next
 * real connection (README, "State integrity").
 */
static int
early_drop(struct sw_ft_shard *s)
{
	if (s->cnt.evictable && early_drop_class(s, FT_EVICTABLE))
		return 1;
	return s->cnt.evictable_assured && early_drop_class(s, FT_SOFT);
}

static uint8_t
first_state(const struct sw_ft_key *key)
{
	switch (pclass(key->proto, key->family)) {
	case FT_P_TCP:
		return SW_FT_TCP_NONE;
	case FT_P_UDP:
		return SW_FT_UDP;
	case FT_P_ICMP:
		return SW_FT_ICMP;
	default:
		return SW_FT_GENERIC;
	}
}

/*
 * A slot for a new flow of key (the caller has looked the key up in
 * this burst). Returns its position with the entry zeroed but not yet
 * published, or the position of an existing flow with *existing set, or
 * -ENOSPC (full after early drop: spilling), -EDQUOT or -EBUSY. quota
 * false: the per-source quota is not asked (a flow from the HA peer,
 * which its quota admitted there).
 */
int32_t
ft_flow_alloc(struct sw_ft_shard *s, const struct sw_ft_key *key,
	      uint32_t hash, int dir, uint64_t now, bool quota, bool *existing)
{
	struct ft_slot tmpl;
	struct ft_flow *f;
	uint8_t tag;
	int32_t pos;
	bool ed;

	*existing = false;
	/*
	 * A key the bulk lookup missed can only be here if this burst
	 * inserted it since: look again only then (and only if a key of
	 * its hash's top byte was).
	 */
	pos = s->burst_inserts != 0 &&
	      (s->burst_seen[hash >> 30] >> ((hash >> 24) & 63) & 1) ?
	      rte_hash_lookup_with_hash(s->h, key, hash) : -ENOENT;
	if (pos >= 0) {
		*existing = true;
		return pos;
	}
	/* A source over its quota takes nothing, not even a victim. */
	tag = 0;
	if (quota && ft_source_acquire(s, key, dir, time_unit(s->ft, now),
				       &tag) != 0)
		return -EDQUOT;
	/*
	 * Above the high-water mark, no cuckoo search: early drop or spill.
	 * That keeps a flood's cost per packet flat when the table is full.
	 */
	ed = __atomic_load_n(&s->early_drop, __ATOMIC_RELAXED);
	if (s->cnt.flows >= s->max && !(ed && early_drop(s))) {
		if (tag)
			ft_source_release(s, key, dir);
		FT_INC(s->cnt.insert_failed);
		FT_SET(s->cnt.spilling, 1);
		return -ENOSPC;
	}
	/* The key with a zeroed flow: rte_hash copies the whole slot. */
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.key = *key;
	tmpl.hash = hash;
	/* A flow a packet opens here is this node's to report. */
	tmpl.sync = quota ? FT_SY_LOCAL : 0;
	pos = rte_hash_add_key_with_hash(s->h, &tmpl, hash);
	/* No free slot: some may be waiting only for this poll's reclaim. */
	if (pos == -ENOSPC && ft_reclaim(s) != 0)
		pos = rte_hash_add_key_with_hash(s->h, &tmpl, hash);
	if (pos < 0) {
		if (tag)
			ft_source_release(s, key, dir);
		/*
		 * Both of the key's buckets are full although the shard is
		 * not: bad luck with a keyed hash. Nothing is evicted for it
		 * and the shard does not spill; this packet goes untracked.
		 */
		FT_INC(s->cnt.insert_busy);
		return -EBUSY;
	}
	f = ft_flow_at(s, (uint32_t)pos);
	/*
	 * rte_hash_add_key returns the slot of a key that is already there:
	 * then this is an update, not a new flow (never count it twice).
	 */
	if (f->flags & FT_USED) {
		*existing = true;
		return pos;
	}
	/* rte_hash copied the zeroed template in; a walker skips it until
	 * ft_flow_publish() marks it live. */
	f->stag = tag;
	return pos;
}

/* Published last: a walking reader sees a whole entry or none. */
void
ft_flow_publish(struct sw_ft_shard *s, uint32_t pos, int dir, uint8_t more)
{
	struct ft_flow *f = ft_flow_at(s, pos);
	uint32_t h;

	__atomic_store_n(&f->flags, (uint8_t)(FT_USED | FT_EVICTABLE | more |
			 (dir == SW_FT_DIR_HI ? FT_ORIG_HI : 0)),
			 __ATOMIC_RELEASE);
	__atomic_store_n(&s->live[pos], 1, __ATOMIC_RELEASE);
	FT_INC(s->cnt.flows);
	FT_INC(s->cnt.evictable);
	s->burst_inserts++;
	h = ft_slot(s, pos)->hash;
	s->burst_seen[h >> 30] |= 1ull << ((h >> 24) & 63);
}

int
sw_ft_insert(struct sw_ft_shard *s, const struct sw_ft_key *key,
	     const struct sw_ft_pkt *p, uint64_t now, uint8_t *why)
{
	return sw_ft_insert_hash(s, key, sw_ft_key_hash(key), p, now, why);
}

int
sw_ft_insert_hash(struct sw_ft_shard *s, const struct sw_ft_key *key,
		  uint32_t hash, const struct sw_ft_pkt *p, uint64_t now,
		  uint8_t *why)
{
	struct ft_flow *f;
	uint32_t nb_ev, tries, lost;
	uint64_t dropped;
	bool existing;
	int32_t pos;
	int v;

	pos = ft_flow_alloc(s, key, hash, p->dir, now, true, &existing);
	if (pos < 0)
		return pos;
	if (existing) {
		v = sw_ft_update(s, pos, p, now, NULL);
		if (v != SW_FT_OK) {
			*why = (uint8_t)v;
			return -EINVAL;
		}
		return 1;
	}
	f = ft_flow_at(s, (uint32_t)pos);
	f->port = p->port;
	f->state = first_state(key);
	f->last = time_unit(s->ft, now);
	if (!is_tcp(f->state))
		f->end[0] = f->last;	/* born: UDP is assured 2 s later */
	ft_flow_publish(s, (uint32_t)pos, p->dir, 0);
	FT_INC(s->cnt.inserts);
	nb_ev = s->nb_ev;
	tries = s->ev_tries;
	lost = s->ev_lost;
	dropped = s->cnt.sync_ev_dropped;
	v = sw_ft_update(s, pos, p, now, NULL);
	if (v != SW_FT_OK) {
		/* Callers only insert what sw_ft_miss_kind() allowed. */
		ft_flow_delete(s, (uint32_t)pos, SW_FT_DEL_RESTARTED);
		FT_SET(s->cnt.inserts, s->cnt.inserts - 1);
		*why = (uint8_t)v;
		return -EINVAL;
	}
	/* Taken only now: a failed insert leaves the place the caller's. */
	ft_slot(s, (uint32_t)pos)->tag = p->tag;
	if (unlikely(FT_GET(s->sync_mode))) {
		/*
		 * One event for a new flow: NEW, not the first packet's
		 * (nor that one's loss, if it found no room).
		 */
		s->nb_ev = nb_ev;
		s->ev_tries = tries;
		s->ev_lost = lost;
		FT_SET(s->cnt.sync_ev_dropped, dropped);
		ft_sync_new(s, (uint32_t)pos, f->last);
	}
	return 0;
}

bool
sw_ft_spilling(const struct sw_ft_shard *s)
{
	return s->cnt.spilling != 0;
}
