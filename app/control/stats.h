/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_STATS_H
#define SW_STATS_H

/*
 * Every counter spillway reports, declared once, and the one snapshot
 * every output is made from: `show stats` (text and JSON), the stats
 * file, rte_telemetry and the Prometheus endpoint. Each list below
 * keeps a counter's name, its kind and its help text together (VPP
 * foreach_acl_fa_error); stats.c turns them into tables, and each
 * output walks the tables, so a counter added to a list shows up in
 * every output and none can be added to one output alone
 * (tests/integration/test_stats.py checks that they agree).
 *
 * The groups:
 *   - control: the control thread's own (uptime, reloads, the log);
 *   - worker: SW_WORKER_COUNTERS, per worker, summed;
 *   - flowtable: SW_FT_STATS (lib/flowtable/sw_ft.h), per shard, added
 *     up by their `total` rule;
 *   - port: SW_PORT_COUNTERS, per port (ethdev stats, ring drops);
 *   - rule: each rule's and default's hits (lib/acl);
 *   - ha: SW_HA_STATS (app/ha/ha.h), with HA on: "ha.NAME" in text,
 *     the "ha" object in JSON, /spillway/ha, spillway_ha_NAME.
 *
 * Per-worker counters are plain cache-aligned structs, each written by
 * its worker only; the control thread sums them without locks. A torn
 * read of a 64-bit counter cannot happen on the 64-bit targets DPDK
 * supports, and a sum a few packets stale is fine.
 *
 * Thread-safety: sw_stats_take() and the formatters run on the control
 * thread (the snapshot they fill is its own); telemetry copies the
 * snapshot under its lock.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "config.h"
#include "counters.h"
#include "ha.h"
#include "sw_ft.h"

/*
 * The verdict summary: the JSON "verdicts" object and telemetry's
 * /spillway/verdicts (the same worker counters, picked once).
 */
#define SW_VERDICT_SUMMARY(X) \
	X(accept) X(drop) X(reject) X(notrack) X(invalid) X(malformed) \
	X(fallback_accept) X(fallback_drop)

/*
 * The --stats line's counters, in its order: control (C), worker (W)
 * and flow-table (F) counters by name. A dozen an operator watches
 * scroll by; show stats and the JSON carry every one.
 */
#define SW_STATS_LINE(C, W, F) \
	C(uptime_s) W(rx) W(tx) W(accept) W(drop) W(reject) W(notrack) \
	W(invalid) W(malformed) W(policy_accept) W(spilled) \
	W(fallback_accept) W(fallback_drop) F(flows) F(occupancy_permille) \
	F(spilling) F(proxying) C(reloads) C(reload_failures)

/*
 * The control thread's own: X(name, kind, Prometheus name, help). The
 * Prometheus name follows its conventions (base units, _total).
 */
#define SW_CTL_COUNTERS(X) \
	X(uptime_s,        SECONDS, "uptime_seconds", "seconds since start") \
	X(reloads,         COUNTER, "reloads_total", "reloads that took effect") \
	X(reload_failures, COUNTER, "reload_failures_total", "reloads refused (bad file or rules): the old configuration stayed") \
	X(rule_builds,     COUNTER, "rule_builds_total", "rule builds put in force (start and reloads; set changes build nothing)") \
	X(memory_free_bytes, GAUGE, "memory_free_bytes", "DPDK memory free (a reload builds its rules beside the running ones)") \
	X(log_lines,       COUNTER, "log_lines_total", "drop log lines written") \
	X(log_suppressed,  COUNTER, "log_suppressed_total", "drop log records not written: over log.rate for all workers")

enum sw_ctl_counter {
#define SW_CTL_ENUM(n, k, p, d) SW_CTL_##n,
	SW_CTL_COUNTERS(SW_CTL_ENUM)
#undef SW_CTL_ENUM
	SW_CTL_MAX
};

/*
 * Port counters: X(name, kind, value, help), the value an expression
 * of `st` (struct rte_eth_stats, rx_missed with the kernel ring's drops
 * added, see sw_app_port_stats) and `link` (struct rte_eth_link).
 */
#define SW_PORT_COUNTERS(X) \
	X(rx_packets, COUNTER, st.ipackets, "packets the port received") \
	X(tx_packets, COUNTER, st.opackets, "packets the port sent") \
	X(rx_bytes,   COUNTER, st.ibytes,   "bytes the port received") \
	X(tx_bytes,   COUNTER, st.obytes,   "bytes the port sent") \
	X(rx_missed,  COUNTER, st.imissed,  "packets that never reached spillway: the NIC's or the kernel ring's drops") \
	X(rx_errors,  COUNTER, st.ierrors,  "erroneous packets the port received") \
	X(tx_errors,  COUNTER, st.oerrors,  "packets the port failed to send") \
	X(rx_nombuf,  COUNTER, st.rx_nombuf, "receive failures: no mbuf free") \
	X(link_up,    FLAG,    link.link_status, "1 while the link is up")

enum sw_port_counter {
#define SW_PORT_ENUM(n, k, v, d) SW_PORT_##n,
	SW_PORT_COUNTERS(SW_PORT_ENUM)
#undef SW_PORT_ENUM
	SW_PORT_MAX
};

