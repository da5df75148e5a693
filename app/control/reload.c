/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Live reload: validate the whole file and build the new rules and sets
 * before anything changes, on a thread of its own (the control thread
 * keeps serving the CLI, the stats file and telemetry); then swap them
 * in (RCU), apply what can change live, and report what needs a restart
 * without applying it.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>

#include "app.h"
#include "reload.h"
#include "buf.h"
#include "droplog.h"
#include "log.h"
#include "policy.h"
#include "ruleset.h"
#include "sw_acl.h"
#include "sw_ft.h"
#include "worker.h"
#include "clock.h"

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
		    a->ports[i].peer != b->ports[i].peer ||
		    a->ports[i].link_propagate != b->ports[i].link_propagate ||
		    a->ports[i].mtu != b->ports[i].mtu ||
		    a->ports[i].rx_desc != b->ports[i].rx_desc ||
		    a->ports[i].tx_desc != b->ports[i].tx_desc ||
		    a->ports[i].queues != b->ports[i].queues)
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
			sw_buf_printf(out, "error: restart needed: %s " \
				      "changed; not applied, still running " \
				      "the old\n", what); \
			n++; \
		} \
	} while (0)
	NEEDS_RESTART(!same_eal(old, new), "eal");
	NEEDS_RESTART(!same_ports(old, new), "ports or pairs");
	NEEDS_RESTART(!same_workers(old, new), "workers");
	NEEDS_RESTART(fo->enabled != fn->enabled, "flowtable.enabled");
	NEEDS_RESTART(fo->ft.max_flows != fn->ft.max_flows, "flowtable.max_flows");
	NEEDS_RESTART(fo->ft.high_water != fn->ft.high_water,
		      "flowtable.high_water");
	NEEDS_RESTART(fo->zone_vlan != fn->zone_vlan, "flowtable.zone_vlan");
	NEEDS_RESTART(fo->ft.src_v4_prefix != fn->ft.src_v4_prefix ||
		      fo->ft.src_v6_prefix != fn->ft.src_v6_prefix ||
		      fo->ft.src_max_flows != fn->ft.src_max_flows ||
		      fo->ft.src_max_new_per_s != fn->ft.src_max_new_per_s ||
		      fo->ft.src_max_sources != fn->ft.src_max_sources,
		      "flowtable.per_source (limits, prefixes, size)");
	NEEDS_RESTART(fo->ft.proxy_wscale != fn->ft.proxy_wscale ||
		      fo->synproxy_mss != fn->synproxy_mss,
		      "flowtable.synproxy_wscale or synproxy_mss");
	NEEDS_RESTART(fo->ft.proxy_cookie_period != fn->ft.proxy_cookie_period,
		      "flowtable.synproxy_cookie_period");
	NEEDS_RESTART(fo->ft.adaptive_start != fn->ft.adaptive_start ||
		      fo->ft.adaptive_end != fn->ft.adaptive_end,
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
	NEEDS_RESTART(memcmp(&old->ha, &new->ha, sizeof(old->ha)) != 0, "ha");
	NEEDS_RESTART(old->rules.reject_rate != new->rules.reject_rate ||
		      old->rules.reject_rate_per_dest !=
		      new->rules.reject_rate_per_dest,
		      "rules.reject_rate");
#undef NEEDS_RESTART
	return n;
}

/* What a reload thread builds, for the control thread to finish. */
struct sw_reload {
	struct sw_app *app;
	pthread_t thread;
	bool done;			/* the thread has finished */
	bool cancel;
	uint64_t seq;
	char why[32];
	double started;
	int rc;
	char err[SW_CONF_ERR_MAX];
	struct sw_config next;
	bool have_next;
	struct sw_ruleset *rules;
	struct sw_buf report;		/* sets made or kept */
};

/*
 * The reload thread: everything that may take long (reading the file
 * and its sets, building rules and sets), none of it seen by anyone
 * until the control thread publishes it. It reads app->rules and the
 * set definitions of app->cfg, which only the control thread changes,
 * and only when no reload thread runs.
 */
