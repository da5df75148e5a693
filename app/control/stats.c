/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The counter tables (from the lists in stats.h and sw_ft.h), the
 * snapshot every output is made from, and the outputs written by the
 * control thread: text, JSON, the --stats line. Telemetry (telemetry.c)
 * walks the same tables.
 */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_version.h>

#include "app.h"
#include "buf.h"
#include "ruleset.h"
#include "stats.h"
#include "sw_acl.h"
#include "sw_ft.h"
#include "worker.h"
#include "clock.h"
#include "port.h"
#include "counters.h"

/* ---- where port counters come from ---- */

int
sw_app_port_stats(const struct sw_app *app, unsigned int p,
		  struct rte_eth_stats *st)
{
	int rc = rte_eth_stats_get(app->port_id[p], st);

	if (rc == 0)
		st->imissed += app->ring_drops[p];
	return rc;
}

void
sw_app_poll_rings(struct sw_app *app)
{
	unsigned int p;

	for (p = 0; p < app->cfg.nb_ports; p++) {
		uint64_t r = sw_port_ring_drops(app->ring_fd[p],
						app->ring_last[p],
						app->nb_ring_fd[p]);
		uint64_t x = sw_port_xdp_iface_drops(app->cfg.ports[p].dev,
						     &app->iface_last[p]);

		app->ring_drops[p] += RTE_MAX(r, x);
	}
}

/* ---- the tables ---- */

