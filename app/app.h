/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_APP_H
#define SW_APP_H

/*
 * The running appliance as the control thread sees it: config in force,
 * ports, workers, the published rule build, the flow table. Everything
 * here is owned by the control thread (main lcore); workers only get
 * pointers into it (their struct, the rule slot, their shard).
 */

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "ruleset.h"
#include "sw_acl.h"
#include "sw_ft.h"

struct rte_eth_stats;
struct rte_mempool;
struct rte_rcu_qsbr;
struct sw_acl;
struct sw_ft;
struct sw_worker;
struct sw_buf;
struct sw_droplog;
struct sw_flush;
struct sw_ha;
struct sw_reload;
struct sw_ruleset;

struct sw_app {
	struct sw_config cfg;		/* the configuration in force */
	char conf_path[256];
	char socket_override[108];	/* --socket: wins over the file's */
	struct rte_mempool *pool;
	struct rte_mempool *big_pool;	/* jumbo rx, chains copied; or NULL */
	uint16_t port_id[SW_MAX_PORTS];
	bool port_started[SW_MAX_PORTS];
	/* net_af_packet: the kernel ring's drops the PMD does not count. */
	int ring_fd[SW_MAX_PORTS][SW_PORT_MAX_RING_FDS];
	int nb_ring_fd[SW_MAX_PORTS];
	uint64_t ring_last[SW_MAX_PORTS][SW_PORT_MAX_RING_FDS];
	uint64_t iface_last[SW_MAX_PORTS];	/* net_af_xdp: rx_dropped */
	uint64_t ring_drops[SW_MAX_PORTS];
	int link_up[SW_MAX_PORTS];	/* -1 unknown, 0 down, 1 up */
	bool link_held[SW_MAX_PORTS];	/* taken down by link_propagate */
	double link_next;		/* when links are read next */
	bool ports_stopped;		/* stopping: the totals are due */
	struct sw_worker *workers[SW_MAX_WORKERS];
	struct rte_rcu_qsbr *qs;	/* readers: the workers */
	struct sw_ruleset *rules;	/* published rules and sets */
	struct sw_ft *ft;		/* NULL: stateless */
	double start_time;		/* monotonic seconds */
	int socket_id;			/* of the control thread */
	uint64_t reloads;
	uint64_t reload_failures;
	struct sw_droplog *droplog;	/* NULL: none yet */
	uint64_t log_lines;		/* drop log lines written */
	uint64_t log_suppressed;	/* records over log.rate */
	uint64_t rule_builds;		/* rte_acl builds put in force */
	char reload_error[SW_ERR_MAX];	/* the last refusal's reason */
	/*
	 * Reloads run on a thread of their own (sw_app_reload_*): one at a
	 * time, numbered; a request while one runs asks for the next.
	 */
	struct sw_reload *reload_job;	/* the one running, or NULL */
	uint64_t reload_asked;		/* highest number asked for */
	uint64_t reload_done;		/* number of the last one done */
	char *reload_result;		/* its report, for CLI waiters */
	/* It took in full: not refused, no setting left for a restart. */
	bool reload_ok;
	/* flush flows: the one the workers serve now (policy.h). */
	struct sw_flush *flush;
	struct sw_ha *ha;		/* HA state sync (app/ha); NULL: none */
	volatile bool *quit;
};

/* The rules build in force (none before the first). Control thread. */
static inline const struct sw_acl *
sw_app_acl(const struct sw_app *app)
{
	return app->rules != NULL ? app->rules->acl : NULL;
}

#endif /* SW_APP_H */
