/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * What the control thread reads without locks: shard stats, and walks
 * over the live flows (RCU readers, see DESIGN.md).
 */
#include <string.h>

#include <rte_rcu_qsbr.h>

#include "ft_private.h"

void
sw_ft_shard_stats(const struct sw_ft *ft, unsigned int i,
		  struct sw_ft_stats *st)
{
	const struct ft_counters *c = &ft->shards[i]->cnt;

#define FT_STAT_COPY(n, k, t, d) st->n = FT_GET(c->n);
	SW_FT_STATS(FT_STAT_COPY)
#undef FT_STAT_COPY
	st->occupancy_permille = st->max_flows ? st->flows * 1000 /
						 st->max_flows : 0;
}

/* Fill *info for a live slot; false when the slot holds no flow. */
static bool
walk_slot(const struct sw_ft *ft, unsigned int i, uint32_t pos, uint64_t now,
	  struct sw_ft_info *info, void **key)
{
	const struct sw_ft_shard *s = ft->shards[i];
	const struct ft_flow *f = ft_flow_at(s, pos);
	uint32_t idle, to, last, t = time_unit(ft, now);
	uint8_t flags;
	unsigned int k;

	if (!__atomic_load_n(&s->live[pos], __ATOMIC_ACQUIRE))
		return false;
	flags = FT_GET(f->flags);
	if (!(flags & FT_USED))
		return false;
	*key = &ft_slot(s, pos)->key;
	memset(info, 0, sizeof(*info));
	info->shard = i;
	info->hash = ft_slot(s, pos)->hash;
	info->state = FT_GET(f->state);
	info->port = FT_GET(f->port);
	info->orig_dir = (flags & FT_ORIG_HI) ? SW_FT_DIR_HI : SW_FT_DIR_LO;
	info->assured = (flags & FT_ASSURED) != 0;
	info->replied = (flags & FT_REPLIED) != 0;
	info->proxied = (flags & FT_PROXY) != 0;
	if (info->proxied) {
		info->px_delta = FT_GET(f->px);
		info->px_tsoff = ft_px_tsoff(f);
	}
	for (k = 0; k < 2; k++) {
		info->pkts[k] = FT_GET(f->pkts[k]);
		info->bytes[k] = FT_GET(f->bytes[k]) & FT_BYTES_MASK;
		if (!is_tcp(info->state))
			continue;
		info->tcp[k].end = FT_GET(f->end[k]);
		info->tcp[k].maxend = FT_GET(f->maxend[k]);
		info->tcp[k].maxwin = FT_GET(f->maxwin[k]);
		info->tcp[k].scale = FT_GET(f->scale[k]);
		info->tcp[k].flags = FT_GET(f->tflags[k]);
	}
	last = FT_GET(f->last);
	idle = (int32_t)(t - last) > 0 ? t - last : 0;
	to = flow_timeout(s, f, info->state, flags);
	info->remaining = idle < to ?
		(((uint64_t)(to - idle)) << ft->tshift) / ft->hz : 0;
	info->remaining_ms = idle < to ? ft_units_to_ms(ft, to - idle) : 0;
	info->synced = (flags & FT_SYNC) != 0;
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
