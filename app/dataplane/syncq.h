/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_SYNCQ_H
#define SW_SYNCQ_H

/*
 * A worker's side of HA state sync (app/ha is the control thread's):
 * the two rings it shares with the control thread, its role, and the
 * first packets it holds for the peer (active-active).
 *
 *   out: the worker's flow events (struct sw_ft_event, written in the
 *        ring's slots by lib/flowtable: sw_ft_set_events_ring) for the
 *        peer, handed over after every burst and sweep;
 *   in:  what the control thread received for this worker's shard (the
 *        same records, with the SW_SYNCQ_* ops below): flows to import,
 *        flows to delete, held packets to release. The worker applies
 *        them between polls, a bounded number a poll. No shard is ever
 *        written by two threads: received flows reach their owner here.
 *
 * A worker in the standby role forwards nothing: every frame it
 * receives is dropped and counted (ha_standby). Chosen over holding the
 * data ports' links down: a role change is one word the worker reads
 * per burst, it works on every port type (net_af_packet cannot take its
 * link down), the standby's receive counters still show what reaches
 * it, and the links stay up for whatever decides the path (routers,
 * link-state propagation of issue 24).
 *
 * Active-active: the first packet of a flow this worker opens is held
 * (at most SW_SYNCQ_HOLD_MAX at once, at most the hold time) until the
 * peer acknowledges the flow, as pfsync's defer: the reply may come
 * back through the peer, which must know the flow first. A packet
 * that finds no room, or waits past its time, goes on anyway, counted.
 *
 * Thread-safety: everything in struct sw_syncq but the rings' other
 * ends is the worker's; the control thread creates it before the
 * worker starts, stores `standby` and `defer` (relaxed), reads `cnt`,
 * and owns the rings' other ends. The worker never blocks, allocates
 * or makes a syscall here.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

struct rte_mbuf;
struct rte_ring;
struct sw_ft_shard;

/* What the control thread asks of a worker (sw_ft_event.op). */
enum {
	SW_SYNCQ_IMPORT = 1,	/* put fs into the shard (sw_ft_import) */
	SW_SYNCQ_REMOVE,	/* the peer deleted fs.key */
	SW_SYNCQ_EXPIRE,	/* the same, but it expired there: keep a
				 * flow this worker forwards */
	SW_SYNCQ_RELEASE,	/* the peer has flow `tag`: send its packet */
};

/* Records one poll applies at most (bounded work between polls). */
#define SW_SYNCQ_POLL_MAX	256
/* First packets a worker holds at once. */
#define SW_SYNCQ_HOLD_MAX	32
/* Ring sizes (records). */
#define SW_SYNCQ_RING		16384

/*
 * The worker's HA counters: X(name, kind, help), kind as in app/ha's
 * list. app/ha reports them (show ha, the JSON "ha" object, telemetry,
 * Prometheus), summed over the workers.
 */
#define SW_SYNCQ_COUNTERS(X) \
	X(events_queued,    COUNTER, "flow events handed to the control thread for the peer") \
	X(events_lost,      COUNTER, "flow events lost: the ring to the control thread was full") \
	X(import_failed,    COUNTER, "flows from the peer not put in: the shard was full or busy, or the record was bad") \
	X(removed,          COUNTER, "flows deleted because the peer deleted them") \
	X(deferred_held,    COUNTER, "first packets of new flows held until the peer acknowledged the flow (active-active)") \
	X(deferred_released, COUNTER, "held packets sent on the peer's acknowledgement") \
	X(deferred_timed_out, COUNTER, "held packets sent without an acknowledgement: the hold ran out") \
	X(deferred_unheld,  COUNTER, "first packets sent at once: no room to hold them, or their event was lost")

enum sw_syncq_counter {
#define SW_SYNCQ_ENUM(n, k, d) SW_SYNCQ_##n,
	SW_SYNCQ_COUNTERS(SW_SYNCQ_ENUM)
#undef SW_SYNCQ_ENUM
	SW_SYNCQ_CNT_MAX
};

/* A held packet. */
struct sw_syncq_held {
	struct rte_mbuf *m;
	uint64_t deadline;	/* TSC */
	uint32_t id;		/* its flow's event tag; 0: a free slot */
	uint8_t out;		/* spillway port it goes out of */
	bool go;		/* it may go now: the worker sends it */
};

struct sw_syncq {
	uint64_t cnt[SW_SYNCQ_CNT_MAX];	/* the worker's; others read */
	struct rte_ring *out;		/* worker -> control */
	struct rte_ring *in;		/* control -> worker */
	bool standby;			/* forward nothing (live) */
	bool defer;			/* hold first packets (live) */
	uint64_t hold_ticks;		/* how long, in TSC ticks */
	uint32_t next_id;		/* the id of the next held packet */
	unsigned int nb_held;		/* slots taken (or promised) */
	unsigned int nb_go;		/* of those, packets that may go */
	struct sw_syncq_held held[SW_SYNCQ_HOLD_MAX];
	/* This burst: the id a packet to hold got, by burst index. */
	uint32_t burst_id[64];
} __rte_cache_aligned;

/*
 * Worker `id`'s defer ids: the worker in the top 8 bits (the control
 * thread routes an acknowledgement by them), never 0.
 */
static inline unsigned int
sw_syncq_id_worker(uint32_t id)
{
	return id >> 24;
}

/*
 * The packet at burst index i made shard s's events from `since` on
 * (sw_ft_events_count before it): true when it is to be held (the
 * event that asks for it tagged, an id kept for sw_syncq_hold).
 */
bool sw_syncq_defer(struct sw_syncq *q, struct sw_ft_shard *s,
		    unsigned int worker, unsigned int i, unsigned int since);

/*
 * Hold m (the packet at burst index i, due out of spillway port out)
 * until the peer acknowledges its flow or the hold runs out.
 */
void sw_syncq_hold(struct sw_syncq *q, struct rte_mbuf *m, unsigned int i,
		   uint8_t out, uint64_t now);

/*
 * Hand shard s's events to the control thread (after each burst and
 * each sweep). The shard writes them into `out` itself: whoever makes
 * the queue attaches it (sw_ft_set_events_ring).
 */
void sw_syncq_push(struct sw_syncq *q, struct sw_ft_shard *s);

/*
 * Between polls: apply what the control thread sent for shard s (at
 * most SW_SYNCQ_POLL_MAX records) and let held packets whose time is
 * up go. Packets that may go are marked `go` (nb_go counts them): the
 * worker sends them, then sw_syncq_sent(q, k) frees slot k.
 */
void sw_syncq_poll(struct sw_syncq *q, struct sw_ft_shard *s, uint64_t now);
void sw_syncq_sent(struct sw_syncq *q, unsigned int k);

#endif /* SW_SYNCQ_H */
