/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The owner's sweep: expiry, adaptive timeouts, the SYN proxy's
 * auto mode, and the passes the control thread asks for (flush,
 * revalidation).
 */
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_prefetch.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ft_private.h"

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
		q = FT_Q10;
	else if (flows >= s->adapt_end)
		q = 0;
	else
		q = (uint32_t)((s->adapt_end - flows) * FT_Q10 /
			       (s->adapt_end - s->adapt_start));
	if (q != s->cnt.scale_q10) {
		FT_SET(s->cnt.scale_q10, q);
		FT_SET(s->cnt.adaptive_scale_permille, q * 1000ull / FT_Q10);
	}
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
	/* Stored before the request, read after it (acquire above). */
	s->pass_match = s->pass_flush ? s->ft->flush_match : NULL;
	s->pass_arg = s->pass_flush ? s->ft->flush_arg : NULL;
	s->pass_deleted = 0;
}

static void
end_pass(struct sw_ft_shard *s)
{
	if (s->pass_flush) {
		__atomic_store_n(&s->flush_deleted, s->pass_deleted,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&s->flush_done, s->pass_flush,
				 __ATOMIC_RELEASE);
	}
	/* The filter is the caller's again once the pass says done. */
	s->pass_match = NULL;
	s->pass_arg = NULL;
	if (s->pass_reval)
		__atomic_store_n(&s->reval_done, s->pass_reval,
				 __ATOMIC_RELEASE);
	s->pass_flush = 0;
	s->pass_reval = 0;
}

/* A flush deletes every flow, or those its filter names. */
static bool
flushed_out(struct sw_ft_shard *s, uint32_t pos, const struct ft_flow *f)
{
	if (s->pass_match == NULL)
		return true;
	return s->pass_match(s->id, &ft_slot(s, pos)->key,
			     (f->flags & FT_ORIG_HI) ? SW_FT_DIR_HI :
			     SW_FT_DIR_LO, f->port, f->state, s->pass_arg);
}

static bool
judged_out(struct sw_ft_shard *s, uint32_t pos, const struct ft_flow *f)
{
	if (s->ft->judge == NULL)
		return false;
	return !s->ft->judge(s->id, &ft_slot(s, pos)->key,
			     (f->flags & FT_ORIG_HI) ?
			     SW_FT_DIR_HI : SW_FT_DIR_LO, f->port, f->state,
			     s->ft->judge_arg);
}

/*
 * The SYN proxy in auto mode engages past proxy_start % of the shard,
 * while it spills, or when a source runs into its quota (a source
 * opening that much is pressure too, even if the table has room). It lets go only when the shard is below four fifths
 * of that, not spilling, and over a whole window (5 s) the cookies no
 * client completed (what a spoofed flood leaves) would not have filled
 * a quarter of it: during a flood the entries opened before the proxy
 * engaged expire and the table empties, yet the proxy must stay.
 */
static void
update_proxy(struct sw_ft_shard *s, uint32_t t)
{
	uint8_t mode = __atomic_load_n(&s->ft->proxy_mode, __ATOMIC_RELAXED);
	uint64_t start = (uint64_t)s->max *
		__atomic_load_n(&s->ft->proxy_start, __ATOMIC_RELAXED) / 100;
	uint32_t on = s->cnt.proxying;
	uint64_t unanswered = 0;
	bool window_done = t - s->px_win_start >= s->ft->proxy_window_u;
	bool over = s->cnt.src_over != s->px_src_over;

	s->px_src_over = s->cnt.src_over;
	if (window_done) {
		unanswered = (s->cnt.proxy_cookies - s->px_win_cookies) -
			     (s->cnt.proxy_valid - s->px_win_valid);
		s->px_win_start = t;
		s->px_win_cookies = s->cnt.proxy_cookies;
		s->px_win_valid = s->cnt.proxy_valid;
	}
	if (mode != SW_FT_PROXY_AUTO)
		on = mode == SW_FT_PROXY_ON;
	else if (!on && (s->cnt.flows >= start || s->cnt.spilling || over))
		on = 1;
	else if (on && window_done && s->cnt.flows < start * 4 / 5 &&
		 !s->cnt.spilling && unanswered < start / 4)
		on = 0;
	if (on == s->cnt.proxying)
		return;
	if (on && mode == SW_FT_PROXY_AUTO)
		FT_INC(s->cnt.proxy_engaged);
	FT_SET(s->cnt.proxying, on);
}

