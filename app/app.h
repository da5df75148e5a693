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

#include "clock.h"
#include "config.h"
#include "port.h"
#include "stats.h"
#include "sw_ft.h"

struct rte_eth_stats;
struct rte_mempool;
struct rte_rcu_qsbr;
struct sw_acl;
struct sw_ft;
struct sw_worker;
struct sw_buf;
struct sw_droplog;

struct sw_app {
	struct sw_config cfg;		/* the configuration in force */
	char conf_path[256];
	char socket_override[108];	/* --socket: wins over the file's */
	struct rte_mempool *pool;
	uint16_t port_id[SW_MAX_PORTS];
	bool port_started[SW_MAX_PORTS];
	/* net_af_packet: the kernel ring's drops the PMD does not count. */
	int ring_fd[SW_MAX_PORTS][SW_PORT_MAX_RING_FDS];
	int nb_ring_fd[SW_MAX_PORTS];
	uint64_t ring_last[SW_MAX_PORTS][SW_PORT_MAX_RING_FDS];
	uint64_t iface_last[SW_MAX_PORTS];	/* net_af_xdp: rx_dropped */
	uint64_t ring_drops[SW_MAX_PORTS];
	int link_up[SW_MAX_PORTS];
	struct sw_worker *workers[SW_MAX_WORKERS];
	struct rte_rcu_qsbr *qs;	/* readers: the workers */
	struct sw_acl *acl;		/* published rule build */
	struct sw_ft *ft;		/* NULL: stateless */
	double start_time;		/* monotonic seconds */
	uint64_t reloads;
	uint64_t reload_failures;
	struct sw_droplog *droplog;	/* NULL: none yet */
	uint64_t log_lines;		/* drop log lines written */
	uint64_t log_suppressed;	/* records over log.rate */
	volatile bool *quit;
};

/*
 * A port's ethdev stats with imissed completed by the kernel ring drops
 * of net_af_packet ports (added up by sw_app_poll_rings). Control thread.
 */
int sw_app_port_stats(const struct sw_app *app, unsigned int p,
		      struct rte_eth_stats *st);
void sw_app_poll_rings(struct sw_app *app);

/*
 * Reload: read and validate `app->conf_path`, build the new rules, then
 * swap them in; timeouts and other live settings apply at once; settings
 * that need a restart are reported, not applied. Appends a report (or
 * "error: ..." lines) to out. Returns 0 or -errno (nothing changed).
 */
int sw_app_reload(struct sw_app *app, struct sw_buf *out);

/* ---- reports: one source for the CLI, the stats file, exit totals ---- */

void sw_report_stats(const struct sw_app *app, struct sw_buf *b);
void sw_report_stats_json(const struct sw_app *app, struct sw_buf *b);
void sw_report_rules(const struct sw_app *app, struct sw_buf *b);
void sw_report_flowtable(const struct sw_app *app, struct sw_buf *b);
/* The n sources (0: 20) with the most live flows, per-source quotas. */
void sw_report_sources(const struct sw_app *app, struct sw_buf *b,
		       unsigned int n);
void sw_report_ports(const struct sw_app *app, struct sw_buf *b);
void sw_report_timeouts(const struct sw_app *app, struct sw_buf *b);
/*
 * show flows, a chunk at a time: the listing is never built whole (a
 * million flows are about 200 MB of text), and the flow table's reader
 * is online only while a chunk is read. begin, then more() for each
 * chunk (about 32 KiB of lines, or 4096 slots examined) until it returns
 * false; with a limit the last chunk ends with how many were not shown.
 */
struct sw_flow_stream {
	struct sw_ft_cursor cur;
	uint64_t limit;		/* 0: all */
	uint64_t shown;
	uint64_t total;		/* flows in the table when it began */
	int detail;		/* zone, port, hash and TCP windows too */
};

void sw_report_flows_begin(const struct sw_app *app,
			   struct sw_flow_stream *fs, uint64_t limit,
			   int detail);
bool sw_report_flows_more(const struct sw_app *app, struct sw_flow_stream *fs,
			  struct sw_buf *b);

#endif /* SW_APP_H */
