/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * A worker's side of HA state sync (syncq.h): its events out, the
 * peer's flows in, and the held first packets (the worker sends them:
 * worker.c).
 */
#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "ring_copy.h"
#include "sw_ft.h"
#include "syncq.h"

_Static_assert(sizeof(struct sw_ft_event) % 4 == 0,
	       "a ring element is a multiple of 4 bytes");

bool
sw_syncq_defer(struct sw_syncq *q, struct sw_ft_shard *s, unsigned int worker,
	       unsigned int i, unsigned int since)
{
	struct sw_ft_event *e = sw_ft_hold_event(s, since);
	uint32_t id;

	if (e == NULL)
		return false;
	/* Its event was lost: the peer will not hear of the flow now. */
	if (e->op == 0 || q->nb_held >= SW_SYNCQ_HOLD_MAX ||
	    i >= RTE_DIM(q->burst_id)) {
		q->cnt[SW_SYNCQ_deferred_unheld]++;
		return false;
	}
	if ((q->next_id & 0xffffff) == 0)
		q->next_id++;
	id = (uint32_t)worker << 24 | (q->next_id++ & 0xffffff);
	e->tag = id;
	q->burst_id[i] = id;
	/* Counted now, so that a burst never holds more than there is room. */
	q->nb_held++;
	return true;
}

void
sw_syncq_hold(struct sw_syncq *q, struct rte_mbuf *m, unsigned int i,
	      uint8_t out, uint64_t now)
{
	unsigned int k;

	/* sw_syncq_defer counted its slot: one is free. */
	for (k = 0; q->held[k].id != 0; k++)
		;
	q->held[k].m = m;
	q->held[k].id = q->burst_id[i];
	q->held[k].out = out;
	q->held[k].go = false;
	q->held[k].deadline = now + q->hold_ticks;
	q->cnt[SW_SYNCQ_deferred_held]++;
}

/* Held packet `id` may go; counter: why now. */
static void
let_go(struct sw_syncq *q, uint32_t id, unsigned int counter)
{
	unsigned int k;

	if (id == 0)
		return;
	for (k = 0; k < SW_SYNCQ_HOLD_MAX; k++)
		if (q->held[k].id == id && !q->held[k].go) {
			q->held[k].go = true;
			q->nb_go++;
			q->cnt[counter]++;
			return;
		}
}

void
sw_syncq_sent(struct sw_syncq *q, unsigned int k)
{
	q->held[k].m = NULL;
	q->held[k].id = 0;
	q->held[k].go = false;
	q->nb_held--;
	q->nb_go--;
}

void
sw_syncq_push(struct sw_syncq *q, struct sw_ft_shard *s)
{
	unsigned int lost, n;

	/*
	 * The shard wrote its events into q->out's slots: this lets the
	 * control thread have them (sw_ft_set_events_ring).
	 */
	n = sw_ft_events_publish(s, &lost);
	q->cnt[SW_SYNCQ_events_queued] += n;
	if (unlikely(lost))
		q->cnt[SW_SYNCQ_events_lost] += lost;
}

static void
apply(struct sw_syncq *q, struct sw_ft_shard *s, const struct sw_ft_event *r,
      uint64_t now)
{
	switch (r->op) {
	case SW_SYNCQ_IMPORT:
		if (sw_ft_import(s, &r->fs, now) < 0)
			q->cnt[SW_SYNCQ_import_failed]++;
		break;
	case SW_SYNCQ_REMOVE:
	case SW_SYNCQ_EXPIRE:
		if (sw_ft_remove(s, &r->fs.key, r->op == SW_SYNCQ_EXPIRE) == 0)
			q->cnt[SW_SYNCQ_removed]++;
		break;
	case SW_SYNCQ_RELEASE:
		let_go(q, r->tag, SW_SYNCQ_deferred_released);
		break;
	default:
		break;
	}
}

void
sw_syncq_poll(struct sw_syncq *q, struct sw_ft_shard *s, uint64_t now)
{
	struct sw_ft_event r[32];
	unsigned int n, i, k, total = 0;

	do {
		n = sw_ring_take(q->in, r, sizeof(r[0]), RTE_DIM(r));
		for (i = 0; i < n; i++)
			apply(q, s, &r[i], now);
		total += n;
	} while (n == RTE_DIM(r) && total < SW_SYNCQ_POLL_MAX);
	for (k = 0; q->nb_held > q->nb_go && k < SW_SYNCQ_HOLD_MAX; k++)
		if (q->held[k].id != 0 && !q->held[k].go &&
		    (int64_t)(now - q->held[k].deadline) >= 0)
			let_go(q, q->held[k].id, SW_SYNCQ_deferred_timed_out);
}