void
sw_ft_set_proxy(struct sw_ft *ft, uint8_t mode, uint8_t start)
{
	__atomic_store_n(&ft->proxy_mode, mode, __ATOMIC_RELAXED);
	__atomic_store_n(&ft->proxy_start, start, __ATOMIC_RELAXED);
}

/*
 * Bit k set: position pos + k holds a published flow (n <= 32). The
 * owner reads its own live[] marks (walkers only read them).
 */
static inline uint32_t
live_mask(const struct sw_ft_shard *s, uint32_t pos, uint32_t n)
{
	const uint8_t *l = &s->live[pos];
	uint32_t m = 0, k;

#if defined(__SSE2__)
	if (n == 32) {
		const __m128i z = _mm_setzero_si128();
		uint32_t lo = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(
			_mm_loadu_si128((const __m128i *)l), z));
		uint32_t hi = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(
			_mm_loadu_si128((const __m128i *)(l + 16)), z));

		return ~(lo | hi << 16);
	}
#endif
	for (k = 0; k < n; k++)
		m |= (uint32_t)(l[k] != 0) << k;
	return m;
}

/*
 * Examine the live flows among n slots from pos (no wrap): delete what
 * timed out, refresh HA's view of the rest. While no flush or
 * revalidation pass runs (all but a few polls), that is all a slot asks.
 */
static void
sweep_expired(struct sw_ft_shard *s, uint32_t pos, uint32_t n, uint32_t t,
	      bool sync)
{
	uint32_t m = live_mask(s, pos, n);

	while (m != 0) {
		uint32_t p = pos + (uint32_t)__builtin_ctz(m);
		struct ft_flow *f = ft_flow_at(s, p);
		uint32_t to;

		m &= m - 1;
		if (!(f->flags & FT_USED))	/* deleted by this loop */
			continue;
		to = flow_timeout(s, f, f->state, f->flags);
		if ((int32_t)(t - f->last) > (int32_t)to) {
			ft_flow_delete(s, p, SW_FT_DEL_EXPIRED);
			FT_INC(s->cnt.expired);
		} else if (unlikely(sync)) {
			ft_sync_refresh(s, p, t, to);
		}
	}
}

/* The same while a pass runs: every slot counts toward its end. */
static void
sweep_pass(struct sw_ft_shard *s, uint32_t pos, uint32_t n, uint32_t t,
	   bool sync)
{
	for (; n != 0; n--, pos++) {
		struct ft_flow *f = ft_flow_at(s, pos);

		if (f->flags & FT_USED) {
			uint32_t to = flow_timeout(s, f, f->state, f->flags);

			if ((int32_t)(t - f->last) > (int32_t)to) {
				ft_flow_delete(s, pos, SW_FT_DEL_EXPIRED);
				FT_INC(s->cnt.expired);
			} else if (s->pass_flush && flushed_out(s, pos, f)) {
				ft_flow_delete(s, pos, SW_FT_DEL_FLUSHED);
				FT_INC(s->cnt.flushed);
				s->pass_deleted++;
			} else if (s->pass_reval && judged_out(s, pos, f)) {
				ft_flow_delete(s, pos, SW_FT_DEL_REVALIDATED);
				FT_INC(s->cnt.revalidated);
			} else if (unlikely(sync)) {
				ft_sync_refresh(s, pos, t, to);
			}
		}
		if (s->pass_left && --s->pass_left == 0)
			end_pass(s);
	}
}

/*
 * The next call's live slots, one poll ahead: slots are 128 bytes
 * apart, a stride the hardware prefetchers follow badly (a SYN flood
 * into a 64K table ran 10 % slower without this).
 */
static void
prefetch_live(const struct sw_ft_shard *s, uint32_t pos, uint32_t n,
	      bool sync)
{
	uint32_t m = live_mask(s, pos, n);

	while (m != 0) {
		uint32_t p = pos + (uint32_t)__builtin_ctz(m);

		m &= m - 1;
		rte_prefetch0(ft_flow_at(s, p));
		/* With sync on, the refresh reads the slot's other line. */
		if (unlikely(sync))
			rte_prefetch0(&ft_slot(s, p)->sync_t);
	}
}