const struct sw_stat_desc sw_ctl_stats[SW_CTL_MAX] = {
#define CTL_DESC(n, k, p, d) \
	[SW_CTL_##n] = { #n, d, p, SW_STAT_##k, SW_STAT_SUM, SW_STAT_OWN },
	SW_CTL_COUNTERS(CTL_DESC)
#undef CTL_DESC
};

const struct sw_stat_desc sw_worker_stats[SW_CNT_MAX] = {
#define WORKER_DESC(n, f, d) \
	[SW_CNT_##n] = { #n, d, NULL, SW_STAT_COUNTER, SW_STAT_SUM, \
			 SW_STAT_##f },
	SW_WORKER_COUNTERS(WORKER_DESC)
#undef WORKER_DESC
};

const struct sw_stat_desc sw_ft_stat_desc[SW_FT_STAT_MAX] = {
#define FT_DESC(n, k, t, d) \
	[SW_FT_STAT_##n] = { #n, d, NULL, SW_STAT_##k, SW_STAT_##t, \
			     SW_STAT_OWN },
	SW_FT_STATS(FT_DESC)
#undef FT_DESC
};

const struct sw_stat_desc sw_port_stats[SW_PORT_MAX] = {
#define PORT_DESC(n, k, v, d) \
	[SW_PORT_##n] = { #n, d, NULL, SW_STAT_##k, SW_STAT_SUM, \
			  SW_STAT_OWN },
	SW_PORT_COUNTERS(PORT_DESC)
#undef PORT_DESC
};

const struct sw_stat_desc sw_ha_stat_desc[SW_HA_STAT_MAX] = {
#define HA_DESC(n, k, d) \
	[SW_HA_STAT_##n] = { #n, d, NULL, SW_STAT_##k, SW_STAT_SUM, \
			     SW_STAT_OWN },
	SW_HA_STATS(HA_DESC)
#undef HA_DESC
};

const uint8_t sw_verdict_summary[] = {
#define VERDICT_IDX(n) SW_CNT_##n,
	SW_VERDICT_SUMMARY(VERDICT_IDX)
#undef VERDICT_IDX
};

const unsigned int sw_nb_verdict_summary = RTE_DIM(sw_verdict_summary);

static const size_t ft_off[SW_FT_STAT_MAX] = {
#define FT_OFF(n, k, t, d) [SW_FT_STAT_##n] = offsetof(struct sw_ft_stats, n),
	SW_FT_STATS(FT_OFF)
#undef FT_OFF
};

void
sw_stats_ft_values(const struct sw_ft_stats *st, uint64_t *v)
{
	unsigned int k;

	for (k = 0; k < SW_FT_STAT_MAX; k++)
		memcpy(&v[k], (const char *)st + ft_off[k], sizeof(v[k]));
}

static uint64_t
add_up(uint8_t rule, uint64_t acc, uint64_t v, bool first)
{
	if (first)
		return v;
	switch (rule) {
	case SW_STAT_MIN:
		return RTE_MIN(acc, v);
	case SW_STAT_MAX:
		return RTE_MAX(acc, v);
	default:
		return acc + v;
	}
}

static void
take_ports(const struct sw_app *app, struct sw_stats_snap *s)
{
	struct rte_eth_stats st;
	struct rte_eth_link link;
	unsigned int p;

	s->nb_ports = app->cfg.nb_ports;
	for (p = 0; p < s->nb_ports; p++) {
		memset(&st, 0, sizeof(st));
		memset(&link, 0, sizeof(link));
		snprintf(s->port_name[p], sizeof(s->port_name[p]), "%s",
			 app->cfg.ports[p].name);
		if (app->port_started[p]) {
			if (sw_app_port_stats(app, p, &st) != 0)
				memset(&st, 0, sizeof(st));
			if (rte_eth_link_get_nowait(app->port_id[p],
						    &link) != 0)
				memset(&link, 0, sizeof(link));
		}
		/* Stopped for the totals: the link as it was while up. */
		if (app->ports_stopped)
			link.link_status = app->link_up[p] > 0;
#define PORT_FILL(n, k, v, d) s->port[p][SW_PORT_##n] = (uint64_t)(v);
		SW_PORT_COUNTERS(PORT_FILL)
#undef PORT_FILL
	}
}

const struct sw_stats_snap *
sw_stats_take(const struct sw_app *app)
{
	static struct sw_stats_snap s;
	struct sw_ft_stats st;
	unsigned int i, k;

	memset(&s, 0, sizeof(s));
	s.ctl[SW_CTL_uptime_s] = (uint64_t)((sw_now_s() - app->start_time) *
					    1000);
	s.ctl[SW_CTL_reloads] = app->reloads;
	s.ctl[SW_CTL_reload_failures] = app->reload_failures;
	s.ctl[SW_CTL_rule_builds] = app->rule_builds;
	{
		size_t fr, big;

		sw_ruleset_memory_free(&fr, &big);
		s.ctl[SW_CTL_memory_free_bytes] = fr;
	}
	s.ctl[SW_CTL_log_lines] = app->log_lines;
	s.ctl[SW_CTL_log_suppressed] = app->log_suppressed;

	s.nb_workers = app->cfg.nb_workers;
	for (i = 0; i < s.nb_workers; i++) {
		if (app->workers[i] == NULL)
			continue;
		for (k = 0; k < SW_CNT_MAX; k++) {
			s.worker[i][k] = __atomic_load_n(
				&app->workers[i]->cnt.c[k], __ATOMIC_RELAXED);
			s.worker_total[k] += s.worker[i][k];
		}
	}

	s.ft_enabled = app->ft != NULL;
	s.nb_shards = app->ft ? sw_ft_nb_shards(app->ft) : 0;
	for (i = 0; i < s.nb_shards; i++) {
		sw_ft_shard_stats(app->ft, i, &st);
		sw_stats_ft_values(&st, s.ft[i]);
		for (k = 0; k < SW_FT_STAT_MAX; k++)
			s.ft_total[k] = add_up(sw_ft_stat_desc[k].total,
					       s.ft_total[k], s.ft[i][k],
					       i == 0);
	}
	take_ports(app, &s);
	s.ha_enabled = sw_ha_values(app, s.ha);
	snprintf(s.ha_mode, sizeof(s.ha_mode), "%s", sw_ha_mode_name(app));
	snprintf(s.ha_role, sizeof(s.ha_role), "%s", sw_ha_role_name(app));
	return &s;
}

void
sw_stats_foreach_rule(const struct sw_acl *acl, unsigned int set,
		      sw_stats_rule_cb cb, void *arg)
{
	struct sw_stats_rule r;
	unsigned int i, n;

	if (acl == NULL)
		return;
	n = sw_acl_nb_rules(acl, set);
	for (i = 0; i <= n; i++) {
		const struct sw_acl_rule *rule =
			i < n ? sw_acl_get_rule(acl, set, i) : NULL;

		/* notrack has no default: no verdict, no hits. */
		if (i == n && set == SW_ACL_NOTRACK)
			break;
		r.set = set;
		r.index = i < n ? (int)i : -1;
		r.line = rule ? rule->line : 0;
		r.action = rule ? rule->action : sw_acl_default(acl, set);
		r.comment = rule ? rule->comment : "default";
		r.hits = sw_acl_hits(acl, set, i);
		cb(&r, arg);
	}
}

/* ---- text: show stats, the totals at exit ---- */

/* A value as the text outputs write it (JSON too, without the width). */
static void
value(struct sw_buf *b, const struct sw_stat_desc *d, uint64_t v, int width)
{
	if (d->kind == SW_STAT_SECONDS)
		sw_buf_printf(b, "%*" PRIu64 ".%03" PRIu64,
			      width > 4 ? width - 4 : 0, v / 1000, v % 1000);
	else
		sw_buf_printf(b, "%*" PRIu64, width, v);
}

static void
text_line(struct sw_buf *b, const char *name, const struct sw_stat_desc *d,
	  uint64_t v)
{
	sw_buf_printf(b, "  %-24s ", name);
	value(b, d, v, 14);
	sw_buf_printf(b, "  %s\n", d->help);
}

static void
text_rule(const struct sw_stats_rule *r, void *arg)
{
	char name[48];

	if (r->index < 0) {
		/* A default has no line of its own. */
		snprintf(name, sizeof(name), "rule.%s.default",
			 sw_acl_set_name(r->set));
		sw_buf_printf(arg, "  %-24s %14" PRIu64 "  %s, the %s list's "
			      "default\n", name, r->hits,
			      sw_acl_action_name(r->action),
			      sw_acl_set_name(r->set));
		return;
	}
	snprintf(name, sizeof(name), "rule.%s.%d", sw_acl_set_name(r->set),
		 r->index);
	sw_buf_printf(arg, "  %-24s %14" PRIu64 "  %s, line %u: %s\n", name,
		      r->hits, sw_acl_action_name(r->action), r->line,
		      r->comment);
}

void
sw_stats_text(const struct sw_stats_snap *s, const struct sw_app *app,
	      struct sw_buf *b)
{
	char name[64];
	unsigned int k, p;

	for (k = 0; k < SW_CTL_MAX; k++)
		text_line(b, sw_ctl_stats[k].name, &sw_ctl_stats[k],
			  s->ctl[k]);
	for (k = 0; k < SW_CNT_MAX; k++)
		text_line(b, sw_worker_stats[k].name, &sw_worker_stats[k],
			  s->worker_total[k]);
	for (k = 0; s->ft_enabled && k < SW_FT_STAT_MAX; k++)
		text_line(b, sw_ft_stat_desc[k].name, &sw_ft_stat_desc[k],
			  s->ft_total[k]);
	for (p = 0; p < s->nb_ports; p++)
		for (k = 0; k < SW_PORT_MAX; k++) {
			snprintf(name, sizeof(name), "port.%s.%s",
				 s->port_name[p], sw_port_stats[k].name);
			text_line(b, name, &sw_port_stats[k], s->port[p][k]);
		}
	for (k = 0; s->ha_enabled && k < SW_HA_STAT_MAX; k++) {
		snprintf(name, sizeof(name), "ha.%s", sw_ha_stat_desc[k].name);
		text_line(b, name, &sw_ha_stat_desc[k], s->ha[k]);
	}
	for (k = 0; k < SW_ACL_NB_SETS; k++)
		sw_stats_foreach_rule(sw_app_acl(app), k, text_rule, b);
	/* Not a counter: why the last reload was refused. */
	if (app->reload_error[0])
		sw_buf_printf(b, "  %-24s %14s  %s\n", "reload_error", "",
			      app->reload_error);
}

/*
 * The --stats line: what an operator watches scroll by (SW_STATS_LINE),
 * not every counter (show stats and the JSON have them all).
 */
void
sw_stats_line(const struct sw_stats_snap *s, struct sw_buf *b)
{
	sw_buf_printf(b, "stats:");
#define LINE_CTL(n) \
	sw_buf_printf(b, " %s=", #n); \
	value(b, &sw_ctl_stats[SW_CTL_##n], s->ctl[SW_CTL_##n], 0);
#define LINE_CNT(n) \
	sw_buf_printf(b, " %s=%" PRIu64, #n, s->worker_total[SW_CNT_##n]);
#define LINE_FT(n) \
	if (s->ft_enabled) \
		sw_buf_printf(b, " %s=%" PRIu64, #n, \
			      s->ft_total[SW_FT_STAT_##n]);
	SW_STATS_LINE(LINE_CTL, LINE_CNT, LINE_FT)
#undef LINE_CTL
#undef LINE_CNT
#undef LINE_FT
	sw_buf_printf(b, "\n");
}

void
sw_stats_shard_line(const struct sw_stats_snap *s, unsigned int i,
		    struct sw_buf *b)
{
	unsigned int k;

	sw_buf_printf(b, "  flowtable shard %u:", i);
	for (k = 0; k < SW_FT_STAT_MAX; k++)
		sw_buf_printf(b, " %s=%" PRIu64, sw_ft_stat_desc[k].name,
			      s->ft[i][k]);
}

/* ---- JSON: show stats json, the stats file ---- */

static void
json_value(struct sw_buf *b, const struct sw_stat_desc *d, uint64_t v,
	   bool first)
{
	sw_buf_printf(b, "%s\"%s\":", first ? "" : ",", d->name);
	if (d->kind == SW_STAT_FLAG)
		sw_buf_printf(b, "%s", v ? "true" : "false");
	else
		value(b, d, v, 0);
}

static void
json_rule(const struct sw_stats_rule *r, void *arg)
{
	struct sw_buf *b = arg;

	/* The first of its list follows the '['. */
	if (b->len > 0 && b->p[b->len - 1] != '[')
		sw_buf_append(b, ",", 1);
	sw_buf_printf(b, "{\"index\":%d,\"line\":%u,\"action\":", r->index,
		      r->line);
	sw_buf_json_str(b, sw_acl_action_name(r->action));
	sw_buf_append(b, ",\"comment\":", 11);
	sw_buf_json_str(b, r->comment);
	sw_buf_printf(b, ",\"hits\":%" PRIu64 "}", r->hits);
}

void
sw_stats_json(const struct sw_stats_snap *s, const struct sw_app *app,
	      struct sw_buf *b, bool rules)
{
	const struct sw_acl *acl = rules ? sw_app_acl(app) : NULL;
	char key[2 * SW_PORT_RSS_KEY_MAX + 1];
	unsigned int k, p;

	sw_buf_append(b, "{", 1);
	for (k = 0; k < SW_CTL_MAX; k++)
		json_value(b, &sw_ctl_stats[k], s->ctl[k], k == 0);
	sw_buf_append(b, ",\"reload_error\":", 16);
	sw_buf_json_str(b, app->reload_error);
	sw_buf_printf(b, ",\"ports\":[");
	for (p = 0; p < s->nb_ports; p++) {
		sw_buf_printf(b, "%s{\"name\":", p ? "," : "");
		sw_buf_json_str(b, s->port_name[p]);
		for (k = 0; k < SW_PORT_MAX; k++)
			json_value(b, &sw_port_stats[k], s->port[p][k], false);
		/* This run's random key, only where the port hashes. */
		if (app->port_started[p] &&
		    sw_port_rss_key_str(app->port_id[p], key, sizeof(key)))
			sw_buf_printf(b, ",\"rss_key\":\"%s\"", key);
		sw_buf_append(b, "}", 1);
	}
	sw_buf_printf(b, "],\"flowtable\":{\"enabled\":%s",
		      s->ft_enabled ? "true" : "false");
	for (k = 0; s->ft_enabled && k < SW_FT_STAT_MAX; k++)
		json_value(b, &sw_ft_stat_desc[k], s->ft_total[k], false);
	sw_buf_printf(b, "},\"verdicts\":{");
	for (k = 0; k < sw_nb_verdict_summary; k++)
		json_value(b, &sw_worker_stats[sw_verdict_summary[k]],
			   s->worker_total[sw_verdict_summary[k]], k == 0);
	sw_buf_printf(b, "},\"counters\":{");
	for (k = 0; k < SW_CNT_MAX; k++)
		json_value(b, &sw_worker_stats[k], s->worker_total[k], k == 0);
	sw_buf_printf(b, "},\"ha\":{\"enabled\":%s",
		      s->ha_enabled ? "true" : "false");
	if (s->ha_enabled)
		sw_buf_printf(b, ",\"mode\":\"%s\",\"role\":\"%s\"",
			      s->ha_mode, s->ha_role);
	for (k = 0; s->ha_enabled && k < SW_HA_STAT_MAX; k++)
		json_value(b, &sw_ha_stat_desc[k], s->ha[k], false);
	sw_buf_append(b, "}", 1);
	/* Per-rule counters only when asked: 60,000 rules are megabytes. */
	if (acl != NULL) {
		sw_buf_printf(b, ",\"rules\":{");
		for (k = 0; k < SW_ACL_NB_SETS; k++) {
			sw_buf_printf(b, "%s\"%s\":[", k ? "," : "",
				      sw_acl_set_name(k));
			sw_stats_foreach_rule(acl, k, json_rule, b);
			sw_buf_append(b, "]", 1);
		}
		sw_buf_append(b, "}", 1);
	}
	sw_buf_printf(b, "}\n");
}

/* ---- Prometheus text format 0.0.4: GET /metrics ---- */

/* "# HELP" and "# TYPE" of a family named spillway_<a><b><c>. */
static void
prom_head(struct sw_buf *b, const char *name, const char *type,
	  const char *help)
{
	sw_buf_printf(b, "# HELP %s ", name);
	sw_buf_prom_str(b, help, false);
	sw_buf_printf(b, "\n# TYPE %s %s\n", name, type);
}

static void
prom_value(struct sw_buf *b, const struct sw_stat_desc *d, uint64_t v)
{
	if (d->kind == SW_STAT_SECONDS)
		sw_buf_printf(b, " %" PRIu64 ".%03" PRIu64 "\n", v / 1000,
			      v % 1000);
	else
		sw_buf_printf(b, " %" PRIu64 "\n", v);
}

/* A family's name: spillway_PREFIXNAME, _total for counters. */
static void
prom_name(char *out, size_t len, const char *prefix,
	  const struct sw_stat_desc *d, const char *unit)
{
	snprintf(out, len, "spillway_%s%s%s%s", prefix, d->name, unit,
		 d->kind == SW_STAT_COUNTER ? "_total" : "");
}

static const struct {
	const char *name;
	const char *label;
	const char *help;
} prom_families[] = {
	[SW_STAT_VERDICT] = { "spillway_verdict_packets_total", "verdict",
		"IP packets by verdict (they add up to the IP packets "
		"received)" },
	[SW_STAT_INVALID] = { "spillway_invalid_reason_packets_total",
		"reason", "packets dropped as invalid, by reason (they add up "
		"to spillway_invalid_packets_total)" },
	[SW_STAT_DROPPED] = { "spillway_dropped_reason_packets_total",
		"reason", "packets dropped before or beside the rules, by "
		"reason" },
};

static void
prom_workers(const struct sw_stats_snap *s, struct sw_buf *b)
{
	char name[96];
	unsigned int k, w, f;

	for (k = 0; k < SW_CNT_MAX; k++) {
		if (sw_worker_stats[k].family != SW_STAT_OWN)
			continue;
		prom_name(name, sizeof(name), "", &sw_worker_stats[k],
			  "_packets");
		prom_head(b, name, "counter", sw_worker_stats[k].help);
		for (w = 0; w < s->nb_workers; w++) {
			sw_buf_printf(b, "%s{worker=\"%u\"}", name, w);
			prom_value(b, &sw_worker_stats[k], s->worker[w][k]);
		}
	}
	for (f = SW_STAT_VERDICT; f <= SW_STAT_DROPPED; f++) {
		prom_head(b, prom_families[f].name, "counter",
			  prom_families[f].help);
		for (k = 0; k < SW_CNT_MAX; k++) {
			if (sw_worker_stats[k].family != f)
				continue;
			for (w = 0; w < s->nb_workers; w++) {
				sw_buf_printf(b, "%s{worker=\"%u\",%s=\"%s\"}",
					      prom_families[f].name, w,
					      prom_families[f].label,
					      sw_worker_stats[k].name);
				prom_value(b, &sw_worker_stats[k],
					   s->worker[w][k]);
			}
		}
	}
}

static void
prom_rule(const struct sw_stats_rule *r, void *arg)
{
	struct sw_buf *b = arg;

	sw_buf_printf(b, "spillway_rule_hits_total{set=\"%s\",index=\"",
		      sw_acl_set_name(r->set));
	if (r->index < 0)
		sw_buf_printf(b, "default");
	else
		sw_buf_printf(b, "%d", r->index);
	sw_buf_printf(b, "\",action=\"%s\",comment=\"",
		      sw_acl_action_name(r->action));
	sw_buf_prom_str(b, r->comment, true);
	sw_buf_printf(b, "\"} %" PRIu64 "\n", r->hits);
}

void
sw_stats_prom(const struct sw_stats_snap *s, const struct sw_app *app,
	      struct sw_buf *b)
{
	char name[96];
	unsigned int k, i;

	prom_head(b, "spillway_build_info", "gauge",
		  "spillway's version and DPDK's, as labels");
	sw_buf_printf(b, "spillway_build_info{version=\"%s\",dpdk=\"",
		      SW_VERSION);
	sw_buf_prom_str(b, rte_version(), true);
	sw_buf_printf(b, "\"} 1\n");
	for (k = 0; k < SW_CTL_MAX; k++) {
		snprintf(name, sizeof(name), "spillway_%s",
			 sw_ctl_stats[k].prom);
		prom_head(b, name, sw_ctl_stats[k].kind == SW_STAT_COUNTER ?
			  "counter" : "gauge", sw_ctl_stats[k].help);
		sw_buf_printf(b, "%s", name);
		prom_value(b, &sw_ctl_stats[k], s->ctl[k]);
	}
	prom_workers(s, b);
	for (k = 0; s->ft_enabled && k < SW_FT_STAT_MAX; k++) {
		prom_name(name, sizeof(name), "flowtable_", &sw_ft_stat_desc[k],
			  "");
		prom_head(b, name, sw_ft_stat_desc[k].kind == SW_STAT_COUNTER ?
			  "counter" : "gauge", sw_ft_stat_desc[k].help);
		for (i = 0; i < s->nb_shards; i++) {
			sw_buf_printf(b, "%s{worker=\"%u\"}", name, i);
			prom_value(b, &sw_ft_stat_desc[k], s->ft[i][k]);
		}
	}
	for (k = 0; k < SW_PORT_MAX; k++) {
		prom_name(name, sizeof(name), "port_", &sw_port_stats[k], "");
		prom_head(b, name, sw_port_stats[k].kind == SW_STAT_COUNTER ?
			  "counter" : "gauge", sw_port_stats[k].help);
		for (i = 0; i < s->nb_ports; i++) {
			sw_buf_printf(b, "%s{port=\"", name);
			sw_buf_prom_str(b, s->port_name[i], true);
			sw_buf_append(b, "\"}", 2);
			prom_value(b, &sw_port_stats[k], s->port[i][k]);
		}
	}
	for (k = 0; s->ha_enabled && k < SW_HA_STAT_MAX; k++) {
		prom_name(name, sizeof(name), "ha_", &sw_ha_stat_desc[k], "");
		prom_head(b, name, sw_ha_stat_desc[k].kind == SW_STAT_COUNTER ?
			  "counter" : "gauge", sw_ha_stat_desc[k].help);
		sw_buf_printf(b, "%s", name);
		prom_value(b, &sw_ha_stat_desc[k], s->ha[k]);
	}
	prom_head(b, "spillway_rule_hits_total", "counter",
		  "packets each rule decided (index \"default\": the set's "
		  "default); a reload starts them again");
	for (k = 0; k < SW_ACL_NB_SETS; k++)
		sw_stats_foreach_rule(sw_app_acl(app), k, prom_rule, b);
}
