/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_DROPLOG_H
#define SW_DROPLOG_H

/*
 * The drop log: one line per logged packet (time, worker, rule,
 * verdict, reason, ingress port, 5-tuple, TCP flags), as iptables LOG
 * and nftables `log` write, with counts of what was held back.
 *
 * What is logged: what a rule with log = true decides (log_prefix
 * starts its line); what the policy and fallback defaults drop
 * (log.policy_default, log.fallback_default); invalid packets, by
 * reason (log.invalid); the first packet of each spill episode
 * (log.spill).
 *
 * How, so that a flood of logged packets can neither slow a worker
 * nor flood the log: a worker makes a record only while its token
 * bucket (log.rate a second, as many at once) has a token, else it
 * counts log_limited; it hands the record to the control thread on a
 * ring of its own (single producer, single consumer, 1024 records,
 * never waited on: a full ring counts log_ring_full). The control
 * thread drains the rings, writes at most log.rate lines a second for
 * all workers together (the rest count log_suppressed), and once a
 * second in which something was held back writes how much. The lines
 * go to DPDK's log (stdout and syslog: the journal under systemd)
 * under the logtype user.sw.drop, which --log-level can silence.
 *
 * Thread-safety: sw_log_packet() is the worker's, on its own queue,
 * and never blocks, allocates or makes a syscall. The rest is the
 * control thread's.
 */

#include <stdbool.h>
#include <stdint.h>

#include "sw_acl.h"

struct rte_ring;
struct sw_app;
struct sw_pkt;

/* Why a packet was logged. */
enum sw_log_reason {
	SW_LOG_RULE = 0,	/* a rule with log = true decided it */
	SW_LOG_DEFAULT,		/* a set's default dropped it */
	SW_LOG_SPILL,		/* the first to spill in an episode */
	SW_LOG_INVALID,		/* invalid; `why` is its counter */
};

#define SW_LOG_NO_RULE UINT32_MAX	/* the set's default */
#define SW_LOG_NO_SET 0xff		/* no rule set involved */

/* A worker's side of the log. Zeroed: nothing is logged. */
struct sw_log_q {
	struct rte_ring *ring;	/* to the control thread; NULL: no log */
	uint64_t cost;		/* TSC ticks a record costs; 0: no log */
	uint64_t credit;	/* ticks of credit, at most burst * cost */
	uint64_t last;		/* TSC of the last refill */
	bool invalid;		/* log.invalid (live) */
	bool spill;		/* log.spill (live) */
	bool in_spill;		/* this episode's first spill is logged */
};

/*
 * Log packet p on worker `worker`'s queue q, if its bucket allows;
 * counts log_queued, log_limited or log_ring_full in cnt (the worker's
 * counters). set, rule (index, or SW_LOG_NO_RULE), verdict (enum
 * sw_acl_action), reason, why (the counter of an invalid reason) and
 * prefix (NULL: none) say what happened. Worker only; cold path.
 */
void sw_log_packet(struct sw_log_q *q, uint64_t *cnt, unsigned int worker,
		   const struct sw_pkt *p, uint8_t set, uint32_t rule,
		   uint8_t verdict, uint8_t reason, uint8_t why,
		   const char *prefix);

/*
 * Control side. sw_droplog_create() makes a ring per worker and sets
 * each worker's queue from app->cfg.log (before the workers start);
 * sw_droplog_apply() applies a reloaded log.* to the running workers;
 * sw_droplog_drain() writes what the workers queued (call it often:
 * every poll of the control loop); sw_droplog_free() after the
 * workers have stopped.
 */
struct sw_droplog;

struct sw_droplog *sw_droplog_create(struct sw_app *app);
void sw_droplog_apply(struct sw_droplog *d);
void sw_droplog_drain(struct sw_droplog *d);
void sw_droplog_free(struct sw_droplog *d);

#endif /* SW_DROPLOG_H */