void
sw_ft_expire(struct sw_ft_shard *s, uint64_t now)
{
	uint32_t pos = s->hand, t = time_unit(s->ft, now);
	uint32_t left = SW_FT_EXPIRE_BATCH, n;
	bool sync = __atomic_load_n(&s->sync_mode, __ATOMIC_RELAXED) !=
		    SW_FT_SYNC_OFF;

	/* One division per poll, never per packet. */
	update_scale(s);
	if (s->cnt.spilling && s->cnt.flows < s->spill_clear)
		FT_SET(s->cnt.spilling, 0);
	update_proxy(s, t);
	if (s->pass_left == 0)
		start_pass(s);
	/*
	 * Not before the batch is due, unless a pass the control thread
	 * waits for runs: at 10 Mpps a 1K-flow shard's hand went round
	 * every 120 us, at the same cost a packet as a 1M-flow shard's.
	 */
	if (s->pass_left == 0 && s->sweep_gap != 0 &&
	    (int64_t)(now - s->sweep_next) < 0) {
		if (s->dq_count != 0)
			ft_reclaim(s);
		return;
	}
	s->sweep_next = now + s->sweep_gap;
	/* SW_FT_EXPIRE_BATCH slots, in at most two runs (the wrap). */
	while (left != 0) {
		n = RTE_MIN(left, s->nb_slots - pos);
		if (s->pass_left != 0)
			sweep_pass(s, pos, n, t, sync);
		else
			sweep_expired(s, pos, n, t, sync);
		left -= n;
		pos += n;
		if (pos == s->nb_slots)
			pos = 0;
	}
	s->hand = pos;
	/* What this poll's packets and sweep deleted, walkers permitting. */
	if (s->dq_count != 0)
		ft_reclaim(s);
	for (left = SW_FT_EXPIRE_BATCH; left != 0; left -= n) {
		n = RTE_MIN(left, s->nb_slots - pos);
		prefetch_live(s, pos, n, sync);
		pos += n;
		if (pos == s->nb_slots)
			pos = 0;
	}
}

/* Ask for a pass: bump a request counter (0 means "no pass": skipped). */
static void
bump(uint32_t *req)
{
	uint32_t v = __atomic_load_n(req, __ATOMIC_RELAXED);

	__atomic_store_n(req, v + 1 ? v + 1 : 1, __ATOMIC_RELEASE);
}

uint32_t
sw_ft_flush(struct sw_ft *ft, sw_ft_match_cb match, void *arg)
{
	unsigned int i;

	ft->flush_match = match;
	ft->flush_arg = arg;
	for (i = 0; i < ft->nb_shards; i++)
		bump(&ft->shards[i]->flush_req);
	return __atomic_load_n(&ft->shards[0]->flush_req, __ATOMIC_RELAXED);
}

bool
sw_ft_flush_done(const struct sw_ft *ft, uint32_t ticket, uint64_t *deleted)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < ft->nb_shards; i++) {
		if (__atomic_load_n(&ft->shards[i]->flush_done,
				    __ATOMIC_ACQUIRE) != ticket)
			return false;
		n += __atomic_load_n(&ft->shards[i]->flush_deleted,
				     __ATOMIC_RELAXED);
	}
	if (deleted != NULL)
		*deleted = n;
	return true;
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

bool
sw_ft_revalidate_pending(const struct sw_ft *ft)
{
	unsigned int i;

	for (i = 0; i < ft->nb_shards; i++)
		if (__atomic_load_n(&ft->shards[i]->reval_done,
				    __ATOMIC_ACQUIRE) !=
		    __atomic_load_n(&ft->shards[i]->reval_req,
				    __ATOMIC_RELAXED))
			return true;
	return false;
}

void
sw_ft_set_options(struct sw_ft *ft, bool tcp_loose, bool tcp_be_liberal,
		  bool early_drop)
{
	unsigned int i;

	for (i = 0; i < ft->nb_shards; i++) {
		__atomic_store_n(&ft->shards[i]->tcp_loose, tcp_loose,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&ft->shards[i]->tcp_be_liberal,
				 tcp_be_liberal, __ATOMIC_RELAXED);
		__atomic_store_n(&ft->shards[i]->early_drop, early_drop,
				 __ATOMIC_RELAXED);
	}
}
