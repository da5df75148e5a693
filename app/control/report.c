/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * What the operator reads: counters, rules, flow table, ports, timeouts,
 * as text (CLI, exit totals) and JSON (CLI, stats file).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "app.h"
#include "report.h"
#include "buf.h"
#include "flowfmt.h"
#include "ruleset.h"
#include "sw_acl.h"
#include "sw_pset.h"
#include "sw_ft.h"
#include "worker.h"
#include "stats.h"
#include "flowfilter.h"
#include "port.h"
#include "clock.h"
#include "reject.h"

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
		      "%u shards of %u, adaptive_scale_permille %" PRIu64
		      "%s\n",
		      t[SW_FT_STAT_max_flows], t[SW_FT_STAT_flows],
		      100.0 * (double)t[SW_FT_STAT_flows] /
		      (double)RTE_MAX(t[SW_FT_STAT_max_flows], 1u),
		      s->nb_shards, sw_ft_shard_max(app->ft),
		      t[SW_FT_STAT_adaptive_scale_permille],
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

static const char *
origin_text(const struct sw_acl_rule *r, char *buf, size_t len)
{
	switch (r->origin) {
	case SW_ACL_DERIVED:
		snprintf(buf, len, " generated(policy[%u])", r->from);
		break;
	case SW_ACL_DERIVED_REPLY:
		snprintf(buf, len, " generated(policy[%u] reply)", r->from);
		break;
	case SW_ACL_DERIVED_COPY:
		snprintf(buf, len, " generated(policy[%u] copy)", r->from);
		break;
	default:
		buf[0] = '\0';
	}
	return buf;
}

/* " jump=NAME", " reject_with=KIND": what the action says beyond its word. */
static const char *
target_text(const struct sw_acl *acl, const struct sw_acl_rule *r, char *buf,
	    size_t len)
{
	if (r->action == SW_ACL_JUMP || r->action == SW_ACL_GOTO)
		snprintf(buf, len, " %s=%s", sw_acl_action_name(r->action),
			 sw_acl_list_name(acl, SW_ACL_GROUP(r->group)));
	else if (r->action == SW_ACL_REJECT && r->reject_with)
		snprintf(buf, len, " reject_with=%s",
			 sw_reject_with_name(r->reject_with));
	else
		buf[0] = '\0';
	return buf;
}

/* "policy", or "group:NAME" for a group's rules. */
static const char *
list_text(const struct sw_acl *acl, enum sw_acl_set k, char *buf, size_t len)
{
	if ((unsigned int)k < SW_ACL_NB_SETS)
		return sw_acl_set_name(k);
	snprintf(buf, len, "group:%s", sw_acl_list_name(acl, k));
	return buf;
}

void
sw_report_rule_line(const struct sw_app *app, const struct sw_acl *acl,
		    enum sw_acl_set k, unsigned int i, char *line, size_t len)
{
	const struct sw_acl_rule *r = sw_acl_get_rule(acl, k, i);
	const char *ports[SW_MAX_PORTS], *sets[SW_ACL_MAX_SETS];
	char match[1024], origin[48], target[64], ln[48];
	const char *file;

	if (r == NULL) {
		snprintf(line, len, "rule %s_default %s hits=%" PRIu64,
			 sw_acl_set_name(k),
			 sw_acl_action_name(sw_acl_default(acl, k)),
			 sw_acl_hits(acl, k, i));
		return;
	}
	sw_config_names(&app->cfg, ports, sets);
	sw_acl_match_text(r, sw_acl_pool(acl), ports, sets, match,
			  sizeof(match));
	file = r->file < app->cfg.rules.nb_files ?
	       app->cfg.rules.files[r->file] : app->cfg.file;
	snprintf(line, len, "rule %s[%u] %s hits=%" PRIu64 " %s%s at=%s:%u%s"
		 "%s%s", list_text(acl, k, ln, sizeof(ln)), i,
		 sw_acl_action_name(r->action), sw_acl_hits(acl, k, i), match,
		 target_text(acl, r, target, sizeof(target)), file, r->line,
		 origin_text(r, origin, sizeof(origin)),
		 r->comment[0] ? " # " : "", r->comment);
}

void
sw_report_rules(const struct sw_app *app, struct sw_buf *b)
{
	struct sw_rule_stream rs;

	sw_report_rules_begin(app, &rs, -1, NULL);
	while (sw_report_rules_more(app, &rs, b))
		;
}

/* Bytes of rule lines one chunk appends. */
#define RULES_CHUNK_BYTES	(32u << 10)

void
sw_report_rules_begin(const struct sw_app *app, struct sw_rule_stream *rs,
		      int set, const char *grep)
{
	memset(rs, 0, sizeof(*rs));
	rs->set = set;
	rs->k = set < 0 ? 0 : (unsigned int)set;
	rs->gen = app->rules != NULL ? app->rules->gen : 0;
	if (grep != NULL)
		snprintf(rs->grep, sizeof(rs->grep), "%s", grep);
}

