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
#include "sw_acl.h"
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
struct sw_flow_filter;
struct sw_reload;
struct sw_ruleset;

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
	/* flush flows with a filter: the workers' judge reads it. */
	struct sw_flow_filter *flush_filter;
	volatile bool *quit;
};

/*
 * A port's ethdev stats with imissed completed by the kernel ring drops
 * of net_af_packet ports (added up by sw_app_poll_rings). Control thread.
 */
int sw_app_port_stats(const struct sw_app *app, unsigned int p,
		      struct rte_eth_stats *st);
void sw_app_poll_rings(struct sw_app *app);

/* The rules build in force. */
const struct sw_acl *sw_app_acl(const struct sw_app *app);

/*
 * Reload, in two halves. sw_app_reload_ask() asks for one and returns
 * its number: it starts at once on a thread of its own, which reads and
 * validates `app->conf_path` and builds rules and sets (checking the
 * memory first) while the control thread goes on serving; or, when one
 * is running, it is the next, run when that one is done. The control
 * thread calls sw_app_reload_poll() every loop: it finishes what the
 * thread built (swaps it in, applies timeouts and live settings,
 * reports what needs a restart) or counts the failure, logs the report,
 * and starts the next if asked. reload_done and reload_result then
 * tell waiters how it went (reports hold "error:" lines on refusal).
 */
uint64_t sw_app_reload_ask(struct sw_app *app, const char *why);
void sw_app_reload_poll(struct sw_app *app);

/* Reload and wait for the result (tests, --duration runs). 0 or -errno. */
int sw_app_reload(struct sw_app *app, struct sw_buf *out);

/* Stop and discard a reload still running (shutdown). */
void sw_app_reload_cancel(struct sw_app *app);

/* ---- reports: one source for the CLI, the stats file, exit totals ---- */

void sw_report_stats(const struct sw_app *app, struct sw_buf *b);
/* rules: per-rule counters too (the CLI's json; the file on request). */
void sw_report_stats_json(const struct sw_app *app, struct sw_buf *b,
			  bool rules);
/* Every rule, at once (exit totals); the CLI streams (sw_rule_stream). */
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
/*
 * A conntrack-style filter (show flows, flush flows): src=, dst= (an
 * address or prefix, either side's original direction as conntrack -s
 * / -d), sport=, dport=, proto=, state=. Fields not given match all.
 */
struct sw_flow_filter {
	struct sw_acl_cidr src;
	struct sw_acl_cidr dst;
	int32_t sport;		/* -1: any */
	int32_t dport;
	int16_t proto;
	int16_t state;		/* enum sw_ft_state; -1: any */
};

/*
 * Parse "src=192.0.2.0/24 dport=22 state=ESTABLISHED" words (argv).
 * Returns 0 or -EINVAL with err.
 */
int sw_flow_filter_parse(struct sw_flow_filter *f, int argc, char **argv,
			 char *err, size_t errlen);
bool sw_flow_filter_match(const struct sw_flow_filter *f,
			  const struct sw_ft_key *k, int orig_dir,
			  uint8_t state);

struct sw_flow_stream {
	struct sw_ft_cursor cur;
	uint64_t limit;		/* 0: all */
	uint64_t shown;
	uint64_t total;		/* flows in the table when it began */
	int detail;		/* zone, port, hash and TCP windows too */
	bool filtered;
	struct sw_flow_filter filter;
};

void sw_report_flows_begin(const struct sw_app *app,
			   struct sw_flow_stream *fs, uint64_t limit,
			   int detail, const struct sw_flow_filter *filter);
bool sw_report_flows_more(const struct sw_app *app, struct sw_flow_stream *fs,
			  struct sw_buf *b);

/*
 * show rules, a chunk at a time (60,000 rules are megabytes): each rule
 * with its match, action, hits, file:line and comment; `set` limits to
 * one list (-1: all), `grep` to lines holding that text. The listing
 * stops with a note if a reload swaps the rules meanwhile.
 */
struct sw_rule_stream {
	int set;		/* enum sw_acl_set, -1: all */
	unsigned int k;		/* list being listed */
	unsigned int i;		/* next rule of it */
	uint64_t gen;		/* the snapshot it lists */
	uint64_t shown;
	char grep[64];
};

void sw_report_rules_begin(const struct sw_app *app, struct sw_rule_stream *rs,
			   int set, const char *grep);
bool sw_report_rules_more(const struct sw_app *app, struct sw_rule_stream *rs,
			  struct sw_buf *b);

/* set list / set save: a set's prefixes, a chunk at a time. */
struct sw_set_list {
	char name[32];
	uint64_t gen;		/* the set's changes when it began */
	uint64_t limit;		/* 0: all */
	uint64_t shown;
	uint64_t pos[4];	/* struct sw_pset_pos */
};

bool sw_report_set_more(const struct sw_app *app, struct sw_set_list *l,
			struct sw_buf *b);

/* One rule as show rules prints it (no newline). */
void sw_report_rule_line(const struct sw_app *app, const struct sw_acl *acl,
			 enum sw_acl_set k, unsigned int i, char *line,
			 size_t len);

#endif /* SW_APP_H */

