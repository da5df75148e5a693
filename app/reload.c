/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Live reload: validate the whole file and build the new rules before
 * anything changes; then swap the rules (RCU), apply what can change
 * live, and report what needs a restart without applying it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>

#include "app.h"
#include "buf.h"
#include "droplog.h"
#include "log.h"
#include "policy.h"
#include "sw_acl.h"
#include "sw_ft.h"
#include "worker.h"

static bool
same_eal(const struct sw_config *a, const struct sw_config *b)
{
	unsigned int i;

	if (a->eal_argc != b->eal_argc)
		return false;
	for (i = 0; i < a->eal_argc; i++)
		if (strcmp(a->eal_argv[i], b->eal_argv[i]) != 0)
			return false;
	return true;
}

static bool
same_ports(const struct sw_config *a, const struct sw_config *b)
{
	unsigned int i;

	if (a->nb_ports != b->nb_ports)
		return false;
	for (i = 0; i < a->nb_ports; i++)
		if (strcmp(a->ports[i].name, b->ports[i].name) ||
		    strcmp(a->ports[i].dev, b->ports[i].dev) ||
		    a->ports[i].peer != b->ports[i].peer)
			return false;
	return true;
}

static bool
same_workers(const struct sw_config *a, const struct sw_config *b)
{
	return a->nb_workers == b->nb_workers && a->burst == b->burst &&
	       memcmp(a->lcores, b->lcores,
		      sizeof(a->lcores[0]) * a->nb_workers) == 0;
}

/* Settings that only a restart can change: report, keep the old. */
static unsigned int
report_restart(const struct sw_config *old, const struct sw_config *new,
	       struct sw_buf *out)
{
	const struct sw_flowtable_conf *fo = &old->flowtable;
	const struct sw_flowtable_conf *fn = &new->flowtable;
	unsigned int n = 0;

#define NEEDS_RESTART(cond, what) do { \
		if (cond) { \
			sw_buf_printf(out, "restart needed: %s changed; not " \
				      "applied, still running the old\n", \
				      what); \
			n++; \
		} \
	} while (0)
	NEEDS_RESTART(!same_eal(old, new), "eal");
	NEEDS_RESTART(!same_ports(old, new), "ports or pairs");
	NEEDS_RESTART(!same_workers(old, new), "workers");
	NEEDS_RESTART(fo->enabled != fn->enabled, "flowtable.enabled");
	NEEDS_RESTART(fo->max_flows != fn->max_flows, "flowtable.max_flows");
	NEEDS_RESTART(fo->high_water != fn->high_water,
		      "flowtable.high_water");
	NEEDS_RESTART(fo->zone_vlan != fn->zone_vlan, "flowtable.zone_vlan");
	NEEDS_RESTART(fo->src_v4_prefix != fn->src_v4_prefix ||
		      fo->src_v6_prefix != fn->src_v6_prefix ||
		      fo->src_max_flows != fn->src_max_flows ||
		      fo->src_max_new_per_s != fn->src_max_new_per_s ||
		      fo->src_max_sources != fn->src_max_sources,
		      "flowtable.per_source (limits, prefixes, size)");
	NEEDS_RESTART(fo->synproxy_wscale != fn->synproxy_wscale ||
		      fo->synproxy_mss != fn->synproxy_mss,
		      "flowtable.synproxy_wscale or synproxy_mss");
	NEEDS_RESTART(fo->adaptive_start != fn->adaptive_start ||
		      fo->adaptive_end != fn->adaptive_end,
		      "flowtable.adaptive");
	NEEDS_RESTART(strcmp(old->control.listen, new->control.listen) ||
		      strcmp(old->control.password, new->control.password) ||
		      strcmp(old->control.socket, new->control.socket) ||
		      strcmp(old->control.socket_group,
			     new->control.socket_group) ||
		      old->control.tcp_admin != new->control.tcp_admin ||
		      old->control.idle_timeout != new->control.idle_timeout ||
		      old->control.max_clients != new->control.max_clients,
		      "control");
	NEEDS_RESTART(strcmp(old->stats.prom_listen, new->stats.prom_listen),
		      "stats.prometheus_listen");
	NEEDS_RESTART(old->fragments.timeout != new->fragments.timeout ||
		      old->fragments.per_source != new->fragments.per_source,
		      "fragments");
	NEEDS_RESTART(old->rules.reject_rate != new->rules.reject_rate ||
		      old->rules.reject_rate_per_dest !=
		      new->rules.reject_rate_per_dest,
		      "rules.reject_rate");
#undef NEEDS_RESTART
	return n;
}

