/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_REPORT_H
#define SW_REPORT_H

/*
 * What the operator reads, one source for the CLI, the stats file and
 * the exit totals: counters, rules, flow table, sources, ports,
 * timeouts, flows and sets, as text and JSON.
 *
 * Thread-safety: control thread only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowfilter.h"
#include "sw_acl.h"
#include "sw_ft.h"

struct sw_app;
struct sw_buf;

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

/*
 * set list / set save: a set's prefixes, sorted (IPv4 first, by
 * address), each with the seconds its timeout has left, a chunk at a
 * time from a snapshot taken at begin (so a change meanwhile cannot
 * tear the listing). begin (0, -ENOENT no such set, -ENOMEM), more()
 * until false, end.
 */
struct sw_pset_prefix;

struct sw_set_list {
	char name[32];
	uint64_t limit;		/* 0: all */
	uint64_t shown;
	struct sw_pset_prefix *v;	/* the snapshot, malloc'd */
	uint32_t n;
};

int sw_report_set_begin(const struct sw_app *app, struct sw_set_list *l,
			const char *name, uint64_t limit);
bool sw_report_set_more(const struct sw_app *app, struct sw_set_list *l,
			struct sw_buf *b);
void sw_report_set_end(struct sw_set_list *l);

/*
 * show sets: each set's family, prefixes, size, timeouts, its file,
 * whether it drifted from what its config gave (runtime changes,
 * timeouts) and whether its file changed since it was read. Text, or
 * one JSON object.
 */
void sw_report_sets(const struct sw_app *app, struct sw_buf *b, bool json);

/* One rule as show rules prints it (no newline). */
void sw_report_rule_line(const struct sw_app *app, const struct sw_acl *acl,
			 enum sw_acl_set k, unsigned int i, char *line,
			 size_t len);

#endif /* SW_REPORT_H */