/* What a value is: kinds (COUNTER only grows) and rules for totals. */
enum sw_stat_kind {
	SW_STAT_COUNTER = 0,
	SW_STAT_GAUGE,
	SW_STAT_FLAG,		/* 0 or 1; JSON writes false / true */
	SW_STAT_SECONDS,	/* a gauge kept in ms, shown in seconds */
};

enum sw_stat_total {
	SW_STAT_SUM = 0,
	SW_STAT_MIN,
	SW_STAT_MAX,
};

/* Prometheus families of worker counters (SW_WORKER_COUNTERS). */
enum sw_stat_family {
	SW_STAT_OWN = 0,
	SW_STAT_VERDICT,
	SW_STAT_INVALID,
	SW_STAT_DROPPED,
};

struct sw_stat_desc {
	const char *name;
	const char *help;
	const char *prom;	/* control: its Prometheus name */
	uint8_t kind;		/* enum sw_stat_kind */
	uint8_t total;		/* enum sw_stat_total */
	uint8_t family;		/* enum sw_stat_family (worker counters) */
};

extern const struct sw_stat_desc sw_ctl_stats[SW_CTL_MAX];
extern const struct sw_stat_desc sw_worker_stats[SW_CNT_MAX];
extern const struct sw_stat_desc sw_ft_stat_desc[SW_FT_STAT_MAX];
extern const struct sw_stat_desc sw_port_stats[SW_PORT_MAX];
extern const struct sw_stat_desc sw_ha_stat_desc[SW_HA_STAT_MAX];

/* Indexes of the verdict summary's counters, and how many. */
extern const uint8_t sw_verdict_summary[];
extern const unsigned int sw_nb_verdict_summary;

/*
 * Everything but the rules at one instant. Rule hits are read from the
 * rule build while an output is written (its lists can be long; the
 * telemetry keeps a copy of its own).
 */
struct sw_stats_snap {
	uint64_t ctl[SW_CTL_MAX];
	unsigned int nb_workers;
	uint64_t worker[SW_MAX_WORKERS][SW_CNT_MAX];
	uint64_t worker_total[SW_CNT_MAX];
	bool ft_enabled;
	unsigned int nb_shards;	/* one per worker */
	uint64_t ft[SW_MAX_WORKERS][SW_FT_STAT_MAX];
	uint64_t ft_total[SW_FT_STAT_MAX];
	unsigned int nb_ports;
	char port_name[SW_MAX_PORTS][SW_PORT_NAME_MAX];
	uint64_t port[SW_MAX_PORTS][SW_PORT_MAX];
	bool ha_enabled;
	char ha_mode[16];
	char ha_role[16];
	uint64_t ha[SW_HA_STAT_MAX];
};

struct sw_app;
struct sw_acl;
struct sw_buf;

/* A rule's hits as every output shows them. */
struct sw_stats_rule {
	unsigned int set;	/* enum sw_acl_set */
	int index;		/* -1: the set's default */
	uint32_t line;		/* config line; 0: default */
	uint8_t action;		/* enum sw_acl_action */
	const char *comment;	/* "default" for the default */
	uint64_t hits;
};

typedef void (*sw_stats_rule_cb)(const struct sw_stats_rule *r, void *arg);

/*
 * Visit each rule of one set of the build, then its default (notrack
 * has none). acl NULL: nothing. Control thread (the build must stay).
 */
void sw_stats_foreach_rule(const struct sw_acl *acl, unsigned int set,
			   sw_stats_rule_cb cb, void *arg);

/*
 * Fill the control thread's snapshot from the workers, the shards and
 * the ports, and return it (valid until the next call). Control thread.
 */
const struct sw_stats_snap *sw_stats_take(const struct sw_app *app);

/* One shard's stats as a value array, in SW_FT_STATS order. */
void sw_stats_ft_values(const struct sw_ft_stats *st, uint64_t *v);

/*
 * The outputs. The rules in force (none yet: no rule hits) give the
 * rule hits. Text: one "  NAME  VALUE  HELP" line each (show stats,
 * exit totals), and the last reload's refusal when there is one. JSON:
 * the stats file's object and show stats json, per-rule counters only
 * with `rules` (the file: stats.rules_in_file). Line: "stats:
 * NAME=VALUE ..." (--stats), SW_STATS_LINE's counters only.
 */
void sw_stats_text(const struct sw_stats_snap *s, const struct sw_app *app,
		   struct sw_buf *b);
void sw_stats_json(const struct sw_stats_snap *s, const struct sw_app *app,
		   struct sw_buf *b, bool rules);
void sw_stats_line(const struct sw_stats_snap *s, struct sw_buf *b);
/*
 * Prometheus text format 0.0.4 (GET /metrics): counters end in _total,
 * per-worker and per-shard series carry a worker label, ports a port
 * label, rules their set, index, action and comment.
 */
void sw_stats_prom(const struct sw_stats_snap *s, const struct sw_app *app,
		   struct sw_buf *b);
struct rte_eth_stats;

/*
 * A port's ethdev stats with imissed completed by the kernel ring drops
 * of net_af_packet ports (added up by sw_app_poll_rings). Control thread.
 */
int sw_app_port_stats(const struct sw_app *app, unsigned int p,
		      struct rte_eth_stats *st);
void sw_app_poll_rings(struct sw_app *app);

/* One shard's "  flowtable shard I: name=value ..." (no newline). */
void sw_stats_shard_line(const struct sw_stats_snap *s, unsigned int i,
			 struct sw_buf *b);

#endif /* SW_STATS_H */
