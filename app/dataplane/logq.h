/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_LOGQ_H
#define SW_LOGQ_H

/*
 * The drop log's producer: a worker's queue of records for the control
 * thread (control/droplog.h writes them). A worker makes a record only
 * while its token bucket (log.rate a second, as many at once) has a
 * token, else it counts log_limited; it hands the record over on a
 * ring of its own (single producer, single consumer, never waited on:
 * a full ring counts log_ring_full).
 *
 * Thread-safety: sw_log_packet() is the worker's, on its own queue,
 * and never blocks, allocates or makes a syscall. sw_logq_set() is the
 * control thread's: it stores what the worker reads as it goes.
 */

#include <stdbool.h>
#include <stdint.h>

#include "sw_acl.h"

struct rte_mbuf;
struct rte_ring;
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

/*
 * What a worker hands over: a packet's tuple, the headers iptables LOG
 * writes from (copied as they are: the control thread decodes them),
 * and why it was logged.
 */
struct sw_log_rec {
	uint64_t tsc;
	uint8_t src[16];	/* network order; IPv4: the first 4 */
	uint8_t dst[16];
	uint16_t sport;		/* network order */
	uint16_t dport;
	uint32_t rule;		/* SW_LOG_NO_RULE: the default */
	uint16_t l3_len;	/* the IP packet's length */
	uint16_t l4_len;	/* its L4 bytes */
	uint8_t worker;
	uint8_t set;		/* SW_LOG_NO_SET: none */
	uint8_t verdict;
	uint8_t reason;		/* enum sw_log_reason */
	uint8_t why;		/* invalid: its counter */
	uint8_t port;
	uint8_t family;
	uint8_t proto;
	uint8_t tcp_flags;
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint8_t level;		/* the line's log level (RTE_LOG_*) */
	uint8_t frag;		/* enum sw_frag */
	uint8_t nb_mac;		/* 14: mac[] holds dst, src, type; 0: none */
	uint8_t nb_l3;		/* bytes of l3[]: IPv4 20, IPv6 40; 0: none */
	uint8_t nb_l4;		/* bytes of l4[]: its header's first */
	uint8_t mac[14];	/* the type after any VLAN tags */
	uint8_t l3[40];
	uint8_t l4[20];
	char prefix[SW_ACL_LOG_PREFIX_MAX];
	uint8_t pad[2];
};

/* A worker's side of the log. Zeroed: nothing is logged. */
struct sw_log_q {
	struct rte_ring *ring;	/* to the control thread; NULL: no log */
	uint64_t cost;		/* TSC ticks a record costs; 0: no log */
	uint64_t credit;	/* ticks of credit, at most burst * cost */
	uint64_t last;		/* TSC of the last refill */
	bool invalid;		/* log.invalid (live) */
	bool spill;		/* log.spill (live) */
	bool in_spill;		/* this episode's first spill is logged */
	/*
	 * The burst under way (sw_worker_burst sets them): a packet's
	 * frame is found by its place in meta[], so the hot path passes
	 * nothing more to what it may log.
	 */
	const struct sw_pkt *meta;
	struct rte_mbuf *const *pkts;
};

/*
 * Log packet p on worker `worker`'s queue q, if its bucket allows;
 * counts log_queued, log_limited or log_ring_full in cnt (the worker's
 * counters). frame: p's frame (NULL: unknown, the line says less).
 * set, rule (index, or SW_LOG_NO_RULE), verdict (enum sw_acl_action),
 * reason, why (the counter of an invalid reason), prefix (NULL: none)
 * and level (RTE_LOG_*; 0: notice) say what happened. Worker only;
 * cold path.
 */
void sw_log_packet(struct sw_log_q *q, uint64_t *cnt, unsigned int worker,
		   const struct sw_pkt *p, const uint8_t *frame, uint8_t set,
		   uint32_t rule, uint8_t verdict, uint8_t reason, uint8_t why,
		   const char *prefix, uint8_t level);

/*
 * Set a queue's rate (records a second; 0: none) and what it logs,
 * with hz the TSC's. Control thread; the worker reads them as it goes.
 */
void sw_logq_set(struct sw_log_q *q, unsigned int rate, bool invalid,
		 bool spill, uint64_t hz);

#endif /* SW_LOGQ_H */