static void *
reload_main(void *arg)
{
	struct sw_reload *j = arg;
	struct sw_app *app = j->app;

	j->rc = sw_config_load(app->conf_path, &j->next, j->err,
			       sizeof(j->err));
	j->have_next = j->rc == 0;
	if (j->rc == 0 && !__atomic_load_n(&j->cancel, __ATOMIC_RELAXED)) {
		if (app->socket_override[0])
			snprintf(j->next.control.socket,
				 sizeof(j->next.control.socket), "%s",
				 app->socket_override);
		j->rules = sw_ruleset_build(&j->next, app->rules,
					    app->cfg.nb_workers, app->socket_id,
					    app->qs, app->ft, true, &j->report,
					    j->err, sizeof(j->err));
		if (j->rules == NULL)
			j->rc = -EINVAL;
	}
	__atomic_store_n(&j->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static int
reload_start(struct sw_app *app, uint64_t seq, const char *why)
{
	struct sw_reload *j = calloc(1, sizeof(*j));
	int rc;

	if (j == NULL)
		return -ENOMEM;
	j->app = app;
	j->seq = seq;
	j->started = sw_now_s();
	snprintf(j->why, sizeof(j->why), "%s", why);
	sw_buf_init(&j->report);
	rc = pthread_create(&j->thread, NULL, reload_main, j);
	if (rc != 0) {
		free(j);
		return -rc;
	}
	pthread_setname_np(j->thread, "sw-reload");
	app->reload_job = j;
	SW_LOG(INFO, "reload %" PRIu64 " (%s): reading %s\n", seq, why,
	       app->conf_path);
	return 0;
}

static void
job_free(struct sw_reload *j)
{
	if (j->have_next)
		sw_config_free(&j->next);
	sw_buf_free(&j->report);
	free(j);
}

/* The control thread's half: swap in what was built, apply the rest. */
/* The rule lists, their pool, their files and the sets move to cur. */
static void
take_rules(struct sw_config *cur, struct sw_config *next)
{
	struct sw_rules_conf tr = cur->rules;
	unsigned int k, i;

	for (k = 0; k < SW_ACL_NB_SETS; k++) {
		free(cur->rules.rules[k]);
		cur->rules.rules[k] = next->rules.rules[k];
		cur->rules.nb[k] = next->rules.nb[k];
		cur->rules.default_action[k] = next->rules.default_action[k];
		cur->rules.default_log[k] = next->rules.default_log[k];
		next->rules.rules[k] = NULL;
		next->rules.nb[k] = 0;
	}
	/* The pool, file names and sets move whole; next frees the old. */
	cur->rules.pool = next->rules.pool;
	next->rules.pool = tr.pool;
	memcpy(cur->rules.files, next->rules.files, sizeof(cur->rules.files));
	cur->rules.nb_files = next->rules.nb_files;
	memcpy(next->rules.files, tr.files, sizeof(tr.files));
	next->rules.nb_files = tr.nb_files;
	cur->rules.fallback_from_policy = next->rules.fallback_from_policy;
	cur->rules.nb_written_fallback = next->rules.nb_written_fallback;
	/* The groups move whole too; next frees the old ones. */
	memcpy(cur->rules.groups, next->rules.groups,
	       sizeof(cur->rules.groups));
	cur->rules.nb_groups = next->rules.nb_groups;
	memcpy(next->rules.groups, tr.groups, sizeof(tr.groups));
	next->rules.nb_groups = tr.nb_groups;
	for (i = 0; i < cur->nb_sets; i++)
		sw_set_conf_drop_elements(&cur->sets[i]);
	memcpy(cur->sets, next->sets, sizeof(cur->sets));
	cur->nb_sets = next->nb_sets;
	/* Kept by digest and name: the elements are not needed. */
	for (i = 0; i < cur->nb_sets; i++)
		sw_set_conf_drop_elements(&cur->sets[i]);
	next->nb_sets = 0;
}

/* Packet-path switches every worker reads as it goes. */
static void
apply_packet_settings(struct sw_app *app, const struct sw_config *next)
{
	struct sw_config *cur = &app->cfg;
	unsigned int i, e;

	cur->rules.allow_ndp = next->rules.allow_ndp;
	cur->rules.allow_mld = next->rules.allow_mld;
	cur->rules.allow_source_route = next->rules.allow_source_route;
	cur->l2_passthrough = next->l2_passthrough;
	cur->checksum_verify = next->checksum_verify;
	cur->l2 = next->l2;
	for (i = 0; i < cur->nb_workers; i++) {
		struct sw_worker *w = app->workers[i];

		if (w == NULL)
			continue;
		__atomic_store_n(&w->allow_ndp, cur->rules.allow_ndp,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&w->allow_mld, cur->rules.allow_mld,
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
}

/* Timeouts and tracking options apply to live flows at once. */
static void
apply_flowtable(struct sw_app *app, const struct sw_config *next)
{
	struct sw_ft_conf *c = &app->cfg.flowtable.ft;
	const struct sw_ft_conf *n = &next->flowtable.ft;
	unsigned int t;

	for (t = 0; t < SW_FT_TO_MAX; t++)
		c->timeouts[t] = n->timeouts[t];
	c->tcp_loose = n->tcp_loose;
	c->tcp_be_liberal = n->tcp_be_liberal;
	c->proxy_mode = n->proxy_mode;
	c->proxy_start = n->proxy_start;
	c->proxy_bad_cookies = n->proxy_bad_cookies;
	c->early_drop = n->early_drop;
	app->cfg.flowtable.revalidate_on_reload =
		next->flowtable.revalidate_on_reload;
	/* Read at the next stop: the new name is the one written. */
	memcpy(app->cfg.flowtable.state_file, next->flowtable.state_file,
	       sizeof(app->cfg.flowtable.state_file));
	memcpy(app->cfg.flowtable.state_path, next->flowtable.state_path,
	       sizeof(app->cfg.flowtable.state_path));
	if (app->ft == NULL)
		return;
	for (t = 0; t < SW_FT_TO_MAX; t++)
		sw_ft_set_timeout(app->ft, t, c->timeouts[t]);
	sw_ft_set_options(app->ft, c->tcp_loose, c->tcp_be_liberal,
			  c->early_drop);
	sw_ft_set_proxy(app->ft, c->proxy_mode, c->proxy_start);
	sw_ft_set_bad_cookies(app->ft, c->proxy_bad_cookies);
	if (app->cfg.flowtable.revalidate_on_reload)
		sw_app_rules_rejudge(app);
}

/*
 * Put what was built in force; returns how many settings it could not
 * apply (they need a restart; each has its "error:" line in out).
 */
static unsigned int
commit(struct sw_app *app, struct sw_reload *j, struct sw_buf *out)
{
	struct sw_config *cur = &app->cfg, *next = &j->next;
	unsigned int missed;

	missed = report_restart(cur, next, out);
	if (j->report.len)
		sw_buf_append(out, j->report.p, j->report.len);

	/* Rules and sets: swap, wait out every worker, carry hit counts. */
	sw_ruleset_publish(&app->rules, j->rules, next, cur, app->qs);
	j->rules = NULL;
	app->rule_builds++;
	take_rules(cur, next);
	apply_packet_settings(app, next);
	apply_flowtable(app, next);
	/* stats.*: live, but for the endpoint's address (bound at start). */
	memcpy(next->stats.prom_listen, cur->stats.prom_listen,
	       sizeof(next->stats.prom_listen));
	next->stats.prom_family = cur->stats.prom_family;
	memcpy(next->stats.prom_addr, cur->stats.prom_addr,
	       sizeof(next->stats.prom_addr));
	next->stats.prom_port = cur->stats.prom_port;
	cur->stats = next->stats;
	cur->log = next->log;
	sw_droplog_apply(app->droplog);
	app->reloads++;

	sw_buf_printf(out, "reloaded %s in %.2f s: notrack %u, policy %u, "
		      "fallback %u rules (%u derived from the policy), %u "
		      "sets; timeouts applied to live flows%s\n",
		      app->conf_path, sw_now_s() - j->started,
		      cur->rules.nb[SW_ACL_NOTRACK],
		      cur->rules.nb[SW_ACL_POLICY],
		      cur->rules.nb[SW_ACL_FALLBACK],
		      cur->rules.nb[SW_ACL_FALLBACK] -
		      cur->rules.nb_written_fallback, cur->nb_sets,
		      app->ft && cur->flowtable.revalidate_on_reload ?
		      "; revalidating live flows against the new policy" : "");
	if (missed)
		sw_buf_printf(out, "error: reload incomplete: %u setting%s "
			      "above need%s a restart and %s not applied; "
			      "the rest took\n", missed, missed > 1 ? "s" : "",
			      missed > 1 ? "" : "s", missed > 1 ? "were" :
			      "was");
	return missed;
}

static void
finish(struct sw_app *app, struct sw_reload *j)
{
	struct sw_buf out;
	const char *p, *nl;
	int rc = j->rc;

	pthread_join(j->thread, NULL);
	sw_buf_init(&out);
	if (rc == 0) {
		app->reload_ok = commit(app, j, &out) == 0;
		app->reload_error[0] = '\0';
		if (app->reload_ok)
			SW_LOG(INFO, "reload %" PRIu64 " (%s):\n%s", j->seq,
			       j->why, out.p ? out.p : "");
		else
			SW_LOG(WARNING, "reload %" PRIu64 " (%s), incomplete:"
			       "\n%s", j->seq, j->why, out.p ? out.p : "");
	} else {
		app->reload_ok = false;
		/* Every line of the reason is an error line. */
		for (p = j->err; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
			sw_buf_printf(&out, "error: %.*s\n", (int)(nl - p), p);
		sw_buf_printf(&out, "error: %s\nerror: reload refused, the "
			      "running configuration stays in force\n", p);
		app->reload_failures++;
		/* The stats' reload_error: as much of the reason as fits. */
		snprintf(app->reload_error, sizeof(app->reload_error), "%.*s",
			 (int)sizeof(app->reload_error) - 1, j->err);
		SW_LOG(ERR, "reload %" PRIu64 " (%s) refused: %s\n", j->seq,
		       j->why, j->err);
	}
	sw_ruleset_free(j->rules, app->rules);
	j->rules = NULL;
	free(app->reload_result);
	app->reload_result = out.p != NULL && !out.oom ? out.p : NULL;
	if (app->reload_result == NULL)
		sw_buf_free(&out);
	app->reload_done = j->seq;
	app->reload_job = NULL;
	job_free(j);
}

uint64_t
sw_app_reload_ask(struct sw_app *app, const char *why)
{
	uint64_t seq;

	if (app->reload_job != NULL)
		/* Asked during a run: the next one covers it. */
		return app->reload_asked = app->reload_job->seq + 1;
	seq = app->reload_done + 1;
	app->reload_asked = seq;
	if (reload_start(app, seq, why) != 0) {
		app->reload_failures++;
		snprintf(app->reload_error, sizeof(app->reload_error),
			 "cannot start the reload thread");
		free(app->reload_result);
		app->reload_result = strdup("error: cannot start the reload "
					    "thread\n");
		app->reload_ok = false;
		app->reload_done = seq;
	}
	return seq;
}

void
sw_app_reload_poll(struct sw_app *app)
{
	struct sw_reload *j = app->reload_job;

	if (j == NULL || !__atomic_load_n(&j->done, __ATOMIC_ACQUIRE))
		return;
	finish(app, j);
	if (app->reload_asked > app->reload_done)
		reload_start(app, app->reload_done + 1, "asked meanwhile");
}

int
sw_app_reload(struct sw_app *app, struct sw_buf *out)
{
	uint64_t seq = sw_app_reload_ask(app, "direct");

	while (app->reload_done < seq) {
		usleep(1000);
		sw_app_reload_poll(app);
	}
	if (app->reload_result != NULL)
		sw_buf_printf(out, "%s", app->reload_result);
	return app->reload_error[0] ? -EINVAL : app->reload_ok ? 0 : -EAGAIN;
}

void
sw_app_reload_cancel(struct sw_app *app)
{
	struct sw_reload *j = app->reload_job;

	if (j == NULL)
		return;
	__atomic_store_n(&j->cancel, true, __ATOMIC_RELAXED);
	pthread_join(j->thread, NULL);
	sw_ruleset_free(j->rules, app->rules);
	j->rules = NULL;
	app->reload_job = NULL;
	job_free(j);
}
