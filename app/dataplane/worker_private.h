/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * What worker.c and track.c (the tracking stage) share: the verdicts
 * beyond the rule actions, counting and logging a packet, a flow's
 * zone, the fallback stage. Worker only.
 */
#ifndef SW_WORKER_PRIVATE_H
#define SW_WORKER_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "counters.h"
#include "logq.h"
#include "parse.h"
#include "reject.h"
#include "sw_acl.h"
#include "sw_ft.h"
#include "worker.h"

struct rte_mbuf;

/* Per-packet verdicts beyond the rule actions. */
#define V_PENDING	SW_ACL_NONE	/* still to be classified */
#define V_L2		(SW_ACL_NB_ACTIONS + 0)	/* non-IP, passed */
#define V_L2_DROP	(SW_ACL_NB_ACTIONS + 1)
#define V_MALFORMED	(SW_ACL_NB_ACTIONS + 2)
#define V_FRAG		(SW_ACL_NB_ACTIONS + 3)	/* non-first fragment */
#define V_BACK		(SW_ACL_NB_ACTIONS + 4)	/* out the ingress port */
#define V_GONE		(SW_ACL_NB_ACTIONS + 5)	/* kept by the proxy */
#define V_HOLD		(SW_ACL_NB_ACTIONS + 6)	/* held for the HA peer */
/* A reject whose rule asks for a reply kind: V_REJECT_WITH + kind. */
#define V_REJECT_WITH	(SW_ACL_NB_ACTIONS + 7)

_Static_assert(V_REJECT_WITH + SW_REJECT_WITH_MAX <= UINT8_MAX,
	       "every verdict fits a byte");

/*
 * A rule's verdict as the act stage reads it (act, rule as sw_acl_eval
 * gives them): a reject keeps its rule's reply kind.
 */
static inline uint8_t
verdict_of(const struct sw_acl *acl, uint8_t set, uint8_t act, uint32_t rule)
{
	const struct sw_acl_rule *r;

	if (likely(act != SW_ACL_REJECT) || rule == 0)
		return act;
	r = sw_acl_get_rule(acl, set, rule - 1);
	return r != NULL && r->reject_with ?
	       (uint8_t)(V_REJECT_WITH + r->reject_with) : act;
}

/* What a rule evaluation turned away, into the worker's counters. */
static inline void
count_limited(struct sw_worker *w, const struct sw_acl_ctx *cx)
{
	w->cnt.c[SW_CNT_rule_limited] += cx->limited;
	w->cnt.c[SW_CNT_conn_limited] += cx->conn_limited;
}

/*
 * Log a packet (cold: only packets the log asks for get here). rule:
 * the matching rule's index + 1, 0 for the set's default.
 */
void sw_worker_log_it(struct sw_worker *w, const struct sw_pkt *p,
		      const struct sw_acl *acl, uint8_t set, uint32_t rule,
		      uint8_t verdict, uint8_t reason, uint8_t why);

/*
 * A rule set decided packet p (act, rule as sw_acl_classify gives
 * them): log it if its rule says log = true, or if the default dropped
 * it and the default's drops are logged.
 */
static inline void
log_decision(struct sw_worker *w, const struct sw_pkt *p,
	     const struct sw_acl *acl, uint8_t set, uint8_t act, uint32_t rule)
{
	if (rule ? sw_acl_get_rule(acl, set, rule - 1)->log :
	    act != SW_ACL_ACCEPT && act != SW_ACL_NONE &&
	    sw_acl_default_logs(acl, set))
		sw_worker_log_it(w, p, acl, set, rule, act,
		       rule ? SW_LOG_RULE : SW_LOG_DEFAULT, 0);
}

/* Count an invalid packet under its reason and in the total; log it. */
static inline void
invalid(struct sw_worker *w, const struct sw_pkt *p, unsigned int reason)
{
	w->cnt.c[SW_CNT_invalid]++;
	w->cnt.c[reason]++;
	if (unlikely(__atomic_load_n(&w->log.invalid, __ATOMIC_RELAXED)))
		sw_worker_log_it(w, p, NULL, SW_LOG_NO_SET, 0, SW_ACL_DROP,
		       SW_LOG_INVALID, (uint8_t)reason);
}

/* The counter of each flow-table verdict. */
extern const uint8_t sw_worker_invalid_reason[SW_FT_VERDICT_MAX];

/*
 * A flow's zone: its port pair (the lower port index of the pair) and,
 * with zones by VLAN, the outer VLAN id. The same 5-tuple in two zones
 * is two flows.
 */
static inline uint16_t
zone_of(const struct sw_worker *w, uint8_t in_port, const struct sw_pkt *p)
{
	uint8_t pair = RTE_MIN(in_port, w->peer[in_port]);

	return (uint16_t)(pair | (w->zone_vlan ? p->vlan << 4 : 0));
}

/*
 * The fallback rules decide the n packets of keys[] (burst indexes
 * ki[]) statelessly; spill_first: the index in the list of the first
 * packet of a spill episode, logged (-1: none).
 */
void sw_worker_fallback(struct sw_worker *w, const struct sw_acl *acl,
			const struct sw_pkt *meta, uint8_t *v,
			const struct sw_acl_key **keys, const uint16_t *ki,
			uint16_t n, int spill_first, uint64_t now);

/*
 * The tracking stage (track.c): the n valid packets of keys[] (burst
 * indexes ki[]) against this worker's shard; each gets its verdict in
 * v[]. Returns the burst bits of the TCP first fragments that passed
 * their flow.
 */
uint64_t sw_worker_track(struct sw_worker *w, const struct sw_acl *acl,
			 struct rte_mbuf **pkts, const struct sw_pkt *meta,
			 uint8_t *v, const struct sw_acl_key **keys,
			 const uint16_t *ki, uint16_t n, uint64_t now);

#endif /* SW_WORKER_PRIVATE_H */
