/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * What the operator reads: counters, rules, flow table, ports, timeouts,
 * as text (CLI, exit totals) and JSON (CLI, stats file).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "app.h"
#include "buf.h"
#include "flowfmt.h"
#include "sw_acl.h"
#include "sw_ft.h"
#include "worker.h"

void
sw_report_stats(const struct sw_app *app, struct sw_buf *b)
{
	sw_stats_text(sw_stats_take(app), app, b);
}

void
sw_report_flowtable(const struct sw_app *app, struct sw_buf *b)
{
	const struct sw_stats_snap *s;
	const uint64_t *t;
	unsigned int i;

	if (app->ft == NULL) {
		sw_buf_printf(b, "flowtable disabled (flowtable.enabled = false):"
			      " notrack and fallback rules decide every "
			      "packet\n");
		return;
	}
	s = sw_stats_take(app);
	t = s->ft_total;
	sw_buf_printf(b, "max_flows %" PRIu64 ", flows %" PRIu64 " (%.1f%%), "
		      "%u shards of %u, adaptive scale %.3f%s\n",
		      t[SW_FT_STAT_max_flows], t[SW_FT_STAT_flows],
		      100.0 * (double)t[SW_FT_STAT_flows] /
		      (double)RTE_MAX(t[SW_FT_STAT_max_flows], 1u),
		      s->nb_shards, sw_ft_shard_max(app->ft),
		      t[SW_FT_STAT_adaptive_scale_permille] / 1000.0,
		      t[SW_FT_STAT_spilling] ? ", SPILLING" : "");
	/* Each shard's counters, then its state in words. */
	for (i = 0; i < s->nb_shards; i++) {
		sw_stats_shard_line(s, i, b);
		sw_buf_printf(b, " synproxy=%s%s\n",
			      s->ft[i][SW_FT_STAT_proxying] ? "answering" :
			      "idle", s->ft[i][SW_FT_STAT_spilling] ?
			      " spilling" : "");
	}
}

struct src_list {
	struct sw_ft_source *v;
	unsigned int *shard;
	size_t n, cap;
};

static int
src_add(unsigned int shard, const struct sw_ft_source *src, void *arg)
{
	struct src_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		void *v = realloc(l->v, cap * sizeof(*l->v));
		void *sh = v ? realloc(l->shard, cap * sizeof(*l->shard)) :
			       NULL;

		if (v)
			l->v = v;
		if (sh == NULL)
			return 1;	/* out of memory: list what we have */
		l->shard = sh;
		l->cap = cap;
	}
	l->shard[l->n] = shard;
	l->v[l->n++] = *src;
	return 0;
}

void
sw_report_sources(const struct sw_app *app, struct sw_buf *b, unsigned int n)
{
	struct src_list l = { 0 };
	char a[INET6_ADDRSTRLEN];
	unsigned int i, k, shown = 0;

	if (app->ft == NULL) {
		sw_buf_printf(b, "error: the flow table is disabled\n");
		return;
	}
	for (i = 0; i < sw_ft_nb_shards(app->ft); i++)
		sw_ft_sources(app->ft, i, src_add, &l);
	if (l.n == 0)
		sw_buf_printf(b, "no source holds flows (or per-source quotas "
			      "are off: flowtable.per_source)\n");
	/* Partial selection: the n heaviest, heaviest first. */
	for (k = 0; k < l.n && shown < (n ? n : 20); k++, shown++) {
		size_t best = k, j;
		struct sw_ft_source t;
		unsigned int ts;

		for (j = k + 1; j < l.n; j++)
			if (l.v[j].flows > l.v[best].flows ||
			    (l.v[j].flows == l.v[best].flows &&
			     l.v[j].new_per_s > l.v[best].new_per_s))
				best = j;
		t = l.v[k], l.v[k] = l.v[best], l.v[best] = t;
		ts = l.shard[k], l.shard[k] = l.shard[best], l.shard[best] = ts;
		inet_ntop(l.v[k].family == 6 ? AF_INET6 : AF_INET, l.v[k].addr,
			  a, sizeof(a));
		sw_buf_printf(b, "source %s/%u flows=%u new_per_s=%u opened=%u "
			      "shard=%u\n", a, l.v[k].plen, l.v[k].flows,
			      l.v[k].new_per_s, l.v[k].opened, l.shard[k]);
	}
	if (l.n > shown)
		sw_buf_printf(b, "(%u of %zu sources shown)\n", shown, l.n);
	free(l.v);
	free(l.shard);
}