int
sw_app_reload(struct sw_app *app, struct sw_buf *out)
{
	struct sw_config next;
	struct sw_config *cur = &app->cfg;
	struct sw_acl *acl;
	char err[SW_ERR_MAX];
	unsigned int t, i;
	int rc;

	rc = sw_config_load(app->conf_path, &next, err, sizeof(err));
	if (rc) {
		sw_buf_printf(out, "error: %s\nerror: reload refused, the "
			      "running configuration stays in force\n", err);
		app->reload_failures++;
		return rc;
	}
	if (app->socket_override[0])
		snprintf(next.control.socket, sizeof(next.control.socket),
			 "%s", app->socket_override);
	/* Built for the running workers, before anything moves. */
	acl = sw_app_rules_build(&next.rules, cur->nb_workers, err,
				 sizeof(err));
	if (acl == NULL) {
		sw_buf_printf(out, "error: %s: rules: %s\nerror: reload "
			      "refused, the running configuration stays in "
			      "force\n", app->conf_path, err);
		sw_config_free(&next);
		app->reload_failures++;
		return -EINVAL;
	}

	report_restart(cur, &next, out);

	sw_app_rules_publish(app, acl, &next.rules);
	cur->rules.allow_ndp = next.rules.allow_ndp;
	cur->rules.allow_source_route = next.rules.allow_source_route;
	cur->l2_passthrough = next.l2_passthrough;
	cur->checksum_verify = next.checksum_verify;
	cur->l2 = next.l2;
	for (i = 0; i < cur->nb_workers; i++) {
		struct sw_worker *w = app->workers[i];
		unsigned int e;

		__atomic_store_n(&w->allow_ndp, cur->rules.allow_ndp,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&w->allow_source_route,
				 cur->rules.allow_source_route,
				 __ATOMIC_RELAXED);
		/* A word at a time: a frame meets the old or new entry. */
		__atomic_store_n(&w->l2.named, cur->l2.named,
				 __ATOMIC_RELAXED);
		for (e = 0; e < SW_L2_NUM_MAX; e++)
			__atomic_store_n(&w->l2.num[e], cur->l2.num[e],
					 __ATOMIC_RELAXED);
		__atomic_store_n(&w->checksum_verify, cur->checksum_verify,
				 __ATOMIC_RELAXED);
	}

	/* Timeouts and tracking options apply to live flows at once. */
	for (t = 0; t < SW_FT_TO_MAX; t++)
		cur->flowtable.timeouts[t] = next.flowtable.timeouts[t];
	cur->flowtable.tcp_loose = next.flowtable.tcp_loose;
	cur->flowtable.tcp_be_liberal = next.flowtable.tcp_be_liberal;
	cur->flowtable.synproxy = next.flowtable.synproxy;
	cur->flowtable.synproxy_start = next.flowtable.synproxy_start;
	cur->flowtable.early_drop = next.flowtable.early_drop;
	cur->flowtable.revalidate_on_reload =
		next.flowtable.revalidate_on_reload;
	if (app->ft != NULL) {
		for (t = 0; t < SW_FT_TO_MAX; t++)
			sw_ft_set_timeout(app->ft, t,
					  cur->flowtable.timeouts[t]);
		sw_ft_set_options(app->ft, cur->flowtable.tcp_loose,
				  cur->flowtable.tcp_be_liberal,
				  cur->flowtable.early_drop);
		sw_ft_set_proxy(app->ft, (uint8_t)cur->flowtable.synproxy,
				(uint8_t)cur->flowtable.synproxy_start);
		if (cur->flowtable.revalidate_on_reload)
			sw_app_rules_rejudge(app);
	}
	/* stats.*: live, but for the endpoint's address (bound at start). */
	memcpy(next.stats.prom_listen, cur->stats.prom_listen,
	       sizeof(next.stats.prom_listen));
	next.stats.prom_family = cur->stats.prom_family;
	memcpy(next.stats.prom_addr, cur->stats.prom_addr,
	       sizeof(next.stats.prom_addr));
	next.stats.prom_port = cur->stats.prom_port;
	cur->stats = next.stats;
	cur->log = next.log;
	sw_droplog_apply(app->droplog);
	sw_config_free(&next);
	app->reloads++;

	sw_buf_printf(out, "reloaded %s: notrack %u, policy %u, fallback %u "
		      "rules; timeouts applied to live flows%s\n",
		      app->conf_path, cur->rules.nb[SW_ACL_NOTRACK],
		      cur->rules.nb[SW_ACL_POLICY],
		      cur->rules.nb[SW_ACL_FALLBACK],
		      app->ft && cur->flowtable.revalidate_on_reload ?
		      "; revalidating live flows against the new policy" : "");
	return 0;
}