bool
sw_report_rules_more(const struct sw_app *app, struct sw_rule_stream *rs,
		     struct sw_buf *b)
{
	const struct sw_acl *acl = sw_app_acl(app);
	size_t start = b->len;
	char line[1400];
	unsigned int n;

	if (acl == NULL)
		return false;
	if (app->rules->gen != rs->gen) {
		sw_buf_printf(b, "(the rules were reloaded during the listing: "
			      "stopped after %" PRIu64 " lines; list again)\n",
			      rs->shown);
		return false;
	}
	while (rs->k < sw_acl_nb_lists(acl) &&
	       b->len - start < RULES_CHUNK_BYTES) {
		/* Policy and fallback end with their default (index n);
		 * notrack has none: no rule there means "no verdict", and
		 * a group's end returns to the rule that jumped. */
		n = sw_acl_nb_rules(acl, rs->k) +
		    (rs->k == SW_ACL_POLICY || rs->k == SW_ACL_FALLBACK ? 1 :
		     0);
		if (rs->i >= n) {
			rs->k = rs->set >= 0 ? sw_acl_nb_lists(acl) :
				rs->k + 1;
			rs->i = 0;
			continue;
		}
		sw_report_rule_line(app, acl, rs->k, rs->i++, line,
				    sizeof(line));
		if (rs->grep[0] && strstr(line, rs->grep) == NULL)
			continue;
		sw_buf_printf(b, "  %s\n", line);
		rs->shown++;
	}
	if (rs->k < sw_acl_nb_lists(acl))
		return true;
	if (rs->grep[0] && rs->shown == 0)
		sw_buf_printf(b, "(no rule line holds '%s')\n", rs->grep);
	return false;
}

void
sw_report_ports(const struct sw_app *app, struct sw_buf *b)
{
	const struct sw_stats_snap *s = sw_stats_take(app);
	char name[RTE_ETH_NAME_MAX_LEN], key[2 * SW_PORT_RSS_KEY_MAX + 1];
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
		sw_buf_printf(b, " peer=%s dev=%s dpdk_port=%u dpdk_name=%s",
			      app->cfg.ports[app->cfg.ports[p].peer].name,
			      app->cfg.ports[p].dev, app->port_id[p], name);
		/* This run's random key, only where the port hashes. */
		if (sw_port_rss_key_str(app->port_id[p], key, sizeof(key)))
			sw_buf_printf(b, " rss_key=%s", key);
		/* Link, MTU, queues, descriptors, offloads in force. */
		sw_port_describe(app->port_id[p], &app->cfg.ports[p], b);
		sw_buf_append(b, "\n", 1);
	}
}

void
sw_report_timeouts(const struct sw_app *app, struct sw_buf *b)
{
	unsigned int t;

	for (t = 0; t < SW_FT_TO_MAX; t++)
		sw_buf_printf(b, "  %-20s %u\n", sw_ft_timeout_name(t),
			      app->ft ? sw_ft_get_timeout(app->ft, t) :
				        app->cfg.flowtable.ft.timeouts[t]);
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

	if (fa->fs->filtered &&
	    !sw_flow_filter_match(&fa->fs->filter, k, info->orig_dir,
				  info->state))
		return 0;
	sw_format_flow(line, sizeof(line), k, info, fa->fs->detail);
	sw_buf_printf(fa->b, "%s\n", line);
	fa->fs->shown++;
	return (fa->fs->limit != 0 && fa->fs->shown >= fa->fs->limit) ||
	       fa->b->len >= FLOWS_CHUNK_BYTES;
}

void
sw_report_flows_begin(const struct sw_app *app, struct sw_flow_stream *fs,
		      uint64_t limit, int detail,
		      const struct sw_flow_filter *filter)
{
	struct sw_ft_stats st;
	unsigned int i;

	memset(fs, 0, sizeof(*fs));
	fs->limit = limit;
	fs->detail = detail;
	if (filter != NULL) {
		fs->filtered = true;
		fs->filter = *filter;
	}
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
	if (done && fs->limit != 0 && fs->total > fs->shown &&
	    !(fs->filtered && sw_ft_walk_done(app->ft, &fs->cur))) {
		if (fs->filtered)
			sw_buf_printf(b, "(%" PRIu64 " of about %" PRIu64
				      " flows shown, more may match; show "
				      "flows N, or show flows 0 for all)\n",
				      fs->shown, fs->total);
		else
			sw_buf_printf(b, "(%" PRIu64 " of about %" PRIu64
				      " flows shown; %" PRIu64 " more: show "
				      "flows N, or show flows 0 for all)\n",
				      fs->shown, fs->total,
				      fs->total - fs->shown);
	}
	return !done;
}

void
sw_report_stats_json(const struct sw_app *app, struct sw_buf *b, bool rules)
{
	sw_stats_json(sw_stats_take(app), app, b, rules);
}

/* ---- sets ---- */

static const struct sw_pset *
set_named(const struct sw_app *app, const char *name)
{
	int i = sw_ruleset_set_index(app->rules, name);

	return i < 0 ? NULL : app->rules->sets[i];
}

