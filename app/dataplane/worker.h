/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_WORKER_H
#define SW_WORKER_H

/*
 * The worker: one lcore, one rx and one tx queue on every port.
 *
 * Usage: the control thread fills a struct sw_worker (ports, queues,
 * tx buffers) before launch, then runs sw_worker_main() on the lcore.
 * sw_worker_burst() is the whole per-burst pipeline; spillway and
 * spillway-bench both call it.
 *
 * Thread-safety: a worker's struct is written only by its own lcore
 * once launched; the control thread may read `cnt` at any time.
 * Nothing in here locks, allocates, makes a syscall or prints.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "sw_acl.h"

#include "config.h"
#include "counters.h"
#include "frag.h"
#include "l2filter.h"
#include "logq.h"
#include "reject.h"

#define SW_BURST_MAX	64	/* SW_RULESET_BURST_MAX, SW_FT_BURST_MAX */
/* A frame's bytes beyond its MTU: Ethernet and two VLAN tags. */
#define SW_FRAME_L2_MAX	(14 + 2 * 4)

struct rte_mbuf;
struct rte_mempool;
struct rte_eth_dev_tx_buffer;
struct rte_rcu_qsbr;
struct sw_acl;
struct sw_ft_shard;
struct sw_ruleset;
struct sw_syncq;

struct sw_rxq {
	uint16_t port_id;	/* DPDK port id */
	uint16_t queue;
	uint8_t port;		/* spillway port index */
};

struct sw_worker {
	struct sw_counters cnt;		/* first: its own cache lines */

	/*
	 * Poll loops run: the control thread feeds systemd's watchdog only
	 * while every worker's moves (notify.h). Written by the worker
	 * alone, read relaxed.
	 */
	uint64_t loops;
	/* Test hook: TSC at which the worker stops making progress, as a
	 * worker stuck in a loop would (0: never). */
	uint64_t stall_tsc;

	unsigned int id;
	unsigned int lcore;
	uint16_t burst;
	uint16_t txq;
	bool checksum_verify;		/* live: a reload may change it */
	bool zone_vlan;			/* the outer VLAN id is in the zone */
	uint16_t proxy_mss[2];		/* [0] IPv4, [1] IPv6: what it offers */
	uint8_t proxy_wscale;
	uint8_t ms_shift;		/* TSC >> ms_shift: about milliseconds */
	bool src_over_fallback;		/* over quota: fallback, else drop */
	const volatile bool *quit;

	unsigned int nb_rxq;
	struct sw_rxq rxq[SW_MAX_PORTS];

	unsigned int nb_ports;
	uint16_t port_id[SW_MAX_PORTS];	/* spillway index -> DPDK id */
	uint16_t mtu[SW_MAX_PORTS];	/* by spillway index: ports[].mtu */
	/* Frames that came as chains are copied into one of these (data
	 * room for the largest frame); NULL: chains are dropped. */
	struct rte_mempool *lin_pool;
	uint8_t peer[SW_MAX_PORTS];	/* spillway index -> paired index */
	struct rte_eth_dev_tx_buffer *txb[SW_MAX_PORTS];

	/* Rules and sets: the published snapshot, read once per burst. */
	struct sw_ruleset *const *rules;
	struct rte_rcu_qsbr *qs;	/* NULL: no reclamation to report to */
	bool allow_ndp;
	bool allow_mld;
	bool allow_source_route;
	struct sw_l2_conf l2;		/* non-IP frames that pass */

	/* Reject replies: per worker and per destination rate limits. */
	struct sw_reject_limit rl;

	/* This worker's flow-table shard; NULL: stateless. */
	struct sw_ft_shard *ft;

	struct sw_frag_table frag;

	/* The drop log: what is logged, the bucket, the ring (logq.h). */
	struct sw_log_q log;

	/* HA state sync (syncq.h); NULL: no peer, no role. */
	struct sw_syncq *sync;
} __rte_cache_aligned;

/*
 * Fill the parts of a worker that come from the config and the clock:
 * rules slot, NDP, reject rate, fragment table. The caller sets ports,
 * queues and tx buffers.
 */
void sw_worker_init(struct sw_worker *w, const struct sw_config *cfg,
		    struct sw_ruleset *const *rules, struct rte_rcu_qsbr *qs,
		    struct sw_ft_shard *ft);

/*
 * Handle nb packets received on spillway port `in_port`: parse, decide,
 * and hand each to the paired port's tx buffer or free it. Every mbuf
 * is consumed. nb must be <= SW_BURST_MAX.
 */
void sw_worker_burst(struct sw_worker *w, uint8_t in_port,
		     struct rte_mbuf **pkts, uint16_t nb);

/* Push out every tx buffer of this worker. */
void sw_worker_flush(struct sw_worker *w);

/* lcore entry point: poll until *w->quit. Returns 0. */
int sw_worker_main(void *arg);

#endif /* SW_WORKER_H */