static void
rule_line(const struct sw_stats_rule *r, void *arg)
{
	if (r->index < 0)
		sw_buf_printf(arg, "  rule %s_default %s hits=%" PRIu64 "\n",
			      sw_acl_set_name(r->set),
			      sw_acl_action_name(r->action), r->hits);
	else
		sw_buf_printf(arg, "  rule %s[%d] line %u %s hits=%" PRIu64
			      " %s\n", sw_acl_set_name(r->set), r->index,
			      r->line, sw_acl_action_name(r->action), r->hits,
			      r->comment);
}

void
sw_report_rules(const struct sw_app *app, struct sw_buf *b)
{
	unsigned int k;

	for (k = 0; k < SW_ACL_NB_SETS; k++)
		sw_stats_foreach_rule(app->acl, k, rule_line, b);
}

void
sw_report_ports(const struct sw_app *app, struct sw_buf *b)
{
	const struct sw_stats_snap *s = sw_stats_take(app);
	char name[RTE_ETH_NAME_MAX_LEN];
	unsigned int p, k;

	for (p = 0; p < s->nb_ports; p++) {
		if (!app->port_started[p])
			continue;
		sw_buf_printf(b, "  port %-10s", s->port_name[p]);
		for (k = 0; k < SW_PORT_MAX; k++)
			sw_buf_printf(b, " %s=%" PRIu64, sw_port_stats[k].name,
				      s->port[p][k]);
		if (rte_eth_dev_get_name_by_port(app->port_id[p], name) != 0)
			snprintf(name, sizeof(name), "?");
		sw_buf_printf(b, " peer=%s dev=%s dpdk_port=%u dpdk_name=%s\n",
			      app->cfg.ports[app->cfg.ports[p].peer].name,
			      app->cfg.ports[p].dev, app->port_id[p], name);
	}
}

void
sw_report_timeouts(const struct sw_app *app, struct sw_buf *b)
{
	unsigned int t;

	for (t = 0; t < SW_FT_TO_MAX; t++)
		sw_buf_printf(b, "  %-20s %u\n", sw_ft_timeout_name(t),
			      app->ft ? sw_ft_get_timeout(app->ft, t) :
				        app->cfg.flowtable.timeouts[t]);
}

/* Bytes of flow lines one chunk appends, and slots it examines at most. */
#define FLOWS_CHUNK_BYTES	(32u << 10)
#define FLOWS_CHUNK_SLOTS	4096u

struct flows_arg {
	struct sw_buf *b;
	struct sw_flow_stream *fs;
};

static int
flow_line(const struct sw_ft_key *k, const struct sw_ft_info *info, void *a)
{
	struct flows_arg *fa = a;
	char line[768];

	sw_format_flow(line, sizeof(line), k, info, fa->fs->detail);
	sw_buf_printf(fa->b, "%s\n", line);
	fa->fs->shown++;
	return (fa->fs->limit != 0 && fa->fs->shown >= fa->fs->limit) ||
	       fa->b->len >= FLOWS_CHUNK_BYTES;
}

void
sw_report_flows_begin(const struct sw_app *app, struct sw_flow_stream *fs,
		      uint64_t limit, int detail)
{
	struct sw_ft_stats st;
	unsigned int i;

	memset(fs, 0, sizeof(*fs));
	fs->limit = limit;
	fs->detail = detail;
	for (i = 0; app->ft && i < sw_ft_nb_shards(app->ft); i++) {
		sw_ft_shard_stats(app->ft, i, &st);
		fs->total += st.flows;
	}
}

bool
sw_report_flows_more(const struct sw_app *app, struct sw_flow_stream *fs,
		     struct sw_buf *b)
{
	struct flows_arg fa = { .b = b, .fs = fs };
	bool done;

	if (app->ft == NULL)
		return false;
	sw_ft_walk_from(app->ft, 0, &fs->cur, FLOWS_CHUNK_SLOTS, rte_rdtsc(),
			flow_line, &fa);
	done = sw_ft_walk_done(app->ft, &fs->cur) ||
	       (fs->limit != 0 && fs->shown >= fs->limit);
	if (done && fs->limit != 0 && fs->total > fs->shown)
		sw_buf_printf(b, "(%" PRIu64 " of about %" PRIu64 " flows "
			      "shown; %" PRIu64 " more: show flows N, or show "
			      "flows 0 for all)\n", fs->shown, fs->total,
			      fs->total - fs->shown);
	return !done;
}

void
sw_report_stats_json(const struct sw_app *app, struct sw_buf *b)
{
	sw_stats_json(sw_stats_take(app), app, b);
}