int
sw_report_set_begin(const struct sw_app *app, struct sw_set_list *l,
		    const char *name, uint64_t limit)
{
	const struct sw_pset *ps = set_named(app, name);

	memset(l, 0, sizeof(*l));
	if (ps == NULL)
		return -ENOENT;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->limit = limit;
	return sw_pset_snapshot(ps, &l->v, &l->n);
}

bool
sw_report_set_more(const struct sw_app *app, struct sw_set_list *l,
		   struct sw_buf *b)
{
	const struct sw_pset *ps = set_named(app, l->name);
	uint64_t now = (uint64_t)sw_now_s();
	unsigned int k;
	uint32_t left;
	char a[64];

	for (k = 0; k < 2048 && l->shown < l->n &&
	     (l->limit == 0 || l->shown < l->limit); k++) {
		const struct sw_pset_prefix *p = &l->v[l->shown++];

		sw_acl_cidr_format((const struct sw_acl_cidr *)p, a,
				   sizeof(a));
		left = ps != NULL ? sw_pset_timeout_left(ps, p, now) : 0;
		if (left)
			sw_buf_printf(b, "%s timeout %u\n", a, left);
		else
			sw_buf_printf(b, "%s\n", a);
	}
	if (l->shown < l->n && (l->limit == 0 || l->shown < l->limit))
		return true;
	if (l->shown < l->n)
		sw_buf_printf(b, "(%" PRIu64 " of %u shown: set list NAME 0 "
			      "for all)\n", l->shown, l->n);
	return false;
}

void
sw_report_set_end(struct sw_set_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Has the set's file changed since it was read (size, inode, mtime)? */
static bool
file_changed(const struct sw_set_conf *sc)
{
	struct stat st;

	if (sc->path[0] == '\0')
		return false;
	if (stat(sc->path, &st) != 0)
		return true;
	return (uint64_t)st.st_size != sc->file_size ||
	       (uint64_t)st.st_ino != sc->file_ino ||
	       (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec !=
	       sc->file_mtime_ns;
}

static void
set_text(const struct sw_app *app, unsigned int i, struct sw_buf *b)
{
	static const char *const fam[] = { "any", "", "", "", "ipv4", "",
					   "ipv6" };
	const struct sw_pset *ps = app->rules->sets[i];
	const struct sw_set_conf *sc = &app->cfg.sets[i];
	uint8_t f = sw_pset_family(ps);

	sw_buf_printf(b, "set %s family=%s ipv4=%u ipv6=%u max=%u changes=%"
		      PRIu64, app->rules->names[i], fam[f],
		      sw_pset_count(ps, 4), sw_pset_count(ps, 6),
		      sw_pset_max(ps, f ? f : 4), sw_pset_generation(ps));
	if (sw_pset_has_timeouts(ps))
		sw_buf_printf(b, " timeout=%u timed=%u", sc->timeout,
			      sw_pset_nb_timed(ps));
	sw_buf_printf(b, " drift=%s", sw_ruleset_set_drifted(app->rules, i) ?
		      "yes" : "no");
	if (sc->file[0])
		sw_buf_printf(b, " file_changed=%s file=%s",
			      file_changed(sc) ? "yes" : "no", sc->file);
	sw_buf_printf(b, "\n");
}

static void
set_json(const struct sw_app *app, unsigned int i, struct sw_buf *b)
{
	const struct sw_pset *ps = app->rules->sets[i];
	const struct sw_set_conf *sc = &app->cfg.sets[i];
	uint8_t f = sw_pset_family(ps);

	sw_buf_printf(b, "%s{\"name\":", i ? "," : "");
	sw_buf_json_str(b, app->rules->names[i]);
	sw_buf_printf(b, ",\"family\":\"%s\",\"ipv4\":%u,\"ipv6\":%u,"
		      "\"max\":%u,\"changes\":%" PRIu64 ",\"timeouts\":%s,"
		      "\"timeout\":%u,\"timed\":%u,\"drift\":%s,\"file\":",
		      f == 4 ? "ipv4" : f == 6 ? "ipv6" : "any",
		      sw_pset_count(ps, 4), sw_pset_count(ps, 6),
		      sw_pset_max(ps, f ? f : 4), sw_pset_generation(ps),
		      sw_pset_has_timeouts(ps) ? "true" : "false",
		      sc->timeout, sw_pset_nb_timed(ps),
		      sw_ruleset_set_drifted(app->rules, i) ? "true" :
		      "false");
	if (sc->file[0])
		sw_buf_json_str(b, sc->file);
	else
		sw_buf_printf(b, "null");
	sw_buf_printf(b, ",\"file_changed\":%s}",
		      file_changed(sc) ? "true" : "false");
}

void
sw_report_sets(const struct sw_app *app, struct sw_buf *b, bool json)
{
	unsigned int i, n = app->rules ? app->rules->nb_sets : 0;

	if (json)
		sw_buf_printf(b, "{\"sets\":[");
	else if (n == 0)
		sw_buf_printf(b, "no sets (define them under sets in the "
			      "config)\n");
	for (i = 0; i < n; i++)
		(json ? set_json : set_text)(app, i, b);
	if (json)
		sw_buf_printf(b, "]}\n");
}
